"""DNS-1123 names Kubernetes accepts, derived deterministically from Compose names."""

from __future__ import annotations

import re
from functools import lru_cache

# The label that ties a Service to its pods, as Kompose names it (so Kompose users' selectors,
# dashboards and scripts keep working): convert, chart and create all use this one.
SELECTOR_LABEL = "io.kompose.service"


def _digest(name: str, length: int) -> str:
    import hashlib  # only for names that need shortening: its OpenSSL load is ~3 ms per run

    return hashlib.sha256(name.encode()).hexdigest()[:length]


def _clean(name: str, allowed: str) -> str:
    text = re.sub(allowed, "-", name.lower())
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    return text


@lru_cache(maxsize=4096)  # pure, and asked for each object of a service several times
def dns_label(name: str, limit: int = 63) -> str:
    """An RFC 1123 label (Service, container and port names): [a-z0-9-], alnum ends, <= 63."""
    label = _clean(name, r"[^a-z0-9-]+")
    if not label:
        label = "x" + _digest(name, 8)
    if not label[0].isalpha():
        label = "x-" + label if limit > 15 else "x" + label
    if len(label) > limit:
        digest = _digest(name, 6)
        label = label[: limit - 7].rstrip("-") + "-" + digest
    return label.rstrip("-")


@lru_cache(maxsize=4096)
def dns_subdomain(name: str) -> str:
    """An RFC 1123 subdomain (most object names): [a-z0-9.-], <= 253."""
    sub = _clean(name, r"[^a-z0-9.-]+")
    if not sub or not sub[0].isalnum():
        sub = "x" + sub
    return sub[:253].rstrip("-.")


def unique(name: str, taken: set[str], limit: int = 63) -> str:
    """name, or name-2, name-3 ... if already taken (the result is added to taken)."""
    candidate, n = name, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = name[: limit - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate
