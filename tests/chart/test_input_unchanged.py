"""A chart is made from copies: the objects it is given (shared with the conversion that made
them) are the same after it as before, whatever it renames, lifts or merges into values."""

from __future__ import annotations

import copy
from pathlib import Path
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


CORPUS = Path(__file__).resolve().parents[1] / "convert" / "corpus"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "compose"
PROJECTS = sorted(p for p in CORPUS.iterdir() if p.is_dir()) + sorted(
    p for p in EXAMPLES.iterdir() if p.is_dir()
)


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_real_projects_objects_are_the_same_after_their_chart(root: Path) -> None:
    # every kind, reference and value real projects hold (StatefulSets, CronJobs, Ingresses,
    # claims, secrets...): rendering a chart changes none of the conversion's objects
    from kctl.compose import LoadOptions, load_project
    from kctl.convert import ConvertOptions
    from kctl.convert.pipeline import chart_files, validated
    from tests.compose.test_oracle import ENV
    from tests.convert.test_corpus import compose_files

    files = compose_files(root) if (root / "SOURCE").is_file() else []
    opts = LoadOptions(files=[str(root / f) for f in files], project_directory=root, environ=ENV)
    project = load_project(opts)
    conversion = validated(project, ConvertOptions())
    before = copy.deepcopy((conversion.objects, conversion.components, conversion.shared))
    first = chart_files(conversion, project.name, "corpus")
    assert (conversion.objects, conversion.components, conversion.shared) == before
    assert chart_files(conversion, project.name, "corpus") == first
