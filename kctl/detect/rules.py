"""What detection needs to know about a pack: its rules, its versions, its port sources.

Packs provide these as data (kctl/packs reads them from pack.toml); detection is pure
analysis of a source tree against them and imports nothing from kctl/packs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from msgspec import Struct, field


class Rules(Struct, frozen=True):
    """How a pack recognises a project (all data, from `[detect]`)."""

    manifests: tuple[str, ...] = ()  # glob patterns of build manifests at the project root
    dependencies: tuple[str, ...] = ()  # any of these names declared in a manifest → framework
    files: tuple[str, ...] = ()  # other files that are evidence (e.g. manage.py)
    contains: tuple[tuple[str, str], ...] = ()  # (glob, regex) pairs that must match a file
    excludes: tuple[str, ...] = ()  # manifests whose presence rules this pack out
    extensions: tuple[str, ...] = ()  # source file extensions of the language
    unless: tuple[str, ...] = ()  # dependencies whose presence rules this pack out (a server)
    without_manifest: bool = False  # builds from sources alone: a candidate by bytes (fallback)
    frontend: bool = False  # a browser app: a back-end framework beside it serves it instead
    # other languages the pack builds (TypeScript for node, Kotlin for Gradle): the project's
    # language is the dialect when its source bytes outweigh the pack's own
    dialects: tuple[tuple[str, tuple[str, ...]], ...] = ()


class VersionSource(Struct, frozen=True):
    """Where a project states a version: a file glob, a regex whose group 1 is the value, a rule."""

    file: str
    pattern: str
    rule: str = "line"  # how to read the value: see kctl/detect/ranges.py


class VersionSpec(Struct, frozen=True):
    """One version a pack's templates use (`[versions.NAME]`)."""

    default: str
    supported: tuple[str, ...] = ()  # release lines with a base image; empty: take values as-is
    sources: tuple[VersionSource, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)  # e.g. "lts/iron" → "20"


class Detectable(Protocol):
    """The pack a detection can choose (kctl.packs.model.Pack is one)."""

    @property
    def name(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def framework(self) -> str | None: ...
    @property
    def priority(self) -> int: ...
    @property
    def port(self) -> int: ...
    @property
    def rules(self) -> Rules: ...
    @property
    def versions(self) -> Mapping[str, VersionSpec]: ...
    @property
    def entrypoint(self) -> Mapping[str, Any]: ...
    @property
    def port_sources(self) -> tuple[VersionSource, ...]: ...
