"""Workspaces — Node's (npm, yarn, pnpm, bun; turbo and nx sit on top of them), Go's (go.work),
Maven's multi-module builds and Gradle's multi-project builds:
which workspace a folder is a member of, its apps, and the commands that build one member from
the root.

A member cannot be built alone: its `workspace:*` dependencies and the lockfile live at the
root. So the image is built with the workspace root as context, installing and building only
the member and what it depends on (pnpm's `--filter name...`, npm's `--workspace`, yarn's and
bun's workspace commands), and the app starts in its own folder.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.inputs import is_regular, json_object
from kctl.packs.files import read

MAX_LEVELS = 6  # how far above a member its workspace root may be


class Workspace(Struct, frozen=True):
    """A folder inside a Node workspace."""

    root: Path
    member: str  # the member folder, relative to root ("apps/web")
    name: str  # the member's package name
    package: dict[str, Any]  # the root package.json


def _package(folder: Path) -> dict[str, Any]:
    text = read(folder / "package.json")
    return (json_object(text, str(folder / "package.json")) or {}) if text else {}


def patterns(root: Path, package: dict[str, Any]) -> list[str]:
    """The member globs a workspace root declares (package.json workspaces, pnpm-workspace)."""
    globs = package.get("workspaces")
    if isinstance(globs, dict):  # yarn 1's {packages: [...], nohoist: [...]}
        globs = globs.get("packages")
    found = [g for g in globs if isinstance(g, str)] if isinstance(globs, list) else []
    pnpm = read(root / "pnpm-workspace.yaml")
    block = re.search(r"^packages:\s*\n((?:[ \t]+-.*\n?|[ \t]*#.*\n?|\s*\n)+)", pnpm, re.M)
    if block:
        found += re.findall(r"^\s*-\s*['\"]?([^'\"\s#]+)", block[1], re.M)
    return [g.rstrip("/") for g in found if not g.startswith("!")]


def apps(root: Path, package: dict[str, Any]) -> list[str]:
    """Members of the workspace at root that are apps (a start or dev script)."""
    out = set()
    for pattern in patterns(root, package):
        for folder in sorted(root.glob(pattern)):
            scripts = _package(folder).get("scripts")
            if isinstance(scripts, dict) and ("start" in scripts or "dev" in scripts):
                out.add(folder.relative_to(root).as_posix())
    return sorted(out)


def workspace_of(folder: Path) -> Workspace | None:
    """The workspace whose member globs match folder, searching up to MAX_LEVELS above it."""
    folder = folder.resolve()
    for candidate in _ancestors(folder):
        if (candidate / "package.json").is_file() or (candidate / "pnpm-workspace.yaml").is_file():
            package = _package(candidate)
            member = folder.relative_to(candidate).as_posix()
            if any(fnmatch.fnmatchcase(member, g) for g in patterns(candidate, package)):
                name = _package(folder).get("name")
                return Workspace(candidate, member, str(name or folder.name), package)
    return None


def member_commands(pm: str, ws: Workspace, scripts: dict[str, Any]) -> dict[str, Any]:
    """Install, build and start commands for one member, run from the workspace root (build)
    and from the member's folder (start)."""
    name, member = ws.name, ws.member
    install, build = {
        "pnpm": (
            f'pnpm install --frozen-lockfile --filter "{name}..."',
            f'pnpm --filter "{name}" run build',
        ),
        "yarn": ("yarn install", f"yarn workspace {name} run build"),
        "bun": ("bun install", f"bun run --filter {name} build"),
        "npm": ("npm ci" if is_regular(ws.root / "package-lock.json") else "npm install",
                f"npm run build --workspace {member}"),
    }[pm]  # fmt: skip
    prefix = {"pnpm": "corepack enable && ", "yarn": "corepack enable && "}.get(pm, "")
    if pm == "bun":
        prefix = "npm install -g bun@1 && "
    start = None
    if isinstance(scripts.get("start"), str):  # npm runs any package manager's start script
        start = ["bun", "run", "start"] if pm == "bun" else ["npm", "start"]
    return {
        "workspace_member": member,
        "workspace_context": os.path.relpath(ws.root, ws.root / member),
        "install": prefix + install,
        "build_command": build if isinstance(scripts.get("build"), str) else "",
        "start_command": start,
    }


def go_workspace_of(folder: Path) -> tuple[Path, str] | None:
    """(root, member) when a go.work above folder `use`s it: the module builds in workspace
    mode from the root (its replace-free references to sibling modules resolve only there)."""
    folder = folder.resolve()
    for candidate in _ancestors(folder):
        work = read(candidate / "go.work")
        if work:
            member = folder.relative_to(candidate).as_posix()
            used = re.findall(r"^\s*(?:use\s+)?\(?\s*(\./[\w./-]+|\.)\s*\)?\s*$", work, re.M)
            if any(u.removeprefix("./").rstrip("/") == member for u in used):
                return candidate, member
    return None


def _ancestors(folder: Path) -> list[Path]:
    """The folders above folder where its workspace root may be: up to MAX_LEVELS, not past
    the filesystem root or a repository's top (a .git)."""
    out = []
    candidate = folder.parent
    for _ in range(MAX_LEVELS):
        out.append(candidate)
        if candidate.parent == candidate or (candidate / ".git").exists():
            break
        candidate = candidate.parent
    return out


def maven_modules(root: Path) -> list[str]:
    """The <module> folders root's pom.xml lists."""
    return re.findall(r"<module>\s*([^<\s]+?)/?\s*</module>", read(root / "pom.xml"))


def gradle_projects(root: Path) -> list[str]:
    """The projects root's settings.gradle(.kts) includes, as folders (':a:b' -> 'a/b')."""
    settings = read(root / "settings.gradle") + read(root / "settings.gradle.kts")
    includes = " ".join(re.findall(r"^\s*include\s*\(?([^)\n]*)\)?", settings, re.M))
    named = re.findall(r"""['"]:?([\w.:/-]+)['"]""", includes)
    return [n.strip(":").replace(":", "/") for n in named]


def jvm_build_of(folder: Path) -> tuple[Path, str, str] | None:
    """(root, member, tool) when folder is a module of a Maven build (a parent pom.xml
    listing it in <modules>) or a project of a Gradle build (a settings file that includes it):
    its sibling modules resolve only when the build runs from the root."""
    folder = folder.resolve()
    for candidate in _ancestors(folder):
        member = folder.relative_to(candidate).as_posix()
        if member in maven_modules(candidate):
            return candidate, member, "maven"
        if member in gradle_projects(candidate):
            return candidate, member, "gradle"
    return None


def build_location(folder: Path, language: str, node_pack: bool) -> tuple[str, str]:
    """(context relative to folder, Dockerfile relative to the context) for kctl.toml."""
    found: tuple[Path, str] | None = None
    if node_pack:
        node = workspace_of(folder)
        found = (node.root, node.member) if node else None
    elif language == "go":
        found = go_workspace_of(folder)
    elif language in ("java", "kotlin"):
        jvm = jvm_build_of(folder)
        found = (jvm[0], jvm[1]) if jvm else None
    if found is None:
        return ".", "Dockerfile"
    root, member = found
    return Path(os.path.relpath(root, root / member)).as_posix(), f"{member}/Dockerfile"
