"""Fixtures for kctl upgrade: component images for the fake kubelet, per-test nodes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cluster.apiserver import ClusterSpec, FakeAPIServer, v130_cluster
from tests.cluster.harness import build_component_image
from tests.support.services import Podman

# The integration node moves v1.30.4 -> v1.30.14; catalog: etcd 3.5.12-0 -> 3.5.15-0.
K8S_VERSIONS = ("v1.30.4", "v1.30.14")
ETCD_VERSIONS = ("3.5.12-0", "3.5.15-0")
COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")


@pytest.fixture(scope="session")
def component_images(podman: Podman, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Images in podman storage under two repositories; returns the registry prefix.

    `<prefix>/good/*`: every version healthy. `<prefix>/broken/*`: the same, except
    kube-apiserver:v1.30.14 never answers its health endpoint.
    """
    work = tmp_path_factory.mktemp("component-images")
    prefix = "127.0.0.1:5999/kctl-test"  # a name only: the images are never pulled
    for version in K8S_VERSIONS:
        base = f"{prefix}/base/k8s:{version}"
        build_component_image(podman, base, work, {"gitVersion": version})
        for repo in ("good", "broken"):
            for component in COMPONENTS:
                if repo == "broken" and component == "kube-apiserver" and version == "v1.30.14":
                    continue
                podman.run("tag", base, f"{prefix}/{repo}/{component}:{version}")
    for etcd_tag in ETCD_VERSIONS:
        base = f"{prefix}/base/etcd:{etcd_tag}"
        build_component_image(podman, base, work, {"etcdserver": etcd_tag.split("-")[0]})
        for repo in ("good", "broken"):
            podman.run("tag", base, f"{prefix}/{repo}/etcd:{etcd_tag}")
    build_component_image(
        podman,
        f"{prefix}/broken/kube-apiserver:v1.30.14",
        work,
        {"gitVersion": "v1.30.14"},
        healthy=False,
    )
    yield prefix


@pytest.fixture(autouse=True)
def user_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own $XDG_CONFIG_HOME: no user catalog unless the test installs one."""
    config = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("KCTL_CATALOG", raising=False)
    return config


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[FakeAPIServer]:
    """A loopback API server holding a v1.30.4 kubeadm cluster (cp1 + worker w1)."""
    server = FakeAPIServer(tmp_path / "apiserver", v130_cluster()).start()
    yield server
    server.stop()


@pytest.fixture
def make_cluster(tmp_path: Path) -> Iterator[Callable[[ClusterSpec], FakeAPIServer]]:
    """Start an API server for a ClusterSpec (several per test are fine)."""
    started: list[FakeAPIServer] = []

    def make(spec: ClusterSpec) -> FakeAPIServer:
        server = FakeAPIServer(tmp_path / f"apiserver-{len(started)}", v130_cluster(spec))
        started.append(server.start())
        return server

    yield make
    for server in started:
        server.stop()
