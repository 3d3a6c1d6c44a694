"""kctl upgrade apply against real components: Podman as the kubelet, a real etcd server."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.cli.main import main
from kctl.cluster.node import CONTROL_PLANE
from tests.cluster.harness import FakeKubelet
from tests.cluster.nodes import NodeSpec, contents, make_node
from tests.support.services import Etcd, Podman, free_port, wait_until

pytestmark = pytest.mark.integration

TARGET = "v1.30.14"


def _version(port: int) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=1) as r:
            data = json.load(r)
    except Exception:
        return None
    return data.get("gitVersion") or data.get("etcdserver")


class LiveNode:
    def __init__(self, root: Path, ports: dict[str, int], kubelet: FakeKubelet) -> None:
        self.root = root
        self.ports = ports
        self.kubelet = kubelet

    def versions(self) -> dict[str, str | None]:
        return {name: _version(port) for name, port in self.ports.items()}

    def wait_versions(self, expected: dict[str, str], timeout: float = 60) -> None:
        wait_until(lambda: self.versions() == expected, timeout, f"components at {expected}")


def _live_node(tmp_path: Path, podman: Podman, images: str, repo: str) -> Iterator[LiveNode]:
    ports = {name: free_port() for name in CONTROL_PLANE}
    root = make_node(
        tmp_path / "node",
        NodeSpec(repository=f"{images}/{repo}", ports=ports, http_probes=True),
    )
    kubelet = FakeKubelet(podman, root / "etc/kubernetes/manifests", tmp_path / "kubelet")
    kubelet.start()
    node = LiveNode(root, ports, kubelet)
    try:
        node.wait_versions(OLD)
        yield node
    finally:
        kubelet.stop()


OLD = {
    "etcd": "3.5.12",
    "kube-apiserver": "v1.30.4",
    "kube-controller-manager": "v1.30.4",
    "kube-scheduler": "v1.30.4",
}
NEW = {
    "etcd": "3.5.15",
    "kube-apiserver": TARGET,
    "kube-controller-manager": TARGET,
    "kube-scheduler": TARGET,
}


@pytest.fixture
def good_node(tmp_path: Path, podman: Podman, component_images: str) -> Iterator[LiveNode]:
    yield from _live_node(tmp_path, podman, component_images, "good")


@pytest.fixture
def broken_node(tmp_path: Path, podman: Podman, component_images: str) -> Iterator[LiveNode]:
    yield from _live_node(tmp_path, podman, component_images, "broken")


def _apply_args(node: LiveNode, etcd: Etcd, *extra: str) -> list[str]:
    return [
        "upgrade",
        "apply",
        TARGET,
        "--root",
        str(node.root),
        "--etcd-endpoint",
        etcd.endpoint,
        "--timeout",
        "20",
        "--probe-timeout",
        "1",
        *extra,
    ]


def test_apply_upgrades_every_component_with_backups(
    good_node: LiveNode, etcd: Etcd, capsys: pytest.CaptureFixture[str]
) -> None:
    before = contents(good_node.root)
    rc = main(_apply_args(good_node, etcd, "-y"))
    err = capsys.readouterr().err
    assert rc == 0, err
    assert good_node.versions() == NEW
    # the components restarted in kubeadm's order, each with its new image
    replays = [c for c, image in good_node.kubelet.plays[4:]]
    assert replays == ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
    tmp = good_node.root / "etc/kubernetes/tmp"
    assert not (tmp / "kctl-upgrade.lock").exists()
    [backup] = list(tmp.glob("kubeadm-backup-manifests-*"))
    for rel, data in before.items():
        if (backup / rel).exists():
            assert (backup / rel).read_bytes() == data
    assert (backup / "etc/kubernetes/manifests/kube-apiserver.yaml").exists()
    status = subprocess.run(
        ["etcdctl", "snapshot", "status", str(backup / "etcd-snapshot.db"), "-w", "json"],
        env={**os.environ, "ETCDCTL_API": "3"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(status.stdout)["totalKey"] >= 0
    config = (good_node.root / "etc/kubernetes/kubeadm-config.yaml").read_text()
    assert f"kubernetesVersion: {TARGET}" in config
    assert "SUCCESS" in err
    # a second apply finds nothing to do: every component phase is skipped
    assert main(_apply_args(good_node, etcd, "-y")) == 0
    assert "unchanged, skipped" in capsys.readouterr().err
