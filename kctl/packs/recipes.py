"""Facts of a project's own declarations that decide its production recipe, per ecosystem.

Each function reads the project's files (never runs them) and returns template values; the
project's statement wins over a pack default (a start task, a packaging plugin, a lockfile).
A recipe that cannot work for the project is a PreconditionError saying what to add.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kctl.errors import Location, PreconditionError
from kctl.inputs import is_regular

SBT_DEFAULT = "1.10.7"  # sbt launcher when project/build.properties names none


def read(path: Path) -> str:
    """A project file's text, "" when it is not a readable regular file (FIFOs are skipped)."""
    if not is_regular(path):
        return ""
    try:
        with path.open("rb") as handle:
            return handle.read(1 << 20).decode("utf-8", "replace")
    except OSError:
        return ""


def first(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1) if match else None


def deno(root: Path) -> dict[str, Any]:
    """deno.json(c) `tasks.start`: the project's own way to start."""
    text = read(root / "deno.json") or read(root / "deno.jsonc")
    return {"deno_task_start": bool(re.search(r'"tasks"\s*:\s*\{[^}]*"start"\s*:', text))}


def scala(root: Path) -> dict[str, Any]:
    """How an sbt build packages the app: sbt-native-packager's stage, or sbt-assembly."""
    if not (root / "build.sbt").is_file():
        return {}
    plugins = read(root / "project" / "plugins.sbt")
    build = read(root / "build.sbt")
    if "sbt-native-packager" in plugins:
        packaging = "stage"
    elif "sbt-assembly" in plugins:
        packaging = "assembly"
    elif re.search(r"enablePlugins\(\s*PlayScala", build):
        packaging = "stage"  # Play's sbt plugin brings the native packager
    else:
        raise PreconditionError(
            "build.sbt has no packaging plugin: kctl builds sbt apps with `sbt stage` "
            "(sbt-native-packager) or `sbt assembly` (sbt-assembly)",
            location=Location(str(root / "project" / "plugins.sbt")),
            hint='add addSbtPlugin("com.github.sbt" % "sbt-native-packager" % "1.11.1") and '
            "enablePlugins(JavaAppPackaging) to build.sbt, then run kctl create again",
        )
    name = first(r'^\s*name\s*:=\s*"([^"]+)"', build) or root.name
    version = first(r"^\s*sbt\.version\s*=\s*(\S+)", read(root / "project" / "build.properties"))
    return {
        "sbt_packaging": packaging,
        # the start script's name: sbt-native-packager's normalizedName
        "sbt_name": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
        "sbt_version": version
        if version and re.fullmatch(r"\d+\.\d+\.\d+", version)
        else SBT_DEFAULT,
    }


def recipe_facts(pack: str, language: str, root: Path) -> dict[str, Any]:
    """The facts of the recipe families this pack belongs to."""
    facts: dict[str, Any] = {}
    if pack == "deno":
        facts.update(deno(root))
    if language == "scala":
        facts.update(scala(root))
    return facts
