"""--kubeconfig: kubeadm-config ConfigMap and kubelet versions read through a (fake) API server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.cluster.apiserver import ClusterSpec, FakeAPIServer
from tests.cluster.nodes import NodeSpec, make_node

pytestmark = pytest.mark.unit


@pytest.fixture
def api_server(make_cluster: Callable[[ClusterSpec], FakeAPIServer]) -> Path:
    """cp1 at v1.30.4 and a worker w1 whose kubelet lags at v1.27.9."""
    return make_cluster(ClusterSpec(kubelets={"w1": "v1.27.9"})).kubeconfig


def test_plan_reads_configmap_and_every_kubelet(
    tmp_path: Path, api_server: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    (root / "etc/kubernetes/kubeadm-config.yaml").unlink()
    rc = main(
        [
            "upgrade",
            "plan",
            "--root",
            str(root),
            "--no-health",
            "-o",
            "json",
            "--kubeconfig",
            str(api_server),
        ]
    )
    out = capsys.readouterr()
    assert rc == 0, out.err
    plan = json.loads(out.out)
    [same, nxt] = plan["availableUpgrades"]
    kubelets = {
        c["nodeName"]: c["currentVersion"] for c in same["components"] if c["name"] == "kubelet"
    }
    assert kubelets == {"cp1": "v1.30.4", "w1": "v1.27.9"}
    assert same["skew"]["allowed"] is True  # 1.30.14 is 3 minors above w1's 1.27
    assert nxt["skew"]["allowed"] is False
    assert any("w1" in r and "at most 3" in r for r in nxt["skew"]["reasons"])
    # the ClusterConfiguration came from the ConfigMap (no local kubeadm-config.yaml)
    assert plan["clusterVersion"] == "v1.30.4"
    # the suggested command is pasteable: it reads the same cluster
    assert same["command"].endswith(f"--root {root} --kubeconfig {api_server}")


def test_bad_kubeconfig_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nkind: Config\nclusters: []\n")
    assert (
        main(["upgrade", "plan", "--root", str(root), "--no-health", "--kubeconfig", str(bad)]) == 2
    )
    assert "current-context" in capsys.readouterr().err
