"""The chart library against the real helm binary: lint-clean, renders its input back, tunable."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kctl import fsio, yamlio
from kctl.chart import ChartSpec, chart_name, render_chart, values_key
from kctl.errors import TargetExistsError
from tests.chart.objects import demo_components, deployment, service

pytestmark = pytest.mark.integration

HELM_LABELS = (
    "helm.sh/chart",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
)


def write_chart(tmp_path: Path, spec: ChartSpec) -> Path:
    dest = tmp_path / "chart"
    fsio.write_tree(dest, render_chart(spec))
    return dest


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["helm", *args], capture_output=True, text=True, check=False)


def template(chart: Path, *sets: str) -> dict[tuple[str, str], dict[str, Any]]:
    argv = ["template", "rel", str(chart)]
    for value in sets:
        argv += ["--set", value]
    result = helm(*argv)
    assert result.returncode == 0, result.stderr
    docs = [d for d in yamlio.loads_all(result.stdout) if d]
    return {(d["kind"], d["metadata"]["name"]): plain(d) for d in docs}


def plain(data: Any) -> Any:
    return json.loads(json.dumps(data))


def strip_helm_labels(obj: Any) -> Any:
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if key in ("labels", "matchLabels") and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k not in HELM_LABELS}
                if not value:
                    continue
            out[key] = strip_helm_labels(value)
        return out
    if isinstance(obj, list):
        return [strip_helm_labels(v) for v in obj]
    return obj


def inputs(spec: ChartSpec) -> dict[tuple[str, str], dict[str, Any]]:
    objects = [o for objs in spec.components.values() for o in objs] + list(spec.shared)
    return {(o["kind"], o["metadata"]["name"]): plain(o) for o in objects}


@pytest.fixture
def demo() -> ChartSpec:
    components, shared = demo_components()
    return ChartSpec(name="Demo App_v2", components=components, shared=shared, app_version="1.0")


def test_lint_strict_is_clean(helm_bin, demo: ChartSpec, tmp_path: Path) -> None:
    result = helm("lint", "--strict", str(write_chart(tmp_path, demo)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout


def test_default_render_equals_input_objects(helm_bin, demo: ChartSpec, tmp_path: Path) -> None:
    rendered = template(write_chart(tmp_path, demo))
    assert {k: strip_helm_labels(v) for k, v in rendered.items()} == inputs(demo)
    for obj in rendered.values():
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
        assert "namespace" not in obj["metadata"]


def test_strings_like_the_templaters_own_markers_stay_data(helm_bin, tmp_path: Path) -> None:
    """A value, key or label that reads like a marker the templater once put in objects while
    it worked on them (__KCTL_LIFT_0__) is the user's data: helm renders it back as it was."""
    marker = "__KCTL_LIFT_0__"
    web = deployment("web", "nginx:1.27", 80, container={"workingDir": marker, "args": [marker]})
    web["metadata"]["annotations"] = {"note": marker, marker: "key"}
    web["spec"]["template"]["metadata"]["labels"]["note"] = "__KCTL_LIFT_2__"
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web-config", "labels": {"note": "__KCTL_LIFT_1__"}},
        # a key only PyYAML writes (>= 128 characters): the object takes the marker path
        "data": {"A": marker, "__KCTL_LIFT_3__": "b", "k" * 200: marker},
    }
    spec = ChartSpec(name="markers", components={"web": [web, service("web", 80), config]})
    rendered = template(write_chart(tmp_path, spec))
    assert {k: strip_helm_labels(v) for k, v in rendered.items()} == inputs(spec)


def test_rendered_objects_validate_strictly(helm_bin, demo: ChartSpec, tmp_path: Path) -> None:
    import kubernetes_validate

    chart = write_chart(tmp_path, demo)
    for obj in template(chart, "web.autoscaling.enabled=true", "db.ingress.enabled=true").values():
        kubernetes_validate.validate(obj, "1.33", strict=True)


def test_overrides_change_exactly_the_expected_fields(helm_bin, demo, tmp_path) -> None:
    chart = write_chart(tmp_path, demo)
    base = template(chart)
    changed = template(chart, "web.image.tag=2.0", "web.replicaCount=5")
    diff = [k for k in base if base[k] != changed[k]]
    assert diff == [("Deployment", "web")]
    spec = changed[("Deployment", "web")]["spec"]
    assert spec["replicas"] == 5
    assert spec["template"]["spec"]["containers"][0]["image"] == "127.0.0.1:5000/demo/web:2.0"
    before = base[("Deployment", "web")]
    before["spec"]["replicas"] = 5
    before["spec"]["template"]["spec"]["containers"][0]["image"] = "127.0.0.1:5000/demo/web:2.0"
    assert before == changed[("Deployment", "web")]


def test_ingress_toggle(helm_bin, demo, tmp_path) -> None:
    chart = write_chart(tmp_path, demo)
    assert ("Ingress", "db") not in template(chart)
    enabled = template(chart, "db.ingress.enabled=true")
    ingress = enabled[("Ingress", "db")]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "db", "port": {"number": 5432}}
    assert ("Ingress", "web") not in template(chart, "web.ingress.enabled=false")


def test_persistence_disabled_removes_claims_and_mounts_empty_dirs(helm_bin, demo, tmp_path):
    chart = write_chart(tmp_path, demo)
    off = template(chart, "db.persistence.enabled=false")
    assert ("PersistentVolumeClaim", "db-data") not in off
    assert ("PersistentVolumeClaim", "shared") in off
    volumes = off[("Deployment", "db")]["spec"]["template"]["spec"]["volumes"]
    assert volumes == [
        {"name": "db-data", "emptyDir": {}},
        {"name": "shared", "persistentVolumeClaim": {"claimName": "shared"}},
    ]
    shared_off = template(chart, "sharedPersistence.enabled=false")
    assert ("PersistentVolumeClaim", "shared") not in shared_off


def test_autoscaling_adds_hpa_and_drops_replicas(helm_bin, demo, tmp_path) -> None:
    chart = write_chart(tmp_path, demo)
    on = template(chart, "web.autoscaling.enabled=true", "web.autoscaling.maxReplicas=7")
    hpa = on[("HorizontalPodAutoscaler", "web")]
    assert hpa["spec"]["maxReplicas"] == 7
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "web",
    }
    assert "replicas" not in on[("Deployment", "web")]["spec"]


def test_fullname_override_renames_objects_and_references(helm_bin, demo, tmp_path) -> None:
    rendered = template(write_chart(tmp_path, demo), "fullnameOverride=prod")
    assert {name for _, name in rendered} == {f"prod-{name}" for _, name in inputs(demo)}
    pod = rendered[("Deployment", "prod-web")]["spec"]["template"]["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "prod-shared"
    assert pod["volumes"][1]["secret"]["secretName"] == "prod-token"
    assert pod["containers"][0]["envFrom"][0]["configMapRef"]["name"] == "prod-web-env"


def test_schema_rejects_wrong_types_and_unknown_keys(helm_bin, demo, tmp_path) -> None:
    chart = write_chart(tmp_path, demo)
    bad = helm("template", "rel", str(chart), "--set", "web.replicaCount=abc")
    assert bad.returncode != 0 and "replicaCount" in bad.stderr
    typo = helm("template", "rel", str(chart), "--set", "web.replicaCont=2")
    assert typo.returncode != 0
    assert helm("template", "rel", str(chart), "--set", "web.image.tag=1.5").returncode == 0


def test_components_of_one_shape_share_one_schema_definition(helm_bin, tmp_path) -> None:
    # similar services have the same values schema: one definition, each refers to it, and
    # helm holds every one of them to it
    components = {
        name: [deployment(name, f"nginx:1.2{i}", 80), service(name, 80)]
        for i, name in enumerate(("web", "api", "admin"))
    }
    chart = write_chart(tmp_path, ChartSpec(name="trio", components=components))
    schema = json.loads((chart / "values.schema.json").read_text())
    assert list(schema["definitions"]) == ["web"]
    assert [schema["properties"][k] for k in ("web", "api", "admin")] == [
        {"$ref": "#/definitions/web"}
    ] * 3
    lint = helm("lint", "--strict", str(chart))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    for bad in ("api.replicaCount=abc", "admin.replicaCont=2", "api.image.extra=1"):
        result = helm("template", "rel", str(chart), "--set", bad)
        assert result.returncode != 0, bad
        assert bad.split(".")[0] in result.stderr and "schema" in result.stderr, result.stderr
    assert helm("template", "rel", str(chart), "--set", "admin.image.tag=1.5").returncode == 0


def test_values_are_camel_case_and_commented(demo) -> None:
    files = render_chart(demo)
    values = yamlio.loads(files["values.yaml"])
    assert list(values)[:2] == ["nameOverride", "fullnameOverride"]
    assert values["web"]["image"] == {
        "repository": "127.0.0.1:5000/demo/web",
        "tag": "1.2",
        "pullPolicy": "",
    }
    assert values["db"]["persistence"]["dbData"]["size"] == "5Gi"
    assert "# -- Number of pods" in files["values.yaml"]
    assert "| `web.replicaCount` | integer | `2` |" in files["README.md"]


def test_package_succeeds(helm_bin, demo, tmp_path) -> None:
    result = helm("package", str(write_chart(tmp_path, demo)), "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo-app-v2-0.1.0.tgz").is_file()


def test_notes_say_how_to_reach_services(helm_bin, demo, tmp_path) -> None:
    chart = write_chart(tmp_path, demo)
    notes = helm("install", "rel", str(chart), "--dry-run=client").stdout
    assert "http://web.example.test/" in notes
    assert "port-forward service/db 5432:5432" in notes
    node_port = helm(
        "install", "rel", str(chart), "--dry-run=client", "--set", "db.service.type=NodePort"
    ).stdout
    assert "NODE_PORT" in node_port


def test_output_is_byte_deterministic(demo) -> None:
    assert render_chart(demo) == render_chart(demo)


def test_rewriting_a_chart_refuses_without_force(demo, tmp_path) -> None:
    dest = write_chart(tmp_path, demo)
    other = ChartSpec(
        name="other", components={"x": [deployment("x", "busybox"), service("x", 80)]}
    )
    before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    with pytest.raises(TargetExistsError):
        fsio.write_tree(dest, render_chart(other))
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == before
    fsio.write_tree(dest, render_chart(other), force=True)
    assert "name: other" in (dest / "Chart.yaml").read_text()


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("My Project", "my-project"),
        ("/tmp/out/compose", "tmp-out-compose"),
        ("123", "app-123"),
        ("__", "app"),
        ("a" * 80, "a" * 53),
    ],
)
def test_chart_name_is_valid(raw: str, name: str) -> None:
    assert chart_name(raw) == name


@pytest.mark.parametrize(
    ("raw", "key"),
    [("redis-leader", "redisLeader"), ("web", "web"), ("my_app.v2", "myAppV2"), ("2fa", "c2fa")],
)
def test_values_key(raw: str, key: str) -> None:
    assert values_key(raw) == key
