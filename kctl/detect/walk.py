"""Walk a source tree once, pruning git-ignored and vendored folders instead of entering them."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

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


@dataclass
class SourceTree:
    """What one walk of a project folder found."""

    root: Path
    files: dict[str, int] = field(default_factory=dict)  # relative path → size (own sources)
    skipped: dict[str, str] = field(default_factory=dict)  # relative path → why it was skipped
    problems: list[str] = field(default_factory=list)  # unreadable entries, loops
    _by_name: dict[str, list[str]] | None = field(default=None, repr=False)
    _suffix_sizes: dict[str, int] | None = field(default=None, repr=False)

    def bytes_by_suffix(self, suffixes: tuple[str, ...]) -> int:
        """Total size of own-source files whose name ends with one of suffixes."""
        if self._suffix_sizes is None:
            sizes: dict[str, int] = {}
            for rel, size in self.files.items():
                name = rel.rsplit("/", 1)[-1]
                dot = name.rfind(".")
                if dot > 0:
                    sizes[name[dot:]] = sizes.get(name[dot:], 0) + size
            self._suffix_sizes = sizes
        return sum(self._suffix_sizes.get(s, 0) for s in set(suffixes))

    def matching(self, patterns: tuple[str, ...]) -> list[str]:
        """Files matching any fnmatch pattern (`*` crosses folders), found by name index."""
        if self._by_name is None:
            index: dict[str, list[str]] = {}
            for rel in self.files:
                index.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
            self._by_name = index
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
        try:
            with open(self.root / rel, "rb") as handle:
                return handle.read(limit).decode("utf-8", "replace")
        except OSError:
            return ""


def _ignore_spec(directory: Path, tree: SourceTree, rel_dir: str) -> pathspec.PathSpec[Any] | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        tree.problems.append(f"{rel_dir or '.'}/.gitignore: unreadable ({exc.strerror})")
        return None
    try:
        return pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    except ValueError:  # one bad pattern: keep the others, as git does
        valid = []
        for line in text.splitlines():
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except ValueError:
                tree.problems.append(f"{rel_dir or '.'}/.gitignore: ignored bad pattern {line!r}")
                continue
            valid.append(line)
        return pathspec.GitIgnoreSpec.from_lines(valid)


def scan(root: Path, max_files: int = 200_000) -> SourceTree:
    """Walk root without following symlinks; skip ignored, vendored, lock and generated files."""
    tree = SourceTree(root)
    stack: list[tuple[Path, str, list[tuple[str, pathspec.PathSpec[Any]]]]] = [(root, "", [])]
    while stack:
        directory, rel_dir, specs = stack.pop()
        spec = _ignore_spec(directory, tree, rel_dir)
        if spec is not None:
            specs = [*specs, (rel_dir, spec)]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            tree.problems.append(f"{rel_dir or '.'}: unreadable ({exc.strerror})")
            continue
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


def _ignored(rel: str, is_dir: bool, specs: list[tuple[str, pathspec.PathSpec[Any]]]) -> bool:
    for base, spec in specs:
        local = rel[len(base) + 1 :] if base else rel
        if spec.match_file(local + "/" if is_dir else local):
            return True
    return False
