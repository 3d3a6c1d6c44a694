"""The chart README's values table: a row per values key, laid out by _readme.j2's row macro.

A component's block repeats what other components have (replicas, probes, autoscaling...): the
rows of each of its keys and values are made once per chart, with a mark where the component's
values key goes, and each component gets them with its key put in."""

from __future__ import annotations

import os
from collections.abc import Hashable
from typing import Any

from kctl.chart.jinja import ChartJinja, Stencils
from kctl.chart.values import FREE_FORM, Row, readme_rows


class ReadmeTable:
    """The lines of the values table, for chart-wide values and for components' blocks."""

    def __init__(self, jinja: ChartJinja, stencils: Stencils) -> None:
        self.macro = jinja.module("_readme.j2").row
        stencil = stencils.stencil("_readme.j2", self.render, 4)
        # a row's key, type and default are never empty (a default is JSON) and hold no NUL;
        # a row without a description, or with a NUL in it, is rendered (Stencils' rule)
        self.format = stencil.format if stencil is not None and stencil.in_order else None
        self.mark = f"kctl-values-key-{os.urandom(8).hex()}"
        self.made: dict[Hashable, str] = {}  # an item's shape -> its lines, the mark for key

    def render(self, *row: str) -> str:
        """One row through the macro."""
        return str(self.macro(*row))

    def lines(self, rows: list[Row]) -> str:
        """The table lines of rows, in order."""
        form = self.format
        if form is None:
            return "".join(self.render(*row) for row in rows)
        return "".join(
            form % row if row[3] and "\x00" not in row[0] + row[3] else self.render(*row)
            for row in rows
        )

    def component(self, vkey: str, block: dict[str, Any], shapes: list[tuple[str, str]]) -> str:
        """lines(readme_rows({vkey: block})); shapes[i] stands for block's i-th key and value
        (equal shapes, equal values: the key and the value's repr)."""
        if not block or vkey in FREE_FORM:
            return self.lines(readme_rows({vkey: block}))
        mark = self.mark
        texts = []
        for (key, value), shape in zip(block.items(), shapes, strict=True):
            text = self.made.get(shape)
            if text is None:
                rows = readme_rows({key: value}, f"{mark}.")
                text = self.made[shape] = self.lines(rows)
            texts.append(text.replace(mark, vkey))
        return "".join(texts)
