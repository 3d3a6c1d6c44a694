"""An upgrade's backup: every file (or cluster object) it may change, with its mtime and mode,
and a verified etcd snapshot, in one new folder with an index (backup.json); and putting a
file back from it exactly as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster.etcd import etcd_for, restore_from_snapshot
from kctl.cluster.node import Node
from kctl.cluster.objects import ObjectRef, ObjectStore, is_object
from kctl.cluster.phases import SNAPSHOT_NAME
from kctl.cluster.render import Rendered
from kctl.cluster.restore import backup_index
from kctl.errors import OperationError
from kctl.fsio import write_file
from kctl.progress import Progress


def new_backup_dir(parent: Path) -> Path:
    """kubeadm's name (kubeadm-backup-manifests-<UTC time>), unique within the second."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d-%H-%M-%S")
    dest = parent / f"kubeadm-backup-manifests-{stamp}"
    n = 1
    while dest.exists():  # two phases run alone within one second
        n += 1
        dest = parent / f"kubeadm-backup-manifests-{stamp}-{n}"
    return dest


class Backup(Struct, dict=True):
    """The node's backup for one run: taken once, then read to restore files."""

    root: Path
    node: Node
    store: ObjectStore | None
    dest: Path | None = None
    snapshot: dict[str, Any] | None = None  # the verified snapshot's status

    def take(
        self,
        parent: Path,
        items: Iterable[Rendered],
        snapshot: bool,
        etcd_endpoint: str | None,
        target: str,
        progress: Progress,
    ) -> Path:
        """Copy every item's current bytes (and with snapshot, a verified etcd snapshot from
        etcd_endpoint, default: the etcd manifest's) into a new folder under parent. Nothing
        on the node changes; a failure removes the folder and is exit 1."""
        dest = new_backup_dir(parent)
        items = list(items)
        try:
            dest.mkdir(parents=True, exist_ok=False)
            index = []
            with progress.busy(f"[backup] copying {len(items)} files to {dest}"):
                for item in items:
                    index.append(self._copy(dest, item))
            if snapshot:
                self._snapshot(dest, etcd_endpoint, progress)
            saved: dict[str, Any] = {"target": target, "files": index}
            if self.node.kubeconfig is not None:
                saved["kubeconfig"] = str(self.node.kubeconfig)
            write_file(dest / "backup.json", json.dumps(saved, indent=2) + "\n")
        except (OSError, OperationError) as exc:
            shutil.rmtree(dest, ignore_errors=True)
            reason = exc.message if isinstance(exc, OperationError) else exc.strerror or exc
            raise OperationError(
                f"backup to {dest} failed: {reason}; nothing on the node was changed",
                hint="free disk space or pass --backup-dir on a writable filesystem",
            ) from None
        except BaseException:
            shutil.rmtree(dest, ignore_errors=True)
            raise
        self.dest = dest
        progress.step(f"[backup] {len(items)} files backed up to {dest}")
        return dest

    def _snapshot(self, dest: Path, endpoint: str | None, progress: Progress) -> None:
        etcd = etcd_for(self.node, endpoint)
        started = time.monotonic()
        with progress.busy(f"[backup] etcd snapshot of {etcd.endpoint}"):
            self.snapshot = etcd.snapshot(dest / SNAPSHOT_NAME)
        progress.step(
            f"[backup] etcd snapshot {dest / SNAPSHOT_NAME} verified"
            f" ({self.snapshot.get('totalKey')} keys,"
            f" revision {self.snapshot.get('revision')},"
            f" {time.monotonic() - started:.1f}s)"
        )

    def _copy(self, dest: Path, item: Rendered) -> dict[str, Any]:
        """Copy one file or cluster object's bytes into the backup; its index entry."""
        entry: dict[str, Any] = {"path": item.rel, "sha256": hashlib.sha256(item.old).hexdigest()}
        if is_object(item.rel):
            entry["file"] = ObjectRef.parse(item.rel).backup_rel
            write_file(dest / entry["file"], item.old)
            return entry
        src = self.root / item.rel
        write_file(dest / item.rel, item.old)
        entry["mtimeNs"] = src.stat().st_mtime_ns
        entry["mode"] = src.stat().st_mode & 0o7777
        return entry

    def restore(self, rel: str, content: bytes) -> None:
        """Put one file (mtime and mode too) or cluster object back as it was."""
        if is_object(rel):
            assert self.store is not None  # it was written through it
            self.store.restore(ObjectRef.parse(rel), content)
            return
        path = self.root / rel
        write_file(path, content)
        meta = self._meta(rel)
        if meta:
            os.utime(path, ns=(meta["mtimeNs"], meta["mtimeNs"]))
            os.chmod(path, meta["mode"])

    def restore_etcd_data(self) -> list[str]:
        """The etcd phase failed: put the data dir back from the verified snapshot (the data
        dir as it was is kept beside the backup)."""
        if self.dest is None or self.snapshot is None:
            return ["etcd data dir NOT restored: no snapshot was taken (--no-etcd-backup)"]
        try:
            return [restore_from_snapshot(self.node, self.dest / SNAPSHOT_NAME, self.dest)]
        except OperationError as exc:
            return [f"etcd data dir NOT restored: {exc.message}"]

    def _meta(self, rel: str) -> dict[str, Any] | None:
        return None if self.dest is None else self._index.get(rel)

    @cached_property
    def _index(self) -> dict[str, dict[str, Any]]:
        """The backup's file index by path (read once, when the backup folder is known)."""
        assert self.dest is not None
        return {f["path"]: f for f in backup_index(self.dest).get("files", [])}
