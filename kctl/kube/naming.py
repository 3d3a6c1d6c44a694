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


_DASHES = re.compile(r"-{2,}")
_NOT_LABEL = re.compile(r"[^a-z0-9-]+")
_NOT_SUBDOMAIN = re.compile(r"[^a-z0-9.-]+")


def _clean(name: str, disallowed: re.Pattern[str]) -> str:
    text = disallowed.sub("-", name.lower())
    return _DASHES.sub("-", text).strip("-.")


@lru_cache(maxsize=4096)  # pure, and asked for each object of a service several times
def dns_label(name: str, limit: int = 63) -> str:
    """An RFC 1123 label (Service, container and port names): [a-z0-9-], alnum ends, <= 63."""
    label = _clean(name, _NOT_LABEL)
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
    sub = _clean(name, _NOT_SUBDOMAIN)
    if not sub or not sub[0].isalnum():
        sub = "x" + sub
    return sub[:253].rstrip("-.")


def unique(name: str, taken: set[str], limit: int = 63, tried: dict[str, int] | None = None) -> str:
    """name, or name-2, name-3 ... if already taken (the result is added to taken).

    tried (name -> the next suffix to try) skips suffixes taken before: names are never
    removed from taken, so the result is the same, without a quadratic walk when hundreds of
    objects want one name."""
    n = tried.get(name, 2) if tried is not None else 2
    candidate: str | None = name if n == 2 else None  # None: name itself was taken before
    while candidate is None or candidate in taken:
        suffix = f"-{n}"
        candidate = name[: limit - len(suffix)] + suffix
        n += 1
    if tried is not None:
        tried[name] = n
    taken.add(candidate)
    return candidate
