"""Damaged node files found by the bad-input generator: each is exit 2 naming the file, never an
internal error, and nothing on the node is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files
from tests.cluster.pki import make_pki

pytestmark = pytest.mark.unit

APPLY = ["upgrade", "apply", "v1.30.14", "-y"]


def _node(tmp_path: Path) -> Path:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    make_pki(root)
    return root


def _refused(args: list[str], root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = snapshot_files(root)
    assert main([*args, "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    assert snapshot_files(root) == before
    return err


@pytest.mark.parametrize(
    "content",
    [b"-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----\n", b"\x30\x82\x01garbage", b""],
)
def test_garbled_ca_key_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    root = _node(tmp_path)
    key = root / "etc/kubernetes/pki/ca.key"
    key.write_bytes(content)
    err = _refused(APPLY, root, capsys)
    assert f"{key}:1:" in err and "private key" in err


@pytest.mark.parametrize("command", [APPLY, ["upgrade", "certs", "check-expiration"]])
def test_garbled_leaf_certificate_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    root = _node(tmp_path)
    crt = root / "etc/kubernetes/pki/apiserver.crt"
    crt.write_bytes(b"-----BEGIN CERTIFICATE-----\n\xff\xfe garbage\n-----END CERTIFICATE-----\n")
    err = _refused(command, root, capsys)
    assert f"{crt}:1:" in err and "not a PEM certificate" in err


@pytest.mark.parametrize("command", [["upgrade", "plan", "--no-health"], [*APPLY, "--dry-run"]])
def test_deeply_nested_manifest_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    root = _node(tmp_path)
    path = root / "etc/kubernetes/manifests/kube-scheduler.yaml"
    lines = path.read_text().splitlines()
    deep = "x: " + "[" * 3000 + "]" * 3000
    path.write_text("\n".join([*lines, deep]) + "\n")
    err = _refused(command, root, capsys)
    assert f"{path}:{len(lines) + 1}:" in err and "nested more than" in err


def test_lock_file_with_bytes_that_are_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _node(tmp_path)
    lock = root / "etc/kubernetes/tmp/kctl-upgrade.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_bytes(b"\xff\xfe{\x00garbage")
    assert main(["upgrade", "plan", "--root", str(root), "--no-health"]) in (0, 3)
    assert main([*APPLY, "--root", str(root)]) == 3  # a lock that names no process: stale
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert "kctl upgrade rollback" in err or "lock" in err
    assert lock.read_bytes() == b"\xff\xfe{\x00garbage"


@pytest.mark.parametrize("entry", ["5", "[1]", "{a: 1}", '"text"'])
def test_kubeconfig_entries_of_the_wrong_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    root = _node(tmp_path)
    kubeconfig = tmp_path / "kc.conf"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
        f"clusters: {entry}\nusers: {entry}\n"
    )
    err = _refused(
        ["upgrade", "plan", "--no-health", "--kubeconfig", str(kubeconfig)], root, capsys
    )
    assert f"{kubeconfig}:" in err


@pytest.mark.parametrize(
    "journal", [b'{"pid": 99999999, "backupDir": 5}', b"\xff\xfe", b'{"done": "etcd"}']
)
def test_rollback_refuses_a_lock_that_is_not_its_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], journal: bytes
) -> None:
    """A lock kctl cannot read names no backup: rollback says so at the lock (exit 2) instead
    of crashing or removing it as if nothing had changed; apply's refusal says the same."""
    root = _node(tmp_path)
    lock = root / "etc/kubernetes/tmp/kctl-upgrade.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_bytes(journal)
    err = _refused(["upgrade", "rollback"], root, capsys)
    assert f"{lock}" in err and "not a kctl upgrade journal" in err
    assert main([*APPLY, "--root", str(root)]) == 3
    err = capsys.readouterr().err
    assert "internal error" not in err and "[" not in err.split("lock")[-1][:80]


def test_stale_lock_refusal_lists_phases_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _node(tmp_path)
    lock = root / "etc/kubernetes/tmp/kctl-upgrade.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text('{"pid": 99999999, "target": "v1.30.14", "done": ["preflight", "backup"]}')
    assert main([*APPLY, "--root", str(root)]) == 3
    err = capsys.readouterr().err
    assert "phases done: preflight, backup" in err and "['" not in err
    assert "kctl upgrade rollback" in err
