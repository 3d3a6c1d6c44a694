"""Bad node files, bad catalogs and preflight refusals: exit codes, file:line, nothing written."""

from __future__ import annotations

import shutil
from collections import namedtuple
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl.cli.main import main
from kctl.cluster.catalog import Version, load_catalog
from tests.cluster.nodes import EXAMPLE, NodeSpec, make_node, snapshot_files

pytestmark = pytest.mark.unit

APISERVER = "etc/kubernetes/manifests/kube-apiserver.yaml"


def test_missing_manifest_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    (root / "etc/kubernetes/manifests/kube-scheduler.yaml").unlink()
    assert main(["upgrade", "plan", "--root", str(root), "--no-health"]) == 2
    err = capsys.readouterr().err
    assert "kube-scheduler.yaml" in err and "missing" in err
    assert "Traceback" not in err


def test_malformed_manifest_yaml_has_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    path = root / APISERVER
    lines = path.read_text().splitlines()
    lines[5] = "  labels: [unclosed"
    path.write_text("\n".join(lines) + "\n")
    before = snapshot_files(root)
    assert main(["upgrade", "apply", "v1.30.14", "--root", str(root), "-y"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err
    assert snapshot_files(root) == before


def test_manifest_without_image_tag_points_at_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    path = root / APISERVER
    path.write_text(path.read_text().replace("kube-apiserver:v1.30.4", "kube-apiserver"))
    assert main(["upgrade", "plan", "--root", str(root), "--no-health"]) == 2
    err = capsys.readouterr().err
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "image:" in text)
    assert f"{path}:{line}:" in err
    assert "has no version tag" in err


def test_bad_probe_port_points_at_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    path = root / APISERVER
    path.write_text(path.read_text().replace("port: 6443", "port: https-port"))
    assert main(["upgrade", "plan", "--root", str(root), "--no-health"]) == 2
    err = capsys.readouterr().err
    line = next(
        i for i, text in enumerate(path.read_text().splitlines(), 1) if "https-port" in text
    )
    assert f"{path}:{line}:" in err


def test_missing_cluster_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    (root / "etc/kubernetes/kubeadm-config.yaml").write_text("apiVersion: v1\nkind: Nope\n")
    assert main(["upgrade", "plan", "--root", str(root), "--no-health"]) == 2
    assert "ClusterConfiguration" in capsys.readouterr().err


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.binary(max_size=300))
def test_fuzzed_manifest_never_tracebacks(
    tmp_path_factory: pytest.TempPathFactory, junk: bytes
) -> None:
    root = tmp_path_factory.mktemp("fuzz") / "n"
    shutil.copytree(EXAMPLE, root)
    (root / APISERVER).write_bytes(junk)
    before = snapshot_files(root)
    rc = main(["upgrade", "apply", "v1.30.14", "--root", str(root), "-y", "--no-etcd-backup"])
    assert rc in (2, 3)  # input error, or (for a valid tiny pod) a failed preflight
    assert snapshot_files(root) == before


def test_non_interactive_apply_without_yes_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    before = snapshot_files(root)
    # the question comes after the preflight (kubeadm's order): let it pass, then refuse
    args = ["upgrade", "apply", "v1.30.14", "--root", str(root)]
    assert main([*args, "--force", "--no-etcd-backup", "--probe-timeout", "0.2"]) == 2
    err = capsys.readouterr().err
    assert "pass -y" in err
    assert err.index("[preflight] ok") < err.index("pass -y")
    assert snapshot_files(root) == before
    # a preflight that refuses is said first (exit 3), before any question
    assert main(args) == 3
    assert "pass -y" not in capsys.readouterr().err


def test_unknown_phase_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["upgrade", "phase", "kube-proxy", "v1.30.14", "--root", str(EXAMPLE)]) == 2
    assert "unknown phase" in capsys.readouterr().err


def test_unhealthy_control_plane_blocks_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    before = snapshot_files(root)
    rc = main(
        [
            "upgrade",
            "apply",
            "v1.30.14",
            "--root",
            str(root),
            "-y",
            "--no-etcd-backup",
            "--probe-timeout",
            "0.2",
        ]
    )
    assert rc == 3
    assert "not healthy" in capsys.readouterr().err
    assert snapshot_files(root) == before


def test_not_enough_disk_for_backups_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(100, 90, 10))
    before = snapshot_files(root)
    rc = main(
        ["upgrade", "apply", "v1.30.14", "--root", str(root), "-y", "--no-etcd-backup", "--force"]
    )
    assert rc == 3
    assert "not enough disk space" in capsys.readouterr().err
    assert snapshot_files(root) == before


def test_lock_held_by_a_live_process_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import os

    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    lock = root / "etc/kubernetes/tmp/kctl-upgrade.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"pid": os.getppid(), "target": "v1.30.9", "done": []}))
    rc = main(
        ["upgrade", "apply", "v1.30.14", "--root", str(root), "-y", "--force", "--no-etcd-backup"]
    )
    assert rc == 3
    assert "another upgrade is in progress" in capsys.readouterr().err


# catalog ------------------------------------------------------------------------------------


def test_shipped_catalog_covers_ten_minors_with_kubeadm_defaults() -> None:
    catalog = load_catalog()
    minors = [r.minor for r in catalog.releases]
    assert minors == [f"1.{m}" for m in range(27, 37)]
    # KUBEADM.md table: defaults at X.Y.0 and the patch bumps
    expect = {
        "v1.27.0": ("3.5.7-0", "v1.10.1", "3.9"),
        "v1.27.7": ("3.5.9-0", "v1.10.1", "3.9"),
        "v1.28.14": ("3.5.15-0", "v1.10.1", "3.9"),
        "v1.29.11": ("3.5.16-0", "v1.11.1", "3.9"),
        "v1.30.4": ("3.5.12-0", "v1.11.1", "3.9"),
        "v1.30.5": ("3.5.15-0", "v1.11.3", "3.9"),
        "v1.31.0": ("3.5.15-0", "v1.11.1", "3.10"),
        "v1.31.1": ("3.5.15-0", "v1.11.3", "3.10"),
        "v1.31.14": ("3.5.24-0", "v1.11.3", "3.10"),
        "v1.32.10": ("3.5.24-0", "v1.11.3", "3.10"),
        "v1.33.0": ("3.5.21-0", "v1.12.0", "3.10"),
        "v1.34.0": ("3.6.4-0", "v1.12.1", "3.10.1"),
        "v1.34.2": ("3.6.5-0", "v1.12.1", "3.10.1"),
    }
    for version, (etcd, coredns, pause) in expect.items():
        patch = catalog.require(Version.parse(version))
        assert (patch.etcd, patch.coredns, patch.pause) == (etcd, coredns, pause), version
    sources = {p.source for r in catalog.releases for p in r.patches}
    assert sources == {"kubeadm-defaults"}  # nothing extrapolated


def test_catalog_command_and_custom_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["upgrade", "catalog"]) == 0
    assert "1.35" in capsys.readouterr().out
    custom = tmp_path / "catalog.yaml"
    custom.write_text(
        "schemaVersion: 1\nreleases:\n"
        "  - minor: '1.30'\n    patches:\n"
        "      - {version: v1.30.4, etcd: 3.5.12-0, coredns: v1.11.1, pause: '3.9'}\n"
        "      - {version: v1.30.20, etcd: 3.5.30-0, coredns: v1.11.9, pause: '3.9'}\n"
    )
    assert (
        main(
            [
                "upgrade",
                "plan",
                "--root",
                str(EXAMPLE),
                "--no-health",
                "-o",
                "json",
                "--catalog",
                str(custom),
            ]
        )
        == 0
    )
    import json

    plan = json.loads(capsys.readouterr().out)
    assert [u["targetVersion"] for u in plan["availableUpgrades"]] == ["v1.30.20"]
    assert plan["catalog"] == str(custom)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("schemaVersion: 2\nreleases: []\n", 1, "schemaVersion"),
        ("schemaVersion: 1\nreleases:\n  - minor: 1.30\n    patches: []\n", 3, "minor"),
        (
            "schemaVersion: 1\nreleases:\n  - minor: '1.30'\n    patches:\n"
            "      - {version: v1.31.0, etcd: a, coredns: b, pause: c}\n",
            5,
            "not in minor 1.30",
        ),
        ("schemaVersion: 1\nreleases: [\n", 3, ""),
    ],
)
def test_bad_catalog_is_exit_2_with_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, message: str
) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text(text)
    assert main(["upgrade", "catalog", "--catalog", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:{line}:" in err
    assert message in err


def test_yaml_the_safe_loader_cannot_construct_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    (root / APISERVER).write_text("=\n")
    assert main(["upgrade", "plan", "--root", str(root), "--no-health"]) == 2
    assert f"{root / APISERVER}:1:1: unsupported YAML" in capsys.readouterr().err


# issue 17's kubeadm-node reproducers: each was an internal error or a traceback
def _node_copy(tmp_path):
    root = tmp_path / "node"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "kubeadm-node", root)
    return root


@pytest.mark.parametrize("value", ["-1", "inf", "nan", "0"])
def test_probe_timeout_must_be_finite_and_positive(tmp_path, capsys, value) -> None:
    root = _node_copy(tmp_path)
    code = main(["upgrade", "apply", "v1.30.14", "--root", str(root), "--dry-run",
                 "--probe-timeout", value])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "--probe-timeout" in err and "internal error" not in err


def test_addon_with_a_scalar_spec_is_exit_2(tmp_path, capsys) -> None:
    root = _node_copy(tmp_path)
    addon = root / "etc/kubernetes/addons/coredns.yaml"
    addon.write_text(addon.read_text().replace("\nspec:\n", "\nspec: 5\nxspec:\n", 1))
    code = main(["upgrade", "plan", "--root", str(root), "--no-health"])
    err = capsys.readouterr().err
    assert code == 2 and "coredns.yaml" in err and "internal error" not in err


@pytest.mark.parametrize("lock", ["5", '{"pid": "abc"}', '{"pid": 99999999999999999999}', "{"])
def test_a_garbage_lock_is_stale_not_a_crash(tmp_path, capsys, lock) -> None:
    root = _node_copy(tmp_path)
    (root / "etc/kubernetes/tmp").mkdir(parents=True, exist_ok=True)
    (root / "etc/kubernetes/tmp/kctl-upgrade.lock").write_text(lock)
    code = main(["upgrade", "plan", "--root", str(root), "--no-health", "-o", "json"])
    captured = capsys.readouterr()
    assert code == 0 and "internal error" not in captured.err
    assert "stale" in captured.out or "no process" in captured.out


def test_duplicate_key_in_a_manifest_is_exit_2_at_its_line(tmp_path, capsys) -> None:
    root = _node_copy(tmp_path)
    manifest = root / "etc/kubernetes/manifests/etcd.yaml"
    manifest.write_text(manifest.read_text().replace("kind: Pod\n", "kind: Pod\nkind: Pod\n", 1))
    code = main(["upgrade", "plan", "--root", str(root), "--no-health"])
    err = capsys.readouterr().err
    assert code == 2 and "etcd.yaml:" in err and "duplicate key" in err


@pytest.mark.parametrize(
    ("kubeconfig", "message"),
    [
        ("current-context: 5\n", "current-context must name"),
        ("current-context: x\ncontexts:\n- name: x\n  context: 5\n", "must be a mapping"),
        (
            "current-context: x\ncontexts:\n- name: x\n  context: {cluster: k, user: u}\n"
            "clusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:1', "
            "certificate-authority-data: bm90IGEgY2VydA==}\nusers:\n- name: u\n  user: {}\n",
            "credentials are unusable",
        ),
    ],
)
def test_bad_kubeconfig_names_the_file(tmp_path, capsys, kubeconfig, message) -> None:
    root = _node_copy(tmp_path)
    path = tmp_path / "kubeconfig"
    path.write_text("apiVersion: v1\nkind: Config\n" + kubeconfig)
    code = main(["upgrade", "plan", "--root", str(root), "--no-health", "--kubeconfig", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and f"{path}" in err and message in err
