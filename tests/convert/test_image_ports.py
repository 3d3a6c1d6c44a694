"""Ports from the image's EXPOSE for services that declare none: the image `kctl convert
--build` built (the engine's config) or, with --inspect-images, the image config in its
registry (real Podman and Distribution registry; kctl's cache keyed by digest)."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.kctl_cli import kctl
from tests.support.services import Podman, Registry


def objects(manifest: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (doc["kind"], doc["metadata"]["name"]): doc
        for doc in yaml.safe_load_all(manifest)
        if doc is not None
    }


def service_ports(manifest: str, name: str) -> tuple[str | None, set[tuple[int, int, str]]]:
    spec = objects(manifest)[("Service", name)]["spec"]
    ports = {(p["port"], p["targetPort"], p["protocol"]) for p in spec.get("ports", [])}
    return spec.get("clusterIP"), ports


def container_ports(manifest: str, name: str) -> set[tuple[int, str]]:
    [container] = objects(manifest)[("Deployment", name)]["spec"]["template"]["spec"]["containers"]
    return {(p["containerPort"], p["protocol"]) for p in container.get("ports", [])}


def build_image(podman: Podman, base: str, tag: str, lines: list[str], workdir: Path) -> None:
    import docker

    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "Dockerfile").write_text("\n".join([f"FROM {base}", *lines]) + "\n")
    client = docker.DockerClient(base_url=podman.docker_host)
    try:
        client.images.build(path=str(workdir), tag=tag, rm=True)
        repository, _, version = tag.rpartition(":")
        for chunk in client.api.push(repository, tag=version, stream=True, decode=True):
            assert "error" not in chunk, chunk
    finally:
        client.close()


def manifest_digest(registry: Registry, repository: str, tag: str) -> str:
    request = urllib.request.Request(
        f"http://{registry.host}/v2/{repository}/manifests/{tag}",
        method="HEAD",
        headers={
            "Accept": "application/vnd.oci.image.manifest.v1+json, "
            "application/vnd.docker.distribution.manifest.v2+json"
        },
    )
    with urllib.request.urlopen(request) as response:
        return str(response.headers["Docker-Content-Digest"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def exposing_images(
    registry: Registry, podman: Podman, busybox_base: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Images in the registry: one with EXPOSE 8080 and 9000/udp, one with no EXPOSE."""
    work = tmp_path_factory.mktemp("exposing")
    images = {
        "exposer": f"{registry.host}/kctl-test/exposer:1",
        "silent": f"{registry.host}/kctl-test/silent:1",
    }
    build_image(podman, busybox_base, images["exposer"], ["EXPOSE 8080 9000/udp"], work / "e")
    build_image(podman, busybox_base, images["silent"], [], work / "s")
    return images


def write_project(root: Path, services: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "compose.yaml").write_text(yaml.safe_dump({"services": services}))
    return root


@pytest.mark.e2e
def test_inspect_images_gives_a_portless_service_its_image_ports(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    exposing_images: dict[str, str],
    private_cache: Path,
) -> None:
    app = write_project(
        tmp_path / "app",
        {
            "db": {"image": exposing_images["exposer"]},
            "cache": {"image": exposing_images["silent"]},
            "web": {"image": exposing_images["exposer"], "expose": ["3000"]},
        },
    )
    plain = kctl(["convert", "--stdout"], up_env, app)
    assert plain.returncode == 0, plain.stderr
    assert service_ports(plain.stdout, "db") == ("None", set())  # unknown without the flag

    result = kctl(["convert", "--inspect-images", "--stdout"], up_env, app)
    assert result.returncode == 0, result.stderr
    # the image's EXPOSE: a ClusterIP Service on those ports, and the container declares them
    assert service_ports(result.stdout, "db") == (None, {(8080, 8080, "TCP"), (9000, 9000, "UDP")})
    assert container_ports(result.stdout, "db") == {(8080, "TCP"), (9000, "UDP")}
    assert f"{exposing_images['exposer']}" in result.stderr and "EXPOSE" in result.stderr
    # no EXPOSE in the image: still headless, never a guessed port
    assert service_ports(result.stdout, "cache") == ("None", set())
    # declared ports win: the image is not consulted for them
    assert service_ports(result.stdout, "web") == (None, {(3000, 3000, "TCP")})

    # kept by digest: the same image pinned by digest at an address nothing answers on
    # converts from the cache alone
    digest = manifest_digest(registry, "kctl-test/exposer", "1")
    assert list(private_cache.rglob(f"*{digest.partition(':')[2]}*"))
    offline = f"127.0.0.1:{free_port()}/kctl-test/exposer@{digest}"
    pinned = write_project(tmp_path / "pinned", {"db": {"image": offline}})
    again = kctl(["convert", "--inspect-images", "--stdout"], up_env, pinned)
    assert again.returncode == 0, again.stderr
    assert service_ports(again.stdout, "db")[1] == {(8080, 8080, "TCP"), (9000, 9000, "UDP")}


@pytest.mark.e2e
def test_inspect_images_with_an_unreachable_registry_is_exit_3(
    tmp_path: Path, up_env: dict[str, str]
) -> None:
    image = f"127.0.0.1:{free_port()}/nowhere/app:1"
    app = write_project(tmp_path / "app", {"db": {"image": image}})
    out = tmp_path / "out.yaml"
    result = kctl(["convert", "--inspect-images", "-o", str(out)], up_env, app)
    assert result.returncode == 3, result.stderr
    assert "unreachable" in result.stderr and image in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.e2e
def test_convert_build_reads_ports_from_the_built_image(
    tmp_path: Path, up_env: dict[str, str], busybox_base: str
) -> None:
    app = tmp_path / "app"
    (app / "web").mkdir(parents=True)
    (app / "web" / "Dockerfile").write_text(f"FROM {busybox_base}\nEXPOSE 7000\n")
    (app / "compose.yaml").write_text(
        yaml.safe_dump(
            {"services": {"web": {"build": "./web"}, "api": {"build": "./web", "ports": ["81:80"]}}}
        )
    )
    result = kctl(["convert", "--build", "--stdout"], up_env, app)
    assert result.returncode == 0, result.stderr
    assert service_ports(result.stdout, "web") == (None, {(7000, 7000, "TCP")})
    assert service_ports(result.stdout, "api") == (None, {(81, 80, "TCP")})  # declared: kept
    assert "EXPOSE" in result.stderr
