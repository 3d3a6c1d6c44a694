"""`kctl completion SHELL`: print the shell completion script (as `kubectl completion` does)."""

from __future__ import annotations

from enum import StrEnum

import typer

from kctl.cli.context import console_of

EXAMPLES = """\b
Examples:
  kctl completion bash > /etc/bash_completion.d/kctl
  kctl completion zsh > "${fpath[1]}/_kctl"
  kctl completion fish > ~/.config/fish/completions/kctl.fish
  kctl completion powershell >> $PROFILE"""


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


def register(app: typer.Typer) -> None:
    app.command("completion", help="Print the completion script for a shell.", epilog=EXAMPLES)(
        completion
    )


def completion(
    ctx: typer.Context,
    shell: Shell = typer.Argument(..., help="bash, zsh, fish or powershell."),
) -> None:
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="kctl", complete_var="_KCTL_COMPLETE", shell=shell.value
    )
    console_of(ctx).result(script.rstrip("\n"))
