"""Fragments: the Go-template text that replaces a lifted field, one `_snippets.j2` macro each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kctl.chart.jinja import Stencils
from kctl.chart.lift import Fragment


class Fragments:
    """Makes the fragments of one chart (its name is part of object names and labels)."""

    def __init__(self, snippets: Any, chart: str, to_json: Callable[[Any], str]) -> None:
        self.snip = snippets
        self.chart = chart
        self.to_json = to_json  # the templates' tojson, for names a macro writes as given
        # a macro's text depends only on its arguments, and a chart asks for the same text
        # (Helm's labels, a shared claim, a ConfigMap's name...) hundreds of times
        self.rendered: dict[tuple[Any, ...], str] = {}
        self.stencils = Stencils()

    def macro(self, name: str, *args: Any) -> str:
        """The text of one `_snippets.j2` macro for these arguments."""
        key = (name, *args)
        text = self.rendered.get(key)
        if text is None:
            text = self.rendered[key] = str(getattr(self.snip, name)(*args))
        return text

    def filled(
        self, name: str, before: tuple[Any, ...], values: tuple[str, ...], after: tuple[Any, ...]
    ) -> str:
        """The text of macro(*before, *values, *after), where the macro inserts `values` (values
        paths) verbatim: filled into the macro's stencil for the other arguments."""
        text = self.stencils.filled((name, before, after), values)
        if text is not None:  # the common case, without making a render function for it
            return text
        macro = getattr(self.snip, name)
        return self.stencils.render(
            (name, before, after), lambda *v: str(macro(*before, *v, *after)), values
        )

    def scalar(self, path: str, kind: str = "raw") -> Fragment:
        """The value at `path`, always present."""
        return lambda indent, lead, key: self.filled(
            "scalar", (indent, lead, key), (path,), (kind,)
        )

    def optional_scalar(self, path: str, kind: str = "string") -> Fragment:
        """The value at `path`; the field is left out while the value is empty."""
        return lambda indent, lead, key: self.filled(
            "optional_scalar", (indent, key), (path,), (kind,)
        )

    def scalar_unless_default(self, path: str, default: str) -> Fragment:
        """The value at `path`; the field is left out while the value equals `default`."""
        return lambda indent, lead, key: self.filled(
            "scalar_unless_default", (indent, key), (path,), (default,)
        )

    def block(self, path: str) -> Fragment:
        """The YAML block at `path`, always present."""
        return lambda indent, lead, key: self.filled("block", (indent, key), (path,), ())

    def optional_block(self, path: str) -> Fragment:
        """The YAML block at `path`; the field is left out while the block is empty."""
        return lambda indent, lead, key: self.filled("optional_block", (indent, key), (path,), ())

    def name_ref(self, name: str) -> Fragment:
        """The name of another object of the chart (it follows fullnameOverride)."""
        name_json = self.to_json(name)
        return lambda indent, lead, key: self.filled(
            "object_name", (indent, lead, key), (name_json,), (self.chart,)
        )

    def claim_volume(self, claim: str, enabled: str, read_only: bool) -> Fragment:
        """A claim volume while `enabled` is true, an emptyDir while it is false."""
        return lambda indent, lead, key: self.macro(
            "claim", indent, key, claim, enabled, self.chart, read_only
        )

    def labels_include(self) -> Fragment:
        """Helm's standard labels, as a key under the object's own labels."""
        return lambda indent, lead, key: self.macro("include_labels", indent, self.chart)

    def replicas(self, path: str, autoscaling: str) -> Fragment:
        """The replica count at `path`, left out while `autoscaling` is enabled."""
        return lambda indent, lead, key: self.filled(
            "replicas", (indent, key), (path, autoscaling), ()
        )

    def image(self, path: str) -> Fragment:
        """The image reference made from the repository/tag/digest values at `path`."""
        return lambda indent, lead, key: self.filled("image", (indent, lead, key), (path,), ())
