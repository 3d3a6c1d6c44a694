"""The lift mechanism: tunable fields of an object become Go-template fragments.

A field to lift is replaced, in a copy of the object, by a yamlio.Inline holding its fragment;
the YAML writer asks each for its text where the field's line would be, so everything not
lifted stays byte-for-byte what the YAML dumper writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from msgspec import Struct

from kctl import yamlio
from kctl.chart.jinja import has_other_line_break

Fragment = Callable[[str, str, str], str]  # (indent, lead, key) -> Go-template text


class LiftedObject(Struct):
    """One object being turned into a template: a copy whose lifted fields are fragments."""

    data: dict[str, Any]
    condition: str | None = None  # values path that switches the whole object on

    def lift(self, fragment: Fragment) -> Any:
        """What to put (as a value, or a key) where `fragment` is to be rendered."""
        return yamlio.Inline(fragment)

    def render(self) -> str:
        """The object's YAML with every lifted field's line replaced by its fragment."""
        text = yamlio.dump_inline(self.data)
        # splitlines also ends a line at the rarer line boundaries a block scalar may hold:
        # the templates always had that text cut into "\n"-ended lines before the fragments
        # went in (as _with_markers does)
        if text is not None and not has_other_line_break(text):
            return text
        return _with_markers(self.data)


def _with_markers(data: dict[str, Any]) -> str:
    """render() for an object only PyYAML can write (or whose text holds a line boundary
    other than "\\n"): each fragment stands as a marker string this run made up, the YAML is
    written by PyYAML, and each marker's line is replaced by its fragment's text."""
    nonce = os.urandom(8).hex()
    fragments: list[Fragment] = []

    def marked(value: Any) -> Any:
        if isinstance(value, yamlio.Inline):
            fragments.append(value.write)
            return f"__KCTL_LIFT_{nonce}_{len(fragments) - 1}__"
        if isinstance(value, dict):
            return {marked(k): marked(v) for k, v in value.items()}
        if isinstance(value, list):
            return [marked(v) for v in value]
        return value

    text = yamlio.dump(marked(data))
    text = "\n".join(text.splitlines()) + "\n"
    marker = rf"__KCTL_LIFT_{nonce}_"
    value_line = re.compile(
        rf"^(?P<indent> *)(?P<lead>- )?(?P<key>[^ :#\n][^:\n]*?): {marker}(?P<id>\d+)__$"
        rf"|^(?P<kindent> *){marker}(?P<kid>\d+)__: .*$",
        re.MULTILINE,
    )

    def fragment(match: re.Match[str]) -> str:
        if match["id"] is not None:
            return fragments[int(match["id"])](match["indent"], match["lead"] or "", match["key"])
        return fragments[int(match["kid"])](match["kindent"], "", "")

    text = value_line.sub(fragment, text)
    if marker in text:
        raise RuntimeError("a lifted field stands where no fragment can replace its line")
    return text
