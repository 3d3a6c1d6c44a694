"""The phases of an upgrade, what each would do (dry-run), and what a run did (Outcome)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.cluster.catalog import Version
from kctl.cluster.lock import LOCK_NAME
from kctl.cluster.names import CONTROL_PLANE, PHASES
from kctl.cluster.node import TMP_DIR, Node
from kctl.cluster.render import Rendered, unupgraded_control_planes
from kctl.cluster.renew import Renewal

COMPONENT_PHASES = CONTROL_PLANE
SNAPSHOT_NAME = "etcd-snapshot.db"
EXTERNAL_ETCD = "external etcd (etcd.external): kctl never touches it, as kubeadm does not"


class Outcome(Struct):
    """What an apply (or a single phase) did."""

    target: Version
    backup_dir: Path | None = None
    phases: list[tuple[str, str]] = field(default_factory=list)  # (phase, what happened)
    snapshot: dict[str, Any] | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # phase -> duration
    renewed: list[str] = field(default_factory=list)  # certificates renewed
    result: str = "running"  # succeeded, failed, rolled-back, interrupted
    error: str | None = None

    def to_dict(self, node_name: str) -> dict[str, Any]:
        """The machine-readable result of `apply -o json|yaml` (kind UpgradeResult)."""
        return {
            "apiVersion": "kctl.dev/v1alpha1",
            "kind": "UpgradeResult",
            "nodeName": node_name,
            "targetVersion": str(self.target),
            "result": self.result,
            "error": self.error,
            "backupDir": str(self.backup_dir) if self.backup_dir else None,
            "etcdSnapshot": (
                {
                    "path": str(self.backup_dir / SNAPSHOT_NAME),
                    "revision": self.snapshot.get("revision"),
                    "totalKey": self.snapshot.get("totalKey"),
                }
                if self.snapshot and self.backup_dir
                else None
            ),
            "phases": [
                {"name": name, "result": what, "seconds": round(self.seconds.get(name, 0.0), 3)}
                for name, what in self.phases
            ],
            "renewedCertificates": list(self.renewed),
        }


def phase_files(rendered: list[Rendered], phase: str) -> list[Rendered]:
    return [r for r in rendered if r.phase == phase]


def image_tag(rendered: Rendered) -> str:
    """The image tag in a rendered static pod manifest."""
    from kctl.cluster.docs import parse_one
    from kctl.cluster.node import split_image

    doc = parse_one(rendered.new, Path(rendered.rel))
    return split_image(str(doc["spec"]["containers"][0]["image"]))[1]


def expected_version(component: str, rendered: Rendered) -> str:
    """The version a component should report once its new manifest runs (etcd: 3.5.15)."""
    tag = image_tag(rendered)
    return tag.split("-")[0] if component == "etcd" else tag


def addons_wait(waiting: list[str], target: Version) -> str:
    return (
        f"skipped until every control plane runs {target} (not yet: {', '.join(waiting)});"
        " `kctl upgrade node` on the last of them upgrades CoreDNS and kube-proxy"
    )


class PhaseContext(Struct, frozen=True):
    """What describing the phases needs, built once from a node and its renders (pure)."""

    node: Node
    rendered: list[Rendered]
    target: Version
    timeout: float
    etcd_backup: bool
    renewals: tuple[Renewal, ...] = ()


class Phase(Struct, frozen=True):
    """One phase, in the manner of kubeadm's workflow.Phase: its name, what it says it would
    do (dry run, diff), and how it runs on an Upgrader (apply.py). preflight and backup have no
    `run`: the Upgrader runs them around the others (lock, journal)."""

    name: str
    describe: Callable[[PhaseContext], str]
    run: Callable[[Any], None] | None = None

    def writes(self, ctx: PhaseContext) -> list[Rendered]:
        """The files and cluster objects this phase would change."""
        return [r for r in phase_files(ctx.rendered, self.name) if r.changed]


def _preflight(ctx: PhaseContext) -> str:
    return (
        "version-skew policy, component health, etcd snapshot access, disk space for"
        f" backups, no other upgrade (lock {TMP_DIR}/{LOCK_NAME})"
    )


def _backup(ctx: PhaseContext) -> str:
    return f"{len(ctx.rendered)} files to {TMP_DIR}/kubeadm-backup-manifests-<timestamp>" + (
        ", plus a verified etcd snapshot" if ctx.etcd_backup else " (no etcd snapshot)"
    )


def _component(name: str) -> Callable[[PhaseContext], str]:
    def describe(ctx: PhaseContext) -> str:
        items = phase_files(ctx.rendered, name)
        if name == "etcd" and ctx.node.external_etcd:
            return EXTERNAL_ETCD
        if not items:
            return f"no {name} on this node, skipped"
        item = items[0]
        if not item.changed:
            return "unchanged, skipped"
        certs = [r.name for r in ctx.renewals if r.component == name]
        return (
            f"{ctx.node.pods[name].version} -> {image_tag(item)}"
            + (f", renew {', '.join(certs)}" if certs else "")
            + f", write {item.rel}, wait up to {ctx.timeout:g}s for health at the new"
            " version, roll back on failure"
        )

    return describe


def _plain(name: str) -> Callable[[PhaseContext], str]:
    def describe(ctx: PhaseContext) -> str:
        if name == "addons" and (waiting := unupgraded_control_planes(ctx.node, ctx.target)):
            return addons_wait(waiting, ctx.target)
        changed = PHASE_TABLE[name].writes(ctx)
        return "write " + ", ".join(r.rel for r in changed) if changed else "nothing to change"

    return describe


def _run_component(name: str) -> Callable[[Any], None]:
    return lambda upgrader: upgrader.component_phase(name)


def _run_plain(name: str) -> Callable[[Any], None]:
    return lambda upgrader: upgrader.write_plain(name)


PHASE_TABLE: dict[str, Phase] = {
    "preflight": Phase("preflight", _preflight),
    "backup": Phase("backup", _backup),
    **{c: Phase(c, _component(c), _run_component(c)) for c in COMPONENT_PHASES},
    **{
        p: Phase(p, _plain(p), _run_plain(p))
        for p in PHASES
        if p not in ("preflight", "backup", *COMPONENT_PHASES)
    },
}


def describe_phases(
    ctx: PhaseContext,
    phases: Iterable[str],
    skipped: Callable[[str], str | None] = lambda _: None,
) -> list[str]:
    """One line per phase saying what it would do (for --dry-run and diff)."""
    return [f"{name}: {skipped(name) or PHASE_TABLE[name].describe(ctx)}" for name in phases]
