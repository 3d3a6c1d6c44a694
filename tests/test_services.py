"""Each real component the suite relies on starts and answers."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.support import services

pytestmark = pytest.mark.integration


def test_podman_builds_and_pushes_to_registry(podman, registry, tmp_path: Path) -> None:
    import docker

    tag = f"{registry.host}/fixture/hello:v1"
    services.build_busybox_image(
        podman.env, tag, tmp_path, ["/bin/busybox", "echo", "hi"], {"etc/motd": "hello\n"}
    )
    client = docker.DockerClient(base_url=podman.docker_host)
    try:
        for _ in client.images.push(tag, stream=True, decode=True):
            pass
    finally:
        client.close()
    assert registry.tags("fixture/hello") == ["v1"]


def test_helm_binary_runs(helm: Path) -> None:
    out = subprocess.run(["helm", "version", "--short"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("v")


def test_etcd_is_healthy(etcd) -> None:
    with urllib.request.urlopen(f"{etcd.endpoint}/health", timeout=5) as response:
        assert json.load(response)["health"] == "true"


def test_compose_oracle_answers(compose_oracle: Path, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    out = subprocess.run(
        [str(compose_oracle), "-f", str(tmp_path / "compose.yaml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["services"]["web"]["image"] == "nginx"
