"""The typed keys whose text values are cast after interpolation, as compose-go casts them
(compose-go loader/interpolate.go, interpolateTypeCastMapping): `read_only: ${RO:-false}` is
the boolean false, `deploy.replicas: "${N:-2}"` the integer 2. Every string at these paths is
cast (interpolated or not), as compose-go does; a value that does not cast is exit 2."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kctl.errors import InputError, Location

Cast = Callable[[str], Any]
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$", re.I)
_TRUE = {"true", "y", "yes", "on"}
_FALSE = {"false", "n", "no", "off"}


def _int(text: str) -> int:
    if not _INT.match(text):
        raise ValueError(f"invalid integer: {text}")
    return int(text)


def _float(text: str) -> float:
    if not _FLOAT.match(text):
        raise ValueError(f"invalid number: {text}")
    return float(text)


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"invalid boolean: {text}")


_SERVICE: dict[tuple[str, ...], Cast] = {
    ("cpu_count",): _int,
    ("cpu_percent",): _float,
    ("cpu_period",): _int,
    ("cpu_quota",): _int,
    ("cpu_rt_period",): _int,
    ("cpu_rt_runtime",): _int,
    ("cpus",): _float,
    ("cpu_shares",): _int,
    ("init",): _bool,
    ("depends_on", "*", "required"): _bool,
    ("depends_on", "*", "restart"): _bool,
    ("deploy", "replicas"): _int,
    ("deploy", "update_config", "parallelism"): _int,
    ("deploy", "update_config", "max_failure_ratio"): _float,
    ("deploy", "rollback_config", "parallelism"): _int,
    ("deploy", "rollback_config", "max_failure_ratio"): _float,
    ("deploy", "restart_policy", "max_attempts"): _int,
    ("deploy", "placement", "max_replicas_per_node"): _int,
    ("healthcheck", "retries"): _int,
    ("healthcheck", "disable"): _bool,
    ("oom_kill_disable",): _bool,
    ("oom_score_adj",): _int,
    ("pids_limit",): _int,
    ("ports", "#", "target"): _int,
    ("privileged",): _bool,
    ("read_only",): _bool,
    ("scale",): _int,
    ("stdin_open",): _bool,
    ("tty",): _bool,
    ("ulimits", "*"): _int,
    ("ulimits", "*", "hard"): _int,
    ("ulimits", "*", "soft"): _int,
    ("volumes", "#", "read_only"): _bool,
    ("volumes", "#", "volume", "nocopy"): _bool,
}
_TOP: dict[tuple[str, ...], Cast] = {
    ("networks", "*", "external"): _bool,
    ("networks", "*", "internal"): _bool,
    ("networks", "*", "attachable"): _bool,
    ("networks", "*", "enable_ipv4"): _bool,
    ("networks", "*", "enable_ipv6"): _bool,
    ("volumes", "*", "external"): _bool,
    ("secrets", "*", "external"): _bool,
    ("configs", "*", "external"): _bool,
}


def _matches(pattern: tuple[str, ...], path: tuple[Any, ...]) -> bool:
    if len(pattern) != len(path):
        return False
    for want, part in zip(pattern, path, strict=True):
        if want == "#":
            if not isinstance(part, int):
                return False
        elif want not in ("*", part):
            return False
    return True


def _by_head(table: dict[tuple[str, ...], Cast]) -> dict[tuple[int, Any], list[tuple[str, ...]]]:
    """The patterns of a table by (length, first key): a path is only matched against the few
    patterns that can match it (every pattern's first key is a name, never `*` or `#`)."""
    index: dict[tuple[int, Any], list[tuple[str, ...]]] = {}
    for pattern in table:
        index.setdefault((len(pattern), pattern[0]), []).append(pattern)
    return index


_SERVICE_HEADS = _by_head(_SERVICE)
_TOP_HEADS = _by_head(_TOP)


def cast_for(path: tuple[Any, ...]) -> Cast | None:
    """The cast of the value at path (from the file's root), if its key is typed."""
    if len(path) >= 3 and path[0] == "services":
        table, heads, path = _SERVICE, _SERVICE_HEADS, path[2:]
    else:
        table, heads = _TOP, _TOP_HEADS
    for pattern in heads.get((len(path), path[0]), ()) if path else ():
        if _matches(pattern, path):
            return table[pattern]
    return None


def cast(text: str, path: tuple[Any, ...], where: Location) -> Any:
    """text as the type its key has (unchanged when the key is not typed)."""
    convert = cast_for(path)
    if convert is None:
        return text
    try:
        return convert(text.strip())
    except ValueError as exc:
        dotted = ".".join(str(p) for p in path if not isinstance(p, int))
        raise InputError(f"{dotted}: {exc}", location=where) from None
