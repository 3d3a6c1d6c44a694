"""`.env` and `env_file` parsing (the dotenv dialect docker-compose reads)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from kctl import inputs
from kctl.compose.interpolate import interpolate
from kctl.errors import InputError, Location

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "$"}


def parse_env_file(path: Path, env: Mapping[str, str]) -> dict[str, str | None]:
    """KEY=VALUE lines; quotes, `export`, comments; ${VAR} expands from env and earlier keys."""
    text = inputs.read_text(path)
    result: dict[str, str | None] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        raw = lines[index].strip()
        index += 1
        if not raw or raw.startswith("#"):
            continue
        if raw.startswith("export "):
            raw = raw[7:].lstrip()
        key, sep, value = raw.partition("=")
        key = key.strip()
        if not _KEY.match(key):
            raise InputError(f"invalid variable name {key!r}", location=Location(str(path), number))
        if not sep:
            result[key] = None
            continue
        value = value.lstrip()
        where = Location(str(path), number)
        if value[:1] in ("'", '"'):
            quote = value[0]
            body = value[1:]
            while quote not in body.replace(f"\\{quote}", "") and index < len(lines):
                body += "\n" + lines[index]
                index += 1
            end = _closing(body, quote)
            if end < 0:
                raise InputError("unterminated quoted value", location=where)
            body = body[:end]
            if quote == "'":
                result[key] = body
                continue
            body = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)
            result[key] = interpolate(body, {**env, **_defined(result)}, where)
            continue
        value = re.split(r"\s+#", value, maxsplit=1)[0].rstrip()
        result[key] = interpolate(value, {**env, **_defined(result)}, where)
    return result


def _closing(body: str, quote: str) -> int:
    i = 0
    while i < len(body):
        if body[i] == "\\" and quote == '"':
            i += 2
            continue
        if body[i] == quote:
            return i
        i += 1
    return -1


def _defined(values: Mapping[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v is not None}
