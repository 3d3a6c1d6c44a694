"""Durations (`1m30s`) and byte sizes (`512m`) as Compose writes them."""

from __future__ import annotations

import re

from kctl.errors import InputError, Location

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_BYTES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)
_POWER = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}


def parse_duration(value: str | int | float, where: Location | None = None) -> float:
    """Seconds in a Go-style duration (`1h2m3.5s`, `500ms`); bare numbers are seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total, pos = 0.0, 0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise InputError(
            f"invalid duration {value!r}",
            location=where,
            hint="use a Go duration such as 30s, 1m30s or 500ms",
        )
    return total


def parse_bytes(value: str | int | float, where: Location | None = None) -> int:
    """Bytes in a size such as `512m`, `1.5gb` or `2048` (1024-based units)."""
    if isinstance(value, (int, float)):
        return int(value)
    match = _BYTES.match(value)
    if not match:
        raise InputError(
            f"invalid byte size {value!r}",
            location=where,
            hint="use a number with b, k, m or g, e.g. 512m",
        )
    return int(float(match.group(1)) * 1024 ** _POWER[match.group(2).lower()])
