"""Converted manifests really run: `podman kube play` starts the containers (Podman 4.3 runs
Deployments and Pods, accepts ConfigMaps and PVCs, skips Services; it crashes on Secret
volumes (nil pointer in VolumeFromSecret), so secrets are covered by schema tests only)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.support.services import build_busybox_image, free_port, wait_until

pytestmark = pytest.mark.integration

IMAGE = "localhost/kctl-test/busybox-httpd:1"


@pytest.fixture(scope="module")
def httpd_image(podman, tmp_path_factory) -> str:
    build_busybox_image(
        podman.env,
        IMAGE,
        tmp_path_factory.mktemp("img"),
        ["/bin/busybox"],
        {"www/index.html": "default page\n"},
    )
    return IMAGE


def play(podman, manifest: Path) -> None:
    result = podman.run("kube", "play", "--replace", str(manifest), check=False)
    assert result.returncode == 0, result.stderr


def running(podman) -> list[dict]:
    return json.loads(podman.run("ps", "--format", "json").stdout or "[]")


def test_deployment_configmap_pvc_really_start(podman, httpd_image, tmp_path) -> None:
    port = free_port()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("hello from a configmap\n")
    (tmp_path / "app.env").write_text("MODE=test\n")
    (tmp_path / "compose.yaml").write_text(f"""
name: play
services:
  web:
    image: {httpd_image}
    command: ["httpd", "-f", "-p", "127.0.0.1:{port}", "-h", "/www"]
    network_mode: host
    env_file: app.env
    environment:
      GREETING: "cost $$5"
    volumes:
      - ./site:/www:ro
      - data:/data
volumes:
  data: {{}}
""")
    manifest = tmp_path / "out.yaml"
    assert main(["convert", "-f", str(tmp_path / "compose.yaml"), "-o", str(manifest)]) == 0
    kinds = {d.split("\n", 1)[0] for d in manifest.read_text().split("kind: ")[1:]}
    assert {"ConfigMap", "PersistentVolumeClaim", "Deployment"} <= kinds
    try:
        play(podman, manifest)
        url = f"http://127.0.0.1:{port}/index.html"
        wait_until(lambda: urllib.request.urlopen(url, timeout=2).status == 200, 30, "web")
        assert urllib.request.urlopen(url, timeout=2).read() == b"hello from a configmap\n"
        names = [c["Names"][0] for c in running(podman)]
        web = next(n for n in names if "web" in n)
        env = podman.run("exec", web, "/bin/busybox", "env").stdout
        assert "MODE=test" in env and "GREETING=cost $5" in env
        podman.run("exec", web, "/bin/busybox", "touch", "/data/written")
    finally:
        podman.run("kube", "down", str(manifest), check=False)
