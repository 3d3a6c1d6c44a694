"""kube/naming.unique: remembering the suffixes tried gives the names the plain walk gives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kctl.kube.naming import unique

pytestmark = pytest.mark.unit


def _walk(name: str, taken: set[str], limit: int) -> str:
    """The definition: the first of name, name-2, name-3 ... not taken (cut to limit)."""
    candidate, n = name, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = name[: limit - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


NAMES = st.sampled_from(["a", "a-2", "a-3", "b", "ab", "a" * 62, "a" * 63, "a" * 61 + "-2"])


@given(st.lists(NAMES, max_size=40), st.sampled_from([63, 5, 3]))
def test_remembered_suffixes_give_the_same_names(names: list[str], limit: int) -> None:
    walked: set[str] = set()
    remembered: set[str] = set()
    tried: dict[str, int] = {}
    expected = [_walk(n, walked, limit) for n in names]
    assert [unique(n, remembered, limit, tried) for n in names] == expected


def test_many_objects_wanting_one_name_are_numbered_in_order() -> None:
    taken: set[str] = set()
    tried: dict[str, int] = {}
    names = [unique("data", taken, 63, tried) for _ in range(500)]
    assert names[:3] == ["data", "data-2", "data-3"] and names[-1] == "data-500"
