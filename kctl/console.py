"""Everything about the terminal in one place: stdout for results, stderr for the rest.

Commands receive a `Console` and never print directly. Tests build one around `io.StringIO`.
rich is imported only when something is written to stderr, so fast paths stay fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

from msgspec import Struct, field

if TYPE_CHECKING:
    import rich.console

    from kctl.errors import KctlError


class OutputFormat(StrEnum):
    """Formats for structured results (`-o`)."""

    TABLE = "table"
    JSON = "json"
    YAML = "yaml"


QUIET, NORMAL, VERBOSE = -1, 0, 1


class Console(Struct, dict=True):
    """The terminal of one kctl run: streams, verbosity and colour."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    verbosity: int = NORMAL
    debug: bool = False
    color: bool | None = None  # None: decide from NO_COLOR and whether stderr is a TTY

    @property
    def use_color(self) -> bool:
        if self.color is not None:
            return self.color
        if "NO_COLOR" in os.environ:
            return False
        return bool(getattr(self.stderr, "isatty", lambda: False)())

    @property
    def interactive(self) -> bool:
        """True when both stdin and stderr are terminals (prompts and spinners make sense)."""
        stdin_tty = bool(getattr(sys.stdin, "isatty", lambda: False)())
        return stdin_tty and bool(getattr(self.stderr, "isatty", lambda: False)())

    @cached_property
    def rich(self) -> rich.console.Console:
        """A rich console writing to stderr (created on first use)."""
        from rich.console import Console as RichConsole

        color = self.use_color
        return RichConsole(
            file=self.stderr,
            no_color=not color,
            color_system="auto" if color else None,
            force_terminal=color or None,
            highlight=False,
            soft_wrap=True,
            emoji=False,
        )

    # results (stdout) -------------------------------------------------------------------
    def result(self, text: str) -> None:
        """Write a result to stdout exactly as given (a trailing newline is added if missing)."""
        self.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        self.stdout.flush()

    def emit(self, data: Any, fmt: OutputFormat) -> None:
        """Write structured data to stdout as JSON or YAML."""
        if fmt is OutputFormat.JSON:
            self.result(json.dumps(data, indent=2, sort_keys=False, default=str))
        elif fmt is OutputFormat.YAML:
            from kctl import yamlio

            self.result(yamlio.dump(data))
        else:
            raise ValueError(f"emit() does not render {fmt}; render tables in the command")

    def table(self, renderable: Any) -> None:
        """Print a rich renderable (a table) to stdout, plain when stdout is not a terminal."""
        from rich.console import Console as RichConsole

        tty = bool(getattr(self.stdout, "isatty", lambda: False)())
        out = RichConsole(
            file=self.stdout,
            no_color=not (tty and self.use_color),
            color_system="auto" if tty and self.use_color else None,
            highlight=False,
            width=None if tty else 200,
            emoji=False,
        )
        out.print(renderable)

    # messages (stderr) ------------------------------------------------------------------
    def _say(self, text: str, style: str | None = None, prefix: str = "") -> None:
        from rich.text import Text

        line = Text()
        if prefix:
            line.append(prefix, style=style)
        line.append(text, style=None if prefix else style)
        self.rich.print(line)

    def info(self, text: str) -> None:
        """Progress and status for humans; hidden by -q."""
        if self.verbosity >= NORMAL:
            self._say(text)

    def success(self, text: str) -> None:
        if self.verbosity >= NORMAL:
            self._say(text, "green")

    def detail(self, text: str) -> None:
        """Extra information shown with -v."""
        if self.verbosity >= VERBOSE:
            self._say(text, "dim")

    def warn(self, text: str) -> None:
        """A warning: always shown, even with -q."""
        self._say(text, "yellow", prefix="warning: ")

    def error(self, err: KctlError | str) -> None:
        """Render an error once: location, message, details, hint."""
        from kctl.errors import KctlError

        if isinstance(err, KctlError):
            self._say(str(err), "bold red", prefix="error: ")
            for line in err.details:
                self._say("  " + line)
            if err.hint:
                self._say(err.hint, "cyan", prefix="  hint: ")
        else:
            self._say(err, "bold red", prefix="error: ")

    def print_raw(self, text: str) -> None:
        """Stream text (build output, command output) to stderr unchanged; hidden by -q."""
        if self.verbosity >= NORMAL:
            self.stderr.write(text)
            self.stderr.flush()

    @contextmanager
    def status(self, text: str) -> Iterator[None]:
        """A spinner with elapsed time on a terminal, one line otherwise."""
        if self.verbosity < NORMAL:
            yield
            return
        if self.use_color and self.interactive:
            with self.rich.status(text):
                yield
        else:
            self._say(text)
            yield
