"""Stencils: a template rendered once with stand-ins and filled in gives what rendering it
gives, and a template that does more than insert a value is rendered every time."""

from __future__ import annotations

import jinja2
import pytest

from kctl.chart.jinja import Stencils

pytestmark = pytest.mark.unit

VALUES = ["plain", " spaced ", "two\nlines", "Mixed.Case_with/punct:1", "", "a\x00b"]


@pytest.mark.parametrize(
    ("source", "stenciled"),
    [
        ("key: {{ '{{' }} [[ v ]] {{ '}}' }}\n", True),
        ("[[ v ]]", True),
        ("[[ v | upper ]]", False),
        ("[[ v | trim ]]", False),
        ("[[ v | indent(2) ]]", False),
        ("[[ v | replace('.', '_') ]]", False),
        ("[[ v | length ]]", False),
        ("[[ v | tojson ]]", False),
        ("[% if v %]yes[% endif %]", False),
    ],
)
def test_stencil_or_render_is_the_render(source: str, stenciled: bool) -> None:
    env = jinja2.Environment(variable_start_string="[[", variable_end_string="]]",
                             block_start_string="[%", block_end_string="%]")  # fmt: skip
    template = env.from_string(source)
    stencils = Stencils()
    for value in VALUES:
        render = lambda v: template.render(v=v)  # noqa: E731
        assert stencils.render("t", render, (value,)) == template.render(v=value)
    assert (stencils.made["t"] is not None) == stenciled
