"""`kctl upgrade rollback`: restore a node from the backup an interrupted upgrade names.

The lock (journal) names the backup; checksums are verified before anything is written, the
restored components must answer healthy at their old versions, and the lock is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster import health as health_mod
from kctl.cluster import proof
from kctl.cluster.catalog import Version
from kctl.cluster.interrupts import signals_interrupt
from kctl.cluster.lock import LOCK_NAME, LockState
from kctl.cluster.lock import inspect as lock_inspect
from kctl.cluster.node import TMP_DIR, Node, StaticPod, load_pods
from kctl.cluster.objects import ClusterState, ObjectRef, ObjectStore, is_object
from kctl.cluster.policy import MAX_DOWNGRADE_SKEW
from kctl.errors import InputError, Location, OperationError, PreconditionError
from kctl.fsio import write_file
from kctl.progress import Progress


def backup_index(backup: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((backup / "backup.json").read_text())
    except FileNotFoundError:
        raise InputError(
            f"{backup} is not a kctl backup (no backup.json)", hint="pass the backup dir"
        ) from None
    except ValueError:
        raise InputError(f"{backup / 'backup.json'} is not valid JSON") from None
    return data


def _check_rollback_skew(root: Path, source: Path) -> None:
    """The one policy for rollback: restoring a backup never moves the node back more than
    one minor (a backup of some older upgrade would)."""
    saved = source / "etc/kubernetes/manifests/kube-apiserver.yaml"
    current = root / "etc/kubernetes/manifests/kube-apiserver.yaml"
    if not saved.exists() or not current.exists():
        return
    from kctl.cluster.docs import parse_one
    from kctl.cluster.node import split_image

    def version(path: Path) -> Version | None:
        doc = parse_one(path.read_bytes(), path)
        try:
            image = str(doc["spec"]["containers"][0]["image"])
            return Version.parse(split_image(image)[1])
        except (KeyError, IndexError, TypeError, ValueError):
            return None

    old, now = version(saved), version(current)
    if old is not None and now is not None and now.minors_after(old) > MAX_DOWNGRADE_SKEW:
        raise PreconditionError(
            f"{source} holds kube-apiserver {old}, {now.minors_after(old)} minors below the"
            f" node ({now}); kctl never moves a node back more than one minor"
        )


class Waits(Struct, frozen=True):
    timeout: float
    poll: float
    probe_timeout: float


def _wait_restored(
    pods: dict[str, StaticPod], name: str, since: float, waits: Waits, progress: Progress
) -> bool:
    """Whether the restored component is proven back (its /version, or a restarted process)."""
    pod = pods[name]
    expected = pod.tag.split("-")[0] if name == "etcd" else pod.tag
    deadline = time.monotonic() + waits.timeout
    with progress.busy(
        f"[rollback] waiting up to {waits.timeout:g}s for {name} to be healthy at {expected}"
    ):
        while True:
            found = health_mod.check(name, pod.probe, waits.probe_timeout)
            verdict = proof.running(found, pod.probe, expected, since)
            if verdict.proven:
                return True
            if time.monotonic() >= deadline:
                progress.warn(f"[rollback] {name}: {verdict.how}")
                return False
            time.sleep(waits.poll)


class RollbackResult(Struct):
    backup_dir: Path
    restored: list[str]
    healthy: dict[str, bool]


def _restore_etcd_data(
    root: Path, source: Path, journal: dict[str, Any], index: dict[str, Any], progress: Progress
) -> None:
    """The run died inside the etcd phase (its new manifest is on disk, the phase never finished):
    the new etcd may have written to the data dir, so it goes back to the verified snapshot before
    the old manifest brings the old etcd back, as `apply` does when that phase fails. After a
    finished etcd phase the data stays (also as `apply` does)."""
    from kctl.cluster.etcd import restore_from_snapshot
    from kctl.cluster.phases import SNAPSHOT_NAME

    if not journal or "etcd" in journal.get("done", []):
        return
    entry = next((e for e in index.get("files", []) if Path(e["path"]).name == "etcd.yaml"), None)
    if entry is None or not (root / entry["path"]).is_file():
        return
    if (root / entry["path"]).read_bytes() == (source / entry["path"]).read_bytes():
        return  # killed before the etcd manifest was written: the data was never touched
    done = restore_from_snapshot(_etcd_node(root), source / SNAPSHOT_NAME, source)
    progress.step(f"[rollback] {done}")


def _etcd_node(root: Path) -> Node:
    """What restore_from_snapshot needs of a node: its etcd manifest (no config, no cluster)."""
    from kctl.cluster.node import ManifestFile

    empty = ManifestFile("", root, b"", [{}])
    return Node(root, "", load_pods(root), empty, 0, None, "", empty)


class _Objects:
    """Restores the cluster objects a backup holds (through --kubeconfig, else the one the
    backup was taken with), connecting only when the backup has some."""

    def __init__(self, kubeconfig: Path | None, index: dict[str, Any], root: Path) -> None:
        saved = index.get("kubeconfig")
        self.kubeconfig = kubeconfig or (Path(saved) if isinstance(saved, str) else None)
        self.root = root
        self.store: ObjectStore | None = None

    def restore(self, rel: str, saved: bytes) -> bool:
        if self.store is None:
            if self.kubeconfig is None:
                raise InputError(
                    f"the backup holds the cluster object {rel} and no kubeconfig is known",
                    hint="pass --kubeconfig (the control plane's /etc/kubernetes/admin.conf)",
                )
            from kctl.cluster.kubeapi import from_kubeconfig

            self.store = ObjectStore(from_kubeconfig(self.kubeconfig, self.root), ClusterState())
        return self.store.restore(ObjectRef.parse(rel), saved)


def rollback(
    root: Path,
    progress: Progress,
    *,
    backup_dir: Path | None = None,
    timeout: float = 300.0,
    poll: float = 0.5,
    probe_timeout: float = 2.0,
    kubeconfig: Path | None = None,
) -> RollbackResult:
    """Restore a node (and the cluster objects the upgrade wrote) from the backup named by an
    interrupted upgrade's lock (or `backup_dir`). Interrupted itself (SIGINT/SIGTERM/SIGHUP,
    whatever was inherited), it keeps the lock, so running it again finishes the job."""
    with signals_interrupt():
        return _rollback(
            root, progress, backup_dir, Waits(timeout, poll, probe_timeout), kubeconfig
        )


def _journal_backup(state: LockState | None) -> Path | None:
    """The backup folder a lock's journal names (None when the run died before taking one);
    a lock that is not kctl's journal is not guessed at."""
    if state is None:
        return None
    backup = state.info.get("backupDir")
    done = state.info.get("done", [])
    if not state.readable or not isinstance(backup, str | None) or not isinstance(done, list):
        raise InputError(
            "is not a kctl upgrade journal (it names no usable backup)",
            location=Location.of(state.path),
            hint="if no upgrade is running, look at it and remove it, or pass --backup-dir",
        )
    return Path(backup) if backup else None


def _rollback(
    root: Path,
    progress: Progress,
    backup_dir: Path | None,
    waits: Waits,
    kubeconfig: Path | None,
) -> RollbackResult:
    lock = root / TMP_DIR / LOCK_NAME
    state = lock_inspect(root)
    journal: dict[str, Any] = state.info if state else {}
    if state is not None and state.alive and state.pid != os.getpid():
        raise PreconditionError(
            f"the upgrade holding {lock} is still running ({state.why})",
            hint="wait for it to finish or interrupt it (it rolls back by itself)",
        )
    if state is not None:
        progress.step(f"[rollback] stale lock {lock}: {state.why}")
    source = backup_dir or _journal_backup(state)
    if source is None:
        if lock.exists():
            # The run died before its backup finished: nothing on the node was changed.
            lock.unlink()
            progress.step(f"[rollback] removed {lock}; the upgrade had not changed any file")
            return RollbackResult(Path(), [], {})
        raise PreconditionError(
            "no interrupted upgrade to roll back (no lock file) and no --backup-dir given"
        )
    index = backup_index(source)
    _check_rollback_skew(root, source)
    _restore_etcd_data(root, source, journal, index, progress)
    restored = []
    restored_at = proof.now()
    entries = index.get("files", [])
    saved_bytes = {}
    for entry in entries:  # every checksum verified before anything is written
        rel = entry["path"]
        saved = (source / entry.get("file", rel)).read_bytes()
        if hashlib.sha256(saved).hexdigest() != entry["sha256"]:
            raise OperationError(
                f"backup file {source / entry.get('file', rel)} is corrupt (checksum mismatch)"
            )
        saved_bytes[rel] = saved
    cluster = _Objects(kubeconfig, index, root)
    for entry in entries:
        rel = entry["path"]
        saved = saved_bytes[rel]
        if is_object(rel):
            changed = cluster.restore(rel, saved)
            progress.step(f"[rollback] {'restored' if changed else 'unchanged'} {rel}")
            if changed:
                restored.append(rel)
            continue
        path = root / rel
        current = path.read_bytes() if path.exists() else None
        if current != saved:
            write_file(path, saved)
            restored.append(rel)
        os.utime(path, ns=(entry["mtimeNs"], entry["mtimeNs"]))
        os.chmod(path, entry["mode"])
        progress.step(f"[rollback] {'restored' if current != saved else 'unchanged'} {rel}")
    pods = load_pods(root)
    healthy = {
        Path(rel).stem: _wait_restored(pods, Path(rel).stem, restored_at, waits, progress)
        for rel in restored
        if not is_object(rel) and Path(rel).stem in pods
    }
    with contextlib.suppress(FileNotFoundError):
        lock.unlink()
    return RollbackResult(source, restored, healthy)
