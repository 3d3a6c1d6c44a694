"""plaindata: clone is a deep copy, json_indented is json.dumps(indent=2) byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kctl.plaindata import clone, json_indented

pytestmark = pytest.mark.unit

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from([-0.0, 1e16, 10**30, 'é\n"\\', "\u2028"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON)
def test_json_indented_is_json_dumps_indent_2(value: Any) -> None:
    assert json_indented(value) == json.dumps(value, indent=2)


@given(st.dictionaries(st.integers() | st.none() | st.booleans(), st.integers(), max_size=3))
def test_keys_json_turns_into_strings_fall_back_to_json_dumps(value: dict[Any, int]) -> None:
    assert json_indented(value) == json.dumps(value, indent=2)


@given(JSON)
def test_clone_is_equal_and_shares_no_container(value: Any) -> None:
    copy = clone(value)
    assert json.dumps(copy) == json.dumps(value)

    def containers(v: Any) -> list[int]:
        if isinstance(v, dict):
            return [id(v), *[i for x in v.values() for i in containers(x)]]
        if isinstance(v, list):
            return [id(v), *[i for x in v for i in containers(x)]]
        return []

    assert not set(containers(copy)) & set(containers(value))
