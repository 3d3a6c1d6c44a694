"""Walk a source tree once, pruning git-ignored and vendored folders instead of entering them."""

from __future__ import annotations

import os
import stat
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
    return pathspec.GitIgnoreSpec.from_lines(text.splitlines())


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
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                tree.problems.append(f"{rel}: unreadable ({exc.strerror})")
                continue
            if stat.S_ISLNK(mode):
                tree.skipped[rel] = "symlink (not followed)"
                continue
            is_dir = stat.S_ISDIR(mode)
            if _ignored(rel, is_dir, specs):
                tree.skipped[rel] = "git-ignored"
                continue
            if is_dir:
                if entry.name in VENDORED_DIRS or entry.name.startswith("."):
                    tree.skipped[rel] = "vendored or tool folder"
                    continue
                stack.append((Path(entry.path), rel, specs))
            elif stat.S_ISREG(mode):
                if entry.name in LOCKFILES:
                    tree.skipped[rel] = "lockfile"
                elif entry.name.endswith(GENERATED_SUFFIXES):
                    tree.skipped[rel] = "generated or minified"
                else:
                    tree.files[rel] = entry.stat(follow_symlinks=False).st_size
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
