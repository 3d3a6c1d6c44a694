"""etcd through `etcdctl` (v3 API): endpoint status, snapshot save and verification."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster.node import PKI_DIR, Node
from kctl.errors import OperationError, PreconditionError

DEFAULT_ENDPOINT = "https://127.0.0.1:2379"


class Etcd(Struct, frozen=True):
    """How to reach the node's etcd: endpoint plus client TLS files for https."""

    endpoint: str
    tls: tuple[str, ...] = ()

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        binary = shutil.which("etcdctl")
        if binary is None:
            raise PreconditionError(
                "etcdctl is not installed; kctl takes the etcd snapshot with it",
                hint="install etcd-client, or pass --no-etcd-backup to skip the snapshot",
            )
        env = dict(os.environ, ETCDCTL_API="3")
        try:
            return subprocess.run(
                [binary, "--endpoints", self.endpoint, *self.tls, "--command-timeout=10s", *args],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise OperationError(f"etcdctl {args[0]} took longer than {timeout:g}s") from None

    def status(self) -> dict[str, Any]:
        """`etcdctl endpoint status` of the endpoint (version, dbSize); raises when unreachable."""
        done = self._run("endpoint", "status", "-w", "json", timeout=15)
        if done.returncode != 0:
            raise PreconditionError(
                f"etcd at {self.endpoint} is not reachable: {done.stderr.strip()[-300:]}",
                hint="pass --etcd-endpoint, or check the etcd static pod",
            )
        data = json.loads(done.stdout)
        first: dict[str, Any] = data[0]["Status"] if data else {}
        return first

    def snapshot(self, dest: Path) -> dict[str, Any]:
        """Save a snapshot to `dest` and verify it with `etcdctl snapshot status`."""
        done = self._run("snapshot", "save", str(dest), timeout=600)
        if done.returncode != 0:
            raise OperationError(
                f"etcd snapshot to {dest} failed: {done.stderr.strip()[-400:]}",
            )
        check = self._run("snapshot", "status", str(dest), "-w", "json")
        if check.returncode != 0:
            raise OperationError(f"snapshot {dest} does not verify: {check.stderr.strip()[-300:]}")
        verified: dict[str, Any] = json.loads(check.stdout)
        return verified


def etcd_for(node: Node, endpoint: str | None) -> Etcd:
    """The etcd client endpoint: --etcd-endpoint, else what the etcd manifest advertises."""
    if endpoint is None:
        urls: list[str] = []
        for arg in node.pods["etcd"].command:
            for flag in ("--advertise-client-urls=", "--listen-client-urls="):
                if arg.startswith(flag):
                    urls.extend(u.strip() for u in arg[len(flag) :].split(","))
        local = [u for u in urls if "127.0.0.1" in u or "localhost" in u]
        endpoint = (local or urls or [DEFAULT_ENDPOINT])[0]
    tls: tuple[str, ...] = ()
    if endpoint.startswith("https://"):
        pki = node.root / PKI_DIR
        tls = (
            f"--cacert={pki / 'etcd/ca.crt'}",
            f"--cert={pki / 'apiserver-etcd-client.crt'}",
            f"--key={pki / 'apiserver-etcd-client.key'}",
        )
    return Etcd(endpoint, tls)


def _flag(node: Node, name: str) -> str | None:
    prefix = f"--{name}="
    return next(
        (arg[len(prefix) :] for arg in node.pods["etcd"].command if arg.startswith(prefix)), None
    )


def data_dir(node: Node) -> Path:
    """etcd's data dir on the node (the manifest's --data-dir, under the root)."""
    return node.root / (_flag(node, "data-dir") or "/var/lib/etcd").lstrip("/")


def restore_from_snapshot(node: Node, snapshot: Path, backup: Path) -> str:
    """Put etcd's data dir back from a verified snapshot (restore_data_dir); one line saying what
    was done, or why nothing was when the snapshot or the data dir is missing. A failing restore
    raises OperationError."""
    target = data_dir(node)
    for missing, there in ((snapshot, snapshot.is_file()), (target, target.is_dir())):
        if not there:
            return f"etcd data dir NOT restored: {missing} does not exist"
    kept = restore_data_dir(node, snapshot, backup)
    return (
        f"restored etcd's data dir {target} from {snapshot}"
        f" (the data it replaced is kept in {kept})"
    )


def restore_data_dir(node: Node, snapshot: Path, backup: Path) -> Path:
    """Restore etcd's data dir from a verified snapshot, as this member (its --name and peer
    URLs from the manifest). The data dir it replaces is moved into `backup`; returns where."""
    target = data_dir(node)
    staging = target.with_name(f".{target.name}.kctl-restore")
    shutil.rmtree(staging, ignore_errors=True)
    tool = shutil.which("etcdutl") or shutil.which("etcdctl")
    if tool is None:
        raise OperationError("neither etcdutl nor etcdctl is installed to restore the snapshot")
    member = []
    for flag in ("name", "initial-cluster", "initial-advertise-peer-urls", "initial-cluster-token"):
        value = _flag(node, flag)
        if value:
            member.append(f"--{flag}={value}")
    argv = [tool, "snapshot", "restore", str(snapshot), f"--data-dir={staging}", *member]
    env = dict(os.environ, ETCDCTL_API="3")
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=600, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise OperationError("etcd snapshot restore took longer than 600s") from None
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise OperationError(f"etcd snapshot restore failed: {done.stderr.strip()[-300:]}")
    kept = backup / "etcd-data-replaced"
    if target.exists():
        shutil.move(str(target), str(kept))
    os.replace(staging, target)
    return kept
