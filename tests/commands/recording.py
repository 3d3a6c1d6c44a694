"""A Progress that records what a use case reports, for tests at the seam (no terminal)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kctl.progress import Progress


@dataclass
class Recorder:
    """Every call a use case made, by kind, in order."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)  # what progress.result got (kctl up: Cycles)

    def of(self, kind: str) -> list[str]:
        return [text for k, text in self.calls if k == kind]

    def progress(self) -> Progress:
        def record(kind: str):  # type: ignore[no-untyped-def]
            return lambda text: self.calls.append((kind, text))

        @contextlib.contextmanager
        def busy(text: str) -> Iterator[None]:
            self.calls.append(("busy", text))
            yield

        return Progress(
            step=record("step"),
            warn=record("warn"),
            done=record("done"),
            output=record("output"),
            busy=busy,
            result=self.results.append,
        )
