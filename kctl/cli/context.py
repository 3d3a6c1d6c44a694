"""State shared by every command of one run, handed down through Typer's context."""

from __future__ import annotations

import typer
from msgspec import Struct, field

from kctl.console import Console
from kctl.progress import Progress


class RunState(Struct):
    """What the root options decided: the console and debug mode; the command line as typed."""

    console: Console = field(default_factory=Console)
    argv: list[str] = field(default_factory=list)


def command_line(ctx: typer.Context) -> str:
    """The command as the user typed it (for kompose.cmd annotations)."""
    state = ctx.find_object(RunState)
    return " ".join(["kctl", *(state.argv if state else [])])


def console_of(ctx: typer.Context) -> Console:
    """The Console of this run (commands render through it and nothing else)."""
    state = ctx.find_object(RunState)
    if state is None:  # invoked outside main(), e.g. a bare CliRunner on a sub-app
        state = RunState()
        ctx.obj = state
    return state.console


def progress_of(console: Console) -> Progress:
    """The Progress a use case or the core reports through, rendered on this console."""
    return Progress(
        step=console.info,
        warn=console.warn,
        done=console.success,
        output=console.print_raw,
        busy=console.status,
    )
