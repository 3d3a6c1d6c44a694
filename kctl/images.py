"""Container image references, parsed one way for all of kctl (convert, chart, up, upgrade)."""

from __future__ import annotations

import re

from msgspec import Struct

# distribution/reference's grammar: a domain, then optional path components (ghcr.io/org).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = re.compile(rf"{_DOMAIN}(?:/{_COMPONENT})*")


_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def is_image(text: str) -> bool:
    """Whether text is an image reference `[registry/]path[:tag]` (no digest) a push can use."""
    ref = ImageRef.parse(text)
    return (
        not ref.digest
        and (ref.registry is None or is_registry(ref.registry))
        and _PATH.fullmatch(ref.path) is not None
        and (not ref.tag or _TAG.fullmatch(ref.tag) is not None)
    )


def is_registry(text: str) -> bool:
    """Whether text is a registry `host[:port][/path]` that image names can start with."""
    return _REGISTRY.fullmatch(text) is not None


class ImageRef(Struct, frozen=True):
    """`[registry/]path[:tag][@digest]`, read as docker reads it: the first part is a registry
    only if it has a dot or a port, or is `localhost`; a registry port is never a tag."""

    registry: str | None
    path: str
    tag: str = ""
    digest: str = ""

    @classmethod
    def parse(cls, image: str) -> ImageRef:
        reference, _, digest = image.partition("@")
        first, _, rest = reference.partition("/")
        registry = None
        if rest and ("." in first or ":" in first or first == "localhost"):
            registry, reference = first, rest
        path, tag = reference, ""
        if reference.rfind(":") > reference.rfind("/"):
            path, _, tag = reference.rpartition(":")
        return cls(registry, path, tag, digest)

    @property
    def repository(self) -> str:
        """registry/path, as a chart's image.repository wants it."""
        return f"{self.registry}/{self.path}" if self.registry else self.path
