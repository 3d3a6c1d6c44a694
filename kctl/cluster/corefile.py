"""CoreDNS's Corefile across an upgrade, from coredns/corefile-migration's facts (corefile.yaml).

kubeadm's addon phase migrates the Corefile with that library before it changes the CoreDNS
image. For every release pair kctl can meet (CoreDNS v1.10.1 and later) the library has nothing
to migrate, so the Corefile is kept byte for byte; what it says is reported, and a Corefile
holding a plugin or option removed before those releases is a finding (kctl does not rewrite it).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster import docs

FACTS = Path(__file__).resolve().parent / "corefile.yaml"


class CorefileVerdict(Struct, frozen=True):
    note: str  # what happens to the Corefile, one sentence
    problems: tuple[str, ...] = ()  # lines that block the upgrade of CoreDNS


@cache
def _facts() -> dict[str, Any]:
    facts: dict[str, Any] = docs.parse_one(FACTS.read_bytes(), FACTS)
    return facts


def _plain(tag: str) -> str:
    return tag.lstrip("v").split("-")[0]


def _directives(text: str) -> list[tuple[int, str, str | None]]:
    """(line, plugin, option) for each plugin line and each option line in its block."""
    out: list[tuple[int, str, str | None]] = []
    stack: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word = re.split(r"\s+", line)[0]
        if word == "}":
            if stack:
                stack.pop()
            continue
        if len(stack) == 1:
            out.append((number, word, None))
        elif len(stack) == 2:
            out.append((number, stack[1], word))
        if line.endswith("{"):
            stack.append(word)
    return out


def check(current: str, target: str, text: str) -> CorefileVerdict:
    """What migrating `text` from CoreDNS `current` to `target` means (tags like v1.11.1)."""
    facts = _facts()
    known = set(facts["unchanged"])
    source = facts["source"]
    if _plain(current) not in known or _plain(target) not in known:
        other = current if _plain(current) not in known else target
        return CorefileVerdict(
            f"Corefile kept as it is: corefile-migration does not know CoreDNS {other}"
            " (kubeadm then skips the migration too)"
        )
    removed = facts["removed"]
    problems = []
    for number, plugin, option in _directives(text):
        for gone in removed:
            if gone["plugin"] == plugin and gone.get("option") == option:
                what = f"option {option} of plugin {plugin}" if option else f"plugin {plugin}"
                instead = f" (use {gone['replacedBy']})" if gone.get("replacedBy") else ""
                problems.append(f"Corefile line {number}: CoreDNS {target} has no {what}{instead}")
    unknown = sorted(
        {p for _, p, o in _directives(text) if o is None} - set(facts["plugins"]) - {"proxy"}
    )
    note = (
        f"Corefile kept as it is: corefile-migration has nothing to migrate from CoreDNS"
        f" {current} to {target} ({source})"
    )
    if unknown:
        note += f"; plugins it does not track, kept as written: {', '.join(unknown)}"
    return CorefileVerdict(note, tuple(problems))
