"""Container image references, parsed one way for all of kctl (convert, chart, up, upgrade)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The domain part of a reference, as distribution/reference's grammar writes it.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_REGISTRY = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?")


def is_registry_host(text: str) -> bool:
    """Whether text is a registry `host[:port]` an image name can start with."""
    return _REGISTRY.fullmatch(text) is not None


@dataclass(frozen=True)
class ImageRef:
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
