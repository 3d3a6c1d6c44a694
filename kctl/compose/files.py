"""One Compose file as read (its data and the position of every key), and what every
stage of loading does to a file: read it, refuse unknown keys, interpolate it."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl import inputs
from kctl.compose import casts, yamlnodes
from kctl.compose.interpolate import interpolate
from kctl.errors import InputError, Location

TOP_LEVEL_KEYS = {
    "version",
    "name",
    "services",
    "volumes",
    "networks",
    "secrets",
    "configs",
    "include",
    "models",
}


class ComposeFile(Struct):
    """One Compose file as read: its data and the position of every key."""

    name: str  # shown in messages
    directory: Path
    data: dict[str, Any]
    locations: dict[tuple[Any, ...], Location]

    _by_service: dict[str, dict[str, Location]] | None = None

    def service_locations(self) -> dict[str, dict[str, Location]]:
        """{service: {dotted key: location}}, indexed once per file."""
        if self._by_service is None:
            index: dict[str, dict[str, Location]] = {}
            for path, loc in self.locations.items():
                if len(path) >= 3 and path[0] == "services":
                    index.setdefault(str(path[1]), {})[".".join(str(p) for p in path[2:])] = loc
            self._by_service = index
        return self._by_service

    def where(self, *path: Any) -> Location:
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path[:-1]
        return Location(self.name, 1)


def normalize_name(name: str) -> str:
    """Project names as docker-compose normalizes them: lowercase [a-z0-9_-], alnum first."""
    cleaned = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return cleaned.lstrip("_-")


def read_stdin() -> str:
    """Standard input as text: bytes decoded like a file's (a wrapped text stream as is)."""
    import sys

    raw = getattr(sys.stdin, "buffer", None)
    return inputs.decode(raw.read(), "<stdin>") if raw is not None else sys.stdin.read()


def read_file(name: str, path: Path | None, stdin: str | None) -> ComposeFile:
    """A Compose file (path None: stdin) read and parsed with positions; an empty file, a
    non-mapping or an unknown top-level key is refused at its line."""
    if path is None:
        text = stdin if stdin is not None else read_stdin()
        directory = Path.cwd()
        name = "<stdin>"
    else:
        text = inputs.read_text(path)
        directory = absolute(path).parent
    data, locations = yamlnodes.load(text, name)
    if data is None:
        raise InputError(
            "empty Compose file",
            location=Location(name),
            hint="a Compose file needs at least a `services:` mapping",
        )
    if not isinstance(data, dict):
        raise InputError("a Compose file must be a mapping", location=Location(name, 1))
    for key in data:
        if not isinstance(key, str) or (key not in TOP_LEVEL_KEYS and not key.startswith("x-")):
            raise unknown_key(
                key,
                TOP_LEVEL_KEYS,
                Location(name, 1)
                if not isinstance(key, str)
                else locations.get((key,), Location(name)),
                "top-level key",
            )
    return ComposeFile(name, directory, data, locations)


def unknown_key(key: Any, known: set[str], where: Location, what: str) -> InputError:
    close = difflib.get_close_matches(str(key), sorted(known), n=1)
    return InputError(
        f"unknown {what} {key!r}",
        location=where,
        hint=f"did you mean {close[0]!r}?" if close else None,
    )


class Variables(dict[str, str]):
    """The variables of interpolation, and those read but not set (with where first read);
    env files read with them are kept by path (services share one: read once per load)."""

    def __init__(self, values: Mapping[str, str], unset: dict[str, Location]) -> None:
        super().__init__(values)
        self.unset = unset
        self.env_files: dict[Path, dict[str, str]] = {}


def absolute(path: Path) -> Path:
    """path made absolute lexically, as compose-go's filepath.Abs: symlinks are kept as
    written (a loop is reported by whatever reads the file, never a crash here)."""
    return Path(os.path.abspath(path))


def interpolate_data(
    value: Any, env: Mapping[str, str], file: ComposeFile, path: tuple[Any, ...]
) -> Any:
    if isinstance(value, str):
        if "$" not in value and casts.cast_for(path) is None:
            return value  # nothing to substitute or cast: spare the location look-up
        where = file.where(*path)
        unset = env.unset if isinstance(env, Variables) else None
        return casts.cast(interpolate(value, env, where, unset), path, where)
    if isinstance(value, dict):
        return {k: interpolate_data(v, env, file, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate_data(v, env, file, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, yamlnodes.Reset):
        return yamlnodes.Reset(interpolate_data(value.value, env, file, path))
    if isinstance(value, yamlnodes.Override):
        return yamlnodes.Override(interpolate_data(value.value, env, file, path))
    return value
