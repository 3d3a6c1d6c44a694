"""Which Compose files a project is read from: -f, else COMPOSE_FILE, else the default names."""

from __future__ import annotations

import os
from pathlib import Path

from kctl.compose.model import ComposeWarning, LoadOptions
from kctl.errors import InputError, Location

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


def discover(
    opts: LoadOptions, warnings: list[ComposeWarning] | None = None
) -> list[tuple[str, Path | None]]:
    """The files to read, in order: -f, else COMPOSE_FILE, else the default names (+ override)."""
    names = list(opts.files)
    if not names and opts.environ.get("COMPOSE_FILE"):
        separator = opts.environ.get("COMPOSE_PATH_SEPARATOR", os.pathsep)
        names = [n for n in opts.environ["COMPOSE_FILE"].split(separator) if n]
        names = _kompose_separator(names, separator, warnings)
    if names:
        return [(n, None) if n == "-" else (n, Path(n)) for n in names]
    start = Path(os.path.abspath(opts.project_directory or Path.cwd()))
    for directory in (start, *start.parents):
        for candidate in DEFAULT_FILES:
            path = directory / candidate
            if path.is_file():
                found: list[tuple[str, Path | None]] = [(str(path), path)]
                stem, suffix = candidate.rsplit(".", 1)
                override = directory / f"{stem}.override.{suffix}"
                if override.is_file():
                    found.append((str(override), override))
                return found
    raise InputError(
        f"no Compose file found in {start} or its parents",
        hint=f"pass -f FILE or create one of: {', '.join(DEFAULT_FILES)}",
    )


def _kompose_separator(
    names: list[str], separator: str, warnings: list[ComposeWarning] | None
) -> list[str]:
    """COMPOSE_FILE="a.yaml b.yaml" is how Kompose lists files (split on spaces); docker compose
    reads it as one file, which does not exist, so it was never valid for docker compose. Read
    as Kompose does, with a warning, when the whole name is missing and every part is a file."""
    result: list[str] = []
    for name in names:
        parts = name.split()
        kompose_list = len(parts) > 1 and not Path(name).exists()
        if not (kompose_list and all(Path(part).is_file() for part in parts)):
            result.append(name)
            continue
        result.extend(parts)
        if warnings is not None:
            warnings.append(
                ComposeWarning(
                    f"files separated by spaces, read as Kompose reads them; docker compose "
                    f"would look for one file named {name!r}: list them with {separator!r} "
                    "(COMPOSE_PATH_SEPARATOR) to be read the same by both",
                    Location("COMPOSE_FILE"),
                )
            )
    return result
