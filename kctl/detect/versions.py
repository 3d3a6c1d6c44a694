"""Choose each version a pack needs: the project's own statement, read by its ecosystem's rule."""

from __future__ import annotations

import re

from msgspec import Struct, field

from kctl.detect.ranges import RangeError, newer_lines, newest_inside
from kctl.detect.rules import Detectable, VersionSource, VersionSpec
from kctl.detect.walk import SourceTree
from kctl.errors import Location, PreconditionError


class VersionChoice(Struct):
    """The versions picked, why, and what could not be honoured (shown as warnings)."""

    versions: dict[str, str] = field(default_factory=dict)
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (path, detail)
    problems: list[str] = field(default_factory=list)


def _statements(tree: SourceTree, source: VersionSource) -> list[tuple[str, str]]:
    """(file:line, stated value) for each file matching the source, shallowest first."""
    found = []
    for rel in sorted(tree.matching((source.file,)), key=lambda p: (p.count("/"), p)):
        text = tree.read(rel)
        match = re.search(source.pattern, text, re.MULTILINE)
        if match and match.group(1) and match.group(1).strip():
            line = text.count("\n", 0, match.start(1)) + 1
            found.append((f"{rel}:{line}", match.group(1).strip()))
    return found


def _choose_one(name: str, spec: VersionSpec, tree: SourceTree, choice: VersionChoice) -> None:
    for source in spec.sources:
        for where, stated in _statements(tree, source):
            if not spec.supported:  # a pack without a supported list takes the value as-is
                choice.versions[name] = stated
                choice.evidence.append((where, f"{name} {stated}"))
                return
            wanted = spec.aliases.get(stated, stated)
            try:
                picked = newest_inside(wanted, source.rule, spec.supported)
            except RangeError as exc:
                choice.problems.append(f"{where}: {name} {stated!r} ignored: {exc}")
                continue
            if picked is None and newest_inside(wanted, source.rule, newer_lines(spec.supported)):
                _above_every_line(name, stated, f"{tree.root}/{where}", source.rule, spec.supported)
            if picked is None:
                choice.versions[name] = spec.default
                choice.problems.append(
                    f"{where}: no supported {name} version ({', '.join(spec.supported)}) "
                    f"is inside {stated!r}; using {spec.default}"
                )
                choice.evidence.append((where, f"{name} {spec.default} (fallback: {stated!r})"))
                return
            choice.versions[name] = picked
            choice.evidence.append(
                (where, f"{name} {picked}: newest supported inside {stated!r} ({source.rule})")
            )
            return
    choice.versions[name] = spec.default
    declared = ", ".join(sorted({s.file for s in spec.sources})) or "no version file"
    choice.evidence.append(
        (".", f"{name} {spec.default}: not declared ({declared}); the current line")
    )


def _above_every_line(
    name: str, stated: str, where: str, rule: str, supported: tuple[str, ...]
) -> None:
    """The project needs a newer line than any kctl knows: never build it on an older one."""
    from kctl.detect.ranges import newest

    file, _, line = where.rpartition(":")
    raise PreconditionError(
        f"{name} {stated!r} ({rule}) asks for a newer {name} than kctl knows "
        f"(newest: {newest(supported)})",
        location=Location(file, int(line) if line.isdigit() else None),
        hint=f"pass --variable {name}=LINE to build on an image line kctl does not list yet "
        "(docs/versions.md)",
    )


def choose_versions(tree: SourceTree, pack: Detectable) -> VersionChoice:
    """Every version of the pack: first source that states one wins, else the pack default."""
    choice = VersionChoice()
    for name, spec in pack.versions.items():
        _choose_one(name, spec, tree, choice)
    return choice


def choose_port(tree: SourceTree, pack: Detectable) -> tuple[int, tuple[str, str] | None]:
    """The port the project states (vite preview, angular serve, --port), else the pack's."""
    for source in pack.port_sources:
        for where, stated in _statements(tree, source):
            if stated.isdigit() and 1024 <= int(stated) <= 65535:  # unprivileged servers only
                return int(stated), (where, f"port {stated}")
    return pack.port, None
