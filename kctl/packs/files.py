"""Reading a project's files for its recipe: text or nothing, never an exception."""

from __future__ import annotations

import re
from pathlib import Path

from kctl.inputs import is_regular


def read(path: Path) -> str:
    """A project file's text, "" when it is not a readable regular file (FIFOs are skipped)."""
    if not is_regular(path):
        return ""
    try:
        with path.open("rb") as handle:
            return handle.read(1 << 20).decode("utf-8", "replace")
    except OSError:
        return ""


def first(pattern: str, text: str) -> str | None:
    """Group 1 of the first match of pattern (multi-line) in text."""
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1) if match else None


def procfile_web(root: Path) -> str | None:
    """The Procfile's `web:` command (Heroku's, Railpack's and the project's own start)."""
    return first(r"^web:\s*(.+?)\s*$", read(root / "Procfile"))
