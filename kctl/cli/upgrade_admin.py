"""`kctl upgrade rollback`, `catalog [update]` and `certs check-expiration` (use cases in
kctl/app/rollback.py and kctl/app/catalog.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from kctl.cli.context import console_of, progress_of
from kctl.cli.examples import epilog
from kctl.cli.options import shared
from kctl.cli.upgrade_options import CATALOG, OUTPUT, ROOT, TIMEOUT
from kctl.console import OutputFormat


def register(sub: typer.Typer) -> None:
    sub.command(
        "rollback",
        help="Restore a node from the backup of an interrupted upgrade.",
        epilog=epilog("upgrade rollback"),
    )(rollback)
    catalogs = typer.Typer(
        name="catalog",
        help="Show the release catalog; `catalog update --from URL|FILE` installs a newer one.",
        invoke_without_command=True,
        epilog=epilog("upgrade catalog"),
    )
    catalogs.callback()(catalog)
    catalogs.command(
        "update",
        help="Fetch, validate and install a newer release catalog.",
        epilog=epilog("upgrade catalog update"),
    )(catalog_update)
    sub.add_typer(catalogs)
    certs = typer.Typer(
        name="certs",
        help="Certificates of the node.",
        no_args_is_help=True,
        epilog=epilog("upgrade certs"),
    )
    certs.command(
        "check-expiration",
        help="Expiry of every kubeadm-managed certificate and CA.",
        epilog=epilog("upgrade certs check-expiration"),
    )(check_expiration)
    sub.add_typer(certs)


def rollback(
    ctx: typer.Context,
    root: Path = ROOT,
    backup_dir: Path | None = shared(
        "--backup-dir", help="Backup dir to restore (default: the one the lock names)."
    ),
    timeout: float = TIMEOUT,
    kubeconfig: Path | None = shared(
        "--kubeconfig",
        help="Restore cluster objects through this cluster's API (default: the one the"
        " backup was taken with).",
    ),
    output: OutputFormat = shared("--output", help="table|json|yaml: the result (backup, files)."),
) -> None:
    from kctl.app.rollback import RollbackRequest, run
    from kctl.errors import OperationError

    console = console_of(ctx)
    result = run(RollbackRequest(root, backup_dir, timeout, kubeconfig), progress_of(console))
    if output is not OutputFormat.TABLE:
        console.emit(result.document(), output)
    if result.unhealthy:
        raise OperationError(
            f"files restored from {result.backup_dir}, but not healthy:"
            f" {', '.join(result.unhealthy)}"
        )
    console.success(
        f"[rollback] node restored from {result.backup_dir}"
        f" ({len(result.restored)} file(s) changed back)"
    )


def catalog(
    ctx: typer.Context, catalog_file: Path | None = CATALOG, output: OutputFormat = OUTPUT
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from kctl.app.catalog import show

    console = console_of(ctx)
    result = show(catalog_file)
    if output is not OutputFormat.TABLE:
        console.emit(result.document(), output)
        return
    console.result(result.table())


def catalog_update(
    ctx: typer.Context,
    source: str = typer.Option(
        ..., "--from", metavar="<url|file>", help="URL (http/https) or file of a catalog."
    ),
    force: bool = shared("--force", help="Install even an older catalog."),
) -> None:
    from kctl.app.catalog import UpdateRequest, update

    console = console_of(ctx)
    new = update(UpdateRequest(source, force))
    console.success(
        f"[catalog] installed {new.path} (data as of {new.date},"
        f" {new.minors} minors, {new.first}..{new.last});"
        f" it replaces the catalog of {new.replaced or 'unknown date'} from now on"
    )


def check_expiration(ctx: typer.Context, root: Path = ROOT, output: OutputFormat = OUTPUT) -> None:
    """Like `kubeadm certs check-expiration`: leaves, then CAs; a missing one is !MISSING!."""
    from kctl.app.rollback import check_expiration as expirations

    console = console_of(ctx)
    found = expirations(root)
    if output is not OutputFormat.TABLE:
        console.emit(found.document, output)
        return
    console.result(found.text)
