"""Every node role as kubeadm knows it: the first control plane (`apply`), secondary control
planes and workers (`node`), each recognised and named; the policy from the whole cluster."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.cluster.apiserver import CLUSTER_CONFIGURATION_V130, ClusterSpec, FakeAPIServer
from tests.cluster.nodes import NodeSpec, make_node, make_worker, set_node_name, snapshot_files

pytestmark = pytest.mark.unit

FORCED = ["-y", "--force", "--no-etcd-backup", "--probe-timeout", "0.2"]
KUBELET = "var/lib/kubelet/config.yaml"
MakeCluster = Callable[[ClusterSpec], FakeAPIServer]


def _upgraded(version: str) -> str:
    """The kubeadm-config of a cluster whose first control plane ran upload-config."""
    return CLUSTER_CONFIGURATION_V130.replace("v1.30.4", version)


@pytest.mark.parametrize(
    "command",
    [["plan", "--no-health"], ["apply", "v1.30.14", *FORCED], ["diff", "v1.30.14"]],
)
def test_a_worker_is_named_and_pointed_at_upgrade_node(
    tmp_path: Path,
    make_cluster: MakeCluster,
    command: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_worker(tmp_path / "w1", "w1")
    api = make_cluster(ClusterSpec())
    before = snapshot_files(root)
    rc = main(["upgrade", *command, "--root", str(root), "--kubeconfig", str(api.kubeconfig)])
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 2, err
    assert "w1 is a worker node" in err
    assert "kctl upgrade node" in err
    assert "point --root at a kubeadm node" not in err
    assert snapshot_files(root) == before
    assert api.writes == []


def test_worker_upgrade_node_writes_the_cluster_kubelet_config_and_rolls_back(
    tmp_path: Path, make_cluster: MakeCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_worker(tmp_path / "w1", "w1")
    api = make_cluster(ClusterSpec(cluster_configuration=_upgraded("v1.30.14")))
    before = (root / KUBELET).read_bytes()
    kubeconfig = ["--kubeconfig", str(api.kubeconfig)]
    rc = main(["upgrade", "node", "--root", str(root), "--dry-run", *FORCED, *kubeconfig])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "kubelet-config" in out.out
    assert (root / KUBELET).read_bytes() == before
    rc = main(["upgrade", "node", "--root", str(root), *FORCED, *kubeconfig])
    err = capsys.readouterr().err
    assert rc == 0, err
    shared = api.data("/api/v1/namespaces/kube-system/configmaps/kubelet-config", "kubelet")
    assert (root / KUBELET).read_text() == shared  # downloaded, as kubeadm does
    assert "w1" in err
    assert api.writes == []  # a worker writes nothing to the cluster
    [backup] = list((root / "etc/kubernetes/tmp").glob("kubeadm-backup-manifests-*"))
    rc = main(["upgrade", "rollback", "--root", str(root), "--backup-dir", str(backup)])
    assert rc == 0, capsys.readouterr().err
    assert (root / KUBELET).read_bytes() == before


def test_secondary_control_plane_follows_the_cluster(
    tmp_path: Path, make_cluster: MakeCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    # cp1 already ran `apply v1.30.14`: the ConfigMap and cp1's mirror pods are at the target
    root = make_node(tmp_path / "cp2", NodeSpec(real=True, pki=False))
    set_node_name(root, "cp2")
    api = make_cluster(
        ClusterSpec(
            control_planes=("cp1", "cp2"),
            apiservers={"cp1": "v1.30.14"},
            cluster_configuration=_upgraded("v1.30.14"),
        )
    )
    kubeconfig = ["--kubeconfig", str(api.kubeconfig)]
    rc = main(["upgrade", "node", "--root", str(root), "--dry-run", *FORCED, *kubeconfig])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "+    image: registry.k8s.io/kube-apiserver:v1.30.14" in out.out
    assert "finish that first" not in out.err
    # addons: this is the last control plane, so `node` upgrades them (kubeadm's addon phase)
    assert "coredns:v1.11.3" in out.out
    # a target other than the cluster's is refused, naming the command for the first node
    rc = main(["upgrade", "node", "v1.31.14", "--root", str(root), *FORCED, *kubeconfig])
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 3, err
    assert "kctl upgrade apply v1.31.14" in err


def test_policy_and_cluster_version_come_from_the_newest_control_plane(
    tmp_path: Path, make_cluster: MakeCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "cp1", NodeSpec(real=True, pki=False))
    api = make_cluster(
        ClusterSpec(
            control_planes=("cp1", "cp2", "cp3"),
            apiservers={"cp2": "v1.31.2"},
            cluster_configuration=_upgraded("v1.31.2"),
        )
    )
    args = ["upgrade", "plan", "--root", str(root), "--no-health", "-o", "json"]
    rc = main([*args, "--kubeconfig", str(api.kubeconfig)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    plan = json.loads(out.out)
    assert plan["clusterVersion"] == "v1.31.2"
    [upgrade, *_] = plan["availableUpgrades"]
    apiservers = {
        c["nodeName"]: c["currentVersion"]
        for c in upgrade["components"]
        if c["name"] == "kube-apiserver"
    }
    assert apiservers == {"cp1": "v1.30.4", "cp2": "v1.31.2", "cp3": "v1.30.4"}


def test_dry_run_and_run_go_through_the_same_phases(
    tmp_path: Path, make_cluster: MakeCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_worker(tmp_path / "w1", "w1")
    api = make_cluster(ClusterSpec())
    args = ["upgrade", "node", "--root", str(root), *FORCED, "--kubeconfig", str(api.kubeconfig)]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    described = [
        line.split(". ", 1)[1].split(":")[0]
        for line in out.splitlines()
        if line[:4].strip()[:1].isdigit()
    ]
    assert main([*args, "-o", "json"]) == 0
    ran = [p["name"] for p in json.loads(capsys.readouterr().out)["phases"]]
    assert described == ran
    assert ran == ["preflight", "backup", "etcd", "kube-apiserver", "kube-controller-manager",
                   "kube-scheduler", "kubelet-config", "addons"]  # fmt: skip
