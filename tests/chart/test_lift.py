"""The two ways a lifted object is written agree: fragments written in place by the YAML writer,
and (for what only PyYAML writes) marker strings replaced after the dump."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.chart import ChartSpec, render_chart
from kctl.chart.lift import LiftedObject, _with_markers
from tests.chart.objects import demo_components, deployment
from tests.chart.test_input_unchanged import PROJECTS, _components

pytestmark = pytest.mark.unit


def _chart_of(root: Path) -> ChartSpec:
    from kctl.compose import LoadOptions, load_project
    from kctl.convert import ConvertOptions
    from kctl.convert.pipeline import validated
    from tests.compose.test_oracle import ENV
    from tests.convert.test_corpus import compose_files

    files = compose_files(root) if (root / "SOURCE").is_file() else []
    opts = LoadOptions(files=[str(root / f) for f in files], project_directory=root, environ=ENV)
    project = load_project(opts)
    conversion = validated(project, ConvertOptions())
    return ChartSpec(name=project.name, components=conversion.components, shared=conversion.shared)


def _through_markers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LiftedObject, "render", lambda self: _with_markers(self.data))


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_marker_path_writes_what_the_writer_writes(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _chart_of(root)
    inline = render_chart(spec)
    _through_markers(monkeypatch)
    assert render_chart(spec) == inline


def test_marker_path_writes_what_the_writer_writes_for_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    components, shared = _components()
    spec = ChartSpec(name="demo", components=components, shared=shared)
    inline = render_chart(spec)
    _through_markers(monkeypatch)
    assert render_chart(spec) == inline


def test_an_object_only_pyyaml_writes_gets_its_fragments() -> None:
    web = deployment("web", "nginx:1.27", 80)
    web["metadata"]["annotations"] = {"x" * 130: "long key: PyYAML writes it as `? key`"}
    files = render_chart(ChartSpec(name="demo", components={"web": [web]}))
    text = files["templates/web-deployment.yaml"]
    assert "__KCTL_LIFT_" not in text
    assert 'name: {{ include "demo.objectName" (list $ "web") }}' in text
    assert "replicas: {{ .Values.web.replicaCount }}" in text
    assert "? " + "x" * 130 in text


def test_demo_components_hold_no_marker() -> None:
    components, shared = demo_components()
    files = render_chart(ChartSpec(name="demo", components=components, shared=shared))
    assert not [name for name, text in files.items() if "__KCTL_LIFT_" in text]


def test_a_lifted_field_first_in_a_sequence_item_keeps_its_dash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # converted containers start with their name; one that starts with its image has the
    # lifted image on the item's "- " line
    web = deployment("web", "nginx:1.27", 80)
    pod = web["spec"]["template"]["spec"]
    pod["containers"] = [{"image": "nginx:1.27", "name": "web"}]
    spec = ChartSpec(name="demo", components={"web": [web]})
    inline = render_chart(spec)
    assert (
        '      - image: "{{ .Values.web.image.repository }}'
        in inline["templates/web-deployment.yaml"]
    )
    _through_markers(monkeypatch)
    assert render_chart(spec) == inline
