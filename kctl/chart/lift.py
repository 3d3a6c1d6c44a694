"""The lift mechanism: tunable fields of an object become tokens, then Go-template fragments.

A field to lift is replaced by a `__KCTL_LIFT_n__` token in a copy of the object; the copy is
dumped as YAML and each token line is swapped for the text its fragment renders, so everything
not lifted stays byte-for-byte what the YAML dumper writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from msgspec import Struct, field

from kctl import yamlio
from kctl.chart.jinja import OTHER_LINE_BREAKS

Fragment = Callable[[str, str, str], str]  # (indent, lead, key) -> Go-template text

_TOKEN = "__KCTL_LIFT_"
_VALUE_LINE = re.compile(
    r"^(?P<indent> *)(?P<lead>- )?(?P<key>[^ :#][^:]*?): __KCTL_LIFT_(?P<id>\d+)__$"
)
_KEY_LINE = re.compile(r"^(?P<indent> *)__KCTL_LIFT_(?P<id>\d+)__: .*$")


class LiftedObject(Struct):
    """One object being turned into a template: a copy with lift tokens and their fragments."""

    data: dict[str, Any]
    fragments: list[Fragment] = field(default_factory=list)
    condition: str | None = None  # values path that switches the whole object on

    def lift(self, fragment: Fragment) -> str:
        """The token to put where `fragment` is to be rendered."""
        self.fragments.append(fragment)
        return f"__KCTL_LIFT_{len(self.fragments) - 1}__"

    def render(self) -> str:
        """The object's YAML with every token line replaced by its fragment."""
        # the dump's lines, each ended by "\n" (splitlines also ends a line at the rarer line
        # boundaries a block scalar may hold, as the templates always had it); a dump ends in
        # "\n", so without those boundaries the text is already that
        text = yamlio.dump(self.data)
        if OTHER_LINE_BREAKS.search(text):
            text = "\n".join(text.splitlines()) + "\n"
        parts: list[str] = []
        done = 0  # text before this offset is in parts
        fragments = self.fragments
        found = text.find(_TOKEN)
        while found != -1:  # only the few lines holding a token are matched
            start = text.rfind("\n", 0, found) + 1
            end = text.index("\n", found)
            line = text[start:end]
            parsed = _LINES.get(line, _UNPARSED)
            if parsed is _UNPARSED:
                parsed = _parse(line)
                if len(_LINES) < 4096:  # token lines repeat with the shape, not the data
                    _LINES[line] = parsed
            if parsed is not None:
                index, indent, lead, key = parsed
                parts += (text[done:start], fragments[index](indent, lead, key))
                done = end
            found = text.find(_TOKEN, end)
        parts.append(text[done:])
        return "".join(parts)


_UNPARSED: Any = object()
_LINES: dict[str, tuple[int, str, str, str] | None] = {}  # token line -> _parse(line)


def _parse(line: str) -> tuple[int, str, str, str] | None:
    """A token line's fragment number, indent, lead and key (None: not a token line)."""
    match = _VALUE_LINE.match(line) or _KEY_LINE.match(line)
    if not match:
        return None
    groups = match.groupdict()
    return (int(groups["id"]), groups["indent"], groups.get("lead") or "", groups.get("key") or "")
