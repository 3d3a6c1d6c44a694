"""Names Helm accepts: chart names and camelCase values keys."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[A-Za-z0-9]+")


def chart_name(name: str) -> str:
    """A valid Helm chart name (lowercase letters, digits, dashes) from any string."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"app-{slug}".rstrip("-")
    return slug[:53].rstrip("-")


def values_key(name: str) -> str:
    """The camelCase values key of a component: `redis-leader` → `redisLeader`."""
    words = _WORDS.findall(name) or ["component"]
    key = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return key if key[0].isalpha() else f"c{key}"


def unique_keys(components: list[str]) -> dict[str, str]:
    """Each component's values key, numbered when two clash or one is a chart-wide key."""
    keys: dict[str, str] = {}
    used = {"nameOverride", "fullnameOverride", "sharedPersistence", "global"}
    for component in components:
        key = values_key(component)
        candidate, n = key, 2
        while candidate in used:
            candidate, n = f"{key}{n}", n + 1
        used.add(candidate)
        keys[component] = candidate
    return keys
