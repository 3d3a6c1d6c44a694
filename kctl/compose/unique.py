"""One entry per key in a service's lists, as docker compose keeps them (compose-go's
EnforceUnicity): a later entry with the same key replaces the earlier one in its place.

Two mounts at one target, two identical ports, a capability listed twice: docker compose uses
the last and says nothing. kctl does the same, and reports a replaced entry that differs (a
mount or port that will not be used) as a warning at the list's line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from kctl.compose.model import ComposeWarning, Service
from kctl.errors import InputError


def _key_value(entry: Any) -> str:
    return str(entry).partition("=")[0]


def _port(entry: dict[str, Any]) -> str:
    host = entry.get("host_ip", "0.0.0.0")
    return f"{host}:{entry.get('published', '')}:{entry['target']}/{entry.get('protocol', 'tcp')}"


def _mount(default_dir: str) -> Callable[[dict[str, Any]], str]:
    def key(entry: dict[str, Any]) -> str:
        return str(entry.get("target") or f"{default_dir}/{entry.get('source')}")

    return key


# the list's key, how an entry is identified, whether replacing a different entry is reported
_LISTS: dict[str, tuple[Callable[[Any], str], bool]] = {
    "volumes": (lambda v: str(v["target"]), True),
    "ports": (_port, True),
    "secrets": (_mount("/run/secrets"), True),
    "configs": (_mount(""), True),
    "tmpfs": (_key_value, True),
    "expose": (str, False),
    "cap_add": (_key_value, False),
    "cap_drop": (_key_value, False),
    "dns": (_key_value, False),
    "dns_opt": (_key_value, False),
    "dns_search": (_key_value, False),
    "profiles": (_key_value, False),
    "links": (_key_value, False),
}


# lists the Compose schema says hold unique items and compose-go does not de-duplicate: the
# same entry twice (in one file or after merging files) is refused, as docker compose does
_UNIQUE_ITEMS = ("security_opt", "group_add", "external_links")


def enforce(service: Service) -> list[ComposeWarning]:
    """Keep one entry per key in each of the service's lists; warnings for mounts/ports one
    file lists twice (a later file's entry replacing an earlier file's is an override)."""
    warnings: list[ComposeWarning] = []
    for name in _UNIQUE_ITEMS:
        entries = service.config.get(name)
        if isinstance(entries, list) and len(set(map(str, entries))) < len(entries):
            raise InputError(
                f"{name} lists the same item twice (docker compose refuses it)",
                location=service.location(name),
            )
    for name, (key_of, report) in _LISTS.items():
        entries = service.config.get(name)
        if not isinstance(entries, list) or len(entries) < 2:
            continue
        starts = service.layer_starts.get(name, [])
        kept: list[Any] = []
        index: dict[str, int] = {}
        layer_of: dict[str, int] = {}
        for position, entry in enumerate(entries):
            key = key_of(entry)
            layer = bisect_right(starts, position)
            if key not in index:
                index[key] = len(kept)
                layer_of[key] = layer
                kept.append(entry)
                continue
            replaced = kept[index[key]]
            kept[index[key]] = entry
            same_file, layer_of[key] = layer_of[key] == layer, layer
            if report and replaced != entry and same_file:
                warnings.append(
                    ComposeWarning(
                        f"{name} lists {key} twice: the later entry replaces the earlier one, "
                        "as docker compose does",
                        service.location(name),
                        service.name,
                        name,
                    )
                )
        service.config[name] = kept
    return warnings
