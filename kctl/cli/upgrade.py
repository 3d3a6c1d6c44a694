"""`kctl upgrade`: kubeadm-style plan, diff, dry-run, phased apply (the use cases are in
kctl/app/upgrade.py and upgrade_plan.py; rollback, catalog and certs in upgrade_admin.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kctl.cli import upgrade_admin
from kctl.cli.completers import choices
from kctl.cli.context import console_of, progress_of
from kctl.cli.examples import epilog
from kctl.cli.options import shared
from kctl.cli.upgrade_options import (
    ALLOW_EXPERIMENTAL,
    ALLOW_RC,
    BACKUP_DIR,
    CATALOG,
    CERT_RENEWAL,
    CONFIG,
    DRY_RUN,
    ETCD_BACKUP,
    ETCD_ENDPOINT,
    ETCD_UPGRADE,
    FORCE,
    IGNORE_PREFLIGHT,
    KUBECONFIG,
    KUBELET_VERSION,
    OUTPUT,
    PATCHES,
    PRINT_CONFIG,
    PROBE_TIMEOUT,
    RESULT_OUTPUT,
    ROOT,
    SKIP_PHASES,
    TIMEOUT,
    VERSION,
    YES,
    boolean,
)
from kctl.cluster.names import NODE_PHASES, PHASES
from kctl.console import OutputFormat
from kctl.errors import InputError

if TYPE_CHECKING:
    from kctl.app.upgrade import Resolved, UpgradeRequest
    from kctl.cluster.apply import Upgrader
    from kctl.console import Console

PHASE_NAMES = PHASES  # one list: kctl/cluster/names.py


def register(app: typer.Typer) -> None:
    sub = typer.Typer(
        name="upgrade",
        help="Upgrade a kubeadm control-plane node: plan, diff, apply, phase, rollback.",
        no_args_is_help=True,
        epilog=epilog("upgrade"),
    )
    for name, text, function in (
        ("plan", "Show available upgrades, skew, health and expiring certificates.", plan),
        ("diff", "Unified diffs of every file `apply VERSION` would change.", diff),
        ("apply", "Upgrade the node to VERSION (all phases, with backups).", apply),
        ("phase", f"Run one phase alone: {', '.join(PHASE_NAMES)}.", phase),
        (
            "node",
            "Upgrade a secondary control plane or a worker to the cluster's version"
            " (after `apply` on the first control plane), with backups.",
            node,
        ),
    ):
        sub.command(name, help=text, epilog=epilog(f"upgrade {name}"))(function)
    upgrade_admin.register(sub)
    app.add_typer(sub)


def plan(
    ctx: typer.Context,
    version: str | None = typer.Argument(
        None, help="Plan only this target (default: latest patch and next minor)."
    ),
    root: Path = ROOT,
    catalog_file: Path | None = CATALOG,
    output: OutputFormat = OUTPUT,
    kubelet_version: str | None = KUBELET_VERSION,
    kubeconfig: Path | None = KUBECONFIG,
    probe_timeout: float = PROBE_TIMEOUT,
    health: bool = typer.Option(True, "--health/--no-health", help="Probe component health."),
    fail_if_blocked: bool = typer.Option(
        False, "--fail-if-blocked", help="Exit 3 when apply would refuse every target."
    ),
    etcd_backup: bool = typer.Option(
        True,
        "--etcd-backup/--no-etcd-backup",
        help="Judge as apply with(out) its etcd snapshot (the suggested command says so).",
    ),
    etcd_endpoint: str | None = ETCD_ENDPOINT,
    config: Path | None = shared(
        "--config", help="A ClusterConfiguration to read instead of the cluster's."
    ),
) -> None:
    from kctl.app.upgrade_plan import PlanRequest, run
    from kctl.errors import PreconditionError

    console = console_of(ctx)
    request = PlanRequest(
        root, version, catalog_file, kubelet_version, kubeconfig, probe_timeout, health,
        etcd_backup, etcd_endpoint, config,
    )  # fmt: skip
    result = run(request, progress_of(console))
    if output is OutputFormat.TABLE:
        console.result(result.table())
    else:
        console.emit(result.document, output)
    if fail_if_blocked and not result.allowed:
        raise PreconditionError("no target passes the preflight: apply would refuse every one")


def diff(
    ctx: typer.Context,
    version: str = VERSION,
    root: Path = ROOT,
    catalog_file: Path | None = CATALOG,
    context: int = shared("--context-lines"),
    kubeconfig: Path | None = KUBECONFIG,
    kubelet_version: str | None = KUBELET_VERSION,
    probe_timeout: float = PROBE_TIMEOUT,
    force: bool = typer.Option(
        False, "--force", help="Judge as `apply --force` would (health findings overridden)."
    ),
    patches: Path | None = PATCHES,
    allow_experimental_upgrades: bool = ALLOW_EXPERIMENTAL,
    allow_release_candidate_upgrades: bool = ALLOW_RC,
) -> None:
    """Print the diffs, then run apply's preflight: exit 3 when apply would be refused."""
    from kctl.app import upgrade as use_case

    console = console_of(ctx)
    request = use_case.UpgradeRequest(
        root,
        version,
        catalog_file,
        kubeconfig=kubeconfig,
        kubelet_version=kubelet_version,
        probe_timeout=probe_timeout,
        force=force,
        etcd_backup=False,
        **_kubeadm(patches, allow_experimental_upgrades, allow_release_candidate_upgrades),
    )
    upgrader = use_case.prepare(use_case.resolve(request), progress_of(console))
    diffs = use_case.diffs(upgrader, context)
    console.result(diffs)
    if not diffs:
        console.info(
            f"[diff] nothing would change: the node is already at {use_case.target(upgrader)}"
        )
    _report_preflight(console, upgrader, list(PHASE_NAMES))


def _report_preflight(console: Console, upgrader: Upgrader, phases: list[str]) -> None:
    """Warn about every preflight finding; exit 3 when apply (with its --force) would stop."""
    from kctl.app import upgrade as use_case

    overridden, blocking = use_case.preflight(upgrader, phases)
    for finding in overridden:
        console.warn(f"[preflight] --force would override: {finding.message}")
    for finding in blocking:
        console.warn(f"[preflight] apply would stop here: {finding.message}")
    use_case.enforce_preflight(upgrader, phases)


def apply(
    ctx: typer.Context,
    version: str = VERSION,
    root: Path = ROOT,
    catalog_file: Path | None = CATALOG,
    yes: bool = YES,
    dry_run: bool = DRY_RUN,
    timeout: float = TIMEOUT,
    probe_timeout: float = PROBE_TIMEOUT,
    backup_dir: Path | None = BACKUP_DIR,
    etcd_endpoint: str | None = ETCD_ENDPOINT,
    etcd_backup: bool = ETCD_BACKUP,
    force: bool = FORCE,
    kubeconfig: Path | None = KUBECONFIG,
    kubelet_version: str | None = KUBELET_VERSION,
    output: OutputFormat = RESULT_OUTPUT,
    certificate_renewal: str = CERT_RENEWAL,
    etcd_upgrade: str = ETCD_UPGRADE,
    skip_phases: list[str] | None = SKIP_PHASES,
    ignore_preflight_errors: list[str] | None = IGNORE_PREFLIGHT,
    print_config: bool = PRINT_CONFIG,
    config: Path | None = CONFIG,
    patches: Path | None = PATCHES,
    allow_experimental_upgrades: bool = ALLOW_EXPERIMENTAL,
    allow_release_candidate_upgrades: bool = ALLOW_RC,
) -> None:
    request = _request(
        version, root, catalog_file, timeout, probe_timeout, backup_dir, etcd_endpoint,
        etcd_backup, force, kubeconfig, kubelet_version, certificate_renewal, etcd_upgrade,
        skip_phases, ignore_preflight_errors, print_config, config,
        _kubeadm(patches, allow_experimental_upgrades, allow_release_candidate_upgrades),
    )  # fmt: skip
    _run(ctx, list(PHASE_NAMES), request, yes, dry_run, output)


def phase(
    ctx: typer.Context,
    name: str = typer.Argument(
        ..., help="Phase: " + ", ".join(PHASE_NAMES), autocompletion=choices(PHASE_NAMES)
    ),
    version: str = VERSION,
    root: Path = ROOT,
    catalog_file: Path | None = CATALOG,
    yes: bool = YES,
    dry_run: bool = DRY_RUN,
    timeout: float = TIMEOUT,
    probe_timeout: float = PROBE_TIMEOUT,
    backup_dir: Path | None = BACKUP_DIR,
    etcd_endpoint: str | None = ETCD_ENDPOINT,
    etcd_backup: bool = ETCD_BACKUP,
    force: bool = FORCE,
    kubeconfig: Path | None = KUBECONFIG,
    kubelet_version: str | None = KUBELET_VERSION,
    output: OutputFormat = RESULT_OUTPUT,
    certificate_renewal: str = CERT_RENEWAL,
    etcd_upgrade: str = ETCD_UPGRADE,
    skip_phases: list[str] | None = SKIP_PHASES,
    ignore_preflight_errors: list[str] | None = IGNORE_PREFLIGHT,
    print_config: bool = PRINT_CONFIG,
    config: Path | None = CONFIG,
    patches: Path | None = PATCHES,
    allow_experimental_upgrades: bool = ALLOW_EXPERIMENTAL,
    allow_release_candidate_upgrades: bool = ALLOW_RC,
) -> None:
    if name not in PHASE_NAMES:
        raise InputError(f"unknown phase {name!r}", hint="phases: " + ", ".join(PHASE_NAMES))
    request = _request(
        version, root, catalog_file, timeout, probe_timeout, backup_dir, etcd_endpoint,
        etcd_backup, force, kubeconfig, kubelet_version, certificate_renewal, etcd_upgrade,
        skip_phases, ignore_preflight_errors, print_config, config,
        _kubeadm(patches, allow_experimental_upgrades, allow_release_candidate_upgrades),
    )  # fmt: skip
    _run(ctx, [name], request, yes or name == "preflight", dry_run, output)


def node(
    ctx: typer.Context,
    version: str | None = typer.Argument(
        None, help="The cluster's version (default: its ClusterConfiguration's)."
    ),
    root: Path = ROOT,
    catalog_file: Path | None = CATALOG,
    yes: bool = YES,
    dry_run: bool = DRY_RUN,
    timeout: float = TIMEOUT,
    probe_timeout: float = PROBE_TIMEOUT,
    backup_dir: Path | None = BACKUP_DIR,
    etcd_endpoint: str | None = ETCD_ENDPOINT,
    etcd_backup: bool = ETCD_BACKUP,
    force: bool = FORCE,
    kubeconfig: Path | None = KUBECONFIG,
    kubelet_version: str | None = KUBELET_VERSION,
    output: OutputFormat = RESULT_OUTPUT,
    certificate_renewal: str = CERT_RENEWAL,
    etcd_upgrade: str = ETCD_UPGRADE,
    skip_phases: list[str] | None = SKIP_PHASES,
    ignore_preflight_errors: list[str] | None = IGNORE_PREFLIGHT,
    print_config: bool = PRINT_CONFIG,
    config: Path | None = CONFIG,
    patches: Path | None = PATCHES,
    allow_experimental_upgrades: bool = ALLOW_EXPERIMENTAL,
    allow_release_candidate_upgrades: bool = ALLOW_RC,
) -> None:
    """kubeadm upgrade node: this node's static pods (a secondary control plane) and kubelet
    config follow the cluster's ClusterConfiguration; a worker gets the kubelet config only."""
    request = _request(
        version, root, catalog_file, timeout, probe_timeout, backup_dir, etcd_endpoint,
        etcd_backup, force, kubeconfig, kubelet_version, certificate_renewal, etcd_upgrade,
        skip_phases, ignore_preflight_errors, print_config, config,
        _kubeadm(patches, allow_experimental_upgrades, allow_release_candidate_upgrades), "node",
    )  # fmt: skip
    _run(ctx, list(NODE_PHASES), request, yes, dry_run, output)


def _request(
    version: str | None,
    root: Path,
    catalog_file: Path | None,
    timeout: float,
    probe_timeout: float,
    backup_dir: Path | None,
    etcd_endpoint: str | None,
    etcd_backup: bool,
    force: bool,
    kubeconfig: Path | None,
    kubelet_version: str | None,
    certificate_renewal: str,
    etcd_upgrade: str,
    skip_phases: list[str] | None,
    ignore_preflight_errors: list[str] | None,
    print_config: bool,
    config: Path | None,
    kubeadm: dict[str, Any],
    mode: str = "apply",
) -> Resolved:
    """apply's, phase's and node's shared options as one request, resolved against --config."""
    from kctl.app.upgrade import UpgradeRequest, resolve

    request: UpgradeRequest = UpgradeRequest(
        root,
        version,
        catalog_file,
        timeout=timeout,
        probe_timeout=probe_timeout,
        backup_dir=backup_dir,
        etcd_endpoint=etcd_endpoint,
        etcd_backup=etcd_backup,
        force=force,
        kubeconfig=kubeconfig,
        kubelet_version=kubelet_version,
        certificate_renewal=boolean(certificate_renewal, "--certificate-renewal"),
        etcd_upgrade=boolean(etcd_upgrade, "--etcd-upgrade"),
        skip_phases=tuple(skip_phases or ()),
        ignore_preflight_errors=tuple(ignore_preflight_errors or ()),
        print_config=print_config,
        config=config,
        mode=mode,
        **kubeadm,
    )
    return resolve(request)


def _kubeadm(patches: Path | None, allow_experimental: bool, allow_rc: bool) -> dict[str, Any]:
    """--patches and the --allow-*-upgrades flags, as request fields."""
    return {
        "patches": patches,
        "allow_experimental_upgrades": allow_experimental,
        "allow_release_candidate_upgrades": allow_rc,
    }


def _run(
    ctx: typer.Context,
    phases: list[str],
    resolved: Resolved,
    yes: bool,
    dry_run: bool,
    output: OutputFormat,
) -> None:
    from kctl.app import upgrade as use_case

    console = console_of(ctx)
    for note in resolved.notes:
        console.warn(note)
    upgrader = use_case.prepare(resolved, progress_of(console))
    if resolved.request.print_config:
        console.result(use_case.cluster_config(upgrader))
    if dry_run or resolved.request.dry_run:
        shown = use_case.dry_run(upgrader, phases)
        console.result(shown.diffs)
        console.result("Phases (in order):\n" + "\n".join(f"  {line}" for line in shown.phases))
        _report_preflight(console, upgrader, phases)
        console.success("[dryrun] Finished dry-running successfully; nothing was written.")
        return
    ask = None if yes or phases == ["preflight"] else (lambda q: _confirm(console, q))
    result = use_case.execute(upgrader, phases, ask)
    if output is not OutputFormat.TABLE:
        console.emit(result.document, output)
    if result.error is not None:
        raise result.error
    if output is OutputFormat.TABLE:
        for name, what in result.phases:
            console.detail(f"  {name}: {what}")


def _confirm(console: Console, question: str) -> None:
    """kubeadm's [y/N], asked once the preflight passed; refuses without a terminal."""
    if not console.interactive:
        raise InputError(
            "refusing to change the node without confirmation in a non-interactive session",
            hint="pass -y, or review with --dry-run first",
        )
    if not typer.confirm(question, default=False, err=True):
        console.info("[upgrade] aborted, nothing changed")
        raise typer.Exit(1)
