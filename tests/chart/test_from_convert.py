"""Charts made from real `kctl convert` output: lint-clean and rendering the same objects."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl import fsio
from kctl.chart import ChartSpec, render_chart
from kctl.compose import LoadOptions, load_project
from kctl.convert import ConvertOptions, convert_project
from kctl.errors import KctlError
from kctl.kube import validate
from tests.chart.test_chart import inputs, strip_helm_labels, template
from tests.compose.test_oracle_random import _SERVICE, _top_level
from tests.convert.test_features import CASES
from tests.convert.test_invariants import _KOMPOSE_LABELS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent for p in (ROOT / "examples" / "compose").glob("*/compose.yaml"))


def chart_for(project_dir: Path, dest: Path, **options) -> tuple[Path, ChartSpec]:
    project = load_project(
        LoadOptions(files=[str(project_dir / "compose.yaml")], environ={"SECRET_ENV": "from-env"})
    )
    conversion = convert_project(project, ConvertOptions(**options))
    spec = ChartSpec(name=project.name, components=conversion.components, shared=conversion.shared)
    fsio.write_tree(dest, render_chart(spec))
    return dest, spec


def check(chart: Path, spec: ChartSpec) -> None:
    lint = subprocess.run(
        ["helm", "lint", "--strict", str(chart)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0 and "[WARNING]" not in lint.stdout, lint.stdout + lint.stderr
    rendered = template(chart)
    assert {k: strip_helm_labels(v) for k, v in rendered.items()} == inputs(spec)
    for obj in rendered.values():
        validate(obj)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_charts(helm, example: Path, tmp_path: Path) -> None:
    check(*chart_for(example, tmp_path / "chart"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_charts(helm, case: str, tmp_path: Path) -> None:
    text, files, options, _ = CASES[case]
    src = tmp_path / "src"
    src.mkdir()
    (src / "compose.yaml").write_text(text)
    for rel, content in files.items():
        (src / rel).write_text(content)
    check(*chart_for(src, tmp_path / "chart", **options))


def test_guestbook_overrides(helm, tmp_path: Path) -> None:
    chart, _ = chart_for(ROOT / "examples" / "compose" / "guestbook", tmp_path / "chart")
    base = template(chart)
    changed = template(chart, "frontend.image.tag=v6", "redisFollower.replicaCount=5")
    diff = sorted(k for k in base if base[k] != changed[k])
    assert diff == [("Deployment", "frontend"), ("Deployment", "redis-follower")]
    assert changed[("Deployment", "redis-follower")]["spec"]["replicas"] == 5


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    services=st.dictionaries(st.sampled_from(["web", "db", "worker"]), _SERVICE, max_size=3),
    labels=st.dictionaries(st.sampled_from(["web", "db", "worker"]), _KOMPOSE_LABELS),
)
def test_random_projects_give_charts_that_render_what_convert_writes(
    helm: Path,
    tmp_path_factory: pytest.TempPathFactory,
    services: dict[str, Any],
    labels: dict[str, dict[str, str]],
) -> None:
    """For random projects the chart lints clean and, with its default values, renders exactly
    the objects plain convert writes (plus Helm's labels), each schema-valid."""
    root = tmp_path_factory.mktemp("random-chart")
    (root / "src").mkdir()
    (root / "token.txt").write_text("s3cret\n")
    services = {**services, "db": services.get("db", {"image": "postgres"})}
    for name, extra in labels.items():
        if name in services and not isinstance(services[name].get("labels"), list):
            services[name] = {
                **services[name],
                "labels": {**services[name].get("labels", {}), **extra},
            }
    document = {"name": "shop", "services": services, **_top_level(services)}
    (root / "compose.yaml").write_text(json.dumps(document))
    try:
        chart, spec = chart_for(root, root / "chart")
    except KctlError as exc:
        assert exc.exit_code in (2, 3), exc
        return
    check(chart, spec)
