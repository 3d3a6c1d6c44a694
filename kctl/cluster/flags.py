"""kubeadm's upgrade options as kctl understands them: --skip-phases (kubeadm's phase names and
kctl's), --ignore-preflight-errors (check names or `all`), and the UpgradeConfiguration
(kubeadm.k8s.io/v1beta4) a `--config` file may hold, its fields for apply, node, plan and diff.
Each input is translated, reported as a warning saying it changes nothing, or refused with
its file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.cluster import docs
from kctl.cluster.kubeadm_api import TIMEOUTS
from kctl.cluster.names import CONTROL_PLANE, PHASES
from kctl.errors import InputError

# kubeadm's phase names (cmd/kubeadm/app/cmd/phases/upgrade/{apply,node}) -> kctl's phases
KUBEADM_PHASES: dict[str, tuple[str, ...]] = {
    "control-plane": CONTROL_PLANE,
    "upload-config": ("upload-config",),
    "upload-config/kubeadm": ("upload-config",),
    "upload-config/kubelet": ("upload-config",),
    "kubelet-config": ("kubelet-config",),
    "addon": ("addons",),
    "addon/all": ("addons",),
    "addons": ("addons",),
}
ADDON_PHASES = {"addon/coredns": "coredns", "addon/kube-proxy": "kube-proxy"}
NO_SUCH_PHASE = ("kubeconfig", "bootstrap-token", "post-upgrade")  # kctl has nothing to skip
UNSKIPPABLE = ("preflight", "backup")
# checks --ignore-preflight-errors may name; skew (one minor at a time) and lock never
IGNORABLE = ("health", "kubelet-skew", "etcd", "disk", "corefile")
KUBEADM_CHECKS = {"ControlPlaneNodesReady": "health", "CreateJob": "health"}


class Skips(Struct, frozen=True):
    phases: frozenset[str] = frozenset()  # kctl phases
    addons: frozenset[str] = frozenset()  # coredns, kube-proxy (addon/NAME)
    notes: tuple[str, ...] = ()


def parse_skip_phases(values: list[str]) -> Skips:
    phases: set[str] = set()
    addons: set[str] = set()
    notes = []
    for value in (v.strip() for item in values for v in item.split(",")):
        if not value:
            continue
        if value in UNSKIPPABLE:
            raise InputError(
                f"--skip-phases {value}: the {value} phase cannot be skipped (it is what makes"
                " the upgrade safe to undo)"
            )
        if value in ADDON_PHASES:
            addons.add(ADDON_PHASES[value])
        elif value in KUBEADM_PHASES:
            phases.update(KUBEADM_PHASES[value])
        elif value in PHASES:
            phases.add(value)
        elif value in NO_SUCH_PHASE:
            notes.append(f"--skip-phases {value}: kctl has no such phase; nothing to skip")
        else:
            known = [*PHASES[2:], *KUBEADM_PHASES, *ADDON_PHASES]
            raise InputError(
                f"--skip-phases: unknown phase {value!r}",
                hint="phases: " + ", ".join(dict.fromkeys(known)),
            )
    return Skips(frozenset(phases), frozenset(addons), tuple(notes))


def parse_ignored_checks(values: list[str]) -> frozenset[str]:
    out = set()
    for value in (v.strip() for item in values for v in item.split(",")):
        if not value:
            continue
        name = KUBEADM_CHECKS.get(value, value)
        if name.lower() == "all":
            out.add("all")
        elif name in IGNORABLE:
            out.add(name)
        else:
            raise InputError(
                f"--ignore-preflight-errors: unknown check {value!r}",
                hint=f"checks: {', '.join(IGNORABLE)}, all (the one-minor rule and a live"
                " lock are never ignored)",
            )
    return frozenset(out)


# UpgradeConfiguration v1beta4 (apis/kubeadm/v1beta4 types.go): the fields of each section
_COMMON = {"ignorePreflightErrors", "dryRun"}
SECTIONS: dict[str, set[str]] = {
    "apply": _COMMON
    | {
        "kubernetesVersion",
        "allowExperimentalUpgrades",
        "allowRCUpgrades",
        "certificateRenewal",
        "etcdUpgrade",
        "forceUpgrade",
        "imagePullPolicy",
        "imagePullSerial",
        "patches",
        "printConfig",
        "skipPhases",
    },
    "node": _COMMON
    | {
        "certificateRenewal",
        "etcdUpgrade",
        "imagePullPolicy",
        "imagePullSerial",
        "patches",
        "skipPhases",
    },
    "plan": _COMMON
    | {"kubernetesVersion", "allowExperimentalUpgrades", "allowRCUpgrades", "printConfig"},
    "diff": {"kubernetesVersion", "contextLines"},
    "timeouts": set(TIMEOUTS),
}
NO_EFFECT = {"imagePullPolicy", "imagePullSerial"}  # kctl pulls no images


class UpgradeConfig(Struct):
    """What an UpgradeConfiguration's section sets (kctl option names), and notes."""

    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_upgrade_configuration(path: Path, section: str) -> UpgradeConfig | None:
    """The UpgradeConfiguration in a --config file, for `apply`, `node`, `plan` or `diff`
    (None when the file holds none: a ClusterConfiguration, read by node.py)."""
    documents = docs.parse_all(docs.read_bytes(path, "--config file"), path)
    found = [
        (i, d)
        for i, d in enumerate(documents)
        if isinstance(d, dict) and d.get("kind") == "UpgradeConfiguration"
    ]
    if not found:
        return None
    index, doc = found[0]
    if doc.get("apiVersion") != "kubeadm.k8s.io/v1beta4":
        raise docs.invalid(
            path, ["apiVersion"], "UpgradeConfiguration is kubeadm.k8s.io/v1beta4", index
        )
    for key in doc:
        if key not in ("apiVersion", "kind", *SECTIONS):
            raise docs.invalid(path, [key], f"UpgradeConfiguration has no field {key}", index)
    out = UpgradeConfig()
    for name, values in doc.items():
        if name not in SECTIONS or values is None:
            continue
        if not isinstance(values, dict):
            raise docs.invalid(path, [name], f"{name} must be a mapping", index)
        for key, value in values.items():
            if key not in SECTIONS[name]:
                raise docs.invalid(path, [name, key], f"{name} has no field {key}", index)
            if name == section:
                _translate(out, path, [name, key], value, index)
    return out


def _translate(
    out: UpgradeConfig, path: Path, where: list[str | int], value: Any, index: int
) -> None:
    key = str(where[-1])
    booleans = {
        "certificateRenewal": "certificate_renewal",
        "etcdUpgrade": "etcd_upgrade",
        "forceUpgrade": "force",
        "dryRun": "dry_run",
        "printConfig": "print_config",
        "allowExperimentalUpgrades": "allow_experimental_upgrades",
        "allowRCUpgrades": "allow_release_candidate_upgrades",
    }
    if key in booleans:
        if not isinstance(value, bool):
            raise docs.invalid(path, where, f"{key} must be true or false", index)
        out.options[booleans[key]] = value
    elif key in ("skipPhases", "ignorePreflightErrors"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise docs.invalid(path, where, f"{key} must be a list of names", index)
        out.options["skip_phases" if key == "skipPhases" else "ignore_preflight_errors"] = value
    elif key == "kubernetesVersion":
        out.options["version"] = str(value)
    elif key == "contextLines":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise docs.invalid(path, where, "contextLines must be a whole number", index)
        out.options["context"] = value
    elif key == "patches":  # {directory: DIR}, relative to the config file as kubeadm reads it
        directory = value.get("directory") if isinstance(value, dict) else None
        if not isinstance(directory, str) or not directory:
            raise docs.invalid(path, where, "patches must be {directory: DIR}", index)
        out.options["patches"] = path.parent / directory
    elif key in NO_EFFECT:
        out.notes.append(f"{path}: {'.'.join(map(str, where))}: kctl pulls no images; no effect")
    else:  # timeouts and the rest: kctl's own --timeout applies
        out.notes.append(f"{path}: {'.'.join(map(str, where))}: not used by kctl (see --timeout)")
