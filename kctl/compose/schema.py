"""The types of Compose values kctl reads, checked once at the boundary (after interpolation).

Every key a later stage converts to a number, a duration, a size, a list or a mapping is
described here; a value of the wrong type or out of range is exit 2 at its own file:line with
what was expected, so no translation rule ever meets `int('x')`, NaN or infinity. Keys not
described are passed through as compose-go would (and reported later if not translated).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from kctl.errors import InputError, Location

Locate = Callable[[tuple[Any, ...]], Location]
Check = Callable[[Any], str | None]  # None when the value fits, else what was expected

_INT_TEXT = re.compile(r"^[+-]?\d{1,18}$")
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_BYTES_TEXT = re.compile(r"^\d+(\.\d+)?\s*([bkmg]b?)?$", re.IGNORECASE)
_DURATION_TEXT = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^\d+(\.\d+)?$")


def integer(low: int | None = None, high: int | None = None) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool):
            return _int_expected(low, high)
        if isinstance(value, str) and _INT_TEXT.match(value.strip()):
            value = int(value)
        if not isinstance(value, int):
            return _int_expected(low, high)
        if (low is not None and value < low) or (high is not None and value > high):
            return _int_expected(low, high)
        return None

    return check


def _int_expected(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"an integer from {low} to {high}"
    return f"an integer >= {low}" if low is not None else "an integer"


def number(value: Any) -> str | None:
    if isinstance(value, str) and _NUMBER_TEXT.match(value.strip()):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "a number"
    return None if math.isfinite(value) and value >= 0 else "a finite number >= 0"


def byte_size(value: Any) -> str | None:
    if isinstance(value, bool):
        return "a size such as 512m or 1g"
    if isinstance(value, (int, float)):
        return None if math.isfinite(value) and value >= 0 else "a finite size >= 0"
    if isinstance(value, str) and _BYTES_TEXT.match(value.strip()):
        return None
    return "a size such as 512m or 1g"


def duration(value: Any) -> str | None:
    if isinstance(value, bool):
        return "a duration such as 30s or 1m30s"
    if isinstance(value, (int, float)):
        return None if math.isfinite(value) and value >= 0 else "a finite duration >= 0"
    if isinstance(value, str) and _DURATION_TEXT.match(value.strip()):
        return None
    return "a duration such as 30s or 1m30s"


def string(value: Any) -> str | None:
    return None if isinstance(value, str) else "a string"


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def scalar(value: Any) -> str | None:
    ok = isinstance(value, (str, int, float, bool)) or value is None
    if isinstance(value, float) and not math.isfinite(value):
        ok = False
    return None if ok else "a string or a number"


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else "one of " + ", ".join(choices)

    return check


def list_of(item: Check | dict[str, Any]) -> Any:
    return ("list", item)


def string_or_list(value: Any) -> str | None:
    if isinstance(value, str):
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None
    return "a string or a list of strings"


def list_or_mapping(value: Any) -> str | None:
    return None if isinstance(value, (list, dict)) else "a list or a mapping"


_DEVICE = {
    "capabilities": list_of(string),
    "count": lambda v: None if v in ("all", -1) or integer(0)(v) is None else "an integer or all",
    "device_ids": list_of(string),
    "driver": string,
    "options": list_or_mapping,
}
_RESOURCES = {"cpus": number, "memory": byte_size, "pids": integer(0)}
_UPDATE = {
    "parallelism": integer(0),
    "delay": duration,
    "failure_action": string,
    "monitor": duration,
    "max_failure_ratio": number,
    "order": one_of("start-first", "stop-first"),
}
DEPLOY: dict[str, Any] = {
    "mode": one_of("replicated", "global", "replicated-job", "global-job"),
    "replicas": integer(0),
    "labels": list_or_mapping,
    "endpoint_mode": string,
    "resources": {
        "limits": _RESOURCES,
        "reservations": {**_RESOURCES, "devices": list_of(_DEVICE)},
    },
    "placement": {
        "constraints": list_of(string),
        "preferences": list_of({"spread": string}),
        "max_replicas_per_node": integer(0),
    },
    "update_config": _UPDATE,
    "rollback_config": _UPDATE,
    "restart_policy": {
        "condition": one_of("none", "on-failure", "any"),
        "delay": duration,
        "max_attempts": integer(0),
        "window": duration,
    },
}
HEALTHCHECK = {
    "test": string_or_list,
    "interval": duration,
    "timeout": duration,
    "start_period": duration,
    "start_interval": duration,
    "retries": integer(0),
    "disable": boolean,
}
_SERVICE_NETWORK = {
    "aliases": list_of(string),
    "ipv4_address": string,
    "ipv6_address": string,
    "link_local_ips": list_of(string),
    "priority": integer(),
    "mac_address": string,
    "driver_opts": list_or_mapping,
    "gw_priority": integer(),
    "interface_name": string,
}
SERVICE: dict[str, Any] = {
    "cpus": number,
    "mem_limit": byte_size,
    "mem_reservation": byte_size,
    "memswap_limit": byte_size,
    "shm_size": byte_size,
    "stop_grace_period": duration,
    "scale": integer(0),
    "pids_limit": integer(-1),
    "cap_add": list_of(string),
    "cap_drop": list_of(string),
    "dns": string_or_list,
    "dns_search": string_or_list,
    "extra_hosts": list_or_mapping,
    "tmpfs": string_or_list,
    "expose": list_of(scalar),
    "profiles": list_of(string),
    "deploy": DEPLOY,
    "healthcheck": HEALTHCHECK,
    "networks": ("networks", _SERVICE_NETWORK),
    "secrets": list_of(lambda v: None if isinstance(v, (str, dict)) else "a name or a mapping"),
    "configs": list_of(lambda v: None if isinstance(v, (str, dict)) else "a name or a mapping"),
}


def _external(value: Any) -> str | None:
    ok = isinstance(value, (bool, dict)) or value in ("true", "false")
    return None if ok else "true, false or a mapping"


def mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) else "a mapping"


_TOP_ENTRY = {
    "name": string,
    "labels": list_or_mapping,
    "external": _external,
    "driver": string,
    "driver_opts": mapping,
}
_TOP_SOURCE = {**_TOP_ENTRY, "file": string, "environment": string, "content": string}
TOP_LEVEL: dict[str, dict[str, Any]] = {
    "volumes": _TOP_ENTRY,
    "networks": _TOP_ENTRY,
    "secrets": _TOP_SOURCE,
    "configs": _TOP_SOURCE,
}


def check(value: Any, spec: Any, path: tuple[Any, ...], locate: Locate) -> None:
    """Raise InputError at path's location when value does not fit spec."""
    if value is None:
        return  # Compose treats null as unset
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            _fail("a mapping", value, path, locate)
        for key, item in value.items():
            if key in spec:
                check(item, spec[key], (*path, key), locate)
        return
    if isinstance(spec, tuple) and spec[0] == "list":
        if not isinstance(value, list):
            _fail("a list", value, path, locate)
        for index, item in enumerate(value):
            check(item, spec[1], (*path, index), locate)
        return
    if isinstance(spec, tuple) and spec[0] == "networks":
        if isinstance(value, list):
            check(value, list_of(string), path, locate)
        else:
            check(value, {}, path, locate)
            for name, settings in value.items():
                check(settings, spec[1], (*path, name), locate)
        return
    expected = spec(value)
    if expected is not None:
        _fail(expected, value, path, locate)


def _fail(expected: str, value: Any, path: tuple[Any, ...], locate: Locate) -> None:
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    dotted = ".".join(str(p) for p in path if not isinstance(p, int))
    raise InputError(f"{dotted}: {shown[:60]} is not {expected}", location=locate(path))
