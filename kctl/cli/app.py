"""The Typer application: root options and command registration."""

from __future__ import annotations

import importlib
import sys

import typer

from kctl import __version__
from kctl.cli.context import RunState
from kctl.cli.examples import epilog
from kctl.console import NORMAL, QUIET, VERBOSE

# Command modules are tiny (Typer signatures only) and import their core lazily, inside the
# command function. Each exposes `register(app)`.
COMMAND_MODULES = ("convert", "create", "up", "upgrade", "pack", "completion", "version")


def build_app(command: str | None = None) -> typer.Typer:
    """Build the Typer application: with only `command`'s module registered when it names one
    (Typer turns every registered command into a click command on each run: ~10 ms that a
    `kctl convert` does not need), else with every command module (help, completion, typos)."""
    app = typer.Typer(
        name="kctl",
        help="Take applications to Kubernetes: convert, create, up, upgrade.",
        no_args_is_help=True,
        add_completion=False,  # `kctl completion SHELL` is the one way (no duplicate flags)
        epilog=epilog("kctl"),
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain click help: rich help rendering costs ~0.25 s of start-up
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    from typer._completion_classes import completion_init

    completion_init()  # shell completion (`kctl completion SHELL`) without Typer's two flags

    def show_version(value: bool) -> None:
        if value:
            sys.stdout.write(f"kctl {__version__}\n")
            raise typer.Exit(0)

    @app.callback()
    def root(
        ctx: typer.Context,
        version: bool = typer.Option(
            False, "--version", callback=show_version, is_eager=True, help="Print the version."
        ),
        debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug output."),
        quiet: bool = typer.Option(False, "-q", "--quiet", help="Only results and errors."),
        verbose: bool = typer.Option(False, "-v", "--verbose", help="More detail on stderr."),
        no_color: bool = typer.Option(False, "--no-color", help="Plain text, no colours."),
    ) -> None:
        state = ctx.ensure_object(RunState)
        state.console.debug = debug
        if no_color:
            state.console.color = False
        state.console.verbosity = QUIET if quiet else VERBOSE if (verbose or debug) else NORMAL

    for name in (command,) if command in COMMAND_MODULES else COMMAND_MODULES:
        try:
            module = importlib.import_module(f"kctl.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kctl.cli.{name}":
                raise
            continue
        module.register(app)
    return app
