"""Facts of a project's own declarations that decide its production recipe, per ecosystem.

Each function reads the project's files (never runs them) and returns template values; the
project's statement wins over a pack default (a start task, a packaging plugin, a lockfile).
A recipe that cannot work for the project is a PreconditionError saying what to add.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kctl.packs.files import read
from kctl.packs.recipes.jvm import jvm, refuse_aggregator, scala
from kctl.packs.recipes.native import go, rust
from kctl.packs.recipes.node import NODE_SERVER_PACKS, deno, node, refuse_workspace_root
from kctl.packs.recipes.others import dotnet, elixir, php, ruby
from kctl.packs.recipes.python import python

__all__ = ["NODE_SERVER_PACKS", "recipe_facts", "refuse_multi_app_root"]


def refuse_multi_app_root(root: Path, pack: str, language: str) -> None:
    """The checks detection alone can make (`--explain`): a Node workspace root or a JVM
    multi-module root with several apps is exit 3 listing them."""
    if pack in NODE_SERVER_PACKS and (root / "package.json").is_file():
        from kctl.inputs import json_object

        text = read(root / "package.json")
        refuse_workspace_root(root, json_object(text, str(root / "package.json")) or {})
    if language in ("java", "kotlin"):
        build = (
            read(root / "pom.xml") + read(root / "build.gradle") + read(root / "build.gradle.kts")
        )
        refuse_aggregator(root, build)


def recipe_facts(
    pack: str, language: str, root: Path, module: str, package: dict[str, Any]
) -> dict[str, Any]:
    """The facts of the recipe families this pack belongs to."""
    facts: dict[str, Any] = {}
    if pack in NODE_SERVER_PACKS:
        facts.update(node(root, package))
    if pack == "deno":
        facts.update(deno(root))
    if language == "scala":
        facts.update(scala(root))
    if language == "python":
        facts.update(python(root, pack, module))
    families = {"go": go, "rust": rust, "ruby": ruby, "elixir": elixir, "php": php}
    if language in families:
        facts.update(families[language](root))
    if language in ("java", "kotlin"):
        facts.update(jvm(root))
    if language == "csharp":
        facts.update(dotnet(root, [f.name for f in sorted(root.glob("*.?sproj"))]))
    return facts
