"""`kctl upgrade`: kubeadm-style plan, diff, dry-run, phased apply, rollback, catalog."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kctl.cli.completers import choices
from kctl.cli.context import console_of, progress_of
from kctl.cli.examples import epilog
from kctl.cluster.names import PHASES
from kctl.console import OutputFormat
from kctl.errors import InputError

if TYPE_CHECKING:
    from kctl.app.upgrade import UpgradeRequest
    from kctl.cluster.apply import Upgrader
    from kctl.cluster.catalog import Catalog
    from kctl.console import Console

PHASE_NAMES = PHASES  # one list: kctl/cluster/names.py

ROOT = typer.Option(
    Path("/"), "--root", envvar="KCTL_ROOT", help="Root of the control-plane node's filesystem."
)
CATALOG = typer.Option(
    None,
    "--catalog",
    envvar="KCTL_CATALOG",
    help="Release catalog file (default: the shipped one).",
)
KUBELET_VERSION = typer.Option(
    None,
    "--kubelet-version",
    help="The node's kubelet version (default: from --kubeconfig or the kubelet's read-only"
    " API; kctl never runs the kubelet binary).",
)
KUBECONFIG = typer.Option(
    None,
    "--kubeconfig",
    envvar="KCTL_KUBECONFIG",
    help="Read kubeadm-config and kubelet versions through this cluster's API.",
)


def _seconds(value: float) -> float:
    """A timeout: a finite number of seconds above zero (NaN, infinity, -1 are refused)."""
    import math

    if not math.isfinite(value) or value <= 0 or value > 86400:
        raise typer.BadParameter(f"{value} is not a number of seconds from 0 to 86400")
    return value


TIMEOUT = typer.Option(
    300.0, "--timeout", callback=_seconds, help="Seconds to wait for each component."
)
PROBE_TIMEOUT = typer.Option(
    1.0, "--probe-timeout", callback=_seconds, help="Seconds per health probe."
)
# apply and phase take the same options
VERSION = typer.Argument(..., help="Target version, e.g. v1.31.14.")
YES = typer.Option(False, "-y", "--yes", help="Do not ask for confirmation.")
DRY_RUN = typer.Option(False, "--dry-run", help="Show diffs and phases; write nothing.")
APPLY_PROBE_TIMEOUT = typer.Option(
    2.0, "--probe-timeout", callback=_seconds, help="Seconds per health probe."
)
BACKUP_DIR = typer.Option(
    None, "--backup-dir", help="Parent dir for backups (default <root>/etc/kubernetes/tmp)."
)
ETCD_ENDPOINT = typer.Option(
    None, "--etcd-endpoint", help="etcd client URL (default: from the etcd manifest)."
)
ETCD_BACKUP = typer.Option(
    True, "--etcd-backup/--no-etcd-backup", help="Take and verify an etcd snapshot first."
)
FORCE = typer.Option(
    False,
    "--force",
    help="Proceed despite health and kubelet-skew findings (never past the one-minor rule).",
)
CERT_RENEWAL = typer.Option(
    "true",
    "--certificate-renewal",
    metavar="true|false",
    help="Renew the kubeadm-managed leaf certificates of each upgraded component"
    " (keys kept, one year); --certificate-renewal=false opts out.",
)
ETCD_UPGRADE = typer.Option(
    "true",
    "--etcd-upgrade",
    metavar="true|false",
    help="Upgrade etcd (kubeadm's flag); --etcd-upgrade=false leaves etcd as it is.",
)
SKIP_PHASES = typer.Option(
    None,
    "--skip-phases",
    help="Phases to skip, comma-separated: kctl's names or kubeadm's (control-plane,"
    " upload-config, kubelet-config, addon/coredns, addon/kube-proxy, ...).",
)
IGNORE_PREFLIGHT = typer.Option(
    None,
    "--ignore-preflight-errors",
    help="Preflight checks to ignore, comma-separated (health, kubelet-skew, etcd, disk,"
    " corefile) or all; never the one-minor rule or a live lock.",
)
PRINT_CONFIG = typer.Option(
    False, "--print-config", help="Print the ClusterConfiguration the upgrade uses."
)
CONFIG = typer.Option(
    None,
    "--config",
    help="kubeadm config file: an UpgradeConfiguration (kubeadm.k8s.io/v1beta4) and/or a"
    " ClusterConfiguration to use instead of the cluster's (read, never written).",
)
RESULT_OUTPUT = typer.Option(
    OutputFormat.TABLE, "-o", "--output", help="table|json|yaml: the result (phases, backup)."
)


def register(app: typer.Typer) -> None:
    sub = typer.Typer(
        name="upgrade",
        help="Upgrade a kubeadm control-plane node: plan, diff, apply, phase, rollback.",
        no_args_is_help=True,
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
        ("rollback", "Restore a node from the backup of an interrupted upgrade.", rollback),
    ):
        sub.command(name, help=text, epilog=epilog(f"upgrade {name}"))(function)
    catalogs = typer.Typer(
        name="catalog",
        help="Show the release catalog; `catalog update --from URL|FILE` installs a newer one.",
        invoke_without_command=True,
    )
    catalogs.callback()(catalog)
    catalogs.command("update", help="Fetch, validate and install a newer release catalog.")(
        catalog_update
    )
    sub.add_typer(catalogs)
    certs = typer.Typer(name="certs", help="Certificates of the node.", no_args_is_help=True)
    certs.command("check-expiration", help="Expiry of every kubeadm-managed certificate and CA.")(
        check_expiration
    )
    sub.add_typer(certs)
    app.add_typer(sub)


def _catalog(path: Path | None) -> Catalog:
    """--catalog FILE, else the catalog installed by `catalog update`, else the shipped one."""
    from kctl.cluster.catalog import load_catalog
    from kctl.cluster.catalog_store import resolve

    return load_catalog(resolve(path))


def plan(
    ctx: typer.Context,
    version: str | None = typer.Argument(
        None, help="Plan only this target (default: latest patch and next minor)."
    ),
    root: Path = ROOT,
    catalog_file: Path | None = CATALOG,
    output: OutputFormat = typer.Option(
        OutputFormat.TABLE, "-o", "--output", help="table|json|yaml"
    ),
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
    config: Path | None = typer.Option(
        None, "--config", help="A ClusterConfiguration to read instead of the cluster's."
    ),
) -> None:
    from kctl.cluster.catalog import parse_version
    from kctl.cluster.health import kubelet_from_read_only_api
    from kctl.cluster.node import load_node
    from kctl.cluster.plan import plan_upgrade
    from kctl.cluster.roles import require_control_plane
    from kctl.cluster.runbook import Invocation
    from kctl.errors import PreconditionError

    console = console_of(ctx)
    target = parse_version(version, "VERSION") if version is not None else None
    kubelet = _kubelet(kubelet_version)
    catalog = _catalog(catalog_file)
    node = load_node(root, kubelet, kubeconfig, config)
    require_control_plane(node)
    kubelet_from_read_only_api(node)
    result = plan_upgrade(
        node,
        catalog,
        probe_timeout=probe_timeout,
        check_health=health,
        target=target,
        invocation=Invocation(root, catalog_file, kubeconfig, kubelet, etcd_backup, etcd_endpoint),
    )
    if output is OutputFormat.TABLE:
        from kctl.cluster.report import plan_text

        console.result(plan_text(result.to_dict()))
    else:
        console.emit(result.to_dict(), output)
    if fail_if_blocked and not result.verdict()["upgradeAllowed"]:
        raise PreconditionError("no target passes the preflight: apply would refuse every one")


def _boolean(text: str, flag: str) -> bool:
    value = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if text.lower() not in value:
        raise InputError(f"{flag}={text}: expected true or false")
    return value[text.lower()]


def _kubelet(version: str | None) -> str | None:
    if version is None:
        return None
    from kctl.cluster.catalog import parse_version

    return str(parse_version(version, "--kubelet-version"))


def diff(
    ctx: typer.Context,
    version: str = VERSION,
    root: Path = ROOT,
    catalog_file: Path | None = CATALOG,
    context: int = typer.Option(3, "-c", "--context-lines", help="Lines of context."),
    kubeconfig: Path | None = KUBECONFIG,
    kubelet_version: str | None = KUBELET_VERSION,
    probe_timeout: float = PROBE_TIMEOUT,
    force: bool = typer.Option(
        False, "--force", help="Judge as `apply --force` would (health findings overridden)."
    ),
) -> None:
    """Print the diffs, then run apply's preflight: exit 3 when apply would be refused."""
    from kctl.app import upgrade as use_case

    console = console_of(ctx)
    request = use_case.UpgradeRequest(
        root,
        version,
        catalog_file,
        {
            "kubeconfig": kubeconfig,
            "kubelet_version": _kubelet(kubelet_version),
            "probe_timeout": probe_timeout,
            "force": force,
            "etcd_backup": False,
        },
    )
    upgrader = use_case.prepare(request, progress_of(console))
    diffs = use_case.diffs(upgrader, context)
    console.result(diffs)
    if not diffs:
        console.info(f"[diff] nothing would change: the node is already at {upgrader.opts.target}")
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
    probe_timeout: float = APPLY_PROBE_TIMEOUT,
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
) -> None:
    request = _request(
        version, root, catalog_file, timeout, probe_timeout, backup_dir, etcd_endpoint,
        etcd_backup, force, kubeconfig, kubelet_version, certificate_renewal,
        {"etcd_upgrade": etcd_upgrade, "skip_phases": skip_phases or [], "config": config,
         "ignore_preflight_errors": ignore_preflight_errors or [], "print_config": print_config},
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
    probe_timeout: float = APPLY_PROBE_TIMEOUT,
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
) -> None:
    if name not in PHASE_NAMES:
        raise InputError(f"unknown phase {name!r}", hint="phases: " + ", ".join(PHASE_NAMES))
    request = _request(
        version, root, catalog_file, timeout, probe_timeout, backup_dir, etcd_endpoint,
        etcd_backup, force, kubeconfig, kubelet_version, certificate_renewal,
        {"etcd_upgrade": etcd_upgrade, "skip_phases": skip_phases or [], "config": config,
         "ignore_preflight_errors": ignore_preflight_errors or [], "print_config": print_config},
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
    probe_timeout: float = APPLY_PROBE_TIMEOUT,
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
) -> None:
    """kubeadm upgrade node: this node's static pods (a secondary control plane) and kubelet
    config follow the cluster's ClusterConfiguration; a worker gets the kubelet config only."""
    from kctl.cluster.names import NODE_PHASES

    request = _request(
        version, root, catalog_file, timeout, probe_timeout, backup_dir, etcd_endpoint,
        etcd_backup, force, kubeconfig, kubelet_version, certificate_renewal,
        {"etcd_upgrade": etcd_upgrade, "skip_phases": skip_phases or [], "config": config,
         "ignore_preflight_errors": ignore_preflight_errors or [], "print_config": print_config},
        "node",
    )  # fmt: skip
    request.options["mode"] = "node"
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
    kubeadm: dict[str, Any],
    section: str = "apply",
) -> UpgradeRequest:
    """apply's, phase's and node's shared options as one request; an UpgradeConfiguration
    in --config sets those left at their defaults (its `section`: apply or node)."""
    from kctl.app.upgrade import UpgradeRequest
    from kctl.cluster.flags import (
        parse_ignored_checks,
        parse_skip_phases,
        read_upgrade_configuration,
    )

    given: dict[str, Any] = {
        "certificate_renewal": _boolean(certificate_renewal, "--certificate-renewal"),
        "etcd_upgrade": _boolean(kubeadm["etcd_upgrade"], "--etcd-upgrade"),
        "force": force,
        "skip_phases": kubeadm["skip_phases"],
        "ignore_preflight_errors": kubeadm["ignore_preflight_errors"],
        "print_config": kubeadm["print_config"],
    }
    defaults: dict[str, Any] = {
        "certificate_renewal": True,
        "etcd_upgrade": True,
        "force": False,
        "skip_phases": [],
        "ignore_preflight_errors": [],
        "print_config": False,
    }
    notes: list[str] = []
    dry_run = False
    if kubeadm["config"] is not None:
        found = read_upgrade_configuration(kubeadm["config"], section)
        if found is not None:
            notes = found.notes
            dry_run = bool(found.options.pop("dry_run", False))
            if version is None or found.options.get("version") in (None, version):
                version = found.options.pop("version", version)
            for key, value in found.options.items():
                if key in given and given[key] == defaults[key]:
                    given[key] = value
    skips = parse_skip_phases(given["skip_phases"])
    return UpgradeRequest(
        root,
        version,
        catalog_file,
        {
            "timeout": timeout,
            "probe_timeout": probe_timeout,
            "backup_root": backup_dir,
            "etcd_endpoint": etcd_endpoint,
            "etcd_backup": etcd_backup,
            "force": given["force"],
            "kubeconfig": kubeconfig,
            "kubelet_version": _kubelet(kubelet_version),
            "certificate_renewal": given["certificate_renewal"],
            "etcd_upgrade": given["etcd_upgrade"],
            "skips": skips,
            "ignore": parse_ignored_checks(given["ignore_preflight_errors"]),
            "config": kubeadm["config"],
        },
        notes=[*notes, *skips.notes],
        print_config=given["print_config"],
        dry_run=dry_run,
    )


def _run(
    ctx: typer.Context,
    phases: list[str],
    request: UpgradeRequest,
    yes: bool,
    dry_run: bool,
    output: OutputFormat,
) -> None:
    from kctl.app import upgrade as use_case

    console = console_of(ctx)
    for note in request.notes:
        console.warn(note)
    upgrader = use_case.prepare(request, progress_of(console))
    if request.print_config:
        console.result(upgrader.node.cluster_config.raw.decode("utf-8", "replace").rstrip())
    if dry_run or request.dry_run:
        shown = use_case.dry_run(upgrader, phases)
        console.result(shown.diffs)
        console.result("Phases (in order):\n" + "\n".join(f"  {line}" for line in shown.phases))
        _report_preflight(console, upgrader, phases)
        console.success("[dryrun] Finished dry-running successfully; nothing was written.")
        return
    if not yes and phases != ["preflight"]:
        upgrader.confirm = lambda: _confirm(console, upgrader)
    _execute(console, upgrader, phases, output)


def _confirm(console: Console, upgrader: Upgrader) -> None:
    """kubeadm's [y/N], asked once the preflight passed; refuses without a terminal."""
    if not console.interactive:
        raise InputError(
            "refusing to change the node without confirmation in a non-interactive session",
            hint="pass -y, or review with --dry-run first",
        )
    node = upgrader.node
    if not typer.confirm(
        f"[upgrade/confirm] Upgrade the {node.role} node {node.name} to {upgrader.opts.target}?",
        default=False,
        err=True,
    ):
        console.info("[upgrade] aborted, nothing changed")
        raise typer.Exit(1)


def _execute(console: Console, upgrader: Upgrader, phases: list[str], output: OutputFormat) -> None:
    """Run the phases; with -o json|yaml print the UpgradeResult, also when the run fails."""
    from kctl.errors import ExitCode, KctlError

    outcome = upgrader.outcome
    try:
        upgrader.run(phases)
    except KctlError as exc:
        if output is not OutputFormat.TABLE:
            results = {ExitCode.PRECONDITION: "refused", ExitCode.INTERRUPTED: "interrupted"}
            outcome.result = results.get(exc.exit_code, "failed")
            outcome.error = exc.message
            console.emit(outcome.to_dict(upgrader.node.name), output)
        raise
    if output is not OutputFormat.TABLE:
        console.emit(outcome.to_dict(upgrader.node.name), output)
        return
    for name, what in outcome.phases:
        console.detail(f"  {name}: {what}")


def rollback(
    ctx: typer.Context,
    root: Path = ROOT,
    backup_dir: Path | None = typer.Option(
        None, "--backup-dir", help="Backup dir to restore (default: the one the lock names)."
    ),
    timeout: float = TIMEOUT,
    kubeconfig: Path | None = typer.Option(
        None,
        "--kubeconfig",
        envvar="KCTL_KUBECONFIG",
        help="Restore cluster objects through this cluster's API (default: the one the"
        " backup was taken with).",
    ),
) -> None:
    from kctl.cluster.restore import rollback as do_rollback
    from kctl.errors import OperationError

    console = console_of(ctx)
    result = do_rollback(
        root, progress_of(console), backup_dir=backup_dir, timeout=timeout, kubeconfig=kubeconfig
    )
    unhealthy = [name for name, ok in result.healthy.items() if not ok]
    if unhealthy:
        raise OperationError(
            f"files restored from {result.backup_dir}, but not healthy: {', '.join(unhealthy)}"
        )
    console.success(
        f"[rollback] node restored from {result.backup_dir}"
        f" ({len(result.restored)} file(s) changed back)"
    )


def catalog(
    ctx: typer.Context,
    catalog_file: Path | None = CATALOG,
    output: OutputFormat = typer.Option(
        OutputFormat.TABLE, "-o", "--output", help="table|json|yaml"
    ),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from kctl.cluster.report import catalog_text

    console = console_of(ctx)
    data = _catalog(catalog_file)
    if output is not OutputFormat.TABLE:
        console.emit(data.to_dict(), output)
        return
    console.result(catalog_text(data))


def catalog_update(
    ctx: typer.Context,
    source: str = typer.Option(..., "--from", help="URL (http/https) or file of a catalog."),
    force: bool = typer.Option(False, "--force", help="Install even an older catalog."),
) -> None:
    from kctl.cluster.catalog_store import update

    console = console_of(ctx)
    installed = update(source, force=force)
    new = installed.catalog
    console.success(
        f"[catalog] installed {installed.path} (data as of {new.date},"
        f" {len(new.releases)} minors, {new.releases[0].minor}..{new.releases[-1].minor});"
        f" it replaces the catalog of {installed.replaced or 'unknown date'} from now on"
    )


def check_expiration(
    ctx: typer.Context,
    root: Path = ROOT,
    output: OutputFormat = typer.Option(
        OutputFormat.TABLE, "-o", "--output", help="table|json|yaml"
    ),
) -> None:
    """Like `kubeadm certs check-expiration`: leaves, then CAs; a missing one is !MISSING!."""
    from kctl.cluster.certs import check_expiration as expirations
    from kctl.cluster.report import expiration_text

    console = console_of(ctx)
    leaves, cas = expirations(root / "etc/kubernetes")
    if output is not OutputFormat.TABLE:
        console.emit(
            {
                "apiVersion": "kctl.dev/v1alpha1",
                "kind": "CertificateExpirationInfo",
                "certificates": [c.to_dict() for c in leaves],
                "certificateAuthorities": [c.to_dict() for c in cas],
            },
            output,
        )
        return
    console.result(expiration_text(leaves, cas))
