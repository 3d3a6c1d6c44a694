"""`kctl upgrade` diff/apply/phase/node as use cases: a typed request resolved against an
UpgradeConfiguration (--config), the Upgrader built from it, what a dry run would do, phases run
and their outcome; the CLI confirms with the user and renders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field
from msgspec.structs import replace

from kctl.progress import Progress

if TYPE_CHECKING:
    from kctl.cluster.apply import ApplyOptions, Upgrader
    from kctl.cluster.catalog import Version
    from kctl.cluster.flags import Skips
    from kctl.cluster.policy import Finding
    from kctl.errors import KctlError

# One default for plan and apply: plan judges health as apply's preflight will.
PROBE_TIMEOUT = 2.0


class UpgradeRequest(Struct, frozen=True):
    """A target version for the node under root, with apply's options as given."""

    root: Path
    version: str | None  # None with `node`: the cluster's ClusterConfiguration version
    catalog_file: Path | None = None
    timeout: float = 300.0
    probe_timeout: float = PROBE_TIMEOUT
    backup_dir: Path | None = None
    etcd_endpoint: str | None = None
    etcd_backup: bool = True
    force: bool = False
    kubeconfig: Path | None = None
    kubelet_version: str | None = None
    certificate_renewal: bool = True
    etcd_upgrade: bool = True
    skip_phases: tuple[str, ...] = ()
    ignore_preflight_errors: tuple[str, ...] = ()
    print_config: bool = False
    config: Path | None = None  # kubeadm config: UpgradeConfiguration and/or ClusterConfiguration
    mode: str = "apply"  # or "node": kubeadm upgrade node
    dry_run: bool = False  # UpgradeConfiguration's dryRun
    patches: Path | None = None  # --patches DIR: kubeadm's patch files for the static pods
    allow_experimental_upgrades: bool = False  # alpha, beta and rc targets
    allow_release_candidate_upgrades: bool = False  # rc targets


class Resolved(Struct, frozen=True):
    """A request after its --config file: the options, the parsed flags and warnings."""

    request: UpgradeRequest
    skips: Skips
    ignore: frozenset[str]
    kubelet_version: str | None
    notes: list[str] = field(default_factory=list)


# the options an UpgradeConfiguration sets when they were left at their defaults
_CONFIGURABLE = (
    "certificate_renewal",
    "etcd_upgrade",
    "force",
    "skip_phases",
    "ignore_preflight_errors",
    "print_config",
    "patches",
    "allow_experimental_upgrades",
    "allow_release_candidate_upgrades",
)


def resolve(request: UpgradeRequest) -> Resolved:
    """The UpgradeConfiguration in --config (its `apply` or `node` section) sets the options
    left at their defaults; --skip-phases, --kubelet-version and --ignore-preflight-errors are
    parsed (bad ones are exit 2 before the node is read)."""
    from kctl.cluster.flags import (
        parse_ignored_checks,
        parse_skip_phases,
        read_upgrade_configuration,
    )

    notes: list[str] = []
    if request.config is not None:
        found = read_upgrade_configuration(request.config, request.mode)
        if found is not None:
            notes = found.notes
            changes: dict[str, Any] = {"dry_run": bool(found.options.pop("dry_run", False))}
            version = request.version
            if version is None or found.options.get("version") in (None, version):
                changes["version"] = found.options.pop("version", version)
            defaults = UpgradeRequest(request.root, None)
            for key, value in found.options.items():
                if key in _CONFIGURABLE and getattr(request, key) == getattr(defaults, key):
                    changes[key] = tuple(value) if isinstance(value, list) else value
            request = replace(request, **changes)
    skips = parse_skip_phases(list(request.skip_phases))
    kubelet = kubelet_version(request.kubelet_version)
    ignore = parse_ignored_checks(list(request.ignore_preflight_errors))
    return Resolved(request, skips, ignore, kubelet, [*notes, *skips.notes])


def kubelet_version(version: str | None) -> str | None:
    """--kubelet-version, checked and normalised (None: found on the node)."""
    if version is None:
        return None
    from kctl.cluster.catalog import parse_version

    return str(parse_version(version, "--kubelet-version"))


class DryRun(Struct):
    """What `apply --dry-run` shows: every file diff and the phases in order."""

    diffs: str
    phases: list[str]


def options(resolved: Resolved, default: Version | None = None) -> ApplyOptions:
    from kctl.cluster.apply import ApplyOptions
    from kctl.cluster.catalog import parse_version

    request = resolved.request
    if request.version is None and default is not None:
        target = default
    else:
        target = parse_version(request.version or "", "VERSION")
    return ApplyOptions(
        target=target,
        catalog_file=request.catalog_file,
        timeout=request.timeout,
        probe_timeout=request.probe_timeout,
        backup_root=request.backup_dir,
        etcd_endpoint=request.etcd_endpoint,
        etcd_backup=request.etcd_backup,
        force=request.force,
        kubeconfig=request.kubeconfig,
        kubelet_version=resolved.kubelet_version,
        certificate_renewal=request.certificate_renewal,
        etcd_upgrade=request.etcd_upgrade,
        skips=resolved.skips,
        ignore=resolved.ignore,
        config=request.config,
        mode=request.mode,
        patches=request.patches,
        allow_experimental_upgrades=request.allow_experimental_upgrades,
        allow_release_candidate_upgrades=request.allow_release_candidate_upgrades,
    )


def prepare(resolved: Resolved, progress: Progress) -> Upgrader:
    """The Upgrader for the request: catalog loaded, target checked, node read and rendered
    (`node`: the target defaults to the cluster's ClusterConfiguration version)."""
    from kctl.cluster.apply import Upgrader
    from kctl.cluster.catalog import load_catalog, parse_version
    from kctl.cluster.catalog_store import resolve as catalog_path
    from kctl.cluster.node import load_node

    request = resolved.request
    if request.version is not None:
        parse_version(request.version, "VERSION")  # a bad VERSION before the node is read
    node = load_node(request.root, resolved.kubelet_version, request.kubeconfig, request.config)
    from kctl.cluster.health import kubelet_from_read_only_api

    kubelet_from_read_only_api(node)  # the network is health's, never node.py's
    if request.mode == "apply":
        from kctl.cluster.roles import require_control_plane

        require_control_plane(node)
    applied = options(resolved, node.from_version)
    catalog = load_catalog(catalog_path(request.catalog_file))
    catalog.require(applied.target)
    return Upgrader(request.root, catalog, applied, progress, node)


def target(upgrader: Upgrader) -> str:
    return str(upgrader.opts.target)


def cluster_config(upgrader: Upgrader) -> str:
    """The ClusterConfiguration the upgrade uses, as text (--print-config)."""
    return upgrader.node.cluster_config.raw.decode("utf-8", "replace").rstrip()


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


class ApplyResult(Struct):
    """What a run of phases did: the UpgradeResult document, each phase's line, and the error
    that stopped it (None: every phase passed)."""

    document: dict[str, Any]
    phases: list[tuple[str, str]]
    error: KctlError | None = None


def execute(
    upgrader: Upgrader, phases: list[str], confirm: Callable[[str], None] | None = None
) -> ApplyResult:
    """Run the phases; `confirm(question)` is asked once the preflight passed (it raises to
    stop). A failure is part of the result: refused (exit 3), interrupted (130) or failed."""
    from kctl.errors import ExitCode, KctlError

    if confirm is not None:
        node = upgrader.node
        question = (
            f"[upgrade/confirm] Upgrade the {node.role} node {node.name} to {target(upgrader)}?"
        )
        upgrader.confirm = lambda: confirm(question)
    outcome = upgrader.outcome
    try:
        upgrader.run(phases)
    except KctlError as exc:
        results = {ExitCode.PRECONDITION: "refused", ExitCode.INTERRUPTED: "interrupted"}
        outcome.result = results.get(exc.exit_code, "failed")
        outcome.error = exc.message
        return ApplyResult(outcome.to_dict(upgrader.node.name), list(outcome.phases), exc)
    return ApplyResult(outcome.to_dict(upgrader.node.name), list(outcome.phases))
