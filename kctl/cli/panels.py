"""Options grouped in panels in plain help (Input, Output, Kubernetes, ...): Typer only groups
them with rich help, which costs ~0.25 s of start-up, so this command class groups them with
click's own formatter, by each option's `rich_help_panel`."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand


class PanelCommand(TyperCommand):
    """A command whose --help lists options under their panel names, in declaration order."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        panels: dict[str, list[tuple[str, str]]] = {}
        arguments = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append(record)
                continue
            panel = getattr(param, "rich_help_panel", None) or "Options"
            panels.setdefault(panel, []).append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        for panel, records in panels.items():
            with formatter.section(panel):
                formatter.write_dl(records)
