"""The chart's values files written fast are the same text as written plainly: the schema
with each distinct block rendered once, the README's rows made once per shape and filled in,
its JSON defaults."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctl.chart.jinja import ChartJinja, Stencils
from kctl.chart.readme import ReadmeTable
from kctl.chart.values import (
    COMMENTS,
    _json_default,
    readme_rows,
    values_schema,
    values_schema_json,
)
from kctl.plaindata import json_indented

pytestmark = pytest.mark.unit

_KEYS = st.sampled_from([*list(COMMENTS)[:12], "tag", "env", "resources", "svc1", "x-y", "é"])
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5)
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_schema_text_is_the_plain_rendering(values: dict[str, Any]) -> None:
    # twice the same blocks under other keys: the shared rendering is spliced in each place
    doubled = {**values, **{f"{k}-copy": v for k, v in values.items()}}
    assert values_schema_json(doubled) == json_indented(values_schema(doubled))


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_readme_defaults_are_json_dumps(value: Any) -> None:
    assert _json_default(value) == json.dumps(value, sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, st.dictionaries(_KEYS, _VALUES, max_size=4), max_size=4))
def test_rows_and_schema_by_shape_are_the_plain_rendering(blocks: dict[str, Any]) -> None:
    # components' blocks, then the same blocks again: what the second ones share with the first
    # (an item's key and repr) comes from what was made for the first
    doubled = {**blocks, **{f"{k}-copy": v for k, v in blocks.items()}}
    shapes = {k: [(item, repr(v)) for item, v in block.items()] for k, block in doubled.items()}
    table = ReadmeTable(_jinja(), Stencils())
    made = "".join(table.component(k, block, shapes[k]) for k, block in doubled.items())
    assert made == "".join(table.render(*row) for row in readme_rows(doubled))
    assert values_schema_json(doubled, shapes) == json_indented(values_schema(doubled))


_TEXTS = st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "\x85", "\u2028", ":", "-"]))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, st.one_of(_VALUES, _TEXTS, st.lists(_TEXTS, max_size=3)), min_size=1))
def test_toyaml_indented_is_the_templates_filters(data: dict[str, Any]) -> None:
    jinja = _jinja()
    filters = jinja.env.filters
    assert jinja.toyaml_indented(data, 2) == filters["indent"](filters["toyaml"](data), 2)


@functools.cache
def _jinja() -> ChartJinja:
    return ChartJinja()
