"""A real kubeadm node (no local config, addons only in the cluster) upgraded end to end:
plan -> diff -> apply -> killed -> rollback, with Podman as the kubelet, a real etcd and the
loopback API server (tests/cluster/apiserver.py) holding the cluster's objects."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.cli.main import main
from kctl.cluster.node import CONTROL_PLANE
from tests.cluster.apiserver import ClusterSpec, FakeAPIServer, v130_cluster
from tests.cluster.harness import FakeKubelet
from tests.cluster.nodes import NodeSpec, contents, make_node
from tests.cluster.test_apply import NEW, OLD, TARGET, LiveNode, _kctl_process
from tests.support.run import run_kctl
from tests.support.services import Etcd, Podman, free_port

pytestmark = pytest.mark.integration

CM = "/api/v1/namespaces/kube-system/configmaps/kubeadm-config"
COREDNS = "/apis/apps/v1/namespaces/kube-system/deployments/coredns"


@pytest.fixture
def real_node(
    tmp_path: Path, podman: Podman, component_images: str
) -> Iterator[tuple[LiveNode, FakeAPIServer]]:
    ports = {name: free_port() for name in CONTROL_PLANE}
    repo = f"{component_images}/good"
    root = make_node(
        tmp_path / "node", NodeSpec(real=True, repository=repo, ports=ports, http_probes=True)
    )
    api = FakeAPIServer(tmp_path / "api", v130_cluster(ClusterSpec(repository=repo))).start()
    kubelet = FakeKubelet(podman, root / "etc/kubernetes/manifests", tmp_path / "kubelet")
    kubelet.start()
    node = LiveNode(root, ports, kubelet)
    try:
        node.wait_versions(OLD)
        yield node, api
    finally:
        kubelet.stop()
        api.stop()


def _args(verb: str, node: LiveNode, api: FakeAPIServer, etcd: Etcd, *extra: str) -> list[str]:
    return [
        "upgrade", verb, TARGET, "--root", str(node.root), "--kubeconfig", str(api.kubeconfig),
        "--etcd-endpoint", etcd.endpoint, "--timeout", "20", "--probe-timeout", "1", *extra,
    ]  # fmt: skip


@pytest.mark.e2e  # apply killed mid-run: a real process SIGKILLed
def test_real_node_plan_diff_apply_rollback(
    real_node: tuple[LiveNode, FakeAPIServer], etcd: Etcd, capsys: pytest.CaptureFixture[str]
) -> None:
    node, api = real_node
    before = contents(node.root)
    plan_args = ["upgrade", "plan", "--root", str(node.root), "--kubeconfig", str(api.kubeconfig)]
    plan_args += ["--etcd-endpoint", etcd.endpoint]  # judged as apply will run
    assert main([*plan_args, "-o", "json", "--probe-timeout", "1"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["nodeName"] == "cp1"
    assert TARGET in plan["verdict"]["allowedTargets"]
    diff = [
        "upgrade",
        "diff",
        TARGET,
        "--root",
        str(node.root),
        "--kubeconfig",
        str(api.kubeconfig),
    ]
    assert main(diff) == 0
    assert "kubernetesVersion: v1.30.14" in capsys.readouterr().out
    assert api.writes == []
    # killed after upload-config: the ConfigMap was updated, the journal says so
    crashed = _kctl_process(
        *_args("apply", node, api, etcd, "-y"), env={"KCTL_UPGRADE_CRASH_AFTER": "upload-config"}
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert f"kubernetesVersion: {TARGET}" in api.data(CM, "ClusterConfiguration")
    node.wait_versions(NEW)
    recovered = run_kctl("upgrade", "rollback", "--root", node.root, "--timeout", "30")
    assert recovered.exit_code == 0, recovered.stderr
    assert api.changed() == []  # the ConfigMap is back (the backup named the kubeconfig)
    after = {k: v for k, v in contents(node.root).items() if "/tmp/" not in k}
    assert after == before
    node.wait_versions(OLD)
    # and then to the end: control plane, ConfigMap, kubelet config, addons
    done = run_kctl(*_args("apply", node, api, etcd, "-y"))
    assert done.exit_code == 0, done.stderr
    node.wait_versions(NEW)
    assert f"kubernetesVersion: {TARGET}" in api.data(CM, "ClusterConfiguration")
    image = api.objects[COREDNS]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.endswith("/coredns:v1.11.3")
    assert "SUCCESS" in done.stderr
