"""Find the data kctl ships (templates/, packs/) in a wheel install or a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Path of a shipped data folder: `kctl/_data/<name>` installed, `<repo>/<name>` in source."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kctl data folder {name!r} is missing from this installation")


def templates_dir() -> Path:
    return data_dir("templates")


def packs_dir() -> Path:
    return data_dir("packs")
