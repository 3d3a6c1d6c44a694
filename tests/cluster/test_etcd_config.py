"""etcd and the ClusterConfiguration as kubeadm treats them: external etcd never touched, image
repositories of etcd.local and dns honoured, etcd flags chosen by the etcd version kept, a
v1beta4 config that is valid v1beta4 (kubeadm's apis/kubeadm/v1beta4 facts)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from kctl.cli.main import main
from kctl.cluster.kubeadm_api import v1beta4_problems
from tests.cluster.apiserver import CLUSTER_CONFIGURATION_V130, ClusterSpec, FakeAPIServer
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files

pytestmark = pytest.mark.unit

FORCED = ["-y", "--force", "--probe-timeout", "0.2"]
CM = "/api/v1/namespaces/kube-system/configmaps/"


@pytest.fixture
def external(
    tmp_path: Path, make_cluster: Callable[[ClusterSpec], FakeAPIServer]
) -> tuple[Path, FakeAPIServer]:
    root = make_node(tmp_path / "n", NodeSpec(real=True, pki=False, external_etcd=True))
    return root, make_cluster(ClusterSpec(external_etcd=True))


def test_external_etcd_is_recognised_and_never_touched(
    external: tuple[Path, FakeAPIServer], capsys: pytest.CaptureFixture[str]
) -> None:
    root, api = external
    kubeconfig = ["--kubeconfig", str(api.kubeconfig)]
    rc = main(["upgrade", "plan", "--root", str(root), "--no-health", "-o", "json", *kubeconfig])
    out = capsys.readouterr()
    assert rc == 0, out.err
    plan = json.loads(out.out)
    for upgrade in plan["availableUpgrades"]:
        assert "etcd" not in {c["name"] for c in upgrade["components"]}  # no version suggested
    before = snapshot_files(root)
    # no --no-etcd-backup: there is no local etcd to snapshot, and no etcdctl is needed
    args = ["upgrade", "apply", "v1.30.14", "--root", str(root), "--dry-run", *FORCED]
    rc = main([*args, *kubeconfig])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "etcd: external etcd (etcd.external): kctl never touches it" in out.out
    assert snapshot_files(root) == before
    rc = main(["upgrade", "phase", "etcd", "v1.30.14", "--root", str(root), *FORCED, *kubeconfig])
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 2, err
    assert "external etcd" in err
    assert "point --root at a kubeadm node" not in err


def test_external_etcd_upload_config_without_an_etcd_snapshot(
    external: tuple[Path, FakeAPIServer], capsys: pytest.CaptureFixture[str]
) -> None:
    root, api = external
    args = ["upgrade", "phase", "upload-config", "v1.30.14", "--root", str(root), *FORCED]
    rc = main([*args, "--kubeconfig", str(api.kubeconfig)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "etcd snapshot" not in err
    config = yaml.safe_load(api.data(CM + "kubeadm-config", "ClusterConfiguration"))
    assert config["etcd"]["external"]["endpoints"] == ["https://10.0.0.21:2379"]


def _with_config(root: Path, old: str, new: str) -> None:
    path = root / "etc/kubernetes/kubeadm-config.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_etcd_local_image_repository_is_honoured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    _with_config(
        root,
        "    dataDir: /var/lib/etcd\n",
        "    dataDir: /var/lib/etcd\n    imageRepository: mirror.example:5000/etcd-airgap\n",
    )
    assert main(["upgrade", "diff", "v1.30.14", "--root", str(root), "--force"]) == 0
    diff = capsys.readouterr().out
    assert "+    image: mirror.example:5000/etcd-airgap/etcd:3.5.15-0" in diff
    assert "+    image: registry.k8s.io/kube-apiserver:v1.30.14" in diff


def test_dns_image_repository_is_honoured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    _with_config(root, "dns: {}\n", "dns:\n  imageRepository: mirror.example:5000/dns\n")
    assert main(["upgrade", "diff", "v1.30.14", "--root", str(root), "--force"]) == 0
    assert "+        image: mirror.example:5000/dns/coredns:v1.11.3" in capsys.readouterr().out


def test_etcd_kept_below_3_6_keeps_its_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(
        tmp_path / "n", NodeSpec(version="v1.33.2", etcd="3.5.21-0", coredns="v1.12.0")
    )
    _with_config(
        root, "    dataDir: /var/lib/etcd\n", "    dataDir: /var/lib/etcd\n    imageTag: 3.5.21-0\n"
    )
    assert main(["upgrade", "diff", "v1.34.3", "--root", str(root), "--force"]) == 0
    diff = capsys.readouterr().out
    assert "InitialCorruptCheck" not in diff  # etcd 3.5 has no such feature gate
    assert "+    - --watch-progress-notify-interval" not in diff
    assert "etcd.yaml" not in diff  # nothing changes for etcd at all


def test_v1beta4_conversion_is_valid_v1beta4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    _with_config(
        root,
        "    authorization-mode: Node,RBAC\n",
        "    authorization-mode: Node,RBAC\n  timeoutForControlPlane: 4m0s\n",
    )
    args = ["upgrade", "phase", "upload-config", "v1.31.14", "--root", str(root), *FORCED]
    assert main([*args, "--no-etcd-backup"]) == 0, capsys.readouterr().err
    documents = list(yaml.safe_load_all((root / "etc/kubernetes/kubeadm-config.yaml").read_text()))
    init, cluster = documents
    assert v1beta4_problems(cluster) == []
    assert v1beta4_problems(init) == []
    assert "timeoutForControlPlane" not in cluster["apiServer"]
    assert init["timeouts"]["controlPlaneComponentHealthCheck"] == "4m0s"


def test_v1beta4_facts_catch_what_v1beta3_had() -> None:
    v1beta3 = yaml.safe_load(CLUSTER_CONFIGURATION_V130)
    v1beta3["apiVersion"] = "kubeadm.k8s.io/v1beta4"
    problems = " ".join(v1beta4_problems(v1beta3))
    assert "apiServer.timeoutForControlPlane" in problems
    assert "apiServer.extraArgs" in problems
