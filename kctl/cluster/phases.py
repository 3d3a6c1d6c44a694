"""The phases of an upgrade, what each would do (dry-run), and what a run did (Outcome)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kctl.cluster.catalog import Version
from kctl.cluster.lock import LOCK_NAME
from kctl.cluster.names import CONTROL_PLANE, PHASES
from kctl.cluster.node import TMP_DIR, Node
from kctl.cluster.render import Rendered, unupgraded_control_planes
from kctl.cluster.renew import Renewal

COMPONENT_PHASES = CONTROL_PLANE
SNAPSHOT_NAME = "etcd-snapshot.db"
EXTERNAL_ETCD = "external etcd (etcd.external): kctl never touches it, as kubeadm does not"


@dataclass
class Outcome:
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


def describe_phases(
    node: Node,
    rendered: list[Rendered],
    *,
    target: Version,
    timeout: float,
    etcd_backup: bool,
    renewals: Iterable[Renewal] = (),
) -> list[str]:
    """One line per phase saying what apply would do (for --dry-run and diff)."""
    renewed = {c: [r.name for r in renewals if r.component == c] for c in COMPONENT_PHASES}
    lines = [
        "preflight: version-skew policy, component health, etcd reachable, disk space for"
        f" backups, no other upgrade (lock {TMP_DIR}/{LOCK_NAME})",
        f"backup: {len(rendered)} files to {TMP_DIR}/kubeadm-backup-manifests-<timestamp>"
        + (", plus a verified etcd snapshot" if etcd_backup else " (no etcd snapshot)"),
    ]
    for phase in PHASES[2:]:
        items = phase_files(rendered, phase)
        changed = [r for r in items if r.changed]
        if phase == "etcd" and node.external_etcd:
            lines.append(f"etcd: {EXTERNAL_ETCD}")
        elif phase in COMPONENT_PHASES and not items:
            lines.append(f"{phase}: no {phase} on this node, skipped")
        elif phase in COMPONENT_PHASES:
            item = items[0]
            if item.changed:
                certs = renewed[phase]
                lines.append(
                    f"{phase}: {node.pods[phase].version} -> {image_tag(item)}"
                    + (f", renew {', '.join(certs)}" if certs else "")
                    + f", write {item.rel}, wait up to {timeout:g}s for health at the new"
                    " version, roll back on failure"
                )
            else:
                lines.append(f"{phase}: unchanged, skipped")
        elif phase == "addons" and (waiting := unupgraded_control_planes(node, target)):
            lines.append(f"addons: {addons_wait(waiting, target)}")
        elif changed:
            lines.append(f"{phase}: write " + ", ".join(r.rel for r in changed))
        else:
            lines.append(f"{phase}: nothing to change")
    return lines
