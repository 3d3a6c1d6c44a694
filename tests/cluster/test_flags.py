"""kubeadm's upgrade flags, so existing runbooks keep working: --etcd-upgrade=false,
--skip-phases, --ignore-preflight-errors, --print-config, --config (UpgradeConfiguration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files

pytestmark = pytest.mark.unit

QUIET = ["--no-etcd-backup", "--probe-timeout", "0.2"]


@pytest.fixture
def node(tmp_path: Path) -> Path:
    return make_node(tmp_path / "n", NodeSpec(pki=False))


def _dry_run(node: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    args = ["upgrade", "apply", "v1.30.14", "--root", str(node), "--dry-run", "--force"]
    rc = main([*args, *QUIET, *extra])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return out.out


def test_etcd_upgrade_false_leaves_etcd_alone(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _dry_run(node, capsys, "--etcd-upgrade=false")
    assert "etcd.yaml" not in out
    assert "etcd: skipped (--etcd-upgrade=false)" in out
    assert "kube-apiserver.yaml" in out


def test_skip_phases_takes_kubeadm_and_kctl_names(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _dry_run(node, capsys, "--skip-phases", "addon/coredns,upload-config")
    assert "upload-config: skipped (--skip-phases)" in out
    assert "coredns.yaml" not in out
    assert "kube-proxy.yaml" in out  # only CoreDNS was skipped


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("kube-proxy-thing", "unknown phase"),
        ("preflight", "cannot be skipped"),
        ("backup", "cannot be skipped"),
    ],
)
def test_skip_phases_refuses_unknown_and_safety_phases(
    node: Path, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["upgrade", "apply", "v1.30.14", "--root", str(node), "-y", "--skip-phases", value]
    assert main([*args, *QUIET]) == 2
    assert message in capsys.readouterr().err


def test_ignore_preflight_errors_by_check(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot_files(node)
    args = ["upgrade", "phase", "upload-config", "v1.30.14", "--root", str(node), "-y", *QUIET]
    assert main(args) == 3  # nothing answers the probes
    capsys.readouterr()
    assert main([*args, "--ignore-preflight-errors=health"]) == 0, capsys.readouterr().err
    assert snapshot_files(node) != before
    two_minors = ["upgrade", "apply", "v1.32.10", "--root", str(node), "-y", *QUIET]
    assert main([*two_minors, "--ignore-preflight-errors=all"]) == 3
    assert "one minor at a time" in capsys.readouterr().err


def test_ignore_preflight_errors_refuses_unknown_checks(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["upgrade", "apply", "v1.30.14", "--root", str(node), "-y", *QUIET]
    assert main([*args, "--ignore-preflight-errors=helth"]) == 2
    assert "health" in capsys.readouterr().err  # names the checks there are


def test_print_config(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _dry_run(node, capsys, "--print-config")
    assert "kind: ClusterConfiguration" in out
    assert "kubernetesVersion: v1.30.4" in out


def test_upgrade_configuration_file(
    node: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "upgrade.yaml"
    config.write_text(
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\napply:\n"
        "  etcdUpgrade: false\n  skipPhases: [addon/kube-proxy]\n  certificateRenewal: false\n"
        "  ignorePreflightErrors: [health]\n"
    )
    args = ["upgrade", "apply", "v1.30.14", "--root", str(node), "--dry-run", *QUIET]
    rc = main([*args, "--config", str(config)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "etcd: skipped (--etcd-upgrade=false)" in out.out
    assert "kube-proxy.yaml" not in out.out
    assert "coredns.yaml" in out.out


def test_upgrade_configuration_unknown_field_is_exit_2_at_its_line(
    node: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "upgrade.yaml"
    config.write_text(
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\napply:\n"
        "  etcdUpgrades: false\n"
    )
    args = ["upgrade", "apply", "v1.30.14", "--root", str(node), "--dry-run", *QUIET]
    assert main([*args, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{config}:4" in err
    assert "etcdUpgrades" in err


def test_plan_reads_a_cluster_configuration_given_with_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    root = make_node(tmp_path / "n", NodeSpec(real=True, pki=False))
    config = tmp_path / "kubeadm.yaml"
    config.write_text(
        "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n"
        "kubernetesVersion: v1.30.4\netcd:\n  local:\n    dataDir: /var/lib/etcd\n"
    )
    args = ["upgrade", "plan", "--root", str(root), "--no-health", "-o", "json"]
    assert main([*args, "--config", str(config)]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["clusterVersion"] == "v1.30.4"
    assert config.read_text().startswith("apiVersion: kubeadm.k8s.io/v1beta3")
