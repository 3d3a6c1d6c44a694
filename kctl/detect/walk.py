"""Walk a source tree once, pruning git-ignored and vendored folders instead of entering them."""

from __future__ import annotations

import fnmatch
import os
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from msgspec import Struct, field

from kctl.inputs import is_regular

if TYPE_CHECKING:
    from collections.abc import Sequence

# Folders that hold third-party or generated code, never the app's own sources.
VENDORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        "third-party",
        "external",
        "deps",
        "_build",
        ".venv",
        "venv",
        "env",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        "target",
        "build",
        "dist",
        "out",
        "bin",
        "obj",
        ".gradle",
        ".idea",
        ".vscode",
        ".next",
        ".nuxt",
        "coverage",
        "site-packages",
        ".bundle",
        "Pods",
        ".build",
        ".dart_tool",
        "elm-stuff",
        ".terraform",
        ".cache",
    }
)
LOCKFILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "Cargo.lock",
        "Gemfile.lock",
        "composer.lock",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "go.sum",
        "mix.lock",
        "rebar.lock",
        "packages.lock.json",
        "Package.resolved",
        "gradle.lockfile",
        "flake.lock",
    }
)
GENERATED_SUFFIXES = (
    ".min.js",
    ".min.css",
    ".map",
    "_pb2.py",
    "_pb2_grpc.py",
    ".pb.go",
    ".g.dart",
    ".designer.cs",
    ".generated.cs",
    ".bundle.js",
)


class SourceTree(Struct, dict=True):
    """What one walk of a project folder found."""

    root: Path
    files: dict[str, int] = field(default_factory=dict)  # relative path → size (own sources)
    skipped: dict[str, str] = field(default_factory=dict)  # relative path → why it was skipped
    problems: list[str] = field(default_factory=list)  # unreadable entries, loops

    @cached_property
    def _suffix_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for rel, size in self.files.items():
            name = rel.rsplit("/", 1)[-1]
            dot = name.rfind(".")
            if dot > 0:
                sizes[name[dot:]] = sizes.get(name[dot:], 0) + size
        return sizes

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for rel in self.files:
            index.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        return index

    def bytes_by_suffix(self, suffixes: tuple[str, ...]) -> int:
        """Total size of own-source files whose name ends with one of suffixes."""
        return sum(self._suffix_sizes.get(s, 0) for s in set(suffixes))

    def matching(self, patterns: tuple[str, ...]) -> list[str]:
        """Files matching any fnmatch pattern (`*` crosses folders), found by name index."""
        found: set[str] = set()
        for pattern in patterns:
            last = pattern.rsplit("/", 1)[-1]
            if any(c in last for c in "*?["):
                regex = re.compile(fnmatch.translate(pattern))
                names = [n for n in self._by_name if fnmatch.fnmatchcase(n, last)]
                found.update(r for n in names for r in self._by_name[n] if regex.match(r))
            else:
                regex = re.compile(fnmatch.translate(pattern))
                found.update(r for r in self._by_name.get(last, ()) if regex.match(r))
        return sorted(found)

    def at_root(self) -> list[str]:
        return sorted(p for p in self.files if "/" not in p)

    def read(self, rel: str, limit: int = 1 << 20) -> str:
        """Text of a file (first MiB), or "" when unreadable."""
        path = self.root / rel
        if not is_regular(path):  # a FIFO or device would block or never end
            return ""
        try:
            with open(path, "rb") as handle:
                return handle.read(limit).decode("utf-8", "replace")
        except OSError:
            return ""


class IgnoreMatcher(Protocol):
    def match_file(self, file: str) -> bool: ...


# a pattern made only of a name, `*` and dots, optionally /-anchored or /-terminated
_SIMPLE_PATTERN = re.compile(r"^/?[^/!#\\\[\]?]+/?$")


def _any_of(globs: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(fnmatch.translate(g) for g in globs)) if globs else None


class SimpleIgnore:
    """The common .gitignore (names, `*.ext`, `dir/`, `/top`), matched without pathspec.

    Git matches a pattern without an inner slash against the last path component, and a
    leading slash anchors it to the .gitignore's folder; `*` never crosses a slash there, so
    fnmatch on that component is git's own rule. A folder pattern also matches what is below.
    """

    def __init__(self, patterns: list[tuple[str, bool, bool]]) -> None:
        # (glob, folders only, anchored) → one regex per kind of pattern
        self._any = _any_of([g for g, d, a in patterns if not d and not a])
        self._dirs = _any_of([g for g, d, a in patterns if d and not a])
        self._top = _any_of([g for g, d, a in patterns if not d and a])
        self._top_dirs = _any_of([g for g, d, a in patterns if d and a])

    def match_file(self, file: str) -> bool:
        is_dir = file.endswith("/")
        parts = file.rstrip("/").split("/")
        folders = parts if is_dir else parts[:-1]
        if self._top and self._top.match(parts[0]):
            return True
        if self._top_dirs and folders and self._top_dirs.match(folders[0]):
            return True
        if self._any and any(self._any.match(p) for p in parts):
            return True
        return bool(self._dirs and any(self._dirs.match(p) for p in folders))

    def match_entry(self, local: str, is_dir: bool) -> bool:
        """match_file for a walk that never enters an ignored folder: its folders all passed."""
        name = local.rsplit("/", 1)[-1]
        if self._any and self._any.match(name):
            return True
        if is_dir and self._dirs and self._dirs.match(name):
            return True
        if "/" in local:
            return False
        return bool(
            (self._top and self._top.match(name))
            or (is_dir and self._top_dirs and self._top_dirs.match(name))
        )


def simple_ignore(lines: Sequence[str]) -> SimpleIgnore | None:
    """A SimpleIgnore for these .gitignore lines, or None when one needs the full rules."""
    patterns = []
    for raw in lines:
        line = raw.rstrip(" ")
        if not line or line.startswith("#"):
            continue
        if not _SIMPLE_PATTERN.match(line) or "**" in line:
            return None
        dir_only, anchored = line.endswith("/"), line.startswith("/")
        patterns.append((line.strip("/"), dir_only, anchored))
    return SimpleIgnore(patterns)


def _full_ignore(lines: list[str], tree: SourceTree, rel_dir: str) -> IgnoreMatcher:
    import pathspec  # ~25 ms to import: only for .gitignore files that need it

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, re.error):  # one bad pattern (`[z-a]`): keep the others, as git does
        valid = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except (ValueError, re.error):
                tree.problems.append(f"{rel_dir or '.'}/.gitignore: ignored bad pattern {line!r}")
                continue
            valid.append(line)
        return pathspec.GitIgnoreSpec.from_lines(valid)


def _ignore_spec(directory: Path, tree: SourceTree, rel_dir: str) -> IgnoreMatcher | None:
    path = directory / ".gitignore"
    if (path.exists() or path.is_symlink()) and not is_regular(path):
        tree.problems.append(f"{rel_dir or '.'}/.gitignore: not a regular file (ignored)")
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        tree.problems.append(f"{rel_dir or '.'}/.gitignore: unreadable ({exc.strerror})")
        return None
    lines = text.splitlines()
    return simple_ignore(lines) or _full_ignore(lines, tree, rel_dir)


def scan(root: Path, max_files: int = 200_000) -> SourceTree:
    """Walk root without following symlinks; skip ignored, vendored, lock and generated files."""
    tree = SourceTree(root)
    stack: list[tuple[Path, str, list[tuple[str, IgnoreMatcher]]]] = [(root, "", [])]
    while stack:
        directory, rel_dir, specs = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            tree.problems.append(f"{rel_dir or '.'}: unreadable ({exc.strerror})")
            continue
        spec = (
            _ignore_spec(directory, tree, rel_dir)
            if any(e.name == ".gitignore" for e in entries)
            else None
        )
        if spec is not None:
            specs = [*specs, (rel_dir, spec)]
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_symlink():
                    tree.skipped[rel] = "symlink (not followed)"
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file(follow_symlinks=False)
            except OSError as exc:
                tree.problems.append(f"{rel}: unreadable ({exc.strerror})")
                continue
            if _ignored(rel, is_dir, specs):
                tree.skipped[rel] = "git-ignored"
                continue
            if is_dir:
                if entry.name in VENDORED_DIRS or entry.name.startswith("."):
                    tree.skipped[rel] = "vendored or tool folder"
                    continue
                stack.append((Path(entry.path), rel, specs))
            elif is_file:
                if entry.name in LOCKFILES:
                    tree.skipped[rel] = "lockfile"
                elif entry.name.endswith(GENERATED_SUFFIXES):
                    tree.skipped[rel] = "generated or minified"
                else:
                    try:
                        tree.files[rel] = entry.stat(follow_symlinks=False).st_size
                    except OSError as exc:
                        tree.problems.append(f"{rel}: unreadable ({exc.strerror})")
                        continue
                    if len(tree.files) >= max_files:
                        tree.problems.append(f"stopped after {max_files} files")
                        return tree
    return tree


def _ignored(rel: str, is_dir: bool, specs: list[tuple[str, IgnoreMatcher]]) -> bool:
    for base, spec in specs:
        local = rel[len(base) + 1 :] if base else rel
        if isinstance(spec, SimpleIgnore):
            if spec.match_entry(local, is_dir):
                return True
        elif spec.match_file(local + "/" if is_dir else local):
            return True
    return False
