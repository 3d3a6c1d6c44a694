"""Names a template writes as given are the templates' own tojson text, whichever way it is
made: for strings without json.dumps' per-call set-up when that writes the same."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctl.chart.jinja import ChartJinja

pytestmark = pytest.mark.unit

_JINJA = ChartJinja()


def _filter(jinja: ChartJinja, value: object) -> str:
    return str(jinja.env.from_string("[[ v | tojson ]]").render(v=value))


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_a_names_json_is_the_tojson_filter(name: str) -> None:
    assert _JINJA.json(name) == _filter(_JINJA, name)
    assert _JINJA.json_of_str is True


def test_other_json_policies_are_followed() -> None:
    jinja = ChartJinja()
    jinja.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    for name in ["é-<x>", "plain", "a'b&c"]:
        assert jinja.json(name) == _filter(jinja, name)
    assert jinja.json_of_str is False
