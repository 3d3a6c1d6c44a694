"""`kctl pack list|show`: the packs kctl create can use (use cases in kctl/app/pack.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from kctl.cli.context import console_of
from kctl.cli.examples import epilog
from kctl.cli.options import shared
from kctl.console import OutputFormat

pack_app = typer.Typer(help="List and inspect packs.", no_args_is_help=True, epilog=epilog("pack"))


def register(app: typer.Typer) -> None:
    app.add_typer(pack_app, name="pack")


@pack_app.command(
    "list", help="List packs (user packs override built-ins by name).", epilog=epilog("pack list")
)
def list_packs(
    ctx: typer.Context,
    pack_dir: list[Path] = shared("--pack-dir"),
    output: OutputFormat = shared("--output"),
) -> None:
    from kctl.app.pack import PackRequest, list_packs

    console = console_of(ctx)
    found = list_packs(PackRequest(list(pack_dir)))
    if output is OutputFormat.TABLE:
        console.result(found.table())
    else:
        console.emit(found.rows, output)


@pack_app.command(
    "show", help="Show one pack: its rules, images and templates.", epilog=epilog("pack show")
)
def show_pack(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Pack name."),
    pack_dir: list[Path] = shared("--pack-dir"),
    output: OutputFormat = shared("--output"),
) -> None:
    from kctl.app.pack import PackRequest, show

    console = console_of(ctx)
    shown = show(PackRequest(list(pack_dir), name))
    if output is OutputFormat.TABLE:
        console.result(shown.table())
    else:
        console.emit(shown.document(), output)
