"""Draft's create flags: --variable, --dockerfile-only, --deployment-only, --deploy-type."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kctl.cli.main import main
from kctl.packs import load_packs
from tests.create.test_create import copy_example, snapshot

PACKS = load_packs()


@pytest.mark.unit
def test_variables_fill_the_templates(tmp_path: Path, capsys) -> None:
    app = copy_example("python-flask", tmp_path)
    args = ["create", "-o", "json", "--variable", "port=9090", "--variable", "PYTHON=3.11"]
    assert main([*args, "--variable", "entrypoint=server.py", str(app)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["variables"]["port"] == 9090 and report["variables"]["python"] == "3.11"
    dockerfile = (app / "Dockerfile").read_text()
    assert "FROM python:3.11-slim-bookworm" in dockerfile and "EXPOSE 9090" in dockerfile
    assert '"0.0.0.0:9090", "server:app"' in dockerfile  # the module follows the entrypoint
    assert 'port-forward = ["9090:9090"]' in (app / "kctl.toml").read_text()
    values = yaml.safe_load((app / "charts/python-flask/values.yaml").read_text())
    assert "9090" in json.dumps(values)


@pytest.mark.unit
def test_draft_variable_names_and_globals(tmp_path: Path) -> None:
    app = copy_example("go", tmp_path)
    args = ["-q", "create", "--variable", "APPNAME=shop", "--variable", "NAMESPACE=web"]
    assert main([*args, "--variable", "IMAGENAME=ghcr.io/me/shop", str(app)]) == 0
    toml = (app / "kctl.toml").read_text()
    assert 'name = "shop"' in toml and 'namespace = "web"' in toml
    assert 'image = "ghcr.io/me/shop:latest"' in toml
    assert (app / "charts/shop/Chart.yaml").is_file()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("colour=blue", "unknown variable 'colour'"),
        ("port=http", "port must be a number"),
        ("port=80000", "port must be a number"),
        ("novalue", "KEY=VALUE"),
        ("go=1.23; rm -rf /", "go must be"),
    ],
)
def test_bad_variables_exit_2(tmp_path: Path, capsys, variable: str, message: str) -> None:
    app = copy_example("go", tmp_path)
    before = snapshot(app)
    assert main(["create", "--variable", variable, str(app)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert snapshot(app) == before


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(PACKS))
def test_every_pack_documents_its_variables(name: str) -> None:
    pack = PACKS[name]
    assert "port" in pack.variables
    assert set(pack.versions) <= set(pack.variables)
    assert all(v.description for v in pack.variables.values())


@pytest.mark.unit
def test_dockerfile_only_and_deployment_only(tmp_path: Path, capsys) -> None:
    app = copy_example("react", tmp_path)
    before = set(snapshot(app))
    assert main(["-q", "create", "--dockerfile-only", str(app)]) == 0
    assert set(snapshot(app)) - before == {"Dockerfile", ".dockerignore", "nginx.spa.conf"}
    other = copy_example("go", tmp_path)
    before = set(snapshot(other))
    assert main(["-q", "create", "--deployment-only", str(other)]) == 0
    written = set(snapshot(other)) - before
    assert written and all(p.startswith("charts/go/") for p in written)
    assert main(["create", "--dockerfile-only", "--deployment-only", str(other)]) == 2
    assert "--dockerfile-only" in capsys.readouterr().err


@pytest.mark.unit
def test_deploy_type_manifests_are_valid_objects(tmp_path: Path) -> None:
    from kctl.kube.validate import validate

    app = copy_example("go", tmp_path)
    assert main(["-q", "create", "--deploy-type", "manifests", str(app)]) == 0
    written = set(snapshot(app))
    assert {"manifests/deployment.yaml", "manifests/service.yaml"} <= written
    assert not any(p.startswith("charts/") for p in written)
    kinds = set()
    for rel in ("manifests/deployment.yaml", "manifests/service.yaml"):
        obj = yaml.safe_load((app / rel).read_text())
        validate(obj)
        kinds.add(obj["kind"])
    assert kinds == {"Deployment", "Service"}
    toml = (app / "kctl.toml").read_text()
    import tomllib

    development = tomllib.loads(toml)["environments"]["development"]
    assert "chart" not in development
    assert development["manifests"] == "manifests"  # what `kctl up` deploys


@pytest.mark.integration
def test_deploy_type_kustomize_builds_with_kubectl(tmp_path: Path) -> None:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    app = copy_example("node-express", tmp_path)
    assert (
        main(
            ["-q", "create", "--deploy-type", "kustomize", "--variable", "namespace=shop", str(app)]
        )
        == 0
    )
    for rel in ("base/kustomization.yaml", "base/deployment.yaml", "base/service.yaml"):
        assert (app / rel).is_file(), rel
    built = subprocess.run(
        ["kubectl", "kustomize", str(app / "overlays/production")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    objects = list(yaml.safe_load_all(built))
    assert {o["kind"] for o in objects} == {"Deployment", "Service"}
    assert all(o["metadata"]["namespace"] == "shop" for o in objects)


@pytest.mark.unit
def test_unknown_deploy_type_is_exit_2(tmp_path: Path) -> None:
    app = copy_example("go", tmp_path)
    assert main(["create", "--deploy-type", "terraform", str(app)]) == 2


@pytest.mark.unit
def test_pack_list_json_shows_each_packs_variables(capsys) -> None:
    assert main(["pack", "list", "-o", "json"]) == 0
    react = next(p for p in json.loads(capsys.readouterr().out) if p["name"] == "react")
    assert {"port", "node", "spa_output"} <= set(react["variables"])
