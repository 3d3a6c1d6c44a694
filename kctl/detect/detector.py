"""Pick the pack for a source tree: manifests first, then frameworks, then source bytes."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

from msgspec import Struct, field

from kctl.detect.rules import Detectable
from kctl.detect.walk import SourceTree, scan
from kctl.errors import InputError, Location, PreconditionError
from kctl.inputs import json_object

P = TypeVar("P", bound=Detectable)

# Candidates whose own-source bytes are within this factor of each other are a tie.
BYTES_TIE_FACTOR = 2.0


class Evidence(Struct, frozen=True):
    """One observation behind a decision."""

    kind: str  # manifest | dependency | file | content | bytes | version | entrypoint
    path: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "path": self.path, "detail": self.detail}


class Candidate(Struct, Generic[P]):
    """A pack that matches the tree, with how strongly and why."""

    pack: P
    specificity: int  # 1 manifest, +1 per framework dependency/content/file match
    source_bytes: int
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def framework(self) -> bool:
        """Declared framework dependencies matched: stronger than any file or byte count."""
        return any(e.kind == "dependency" for e in self.evidence)


class Detection(Struct, Generic[P]):
    """The decision: which pack, the facts it needs, and the evidence."""

    root: Path
    pack: P
    versions: dict[str, str]
    port: int
    entrypoint: str | None
    evidence: list[Evidence]
    alternatives: list[str]
    problems: list[str]
    dialect: str | None = None  # the language when the pack builds another one (TypeScript)

    @property
    def language(self) -> str:
        return self.dialect or self.pack.language

    @property
    def framework(self) -> str | None:
        return self.pack.framework

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.root),
            "pack": self.pack.name,
            "language": self.language,
            "framework": self.framework,
            "versions": self.versions,
            "port": self.port,
            "entrypoint": self.entrypoint,
            "evidence": [e.as_dict() for e in self.evidence],
            "alternatives": self.alternatives,
            "problems": self.problems,
        }


def _matching(names: list[str], patterns: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


# manifests whose dependencies are JSON object keys: a name elsewhere in them is not a dependency
_JSON_DEPENDENCY_KEYS = {
    "package.json": ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"),
    "composer.json": ("require", "require-dev"),
}


@functools.lru_cache(maxsize=64)
def _json_dependencies(path: str, text: str) -> frozenset[str] | None:
    data = json_object(text, path)
    if data is None:
        return None
    tables = [data.get(key) for key in _JSON_DEPENDENCY_KEYS[path.rsplit("/", 1)[-1]]]
    return frozenset(k for t in tables if isinstance(t, dict) for k in t)


def _declares(tree: SourceTree, manifest: str, dependency: str) -> bool:
    """The manifest declares the dependency: a JSON key, else a whole token in the text."""
    text = tree.read(manifest)
    if manifest.rsplit("/", 1)[-1] in _JSON_DEPENDENCY_KEYS:
        names = _json_dependencies(str(tree.root / manifest), text)
        if names is not None:
            return dependency in names
    pattern = rf"(?<![\w.@/-]){re.escape(dependency)}(?![\w-])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _candidate(tree: SourceTree, pack: P, root_files: list[str]) -> Candidate[P] | None:
    rules = pack.rules
    if _matching(root_files, rules.excludes):
        return None
    evidence: list[Evidence] = []
    manifests = _matching(root_files, rules.manifests)
    if rules.manifests and not manifests:
        return _bytes_candidate(tree, pack)
    evidence += [Evidence("manifest", m, f"{pack.language} build manifest") for m in manifests]
    specificity = 1 if manifests else 0
    if rules.dependencies:
        found = [(m, d) for m in manifests for d in rules.dependencies if _declares(tree, m, d)]
        if not found:
            return None
        if any(_declares(tree, m, d) for m in manifests for d in rules.unless):
            return None
        specificity += 1
        evidence += [Evidence("dependency", m, f"declares {d}") for m, d in found[:3]]
    if rules.files:  # any one of the listed files is enough
        hits = tree.matching(rules.files)
        if not hits:
            return None
        specificity += 1
        hit = sorted(hits, key=lambda p: (p.count("/"), p))[0]
        evidence.append(Evidence("file", hit, f"{pack.framework or pack.language} file"))
    for glob, regex in rules.contains:
        content_hit = next(
            (f for f in tree.matching((glob,)) if re.search(regex, tree.read(f))),
            None,
        )
        if content_hit is None:
            return None
        specificity += 1
        evidence.append(Evidence("content", content_hit, f"matches /{regex}/"))
    source = tree.bytes_by_suffix(rules.extensions) if rules.extensions else 0
    if not manifests and not rules.files and not rules.contains and source == 0:
        return None
    if source:
        evidence.append(Evidence("bytes", ".", f"{source} bytes of {pack.language} source"))
    return Candidate(pack, specificity, source, evidence)


def _strength(candidate: Candidate[P]) -> tuple[bool, bool, bool]:
    """Candidates of different strength are never ambiguous: the stronger one wins."""
    return (candidate.framework, candidate.pack.rules.frontend, candidate.specificity > 1)


def _bytes_candidate(tree: SourceTree, pack: P) -> Candidate[P] | None:
    """A manifest-less candidate, on own-source bytes alone (packs that can build that way)."""
    if not pack.rules.without_manifest or pack.rules.dependencies:
        return None
    source = tree.bytes_by_suffix(pack.rules.extensions)
    if not source:
        return None
    detail = f"{source} bytes of {pack.language} source, no build manifest"
    return Candidate(pack, 0, source, [Evidence("bytes", ".", detail)])


def _versions(tree: SourceTree, pack: P) -> tuple[dict[str, str], list[Evidence]]:
    from kctl.detect.versions import choose_versions

    choice = choose_versions(tree, pack)
    tree.problems.extend(choice.problems)
    evidence = [Evidence("version", where, detail) for where, detail in choice.evidence]
    return choice.versions, evidence


def _port(tree: SourceTree, pack: P) -> tuple[int, list[Evidence]]:
    from kctl.detect.versions import choose_port

    port, stated = choose_port(tree, pack)
    return port, [Evidence("port", *stated)] if stated else []


# Among several files a wildcard entrypoint matches, the one whose name says it serves
_SERVING_NAMES = ("server", "serve", "app", "main", "run", "web", "api", "service")


def _entrypoint(tree: SourceTree, pack: P) -> str | None:
    """The first of the pack's entrypoint patterns that matches; among several files one
    pattern matches, a program (the pack's `marker`, e.g. a __main__ guard) whose name says it
    serves, at the shallowest level."""
    marker = pack.entrypoint.get("marker")
    for candidate in pack.entrypoint.get("files", []):
        hits = tree.matching((candidate,))
        if len(hits) > 1 and isinstance(marker, str):
            programs = [hit for hit in hits if marker in tree.read(hit, 1 << 16)]
            hits = programs or hits
        if hits:
            return min(hits, key=lambda p: (p.count("/"), not _serving(p), p))
    return None


def _serving(path: str) -> bool:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    return any(word in stem for word in _SERVING_NAMES) and "client" not in stem


def _dialect(tree: SourceTree, pack: P) -> tuple[str | None, list[Evidence]]:
    """The dialect whose source bytes outweigh the pack's own language (TypeScript, Kotlin)."""
    for language, extensions in pack.rules.dialects:
        own = tree.bytes_by_suffix(tuple(e for e in pack.rules.extensions if e not in extensions))
        theirs = tree.bytes_by_suffix(extensions)
        if theirs > own:
            title = _TITLES.get(language, language)
            detail = f"{theirs} bytes of {title} vs {own} of {pack.language}"
            return language, [Evidence("bytes", ".", detail)]
    return None, []


_TITLES = {"typescript": "TypeScript", "kotlin": "Kotlin"}


def _subfolder_apps(tree: SourceTree, packs: Mapping[str, P]) -> list[str]:
    """Subfolders (depth 1-2) that hold a build manifest of some pack, from the one walk (so
    an unreadable folder is already a problem naming it, not a second walk's crash)."""
    patterns = tuple(p for pack in packs.values() for p in pack.rules.manifests)
    folders: dict[str, set[str]] = {}  # depth-1 folder -> its folders (depth 1-2) with a manifest
    for rel in tree.files:
        parts = rel.split("/")
        if 2 <= len(parts) <= 3 and _matching([parts[-1]], patterns):
            folders.setdefault(parts[0], set()).add("/".join(parts[:-1]))
    # per depth-1 folder: itself when it holds a manifest, else its first sub-folder that does
    return [min(found, key=lambda f: (f.count("/"), f)) for _, found in sorted(folders.items())]


def _chosen(root: Path, tree: SourceTree, packs: Mapping[str, P], name: str) -> Detection[P]:
    """--pack NAME: no detection, only the facts the pack needs."""
    if name not in packs:
        raise InputError(f"unknown pack {name!r}", hint="see `kctl pack list`")
    pack = packs[name]
    versions, version_evidence = _versions(tree, pack)
    port, port_evidence = _port(tree, pack)
    dialect, dialect_evidence = _dialect(tree, pack)
    evidence = [Evidence("choice", ".", f"--pack {name}"), *dialect_evidence]
    evidence += [*version_evidence, *port_evidence]
    entrypoint = _entrypoint(tree, pack)
    return Detection(root, pack, versions, port, entrypoint, evidence, [], tree.problems, dialect)


def _pool(root: Path, tree: SourceTree, packs: Mapping[str, P]) -> list[Candidate[P]]:
    """The candidates that compete: those with a manifest, else the manifest-less ones."""
    candidates = [c for p in packs.values() if (c := _candidate(tree, p, tree.at_root()))]
    with_manifest = [c for c in candidates if c.specificity > 0]
    if not with_manifest:
        apps = _subfolder_apps(tree, packs)
        if apps:
            raise PreconditionError(
                f"no app at the top of {root}, but {len(apps)} app folder(s) below it",
                details=[f"{a}/" for a in apps],
                hint=f"run kctl create on one of them, e.g. `kctl create {root / apps[0]}`",
            )
    if not candidates:
        raise InputError(
            "no language detected: no build manifest and no source files",
            location=Location(str(root)),
            hint="pass --pack NAME (see `kctl pack list`)",
        )
    return with_manifest or candidates


def _ranked(root: Path, pool: list[Candidate[P]]) -> list[Candidate[P]]:
    """One candidate per language, strongest first; exit 3 when the top two are a tie."""
    # within a language, the most specific pack (framework) wins; ties go to priority
    best_per_language: dict[str, Candidate[P]] = {}
    for cand in sorted(pool, key=lambda c: (-c.specificity, -c.pack.priority, c.pack.name)):
        best_per_language.setdefault(cand.pack.language, cand)
    ranked = sorted(
        best_per_language.values(),
        key=lambda c: (
            -c.framework,
            c.pack.rules.frontend,  # a back-end framework serves the front-end beside it
            -(c.specificity > 1),
            -c.source_bytes,
            -c.specificity,
            -c.pack.priority,
        ),
    )
    if len(ranked) > 1:
        winner, runner = ranked[0], ranked[1]
        close = winner.source_bytes < BYTES_TIE_FACTOR * max(runner.source_bytes, 1)
        if _strength(winner) == _strength(runner) and close:
            raise PreconditionError(
                f"ambiguous: {winner.pack.language} and {runner.pack.language} both fit {root}",
                details=[
                    f"{c.pack.name}: " + ", ".join(f"{e.path} ({e.detail})" for e in c.evidence[:4])
                    for c in ranked[:4]
                ],
                hint=f"choose with --pack {winner.pack.name} or --pack {runner.pack.name}",
            )
    return ranked


def detect(root: Path, packs: Mapping[str, P], pack_name: str | None = None) -> Detection[P]:
    """Decide which pack fits `root`; exit-3 errors for ambiguity, exit 2 when nothing fits."""
    if not root.is_dir():
        raise InputError("not a directory", location=Location(str(root)))
    tree = scan(root)
    if pack_name is not None:
        return _chosen(root, tree, packs, pack_name)
    ranked = _ranked(root, _pool(root, tree, packs))
    winner = ranked[0]
    versions, version_evidence = _versions(tree, winner.pack)
    entrypoint = _entrypoint(tree, winner.pack)
    port, port_evidence = _port(tree, winner.pack)
    dialect, dialect_evidence = _dialect(tree, winner.pack)
    evidence = list(winner.evidence) + dialect_evidence + version_evidence + port_evidence
    if entrypoint:
        evidence.append(Evidence("entrypoint", entrypoint, "entrypoint"))
    for other in ranked[1:]:
        evidence.append(
            Evidence(
                "rejected",
                ",".join(e.path for e in other.evidence[:2]) or ".",
                f"{other.pack.name}: weaker ({other.source_bytes} source bytes, "
                f"specificity {other.specificity})",
            )
        )
    alternatives = [c.pack.name for c in ranked[1:]]
    return Detection(
        root,
        winner.pack,
        versions,
        port,
        entrypoint,
        evidence,
        alternatives,
        tree.problems,
        dialect,
    )
