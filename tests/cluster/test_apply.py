"""kctl upgrade apply against real components: Podman as the kubelet, a real etcd server."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.cluster.node import CONTROL_PLANE
from tests.cluster.harness import FakeKubelet
from tests.cluster.nodes import NodeSpec, contents, make_node
from tests.support.run import run_kctl
from tests.support.services import Etcd, Podman, free_port, wait_until

pytestmark = pytest.mark.integration

TARGET = "v1.30.14"


def _version(port: int) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=1) as r:
            data = json.load(r)
    except Exception:
        return None
    return data.get("gitVersion") or data.get("etcdserver")


class LiveNode:
    def __init__(self, root: Path, ports: dict[str, int], kubelet: FakeKubelet) -> None:
        self.root = root
        self.ports = ports
        self.kubelet = kubelet

    def versions(self) -> dict[str, str | None]:
        return {name: _version(port) for name, port in self.ports.items()}

    def wait_versions(self, expected: dict[str, str], timeout: float = 60) -> None:
        wait_until(lambda: self.versions() == expected, timeout, f"components at {expected}")


def _live_node(tmp_path: Path, podman: Podman, images: str, repo: str) -> Iterator[LiveNode]:
    ports = {name: free_port() for name in CONTROL_PLANE}
    root = make_node(
        tmp_path / "node",
        NodeSpec(repository=f"{images}/{repo}", ports=ports, http_probes=True),
    )
    kubelet = FakeKubelet(podman, root / "etc/kubernetes/manifests", tmp_path / "kubelet")
    kubelet.start()
    node = LiveNode(root, ports, kubelet)
    try:
        node.wait_versions(OLD)
        yield node
    finally:
        kubelet.stop()


OLD = {
    "etcd": "3.5.12",
    "kube-apiserver": "v1.30.4",
    "kube-controller-manager": "v1.30.4",
    "kube-scheduler": "v1.30.4",
}
NEW = {
    "etcd": "3.5.15",
    "kube-apiserver": TARGET,
    "kube-controller-manager": TARGET,
    "kube-scheduler": TARGET,
}


@pytest.fixture
def good_node(tmp_path: Path, podman: Podman, component_images: str) -> Iterator[LiveNode]:
    yield from _live_node(tmp_path, podman, component_images, "good")


@pytest.fixture
def broken_node(tmp_path: Path, podman: Podman, component_images: str) -> Iterator[LiveNode]:
    yield from _live_node(tmp_path, podman, component_images, "broken")


def _apply_args(node: LiveNode, etcd: Etcd, *extra: str) -> list[str]:
    return [
        "upgrade",
        "apply",
        TARGET,
        "--root",
        str(node.root),
        "--etcd-endpoint",
        etcd.endpoint,
        "--timeout",
        "20",
        "--probe-timeout",
        "1",
        *extra,
    ]


def test_apply_upgrades_every_component_with_backups(good_node: LiveNode, etcd: Etcd) -> None:
    before = contents(good_node.root)
    applied = run_kctl(*_apply_args(good_node, etcd, "-y"))
    err = applied.stderr
    assert applied.exit_code == 0, err
    assert good_node.versions() == NEW
    # the components restarted in kubeadm's order, each with its new image
    replays = [c for c, image in good_node.kubelet.plays[4:]]
    assert replays == ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
    tmp = good_node.root / "etc/kubernetes/tmp"
    assert not (tmp / "kctl-upgrade.lock").exists()
    [backup] = list(tmp.glob("kubeadm-backup-manifests-*"))
    for rel, data in before.items():
        if (backup / rel).exists():
            assert (backup / rel).read_bytes() == data
    assert (backup / "etc/kubernetes/manifests/kube-apiserver.yaml").exists()
    status = subprocess.run(
        ["etcdctl", "snapshot", "status", str(backup / "etcd-snapshot.db"), "-w", "json"],
        env={**os.environ, "ETCDCTL_API": "3"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(status.stdout)["totalKey"] >= 0
    config = (good_node.root / "etc/kubernetes/kubeadm-config.yaml").read_text()
    assert f"kubernetesVersion: {TARGET}" in config
    assert "SUCCESS" in err
    # a second apply finds nothing to do: every component phase is skipped
    again = run_kctl(*_apply_args(good_node, etcd, "-y"))
    assert again.exit_code == 0 and "unchanged, skipped" in again.stderr


def test_target_that_never_gets_healthy_is_rolled_back(broken_node: LiveNode, etcd: Etcd) -> None:
    before = contents(broken_node.root)
    applied = run_kctl(*_apply_args(broken_node, etcd, "-y", "--timeout", "4"))
    err = applied.stderr
    assert applied.exit_code == 1, err
    assert "kube-apiserver did not become healthy at v1.30.14" in err
    assert "restored etc/kubernetes/manifests/kube-apiserver.yaml" in err
    assert "restored etc/kubernetes/manifests/etcd.yaml" in err  # never half-upgraded
    # every node file byte-for-byte as before (the backup dir is the only addition)
    after = {k: v for k, v in contents(broken_node.root).items() if "/tmp/" not in k}
    assert after == before
    broken_node.wait_versions(OLD)
    assert not (broken_node.root / "etc/kubernetes/tmp/kctl-upgrade.lock").exists()


def _kctl_process(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    """A real kctl process, for what only one shows: a SIGKILL mid-run, a signal, its rlimits."""
    return subprocess.run(
        [sys.executable, "-m", "kctl", *args],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=180,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.e2e  # the crash hook SIGKILLs the process
def test_crash_between_phases_then_rollback_restores_the_node(
    good_node: LiveNode, etcd: Etcd
) -> None:
    before = contents(good_node.root)
    crashed = _kctl_process(
        *_apply_args(good_node, etcd, "-y"), env={"KCTL_UPGRADE_CRASH_AFTER": "kube-apiserver"}
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    lock = good_node.root / "etc/kubernetes/tmp/kctl-upgrade.lock"
    journal = json.loads(lock.read_text())
    assert journal["done"] == ["backup", "etcd", "kube-apiserver"]
    good_node.wait_versions({**OLD, "etcd": "3.5.15", "kube-apiserver": TARGET})
    # another apply refuses (exit 3) and says how to recover
    again = run_kctl(*_apply_args(good_node, etcd, "-y"))
    assert again.exit_code == 3, again.stderr
    assert "kctl upgrade rollback" in again.stderr
    recovered = run_kctl("upgrade", "rollback", "--root", good_node.root, "--timeout", "30")
    assert recovered.exit_code == 0, recovered.stderr
    after = {k: v for k, v in contents(good_node.root).items() if "/tmp/" not in k}
    assert after == before
    good_node.wait_versions(OLD)
    assert not lock.exists()
    # and the upgrade can then run to the end
    final = run_kctl(*_apply_args(good_node, etcd, "-y"))
    assert final.exit_code == 0, final.stderr
    good_node.wait_versions(NEW)


def _limit_file_size() -> None:
    # Writes beyond 3 KiB fail with EFBIG, like a full disk, for this process and etcdctl.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3072, 3072))


@pytest.mark.e2e  # a file size limit holds for a whole process (and its etcdctl)
def test_backup_write_failure_changes_nothing(good_node: LiveNode, etcd: Etcd) -> None:
    before = contents(good_node.root)
    done = _kctl_process(*_apply_args(good_node, etcd, "-y"), preexec_fn=_limit_file_size)
    assert done.returncode == 1, done.stderr
    assert "backup to" in done.stderr and "nothing on the node was changed" in done.stderr
    assert contents(good_node.root) == before  # no backup dir, no lock, no manifest change
    assert good_node.versions() == OLD


def test_backup_dir_that_cannot_be_created_changes_nothing(
    good_node: LiveNode, etcd: Etcd, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the backup dir should go\n")
    before = contents(good_node.root)
    done = run_kctl(*_apply_args(good_node, etcd, "-y", "--backup-dir", str(blocker / "backups")))
    assert done.exit_code == 1, done.stderr
    assert "Not a directory" in done.stderr
    assert contents(good_node.root) == before


def test_phases_run_alone_in_order(good_node: LiveNode, etcd: Etcd) -> None:
    said: list[str] = []

    def phase(name: str) -> int:
        args = _apply_args(good_node, etcd, "-y")
        args[1:2] = ["phase", name]
        result = run_kctl(*args)
        said.append(result.stderr)
        return result.exit_code

    assert phase("preflight") == 0
    assert good_node.versions() == OLD  # preflight changes nothing
    assert phase("etcd") == 0
    assert good_node.versions() == {**OLD, "etcd": "3.5.15"}
    assert phase("kube-apiserver") == 0
    assert good_node.versions() == {**OLD, "etcd": "3.5.15", "kube-apiserver": TARGET}
    for name in ("kube-controller-manager", "kube-scheduler", "upload-config"):
        assert phase(name) == 0
    assert good_node.versions() == NEW
    assert "etcd snapshot" in said[1]  # the etcd phase alone still takes its snapshot first
    backups = sorted((good_node.root / "etc/kubernetes/tmp").glob("kubeadm-backup-manifests-*"))
    assert backups, "every phase that writes keeps a backup"
    config = (good_node.root / "etc/kubernetes/kubeadm-config.yaml").read_text()
    assert f"kubernetesVersion: {TARGET}" in config


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.e2e  # a real signal delivered to a real process
@pytest.mark.parametrize(
    ("signame", "inherited"),
    [
        ("SIGTERM", "default"),
        ("SIGHUP", "default"),
        ("SIGINT", "default"),
        ("SIGTERM", "ignored"),
        ("SIGINT", "ignored"),
    ],
)
def test_signal_mid_apply_rolls_back_and_exits_130(
    good_node: LiveNode, etcd: Etcd, signame: str, inherited: str
) -> None:
    """A real signal right after kube-apiserver was upgraded: everything written is restored,
    the components come back at the old versions, the lock is gone, exit 130. "ignored": the
    process starts with SIGINT ignored, as a POSIX shell starts a background (`&`) job; kubeadm
    (Go's signal.Notify) still handles it, and so must apply."""
    before = contents(good_node.root)
    done = _kctl_process(
        *_apply_args(good_node, etcd, "-y"),
        env={"KCTL_UPGRADE_SIGNAL_AFTER": f"kube-apiserver:{signame}"},
        preexec_fn=_ignore_sigint if inherited == "ignored" else None,
    )
    assert done.returncode == 130, done.stderr
    assert f"interrupted by {signame}" in done.stderr
    assert "restored etc/kubernetes/manifests/kube-apiserver.yaml" in done.stderr
    assert "restored etc/kubernetes/manifests/etcd.yaml" in done.stderr
    after = {k: v for k, v in contents(good_node.root).items() if "/tmp/" not in k}
    assert after == before
    good_node.wait_versions(OLD)
    assert not (good_node.root / "etc/kubernetes/tmp/kctl-upgrade.lock").exists()


def test_apply_renews_leaf_certificates_and_reports_json(good_node: LiveNode, etcd: Etcd) -> None:
    from cryptography import x509

    from tests.cluster.pki import make_pki

    pki = make_pki(good_node.root, apiserver_days=13)
    old = x509.load_pem_x509_certificate((pki / "apiserver.crt").read_bytes())
    before = (pki / "apiserver.crt").read_bytes()
    applied = run_kctl(*_apply_args(good_node, etcd, "-y", "-o", "json"))
    assert applied.exit_code == 0, applied.stderr
    result = applied.json
    assert result["result"] == "succeeded"
    assert set(result["renewedCertificates"]) >= {"apiserver", "etcd/server", "front-proxy-client"}
    assert [p["name"] for p in result["phases"]][:4] == [
        "preflight",
        "backup",
        "etcd",
        "kube-apiserver",
    ]
    new = x509.load_pem_x509_certificate((pki / "apiserver.crt").read_bytes())
    new.verify_directly_issued_by(x509.load_pem_x509_certificate((pki / "ca.crt").read_bytes()))
    assert new.public_key() == old.public_key()
    assert (new.not_valid_after_utc - old.not_valid_after_utc).days > 300
    backup = Path(result["backupDir"])
    assert (backup / "etc/kubernetes/pki/apiserver.crt").read_bytes() == before
    assert good_node.versions() == NEW
