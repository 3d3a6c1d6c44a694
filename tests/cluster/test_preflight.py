"""One preflight for plan and apply: what apply would refuse, plan reports first, each with
the exact next step; kubelets in kubeadm's separate "must be upgraded manually" table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files

pytestmark = pytest.mark.unit


@pytest.fixture
def no_etcd_key(tmp_path: Path) -> Path:
    """A node with its pki/ but without the etcd client key kctl's snapshot needs."""
    root = make_node(tmp_path / "n", NodeSpec())
    assert not (root / "etc/kubernetes/pki/apiserver-etcd-client.key").exists()
    return root


def test_plan_reports_the_missing_etcd_client_key_apply_would_stop_at(
    no_etcd_key: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["upgrade", "plan", "v1.30.14", "--root", str(no_etcd_key), "--no-health"]
    assert main([*args, "--kubelet-version", "v1.30.4", "-o", "json"]) == 0
    [upgrade] = json.loads(capsys.readouterr().out)["availableUpgrades"]
    [finding] = [f for f in upgrade["verdict"]["blockedBy"] if f["check"] == "etcd"]
    assert "apiserver-etcd-client.key" in finding["message"]
    assert "--no-etcd-backup" in finding["hint"]
    assert upgrade["verdict"]["allowedWithForce"] is False  # plan never says "--force" here
    assert main([*args, "--kubelet-version", "v1.30.4"]) == 0
    text = capsys.readouterr().out
    assert "next: restore it, or pass --no-etcd-backup" in text
    assert "with --force" not in text


def test_apply_names_the_key_and_the_flag_not_force(
    no_etcd_key: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot_files(no_etcd_key)
    args = ["upgrade", "apply", "v1.30.14", "--root", str(no_etcd_key), "-y", "--force"]
    assert main([*args, "--probe-timeout", "0.2"]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "apiserver-etcd-client.key" in err
    assert "--no-etcd-backup" in err
    assert "--force cannot override this" not in err
    assert snapshot_files(no_etcd_key) == before


def test_kubelets_are_in_their_own_table(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cluster.nodes import EXAMPLE

    args = ["upgrade", "plan", "--root", str(EXAMPLE), "--no-health"]
    assert main([*args, "--kubelet-version", "v1.30.4"]) == 0
    text = capsys.readouterr().out
    manual = text.index("Components that must be upgraded manually")
    table = text.index("Upgrade to the latest version in the v1.30 series")
    assert manual < table
    assert "kubelet" in text[manual:table]
    block = text[table : text.index("_" * 20, table)]
    assert "kubelet " not in block  # the control-plane table holds what apply upgrades
