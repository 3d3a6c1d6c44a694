"""`kctl version`: the version of kctl and of the tools it drives."""

from __future__ import annotations

import typer

from kctl.cli.context import console_of
from kctl.cli.examples import epilog
from kctl.cli.options import shared
from kctl.console import OutputFormat


def register(app: typer.Typer) -> None:
    app.command(
        "version", help="Show the kctl version and the Python it runs on.", epilog=epilog("version")
    )(version)


def version(
    ctx: typer.Context,
    output: OutputFormat = shared("--output"),
) -> None:
    from kctl.app.version import run

    console = console_of(ctx)
    info = run()
    if output is OutputFormat.TABLE:
        console.result("\n".join(f"{key}: {value}" for key, value in info.items()))
    else:
        console.emit(info, output)
