"""One place for TOML: parsing with tomllib, syntax errors at their file:line:column."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from kctl.errors import InputError, Location

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


# No kctl.toml, pack.toml or project manifest nests arrays/inline tables more than a few levels;
# tomllib parses them recursively, so deeper text is refused before it is parsed.
MAX_DEPTH = 64


def loads(text: str, path: Path) -> dict[str, Any]:
    """The tables of a TOML document; a syntax error is exit 2 at its line and column."""
    deep = _line_nested_deeper_than(text, MAX_DEPTH)
    if deep is not None:
        raise InputError(
            f"arrays or inline tables nested more than {MAX_DEPTH} levels deep",
            location=Location(str(path), deep),
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _AT.search(str(exc))
        line, column = (int(found[1]), int(found[2])) if found else (None, None)
        raise InputError(
            f"invalid TOML: {str(exc).split(' (at')[0]}", location=Location(str(path), line, column)
        ) from None


def _line_nested_deeper_than(text: str, limit: int) -> int | None:
    """The line where `[`/`{` nesting passes `limit` (strings and comments skipped), or None."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth, line, quote, index = 0, 1, "", 0
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        elif quote:
            if char == "\\" and quote == '"':
                index += 1
            elif text.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote) - 1
        elif char == "#":
            newline = text.find("\n", index)
            index = (newline if newline >= 0 else len(text)) - 1
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        index += 1
    return None


def load(path: Path) -> tuple[dict[str, Any], str]:
    """(tables, text) of a TOML file: a regular UTF-8 file (kctl/inputs.py's rules)."""
    from kctl.inputs import decode, read_input

    text = decode(read_input(path), str(path))
    return loads(text, path), text


def line_of(text: str, table: str, key: str | None = None) -> int | None:
    """The line of `[table]` (or of `key` inside it) in the raw TOML text."""
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
    current, table_line = "", None
    for number, line in enumerate(text.splitlines(), 1):
        match = header.match(line)
        if match:
            current = re.sub(r"\s*\.\s*", ".", match[1]).replace('"', "")
            if current == table:
                table_line = number
            continue
        key_line = re.match(rf"^\s*[\"']?{re.escape(key or '')}[\"']?\s*=", line)
        if key is not None and current == table and key_line:
            return number
    return table_line
