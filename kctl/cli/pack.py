"""`kctl pack list|show`: the packs kctl create can use."""

from __future__ import annotations

from pathlib import Path

import typer

from kctl.cli.context import console_of
from kctl.cli.examples import epilog
from kctl.console import OutputFormat

pack_app = typer.Typer(help="List and inspect packs.", no_args_is_help=True, epilog=epilog("pack"))


def register(app: typer.Typer) -> None:
    app.add_typer(pack_app, name="pack")


@pack_app.command(
    "list", help="List packs (user packs override built-ins by name).", epilog=epilog("pack list")
)
def list_packs(
    ctx: typer.Context,
    pack_dir: list[Path] = typer.Option([], "--pack-dir", help="Extra pack folder (repeatable)."),
    output: OutputFormat = typer.Option(
        OutputFormat.TABLE, "-o", "--output", help="table|json|yaml"
    ),
) -> None:
    from kctl.packs import load_packs

    console = console_of(ctx)
    packs = load_packs(pack_dir)
    rows = [
        {
            "name": p.name,
            "language": p.language,
            "framework": p.framework or "",
            "port": p.port,
            "source": p.source,
            "description": p.description,
            "variables": {k: v.description for k, v in p.variables.items()},
        }
        for p in sorted(packs.values(), key=lambda p: p.name)
    ]
    if output is OutputFormat.TABLE:
        width = max((len(p.name) for p in packs.values()), default=4)
        console.result(
            "\n".join(
                f"{r['name']:<{width}}  {r['language']:<10}  {r['framework']:<12}  {r['port']:<5}  "
                f"{r['source']:<9}  {r['description']}"
                for r in rows
            )
        )
    else:
        console.emit(rows, output)


@pack_app.command(
    "show", help="Show one pack: its rules, images and templates.", epilog=epilog("pack show")
)
def show_pack(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Pack name."),
    pack_dir: list[Path] = typer.Option([], "--pack-dir", help="Extra pack folder (repeatable)."),
) -> None:
    from kctl.errors import InputError
    from kctl.packs import load_packs

    packs = load_packs(pack_dir)
    if name not in packs:
        raise InputError(f"unknown pack {name!r}", hint="see `kctl pack list`")
    pack = packs[name]
    console_of(ctx).result(
        f"# {pack.directory / 'pack.toml'} ({pack.source})\n"
        + (pack.directory / "pack.toml").read_text()
    )
