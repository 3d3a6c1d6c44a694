"""Health that proves the change: a real etcd (no /version on its metrics port) that never
restarts is not "upgraded"; the etcd phase rolls back and restores the data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.cluster import proof
from kctl.cluster.health import check
from kctl.cluster.node import Probe
from tests.cluster.nodes import NodeSpec, contents, make_node
from tests.support.run import run_kctl
from tests.support.services import Process, free_port, http_ok, require, spawn, wait_until

ETCD_YAML = "etc/kubernetes/manifests/etcd.yaml"


def _http_server(port: int, log: Path) -> Process:
    argv = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    process = spawn(argv, log)
    wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/"), 30, "http.server")
    return process


@pytest.mark.unit
def test_a_listener_proves_a_restart_only_when_it_started_after_the_write(
    tmp_path: Path,
) -> None:
    port = free_port()
    probe = Probe("HTTP", "127.0.0.1", port, "/")
    old = _http_server(port, tmp_path / "old.log")
    try:
        written = proof.now()
        health = check("etcd", probe)
        assert health.healthy and health.version is None  # like etcd's metrics port
        verdict = proof.running(health, probe, "3.5.15", written)
        assert not verdict.proven
        assert "started before the manifest was written" in verdict.how
        # ... but it is the untouched original when it started before the first write
        assert proof.running(health, probe, "3.5.12", written, before=written).proven
    finally:
        old.stop()
    new = _http_server(port, tmp_path / "new.log")
    try:
        verdict = proof.running(check("etcd", probe), probe, "3.5.15", written)
        assert verdict.proven, verdict.how
        assert "restarted" in verdict.how
    finally:
        new.stop()


class RealEtcd:
    """A real etcd whose data dir is the node's var/lib/etcd and whose metrics port is the
    etcd manifest's probe port (as on a kubeadm node); nothing restarts it."""

    def __init__(self, root: Path, metrics: int, workdir: Path) -> None:
        self.root = root
        self.metrics = metrics
        self.client = free_port()
        self.workdir = workdir
        self.process = self._start(root / "var/lib/etcd", "etcd")

    def _start(self, data: Path, name: str) -> Process:
        peer = free_port()
        argv = [
            require("etcd"),
            "--name=cp1",
            f"--data-dir={data}",
            f"--listen-client-urls=http://127.0.0.1:{self.client}",
            f"--advertise-client-urls=http://127.0.0.1:{self.client}",
            f"--listen-peer-urls=http://127.0.0.1:{peer}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
            f"--initial-cluster=cp1=http://127.0.0.1:{peer}",
            f"--listen-metrics-urls=http://127.0.0.1:{self.metrics}",
        ]
        process = spawn(argv, self.workdir / f"{name}.log")
        wait_until(lambda: http_ok(f"http://127.0.0.1:{self.metrics}/health"), 30, "etcd")
        return process

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.client}"

    def ctl(self, *args: str) -> str:
        done = subprocess.run(
            ["etcdctl", f"--endpoints={self.endpoint}", *args],
            env={**os.environ, "ETCDCTL_API": "3"},
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return done.stdout

    def restart_on(self, data: Path) -> None:
        self.process.stop()
        self.process = self._start(data, "etcd-restarted")


@pytest.fixture
def real_etcd_node(tmp_path: Path) -> Iterator[RealEtcd]:
    metrics = free_port()
    root = make_node(
        tmp_path / "node", NodeSpec(ports={"etcd": metrics}, http_probes=True, pki=False)
    )
    etcd = RealEtcd(root, metrics, tmp_path)
    try:
        yield etcd
    finally:
        etcd.process.stop()


@pytest.mark.integration
def test_etcd_phase_that_never_restarts_rolls_back_and_restores_the_data(
    real_etcd_node: RealEtcd,
) -> None:
    etcd = real_etcd_node
    root = etcd.root
    etcd.ctl("put", "written-before", "1")
    before = {k: v for k, v in contents(root).items() if "var/lib/etcd" not in k}

    def write_after_the_manifest() -> None:  # a change the snapshot does not have
        manifest = root / ETCD_YAML
        wait_until(lambda: "etcd:3.5.15-0" in manifest.read_text(), 60, "new etcd manifest")
        etcd.ctl("put", "written-after", "1")

    writer = threading.Thread(target=write_after_the_manifest, daemon=True)
    writer.start()
    args = ["upgrade", "phase", "etcd", "v1.30.14", "--root", str(root), "-y", "--force"]
    args += ["--etcd-endpoint", etcd.endpoint, "--timeout", "3", "--probe-timeout", "1"]
    started = time.monotonic()
    phase = run_kctl(*args)
    err = phase.stderr
    writer.join(timeout=30)
    assert phase.exit_code == 1, err
    assert time.monotonic() - started >= 3  # it waited for a proof that never came
    assert "cannot prove the new instance runs" in " ".join(err.split())
    assert "[etcd] healthy at 3.5.15" not in err
    assert "restored etcd's data dir" in " ".join(err.split())
    after = {
        k: v for k, v in contents(root).items() if "var/lib/etcd" not in k and "/tmp/" not in k
    }
    assert after == before  # the manifest is back, byte for byte
    [backup] = (root / "etc/kubernetes/tmp").glob("kubeadm-backup-manifests-*")
    assert (backup / "etcd-data-replaced/member").is_dir()  # the data it replaced is kept
    # the node's data dir is now the snapshot: the key written after it is gone
    etcd.restart_on(root / "var/lib/etcd")
    assert json.loads(etcd.ctl("get", "written-before", "-w", "json")).get("kvs")
    assert not json.loads(etcd.ctl("get", "written-after", "-w", "json")).get("kvs")


@pytest.mark.integration
@pytest.mark.e2e  # a real process SIGKILLed mid-phase
def test_a_run_killed_inside_the_etcd_phase_rolls_back_the_data_too(
    real_etcd_node: RealEtcd,
) -> None:
    etcd = real_etcd_node
    root = etcd.root
    etcd.ctl("put", "written-before", "1")
    before = {k: v for k, v in contents(root).items() if "var/lib/etcd" not in k}
    argv = [sys.executable, "-m", "kctl", "upgrade", "phase", "etcd", "v1.30.14"]
    argv += ["--root", str(root), "-y", "--force", "--etcd-endpoint", etcd.endpoint]
    argv += ["--timeout", "120", "--probe-timeout", "1"]
    run = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        manifest = root / ETCD_YAML
        wait_until(lambda: "etcd:3.5.15-0" in manifest.read_text(), 60, "new etcd manifest")
        etcd.ctl("put", "written-after", "1")  # by the "new" etcd: not in the snapshot
    finally:
        run.kill()  # SIGKILL: no handler runs, the lock stays
        run.wait(timeout=30)
    rolled_back = run_kctl("upgrade", "rollback", "--root", root, "--timeout", "5")
    rc, err = rolled_back.exit_code, " ".join(rolled_back.stderr.split())
    # the data first, then the manifest that starts the old etcd on it; and since nothing here
    # restarts etcd, rollback does not claim a healthy node (exit 1)
    assert err.index("restored etcd's data dir") < err.index(f"restored {ETCD_YAML}"), err
    assert rc == 1 and "not healthy: etcd" in err, err
    after = {
        k: v for k, v in contents(root).items() if "var/lib/etcd" not in k and "/tmp/" not in k
    }
    assert after == before  # the old manifest is back
    etcd.restart_on(root / "var/lib/etcd")
    assert json.loads(etcd.ctl("get", "written-before", "-w", "json")).get("kvs")
    assert not json.loads(etcd.ctl("get", "written-after", "-w", "json")).get("kvs")
