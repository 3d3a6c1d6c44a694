"""The upgrade lock (etc/kubernetes/tmp/kctl-upgrade.lock), which is also the journal.

It records who holds it: PID, that process's start time (clock ticks since boot, from
/proc/PID/stat) and the kernel boot id, so a lock whose process died, whose PID was reused by
another process, or that survived a reboot is recognised as stale instead of blocking forever.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster.node import TMP_DIR
from kctl.errors import InputError
from kctl.inputs import read_input

LOCK_NAME = "kctl-upgrade.lock"
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def lock_path(root: Path) -> Path:
    return root / TMP_DIR / LOCK_NAME


def boot_id() -> str | None:
    try:
        return _BOOT_ID.read_text().strip() or None
    except OSError:
        return None


def process_start(pid: int) -> int | None:
    """The start time of `pid` in clock ticks since boot (None when it does not exist)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after the last ')'
    fields = stat.rpartition(")")[2].split()
    try:
        return int(fields[19])  # field 22 overall
    except (IndexError, ValueError):
        return None


def owner() -> dict[str, Any]:
    """What the lock records about the current process."""
    pid = os.getpid()
    return {"pid": pid, "startTime": process_start(pid), "bootId": boot_id()}


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LockState(Struct, frozen=True):
    """A lock found on the node and whether the process that took it still runs."""

    path: Path
    info: dict[str, Any]
    alive: bool
    why: str  # why it is (not) considered held
    readable: bool = True  # False: not a JSON object (garbage, another tool's file)

    @property
    def pid(self) -> int:
        return int(self.info.get("pid", 0) or 0)


def holder_state(info: dict[str, Any]) -> tuple[bool, str]:
    """(alive, why) for the process a lock names."""
    pid = info.get("pid")
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 1 << 22:
        return False, "the lock names no process (its pid is missing or not a process id)"
    recorded_boot = info.get("bootId")
    current_boot = boot_id()
    if recorded_boot and current_boot and recorded_boot != current_boot:
        return False, f"the node rebooted since pid {pid} took it (boot id changed)"
    if not _pid_exists(pid):
        return False, f"pid {pid} is no longer running"
    recorded_start = info.get("startTime")
    if recorded_start is not None:
        started = process_start(pid)
        if started is not None and started != recorded_start:
            return False, f"pid {pid} now belongs to another process (start time differs)"
    return True, f"pid {pid} is running"


def inspect(root: Path) -> LockState | None:
    """The lock on the node under `root`, or None when there is none."""
    path = lock_path(root)
    try:
        data = read_input(path, 1 << 20)  # a FIFO or a huge file is a lock naming no process
    except InputError:
        if not path.exists():
            return None
        data = b""
    try:  # a lock kctl did not write (garbage, another encoding) names no process
        info = json.loads(data)
    except ValueError:  # UnicodeDecodeError included
        info = None
    readable = isinstance(info, dict)
    info = info if isinstance(info, dict) else {}
    alive, why = holder_state(info)
    return LockState(path, info, alive, why, readable)


class Journal:
    """The lock file as the upgrade's journal: created with O_EXCL (one upgrade per node), it
    names the target, the phases done and the backup dir, so `kctl upgrade rollback` can
    restore a node whose upgrade was killed half-way."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}

    @property
    def held(self) -> bool:
        return bool(self.data)

    def acquire(self, target: str) -> None:
        """Create the lock (FileExistsError when another upgrade, live or dead, holds it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        self.data = {**owner(), "target": target, "done": []}
        self._save()

    def record(self, **values: Any) -> None:
        """Set journal keys (backupDir, rolledBack) once the lock is held."""
        if self.held:
            self.data.update(values)
            self._save()

    def done(self, phase: str) -> None:
        if self.held:
            self.data["done"].append(phase)
            self._save()

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _save(self) -> None:
        from kctl.fsio import write_file

        write_file(self.path, json.dumps(self.data, indent=2) + "\n")
