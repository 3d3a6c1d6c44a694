"""Runbook output: pasteable suggestions, plan VERSION, the verdict, apply -o json, digests."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from kctl.cli.main import main
from kctl.cluster.catalog import default_catalog_path
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files

pytestmark = pytest.mark.unit

ETCD = "etc/kubernetes/manifests/etcd.yaml"
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture
def node(tmp_path: Path) -> Path:
    return make_node(tmp_path / "n", NodeSpec(pki=False))


def _plan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    rc = main(["upgrade", "plan", *args, "-o", "json"])
    out = capsys.readouterr().out
    return rc, json.loads(out)


def test_suggested_command_carries_root_catalog_and_kubelet(
    node: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "my catalog.yaml"  # a space: the suggestion must be shell-quoted
    catalog.write_bytes(default_catalog_path().read_bytes())
    args = ["--root", str(node), "--catalog", str(catalog), "--kubelet-version", "v1.30.4"]
    rc, plan = _plan(capsys, *args, "--no-health")
    assert rc == 0
    upgrade = plan["availableUpgrades"][0]  # type: ignore[index]
    command = upgrade["command"]
    assert shlex.split(command) == ["kctl", "upgrade", "apply", "v1.30.14", *args]
    # pasted (as a dry run), it runs against the same node and catalog
    argv = shlex.split(command)[1:]
    assert main([*argv, "--dry-run", "--force", "--no-etcd-backup"]) == 0


def test_plan_accepts_a_version(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, plan = _plan(capsys, "v1.31.14", "--root", str(node), "--no-health")
    assert rc == 0
    assert [u["targetVersion"] for u in plan["availableUpgrades"]] == ["v1.31.14"]  # type: ignore[attr-defined]
    rc, plan = _plan(capsys, "v1.32.10", "--root", str(node), "--no-health")
    assert rc == 0
    [upgrade] = plan["availableUpgrades"]  # type: ignore[misc]
    assert upgrade["verdict"]["applyAllowed"] is False
    assert upgrade["verdict"]["allowedWithForce"] is False
    assert plan["verdict"] == {  # type: ignore[comparison-overlap]
        "upgradeAllowed": False,
        "allowedTargets": [],
        "healthChecked": False,
    }
    args = ["upgrade", "plan", "v1.32.10", "--root", str(node), "--no-health"]
    assert main([*args, "--fail-if-blocked"]) == 3
    assert main(["upgrade", "plan", "v1.30.99", "--root", str(node)]) == 2


def test_plan_never_says_apply_when_unhealthy(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["upgrade", "plan", "--root", str(node), "--probe-timeout", "0.2", "--no-etcd-backup"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "You can now apply" not in out
    assert "kube-apiserver is not healthy" in out
    assert main([*args, "--fail-if-blocked"]) == 3
    capsys.readouterr()
    _, plan = _plan(capsys, *args[2:])
    verdict = plan["verdict"]
    assert verdict["upgradeAllowed"] is False  # type: ignore[index]
    checks = {f["check"] for f in plan["availableUpgrades"][0]["verdict"]["blockedBy"]}  # type: ignore[index]
    assert checks == {"health"}


def test_plan_never_says_apply_when_a_lock_is_present(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = node / "etc/kubernetes/tmp/kctl-upgrade.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"pid": 2**22 + 7, "target": "v1.30.14", "done": ["backup"]}))
    assert main(["upgrade", "plan", "--root", str(node), "--no-health"]) == 0
    out = capsys.readouterr().out
    assert "You can now apply" not in out
    assert f"kctl upgrade rollback --root {node}" in out


def test_apply_json_result(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--root", str(node), "-y", "--force", "--no-etcd-backup", "--probe-timeout", "0.2"]
    rc = main(["upgrade", "phase", "upload-config", "v1.30.14", *args, "-o", "json"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    result = json.loads(captured.out)
    assert result["kind"] == "UpgradeResult" and result["result"] == "succeeded"
    assert [p["name"] for p in result["phases"]] == ["preflight", "backup", "upload-config"]
    assert all(p["seconds"] >= 0 for p in result["phases"])
    assert Path(result["backupDir"], "etc/kubernetes/kubeadm-config.yaml").is_file()
    assert result["renewedCertificates"] == []
    # refused runs print a result too, and exit 3
    assert main(["upgrade", "apply", "v1.32.10", *args, "-o", "json"]) == 3
    refused = json.loads(capsys.readouterr().out)
    assert refused["result"] == "refused" and "skew" in refused["error"]


@pytest.mark.parametrize(
    ("image", "current"),
    [
        (f"registry.k8s.io/etcd:3.5.12-0@{DIGEST}", "3.5.12-0"),
        (f"registry.k8s.io/etcd@{DIGEST}", "@" + DIGEST[:19]),
    ],
)
def test_digest_pinned_images_parse(
    node: Path, image: str, current: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = node / ETCD
    path.write_text(path.read_text().replace("registry.k8s.io/etcd:3.5.12-0", image))
    rc, plan = _plan(capsys, "--root", str(node), "--no-health")
    assert rc == 0
    rows = {c["name"]: c for c in plan["availableUpgrades"][0]["components"]}  # type: ignore[index]
    assert rows["etcd"]["currentVersion"] == current
    assert rows["etcd"]["newVersion"] == "3.5.15-0"
    assert main(["upgrade", "diff", "v1.30.14", "--root", str(node), "--force"]) == 0
    assert "+    image: registry.k8s.io/etcd:3.5.15-0\n" in capsys.readouterr().out


def test_custom_etcd_image_tag_is_kept(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = node / "etc/kubernetes/kubeadm-config.yaml"
    config.write_text(
        config.read_text().replace("    dataDir:", "    imageTag: 3.5.12-0\n    dataDir:")
    )
    before = snapshot_files(node)
    rc, plan = _plan(capsys, "--root", str(node), "--no-health")
    assert rc == 0
    for upgrade in plan["availableUpgrades"]:  # type: ignore[attr-defined]
        rows = {c["name"]: c for c in upgrade["components"]}
        assert rows["etcd"]["newVersion"] == "3.5.12-0"
    assert main(["upgrade", "diff", "v1.31.14", "--root", str(node), "--force"]) == 0
    assert ETCD not in capsys.readouterr().out
    assert snapshot_files(node) == before


def test_every_suggested_command_is_accepted_by_its_command(tmp_path: Path) -> None:
    """rollback takes neither --catalog nor --kubeconfig: its suggestion must not carry them."""
    from kctl.cluster.runbook import Invocation

    given = Invocation(tmp_path / "a node", tmp_path / "c.yaml", tmp_path / "kc", "v1.30.4")
    assert shlex.split(given.rollback()) == [
        "kctl",
        "upgrade",
        "rollback",
        "--root",
        str(tmp_path / "a node"),
    ]
    assert Invocation(Path("/")).command("plan") == "kctl upgrade plan"
