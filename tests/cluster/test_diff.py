"""kctl upgrade diff / apply --dry-run: exact diffs, ordered phases, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files

pytestmark = pytest.mark.unit

# nothing runs the components of these fixture nodes: judge them as `apply --force` would
DRY_RUN = ["upgrade", "apply", "v1.31.14", "--dry-run", "--force", "--no-etcd-backup"]


def test_dry_run_writes_nothing_and_lists_phases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec())
    before = snapshot_files(root)
    rc = main([*DRY_RUN, "--root", str(root)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert snapshot_files(root) == before  # bytes and mtimes
    assert not (root / "etc/kubernetes/tmp").exists()
    out = captured.out
    assert "+    image: registry.k8s.io/kube-apiserver:v1.31.14" in out
    assert "-    image: registry.k8s.io/etcd:3.5.12-0" in out
    phases = [
        line.split(".", 1)[1].split(":")[0].strip()
        for line in out.splitlines()
        if line.startswith("  ") and ". " in line[:6]
    ]
    assert phases == [
        "preflight",
        "backup",
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "upload-config",
        "kubelet-config",
        "addons",
    ]
    assert "Finished dry-running" in captured.err


def test_diff_equals_dry_run_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(tmp_path / "n", NodeSpec())
    before = snapshot_files(root)
    assert main(["upgrade", "diff", "v1.31.14", "--root", str(root), "--force"]) == 0
    diff = capsys.readouterr().out
    assert main([*DRY_RUN, "--root", str(root)]) == 0
    assert capsys.readouterr().out.startswith(diff.rstrip("\n"))
    assert snapshot_files(root) == before
    # only the lines that must change do: no reformatting noise
    changed = [x for x in diff.splitlines() if x[:1] in "+-" and x[:3] not in ("+++", "---")]
    # 6 images (4 static pods, 2 addons), 2 apiVersions, kubernetesVersion: one -/+ pair each;
    # extraArgs map -> list: 1 line out, 2 in
    assert len(changed) == 2 * 9 + 3
    assert "+apiVersion: kubeadm.k8s.io/v1beta4" in diff
    assert "+  - name: authorization-mode" in diff


def test_same_minor_patch_keeps_config_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec())
    assert main(["upgrade", "diff", "v1.30.14", "--root", str(root), "--force"]) == 0
    diff = capsys.readouterr().out
    assert "v1beta4" not in diff
    assert "+        image: registry.k8s.io/coredns/coredns:v1.11.3" in diff
    assert "+kubernetesVersion: v1.30.14" in diff


def test_transition_removes_flag_crossing_1_27(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(
        tmp_path / "n",
        NodeSpec(
            version="v1.26.15",
            etcd="3.5.10-0",
            coredns="v1.9.3",
            extra_flags={"kube-controller-manager": ["--pod-eviction-timeout=5m0s"]},
        ),
    )
    assert main(["upgrade", "diff", "v1.27.16", "--root", str(root), "--force"]) == 0
    diff = capsys.readouterr().out
    assert "-    - --pod-eviction-timeout=5m0s" in diff


def test_etcd_3_6_flag_transition_crossing_1_34(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(
        tmp_path / "n", NodeSpec(version="v1.33.2", etcd="3.5.21-0", coredns="v1.12.0")
    )
    assert main(["upgrade", "diff", "v1.34.3", "--root", str(root), "--force"]) == 0
    diff = capsys.readouterr().out
    assert "-    - --experimental-watch-progress-notify-interval=5s" in diff
    assert "+    - --watch-progress-notify-interval=5s" in diff
    assert "-    - --experimental-initial-corrupt-check=true" in diff
    assert "+    - --feature-gates=InitialCorruptCheck=true" in diff
    assert "+    image: registry.k8s.io/etcd:3.6.5-0" in diff


def test_image_repository_is_respected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(tmp_path / "n", NodeSpec(repository="127.0.0.1:5000/mirror"))
    assert main(["upgrade", "diff", "v1.30.14", "--root", str(root), "--force"]) == 0
    diff = capsys.readouterr().out
    assert "+    image: 127.0.0.1:5000/mirror/kube-apiserver:v1.30.14" in diff
    assert "+        image: 127.0.0.1:5000/mirror/coredns:v1.11.3" in diff
    assert "registry.k8s.io" not in diff


def test_etcd_is_never_downgraded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(tmp_path / "n", NodeSpec(etcd="3.5.16-0"))
    assert main(["upgrade", "diff", "v1.30.14", "--root", str(root), "--force"]) == 0
    assert "etcd.yaml" not in capsys.readouterr().out


def test_diff_at_target_is_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(
        tmp_path / "n", NodeSpec(version="v1.30.14", etcd="3.5.15-0", coredns="v1.11.3")
    )
    assert main(["upgrade", "diff", "v1.30.14", "--root", str(root), "--force"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == ""
    assert "nothing would change" in captured.err


def test_unknown_target_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(tmp_path / "n", NodeSpec())
    assert main(["upgrade", "diff", "v1.30.99", "--root", str(root), "--force"]) == 2
    assert "not in the release catalog" in capsys.readouterr().err
    assert main(["upgrade", "diff", "1.30", "--root", str(root)]) == 2


def test_dry_run_reports_preflight_and_refuses_skew(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    before = snapshot_files(root)
    args = [
        "upgrade",
        "apply",
        "v1.32.10",
        "--root",
        str(root),
        "--dry-run",
        "--probe-timeout",
        "0.2",
    ]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "one minor at a time" in err
    assert "apply would stop here: kube-apiserver is not healthy" in err
    assert snapshot_files(root) == before
