"""One upgrade policy for every path: plan, diff, apply --dry-run, apply, phase and rollback.

A preflight is a list of findings. Each says whether `--force` may override it: health
findings and kubelet skew may be overridden (as kubeadm allows), the one-minor upgrade rule,
a downgrade of more than one minor, and a live lock never.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster import lock as lock_mod
from kctl.cluster.catalog import Catalog, Version
from kctl.cluster.health import Health
from kctl.cluster.node import Node
from kctl.cluster.runbook import Invocation
from kctl.errors import PreconditionError

MAX_UPGRADE_SKEW = 1  # minors per upgrade (kubeadm: MaximumAllowedMinorVersionUpgradeSkew)
MAX_DOWNGRADE_SKEW = 1  # kubeadm: MaximumAllowedMinorVersionDowngradeSkew


def default_kubelet_skew(target: Version) -> int:
    """kubeadm's kubelet skew: 1 minor before v1.29, 3 from v1.29 on (kubernetes#120825)."""
    return 1 if (target.major, target.minor) < (1, 29) else 3


def kubelet_skew(catalog: Catalog | None, target: Version) -> int:
    release = catalog.release(target.minor_key) if catalog else None
    if release is not None and release.kubelet_skew is not None:
        return release.kubelet_skew
    return default_kubelet_skew(target)


class Finding(Struct, frozen=True):
    """One reason an upgrade may not proceed."""

    check: str  # skew, kubelet-skew, health, lock, etcd, disk, corefile
    message: str
    overridable: bool  # --force may override it
    hint: str = ""  # the next command or step, when --force is not it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.check,
            "message": self.message,
            "overridableByForce": self.overridable,
        }
        if self.hint:
            out["hint"] = self.hint
        return out


class SkewVerdict(Struct, frozen=True):
    """Whether moving the node to a target respects the version-skew policy."""

    allowed: bool
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "reasons": list(self.reasons)}


def _control_plane_findings(
    node: Node, target: Version, components: Iterable[str] | None
) -> list[Finding]:
    base = node.from_version
    touched = set(components) if components is not None else set(node.pods)
    out = []
    for name, pod in node.pods.items():
        if name == "etcd":
            continue
        runs = Version.parse(pod.tag)
        if runs.minors_after(base) < 0 and target != base:  # target == base: finishing it
            out.append(
                Finding(
                    "skew",
                    f"{name} runs {runs} but the cluster is at {base}: finish that first",
                    False,
                )
            )
        jump = target.minors_after(runs)
        if jump > MAX_UPGRADE_SKEW and jump != target.minors_after(base):
            out.append(
                Finding("skew", f"{name} runs {runs}: {target} is {jump} minors above it", False)
            )
        if jump < -MAX_DOWNGRADE_SKEW:
            msg = f"{name} runs {runs}: {target} would take it {-jump} minors back"
            out.append(Finding("skew", msg, False))
        elif name in touched and target < runs and target >= base:
            out.append(Finding("skew", f"{target} would downgrade {name} from {runs}", True))
    return out


def skew_findings(
    node: Node,
    target: Version,
    catalog: Catalog | None = None,
    components: Iterable[str] | None = None,
) -> list[Finding]:
    """kubeadm's version policy for moving `node` (or some of its components) to `target`.

    The cluster's version is the ClusterConfiguration's kubernetesVersion (rewritten only by
    upload-config, after every control-plane component), so running phases one at a time
    never lets a node jump two minors or go back more than one.
    """
    others = [v for n, v in node.control_plane_versions.items() if n != node.name]
    base = max([node.from_version, *others])  # another control plane may be ahead already
    out = []
    ahead = target.minors_after(base)
    if ahead > MAX_UPGRADE_SKEW:
        out.append(
            Finding(
                "skew",
                f"{target} is {ahead} minors above the cluster ({base}); upgrade one minor at"
                " a time (--force does not override this)",
                False,
            )
        )
    elif ahead < -MAX_DOWNGRADE_SKEW:
        out.append(
            Finding(
                "skew",
                f"{target} is {-ahead} minors below the cluster ({base}); kctl does not"
                " downgrade more than one minor (--force does not override this)",
                False,
            )
        )
    elif target < base:
        out.append(
            Finding(
                "skew",
                f"{target} is older than the cluster ({base}); kctl does not downgrade",
                True,
            )
        )
    out += _control_plane_findings(node, target, components)
    out += _kubelet_findings(node, target, catalog)
    return out


def _kubelet_findings(node: Node, target: Version, catalog: Catalog | None) -> list[Finding]:
    out = []
    limit = kubelet_skew(catalog, target)
    for node_name, text in node.all_kubelets().items():
        try:
            kubelet = Version.parse(text.split("+")[0])
        except ValueError:
            msg = f"kubelet on {node_name} reports an unknown version {text!r}"
            out.append(Finding("kubelet-skew", msg, True))
            continue
        if kubelet > target:
            msg = f"kubelet {kubelet} on {node_name} is newer than the target {target}"
            out.append(Finding("kubelet-skew", msg, True))
        lag = target.minors_after(kubelet)
        if lag > limit:
            msg = (
                f"kubelet {kubelet} on {node_name} would be {lag} minors older than the"
                f" apiserver (at most {limit} for v{target.minor_key}); upgrade it first"
            )
            out.append(Finding("kubelet-skew", msg, True))
    return out


def node_findings(node: Node, target: Version, catalog: Catalog | None = None) -> list[Finding]:
    """`kctl upgrade node` (kubeadm upgrade node): a secondary control plane or a worker follows
    the cluster's ClusterConfiguration, which `apply` on the first control plane moved; its own
    components may lag it by one minor, never more, and are never taken back."""
    cluster = node.from_version
    out = []
    if target != cluster:
        out.append(
            Finding(
                "skew",
                f"the cluster's ClusterConfiguration is at {cluster}: `kctl upgrade node` brings"
                f" {node.name} to the cluster's version; upgrade the cluster first with"
                f" `kctl upgrade apply {target}` on its first control plane",
                False,
            )
        )
    for name, pod in node.pods.items():
        if name == "etcd":
            continue
        runs = Version.parse(pod.tag)
        jump = target.minors_after(runs)
        if jump > MAX_UPGRADE_SKEW:
            msg = f"{name} on {node.name} runs {runs}: {target} is {jump} minors above it"
            out.append(Finding("skew", msg, False))
        elif runs > target:
            out.append(Finding("skew", f"{target} would downgrade {name} from {runs}", False))
    return out + _kubelet_findings(node, target, catalog)


def skew_verdict(node: Node, target: Version, catalog: Catalog | None = None) -> SkewVerdict:
    findings = skew_findings(node, target, catalog)
    return SkewVerdict(not findings, tuple(f.message for f in findings), tuple(findings))


def health_findings(health: Iterable[Health]) -> list[Finding]:
    return [
        Finding("health", f"{h.component} is not healthy: {h.endpoint or '-'} {h.status}", True)
        for h in health
        if not h.healthy
    ]


def lock_findings(root: Path, invocation: Invocation) -> list[Finding]:
    """A lock blocks every change: held by a live run, or left by a run that died."""
    state = lock_mod.inspect(root)
    if state is None:
        return []
    info = state.info
    if state.alive and state.pid != os.getpid():
        return [
            Finding(
                "lock",
                f"another upgrade is in progress ({state.why}, target {info.get('target')});"
                f" the lock is {state.path}",
                False,
            )
        ]
    if not state.readable:
        return [
            Finding(
                "lock",
                f"{state.path} is not a kctl upgrade journal; if no upgrade is running, look at"
                f" it and remove it (or run `{invocation.rollback()} --backup-dir DIR`)",
                False,
            )
        ]
    done = info.get("done")
    phases = ", ".join(map(str, done)) if isinstance(done, list) and done else "none"
    return [
        Finding(
            "lock",
            f"an interrupted upgrade (target {info.get('target', '?')}) left {state.path}"
            f" ({state.why}; backup {info.get('backupDir', 'not taken')},"
            f" phases done: {phases}); run `{invocation.rollback()}` to restore the node",
            False,
            f"run `{invocation.rollback()}`",
        )
    ]


class Preflight(Struct):
    """Every finding of one preflight, and what `--force` makes of them."""

    findings: list[Finding]
    ignored: frozenset[str] = frozenset()  # --ignore-preflight-errors: checks, or "all"

    def _ignores(self, finding: Finding) -> bool:
        if finding.check in ("skew", "lock"):
            return False  # the one-minor rule and a live lock are never ignored
        return "all" in self.ignored or finding.check in self.ignored

    def blocking(self, force: bool) -> list[Finding]:
        return [f for f in self.findings if not (force and f.overridable) and not self._ignores(f)]

    def overridden(self, force: bool) -> list[Finding]:
        return [f for f in self.findings if (force and f.overridable) or self._ignores(f)]

    def enforce(self, force: bool, what: str, plan: str = "kctl upgrade plan") -> None:
        """Raise exit 3 naming every blocking finding (`plan`: the pasteable plan command)."""
        blocking = self.blocking(force)
        if not blocking:
            return
        checks = sorted({f.check for f in blocking})
        soft_only = all(f.overridable for f in blocking)
        hints = list(dict.fromkeys(f.hint for f in blocking if f.hint))
        if soft_only:
            hints.append("fix these first, or pass --force to override them")
        elif any(f.check == "skew" for f in blocking):
            hints.append(f"choose a target from `{plan}`; --force cannot override this")
        raise PreconditionError(
            f"preflight refuses {what}: {', '.join(checks)}",
            details=[f.message for f in blocking],
            hint="; ".join(hints) or "--force cannot override this",
        )


def etcd_files_findings(node: Node, endpoint: str | None, etcd_backup: bool) -> list[Finding]:
    """What the etcd snapshot taken before any write needs, checked from files (plan and
    apply alike): a local etcd, a client certificate and key under pki/, etcdctl installed."""
    if not etcd_backup or "etcd" not in node.pods:
        return []
    import shutil

    from kctl.cluster.etcd import etcd_for

    client = etcd_for(node, endpoint)
    hint = "restore it, or pass --no-etcd-backup to upgrade without a snapshot (not advised)"
    out = []
    for flag in client.tls:
        path = Path(flag.split("=", 1)[1])
        if not path.is_file():
            out.append(
                Finding(
                    "etcd",
                    f"etcd's client {flag[2:].split('=')[0]} {path} is missing: kctl needs it"
                    " for the etcd snapshot it takes before writing",
                    False,
                    hint,
                )
            )
    if shutil.which("etcdctl") is None:
        out.append(
            Finding(
                "etcd",
                "etcdctl is not installed: kctl needs it for the etcd snapshot it takes first",
                False,
                "install etcdctl, or pass --no-etcd-backup to upgrade without a snapshot",
            )
        )
    return out


def disk_findings(node: Node, where: Path, db_size: int) -> list[Finding]:
    """Room for the backups (every file and object an upgrade may touch, plus etcd's data)."""
    import shutil

    need = sum(len(f.raw) for f in node.files().values()) + db_size + (1 << 20)
    probe = where
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free >= need:
        return []
    return [
        Finding(
            "disk",
            f"not enough disk space for backups in {where}: {need} bytes needed, {free} free",
            False,
            "free space or pass --backup-dir on another filesystem",
        )
    ]
