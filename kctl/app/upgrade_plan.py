"""`kctl upgrade plan` as a use case: the node read, the catalog resolved, every target judged
by apply's own preflight; the CLI renders the plan and maps the verdict to an exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.app.upgrade import PROBE_TIMEOUT, kubelet_version
from kctl.progress import Progress


class PlanRequest(Struct, frozen=True):
    root: Path
    version: str | None = None  # plan only this target (default: latest patch and next minor)
    catalog_file: Path | None = None
    kubelet_version: str | None = None
    kubeconfig: Path | None = None
    probe_timeout: float = PROBE_TIMEOUT
    health: bool = True
    etcd_backup: bool = True  # judge as apply with(out) its etcd snapshot
    etcd_endpoint: str | None = None
    config: Path | None = None  # a ClusterConfiguration read instead of the cluster's


class PlanResult(Struct, frozen=True):
    document: dict[str, Any]  # the UpgradePlan, as -o json|yaml prints it
    allowed: bool  # apply would accept at least one target

    def table(self) -> str:
        from kctl.cluster.report import plan_text

        return plan_text(self.document)


def run(request: PlanRequest, progress: Progress | None = None) -> PlanResult:
    """Bad VERSION/--kubelet-version are exit 2 before the catalog and the node are read."""
    from kctl.app.catalog import load
    from kctl.cluster.catalog import parse_version
    from kctl.cluster.health import kubelet_from_read_only_api
    from kctl.cluster.node import load_node
    from kctl.cluster.plan import plan_upgrade
    from kctl.cluster.roles import require_control_plane
    from kctl.cluster.runbook import Invocation

    target = parse_version(request.version, "VERSION") if request.version is not None else None
    kubelet = kubelet_version(request.kubelet_version)
    catalog = load(request.catalog_file)
    node = load_node(request.root, kubelet, request.kubeconfig, request.config)
    require_control_plane(node)
    kubelet_from_read_only_api(node)
    invocation = Invocation(
        request.root,
        request.catalog_file,
        request.kubeconfig,
        kubelet,
        request.etcd_backup,
        request.etcd_endpoint,
    )
    plan = plan_upgrade(
        node,
        catalog,
        probe_timeout=request.probe_timeout,
        check_health=request.health,
        target=target,
        invocation=invocation,
    )
    return PlanResult(plan.to_dict(), bool(plan.verdict()["upgradeAllowed"]))
