"""Issue 24's convert defects found on real projects: each converted to what it means,
reported with file:line, or refused (exit 2), never dropped or crashed on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kctl.cli.main import main
from tests.convert.test_trust import convert, objects, pod_spec

pytestmark = pytest.mark.unit


def run(tmp_path: Path, text: str, *args: str, env: dict[str, str] | None = None) -> int:
    (tmp_path / "compose.yaml").write_text(text)
    return main(["convert", "-f", str(tmp_path / "compose.yaml"), *args])


def test_unset_variable_is_warned_and_strict_exits_3(tmp_path: Path, capsys: Any) -> None:
    text = "services:\n  web:\n    image: nginx\n    environment:\n      DB: ${KCTL_T_UNSET}\n"
    out = tmp_path / "out"
    assert run(tmp_path, text, "-o", str(out)) == 0
    err = capsys.readouterr().err
    assert 'compose.yaml:5:7: The "KCTL_T_UNSET" variable is not set' in err.replace("\n", "")
    assert err.count("KCTL_T_UNSET") == 1
    assert run(tmp_path, text, "--strict", "-o", str(tmp_path / "strict")) == 3
    assert not (tmp_path / "strict").exists()


def test_unset_variable_in_an_env_file_is_warned_and_strict_exits_3(
    tmp_path: Path, capsys: Any
) -> None:
    (tmp_path / "app.env").write_text("OK=1\nDB=postgres://${KCTL_T_UNSET_HOST}:5432/app\n")
    text = "services:\n  web:\n    image: nginx\n    env_file: app.env\n"
    assert run(tmp_path, text, "-o", str(tmp_path / "out")) == 0
    err = capsys.readouterr().err.replace("\n", "")
    assert 'app.env:2: The "KCTL_T_UNSET_HOST" variable is not set' in err
    assert err.count("KCTL_T_UNSET_HOST") == 1
    assert run(tmp_path, text, "--strict", "-o", str(tmp_path / "strict")) == 3
    assert not (tmp_path / "strict").exists()


@pytest.mark.parametrize("image", ["nginx:${KCTL_T_UNSET}", "${KCTL_T_UNSET}/app:1", "Nginx"])
def test_an_invalid_image_reference_is_refused_at_its_line(
    tmp_path: Path, capsys: Any, image: str
) -> None:
    text = f"services:\n  web:\n    image: {image}\n"
    assert run(tmp_path, text, "-o", str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert "compose.yaml:3:" in err and "not a valid image reference" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "image",
    ["nginx", "nginx:1.27-alpine", "ghcr.io/a/b:v1", "localhost:5000/x", "a/b@sha256:" + "0" * 64],
)
def test_valid_image_references_pass(tmp_path: Path, image: str) -> None:
    c = convert(tmp_path, f"services:\n  web:\n    image: {image}\n")
    assert pod_spec(objects(c, "Deployment")[0])["containers"][0]["image"] == image


def test_external_volume_without_name_mounts_the_claim_named_by_its_key(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  web:\n    image: x\n    volumes: [data:/d]\n"
        "volumes:\n  data:\n    external: true\n",
    )
    spec = pod_spec(objects(c, "Deployment")[0])
    assert spec["volumes"][0]["persistentVolumeClaim"]["claimName"] == "data"
    assert not objects(c, "PersistentVolumeClaim")  # external: it exists already


def test_healthcheck_without_timing_keeps_dockers_defaults(tmp_path: Path) -> None:
    c = convert(
        tmp_path, "services:\n  web:\n    image: x\n    healthcheck:\n      test: ['CMD', 'true']\n"
    )
    container = pod_spec(objects(c, "Deployment")[0])["containers"][0]
    for probe in (container["livenessProbe"], container["readinessProbe"]):
        assert probe["periodSeconds"] == 30 and probe["timeoutSeconds"] == 30
        assert probe["failureThreshold"] == 3


def test_read_only_from_a_default_is_the_boolean(tmp_path: Path) -> None:
    c = convert(tmp_path, "services:\n  web:\n    image: x\n    read_only: ${KCTL_T_RO:-true}\n")
    container = pod_spec(objects(c, "Deployment")[0])["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_empty_host_ip_port_is_published(tmp_path: Path) -> None:
    c = convert(tmp_path, "services:\n  web:\n    image: x\n    ports: [':2283:2283']\n")
    (svc,) = objects(c, "Service")
    assert svc["spec"]["ports"][0]["port"] == 2283 and svc["spec"]["ports"][0]["targetPort"] == 2283
