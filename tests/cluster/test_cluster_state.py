"""A real kubeadm node keeps no ClusterConfiguration on disk: kctl reads and writes what kubeadm
does through the cluster API (kubeadm-config, kubelet-config, CoreDNS, kube-proxy), backs every
object up first and restores it with the rest (tests/cluster/apiserver.py answers the API)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kctl.cli.main import main
from tests.cluster.apiserver import FakeAPIServer
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files

pytestmark = pytest.mark.unit

CM = "/api/v1/namespaces/kube-system/configmaps/"
COREDNS = "/apis/apps/v1/namespaces/kube-system/deployments/coredns"
KUBE_PROXY = "/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy"
# nothing answers the probes: --force overrides exactly that; no etcd to snapshot
FORCED = ["-y", "--force", "--no-etcd-backup", "--probe-timeout", "0.2"]


@pytest.fixture
def node(tmp_path: Path) -> Path:
    return make_node(tmp_path / "n", NodeSpec(real=True, pki=False))


def _plan(node: Path, cluster: FakeAPIServer, capsys: pytest.CaptureFixture[str]) -> dict:
    args = ["upgrade", "plan", "--root", str(node), "--no-health", "-o", "json"]
    rc = main([*args, "--kubeconfig", str(cluster.kubeconfig)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return dict(json.loads(out.out))


def test_plan_reads_addons_and_node_name_from_the_cluster(
    node: Path, cluster: FakeAPIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan(node, cluster, capsys)
    assert plan["nodeName"] == "cp1"  # kubelet.conf's client certificate, not the host name
    [same, _] = plan["availableUpgrades"]
    rows = {(c["name"], c["nodeName"]): c for c in same["components"]}
    assert rows[("CoreDNS", "")]["currentVersion"] == "v1.11.1"
    assert rows[("CoreDNS", "")]["newVersion"] == "v1.11.3"
    assert rows[("kube-proxy", "")]["currentVersion"] == "v1.30.4"
    assert rows[("kube-apiserver", "cp1")]["currentVersion"] == "v1.30.4"
    assert {n for (name, n) in rows if name == "kubelet"} == {"cp1", "w1"}
    assert cluster.writes == []


def test_without_config_or_cluster_access_says_where_the_config_is(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["upgrade", "plan", "--root", str(node), "--no-health"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "kube-system/kubeadm-config" in err
    assert "--kubeconfig" in err
    assert "free disk space" not in err


def test_upload_config_updates_the_configmap_and_rollback_restores_it(
    node: Path, cluster: FakeAPIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot_files(node)
    kubeconfig = ["--kubeconfig", str(cluster.kubeconfig)]
    args = ["upgrade", "phase", "upload-config", "v1.30.14", "--root", str(node)]
    rc = main([*args, *FORCED, *kubeconfig])
    err = capsys.readouterr().err
    assert rc == 0, err
    config = cluster.data(CM + "kubeadm-config", "ClusterConfiguration")
    assert "kubernetesVersion: v1.30.14" in config
    old = cluster.initial[CM + "kubeadm-config"]["data"]["ClusterConfiguration"]
    assert config == old.replace("v1.30.4", "v1.30.14")  # nothing else touched
    [backup] = list((node / "etc/kubernetes/tmp").glob("kubeadm-backup-manifests-*"))
    saved = list(backup.rglob("kubeadm-config*"))
    assert saved, sorted(str(p) for p in backup.rglob("*"))
    # the node's files are unchanged (the config is not a file on a real node)
    after = {k: v for k, v in snapshot_files(node).items() if "/tmp/" not in k}
    assert after == before
    rc = main(
        ["upgrade", "rollback", "--root", str(node), "--backup-dir", str(backup), *kubeconfig]
    )
    err = capsys.readouterr().err
    assert rc == 0, err
    assert cluster.data(CM + "kubeadm-config", "ClusterConfiguration") == old


def test_addons_phase_upgrades_coredns_and_kube_proxy_in_the_cluster(
    node: Path, cluster: FakeAPIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["upgrade", "phase", "addons", "v1.30.14", "--root", str(node), *FORCED]
    rc = main([*args, "--kubeconfig", str(cluster.kubeconfig)])
    err = capsys.readouterr().err
    assert rc == 0, err
    image = cluster.objects[COREDNS]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.k8s.io/coredns/coredns:v1.11.3"
    image = cluster.objects[KUBE_PROXY]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.k8s.io/kube-proxy:v1.30.14"
    assert sorted(path for _, path, _ in cluster.writes) == [KUBE_PROXY, COREDNS]
    # v1.11.1 -> v1.11.3: corefile-migration lists no plugin or option to migrate
    assert cluster.objects[CM + "coredns"] == cluster.initial[CM + "coredns"]
    assert "Corefile" in err


def test_a_failed_cluster_write_restores_what_was_written(
    node: Path, cluster: FakeAPIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster.fail_puts[KUBE_PROXY] = 500
    args = ["upgrade", "phase", "addons", "v1.30.14", "--root", str(node), *FORCED]
    rc = main([*args, "--kubeconfig", str(cluster.kubeconfig)])
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 1, err
    assert "injected failure" in err or "500" in err
    image = cluster.objects[COREDNS]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.k8s.io/coredns/coredns:v1.11.1"
    assert cluster.changed() == []


def test_dry_run_shows_cluster_objects_and_writes_nothing(
    node: Path, cluster: FakeAPIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["upgrade", "apply", "v1.31.14", "--root", str(node), "--dry-run", *FORCED]
    rc = main([*args, "--kubeconfig", str(cluster.kubeconfig)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "+    kubernetesVersion: v1.31.14" in out.out or "+kubernetesVersion" in out.out
    assert "kube-system/configmaps/kubeadm-config" in out.out
    assert "coredns:v1.11.3" in out.out
    assert cluster.writes == []


def test_upload_config_to_v1_31_writes_valid_v1beta4(
    node: Path, cluster: FakeAPIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["upgrade", "phase", "upload-config", "v1.31.14", "--root", str(node), *FORCED]
    rc = main([*args, "--kubeconfig", str(cluster.kubeconfig)])
    err = capsys.readouterr().err
    assert rc == 0, err
    doc = yaml.safe_load(cluster.data(CM + "kubeadm-config", "ClusterConfiguration"))
    assert doc["apiVersion"] == "kubeadm.k8s.io/v1beta4"
    assert "timeoutForControlPlane" not in doc["apiServer"]  # moved out of v1beta4
    assert doc["apiServer"]["extraArgs"] == [{"name": "authorization-mode", "value": "Node,RBAC"}]
