"""A chart is made from copies: the objects it is given (shared with the conversion that made
them) are the same after it as before, whatever it renames, lifts or merges into values."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kctl.chart import ChartSpec, render_chart
from tests.chart.objects import demo_components, deployment

pytestmark = pytest.mark.unit


def _components() -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    components, shared = demo_components()
    # a second workload and an init container: references to rename outside the main container
    sidecar = deployment(
        "web-worker",
        "busybox",
        initContainers=[
            {
                "name": "wait",
                "image": "busybox",
                "envFrom": [{"secretRef": {"name": "token"}}],
                "env": [
                    {
                        "name": "MODE",
                        "valueFrom": {"configMapKeyRef": {"name": "web-env", "key": "MODE"}},
                    }
                ],
            }
        ],
        volumes=[
            {"name": "conf", "configMap": {"name": "web-env"}},
            {"name": "shared", "persistentVolumeClaim": {"claimName": "shared", "readOnly": True}},
        ],
    )
    components["web"].append(sidecar)
    return components, shared


def test_render_chart_leaves_its_input_as_it_was() -> None:
    components, shared = _components()
    overrides = {
        "web": {"resources": {"limits": {"cpu": "1"}}, "image": {"tag": "2"}},
        "db": {"nodeSelector": {"zone": "a"}},
    }
    spec = ChartSpec(name="demo", components=components, shared=shared, values_overrides=overrides)
    before = copy.deepcopy((components, shared, overrides))
    first = render_chart(spec)
    assert (components, shared, overrides) == before
    # nothing of one rendering reaches the next (values merged into, objects renamed)
    assert render_chart(spec) == first
    assert render_chart(ChartSpec(name="demo", components=components, shared=shared)) != first
    assert render_chart(spec) == first
