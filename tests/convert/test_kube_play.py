"""Converted manifests really run: `podman kube play` starts the containers (Podman 4.3 runs
Deployments and Pods, accepts ConfigMaps and PVCs, skips Services; it crashes on Secret
volumes (nil pointer in VolumeFromSecret), so secrets are covered by schema tests only)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.convert.test_features import CASES as FEATURE_CASES
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
        podman.run("volume", "prune", "-f", check=False)


def _local_images(manifest: str, image: str) -> str:
    """Point every container at the local busybox image (nothing can be pulled here) and keep
    it running; the Compose features under test stay as converted."""
    import re

    text = re.sub(r"(\n\s+)image: \S+", rf"\1image: {image}", manifest)
    text = re.sub(r"\n(\s+)(command|args):\n(?:\1- .*\n)+", "\n", text)
    return re.sub(
        rf"(\n(\s+)image: {re.escape(image)})", r"\1\n\2command: [/bin/busybox, sleep, '600']", text
    )


PODMAN_UNSUPPORTED = {
    # kube play needs a pod to run: Jobs/CronJobs/DaemonSets/StatefulSets are not played
    "controller-flag-daemonset",
    "controller-label",
    "deploy-mode-global",
    "restart-no-job",
    "restart-on-failure-job",
    "job-keeps-service",
    "cronjob-labels",
    # Podman 4.3 crashes on Secret volumes (nil pointer in VolumeFromSecret)
    "secret-file-mount",
    "secret-environment",
    "secret-external",
    # Podman binds declared ports on the host: 53/udp is taken by the machine's resolver
    "ports-service",
    # imagePullPolicy Always makes podman pull, and nothing can be pulled here
    "pull-policy",
    # podman 4.3 refuses a workingDir missing from the image (a kubelet creates it)
    "working-dir",
}


@pytest.mark.parametrize("case", sorted(set(FEATURE_CASES) - PODMAN_UNSUPPORTED))
def test_fixtures_run_under_kube_play(podman, httpd_image, tmp_path, case) -> None:
    """Every fixture Podman can run here (the others are listed in PODMAN_UNSUPPORTED)."""
    text, files, options, _ = FEATURE_CASES[case]
    (tmp_path / "compose.yaml").write_text(text)
    for rel, content in files.items():
        (tmp_path / rel).write_text(content)
    argv = [
        "convert",
        "-f",
        str(tmp_path / "compose.yaml"),
        "-o",
        str(tmp_path / "out.yaml"),
        "--no-wait-for-deps",
    ]
    for key, value in options.items():
        flag = {
            "replicas": "--replicas",
            "controller": "--controller",
            "pvc_request_size": "--pvc-request-size",
            "volumes": "--volumes",
            "namespace": "-n",
            "service_group_mode": "--service-group-mode",
        }.get(key)
        if flag:
            argv += [flag, str(value)]
        elif key in ("network_policies", "create_namespace") and value:
            argv.append(
                "--generate-network-policies" if key == "network_policies" else "--create-namespace"
            )
    if main(argv) != 0:
        pytest.fail("convert failed")
    manifest = tmp_path / "out.yaml"
    manifest.write_text(_local_images(manifest.read_text(), httpd_image))
    try:
        play(podman, manifest)
        assert running(podman), "no container is running"
    finally:
        podman.run("kube", "down", str(manifest), check=False)
        podman.run("volume", "prune", "-f", check=False)  # PVCs become podman volumes


def test_network_mode_service_shares_the_network_namespace(podman, httpd_image, tmp_path) -> None:
    """`network_mode: service:web` means app reaches web on localhost: one pod, one network."""
    port = free_port()
    (tmp_path / "compose.yaml").write_text(f"""
name: shared
services:
  web:
    image: {httpd_image}
    command: ["httpd", "-f", "-p", "127.0.0.1:{port}", "-h", "/www"]
  app:
    image: {httpd_image}
    command: ["sleep", "600"]
    network_mode: service:web
""")
    manifest = tmp_path / "out.yaml"
    assert main(["convert", "-f", str(tmp_path / "compose.yaml"), "-o", str(manifest)]) == 0
    try:
        play(podman, manifest)
        names = [c["Names"][0] for c in running(podman)]
        app = next(n for n in names if n.endswith("-app"))
        url = f"http://127.0.0.1:{port}/"

        def answers() -> bool:
            fetched = podman.run("exec", app, "/bin/busybox", "wget", "-qO-", url, check=False)
            return fetched.returncode == 0 and fetched.stdout == "default page\n"

        wait_until(answers, 30, "web from app's localhost")
    finally:
        podman.run("kube", "down", str(manifest), check=False)
