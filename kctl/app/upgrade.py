"""`kctl upgrade` diff/apply/phase as use cases: build the Upgrader from a request, describe
what a dry run would do, run phases; the CLI confirms with the user and renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kctl.progress import Progress

if TYPE_CHECKING:
    from kctl.cluster.apply import ApplyOptions, Upgrader
    from kctl.cluster.catalog import Version
    from kctl.cluster.policy import Finding


@dataclass(frozen=True)
class UpgradeRequest:
    """A target version for the node under root, with apply's options."""

    root: Path
    version: str | None  # None with `node`: the cluster's ClusterConfiguration version
    catalog_file: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)  # ApplyOptions fields but target
    notes: list[str] = field(default_factory=list)  # warnings about the options given
    print_config: bool = False
    dry_run: bool = False  # UpgradeConfiguration's dryRun


@dataclass
class DryRun:
    """What `apply --dry-run` shows: every file diff and the phases in order."""

    diffs: str
    phases: list[str]


def options(request: UpgradeRequest, default: Version | None = None) -> ApplyOptions:
    from kctl.cluster.apply import ApplyOptions
    from kctl.cluster.catalog import parse_version

    if request.version is None and default is not None:
        target = default
    else:
        target = parse_version(request.version or "", "VERSION")
    return ApplyOptions(target=target, catalog_file=request.catalog_file, **request.options)


def prepare(request: UpgradeRequest, progress: Progress) -> Upgrader:
    """The Upgrader for the request: catalog loaded, target checked, node read and rendered
    (`node`: the target defaults to the cluster's ClusterConfiguration version)."""
    from kctl.cluster.apply import Upgrader
    from kctl.cluster.catalog import load_catalog, parse_version
    from kctl.cluster.catalog_store import resolve
    from kctl.cluster.node import load_node

    if request.version is not None:
        parse_version(request.version, "VERSION")  # a bad VERSION before the node is read
    opts = request.options
    node = load_node(
        request.root, opts.get("kubelet_version"), opts.get("kubeconfig"), opts.get("config")
    )
    from kctl.cluster.health import kubelet_from_read_only_api

    kubelet_from_read_only_api(node)  # the network is health's, never node.py's
    if opts.get("mode", "apply") == "apply":
        from kctl.cluster.roles import require_control_plane

        require_control_plane(node)
    applied = options(request, node.from_version)
    catalog = load_catalog(resolve(request.catalog_file))
    catalog.require(applied.target)
    return Upgrader(request.root, catalog, applied, progress, node)


def diffs(upgrader: Upgrader, context: int = 3) -> str:
    """Unified diffs of every file the upgrade would change ("" when none)."""
    from kctl.cluster.render import unified_diff

    return "".join(unified_diff(item, context=context) for item in upgrader.rendered)


def dry_run(upgrader: Upgrader, phases: list[str]) -> DryRun:
    """The diffs and the numbered phases a run of `phases` would go through."""
    from kctl.cluster.phases import describe_phases

    chosen = [p for p in upgrader.phase_list if p in phases]
    lines = describe_phases(upgrader.phase_context(phases), chosen, upgrader.skipped)
    return DryRun(diffs(upgrader), [f"{i + 1}. {line}" for i, line in enumerate(lines)])


def preflight(upgrader: Upgrader, phases: list[str]) -> tuple[list[Finding], list[Finding]]:
    """(findings --force overrides, findings that stop apply); raises PreconditionError (exit
    3) after the caller has seen them, via enforce()."""
    report = upgrader.preflight_report(phases)
    force = upgrader.opts.force
    return list(report.overridden(force)), list(report.blocking(force))


def enforce_preflight(upgrader: Upgrader, phases: list[str]) -> None:
    """Exit 3 when apply (with its --force) would stop, with the pasteable plan command."""
    report = upgrader.preflight_report(phases)
    plan = upgrader.invocation.command("plan")
    report.enforce(upgrader.opts.force, f"the upgrade to {upgrader.opts.target}", plan)
