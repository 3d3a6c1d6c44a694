"""Proof that the instance answering a probe is the one a manifest asked for.

A healthy probe alone proves nothing: the old instance answers until the kubelet replaces it.
A component counts as running a manifest when it is healthy and either
- its /version reports the expected release, or
- the process listening on the probe port started after the manifest was written (static
  control-plane pods use the host network, so the listener is visible in /proc; times are
  compared in seconds since boot, the clock /proc/PID/stat uses).
No /version and no such process means "cannot prove": the caller waits, then rolls back.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from msgspec import Struct

from kctl.cluster.health import Health
from kctl.cluster.lock import process_start
from kctl.cluster.node import Probe

_LISTEN = "0A"


def now() -> float:
    """Seconds since boot (CLOCK_BOOTTIME, like the start times in /proc/PID/stat)."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def version_matches(reported: str | None, expected: str) -> bool:
    """Whether a /version answer is the expected release (False when there is none)."""
    if reported is None:
        return False
    return reported.lstrip("v") == expected.lstrip("v") or reported.startswith(expected + "+")


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            listening = len(fields) > 9 and fields[3] == _LISTEN
            if listening and int(fields[1].rpartition(":")[2], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    return inodes


def listener_started(port: int) -> float | None:
    """When (seconds since boot) the process listening on `port` started; None if unknown."""
    sockets = _listening_inodes(port)
    if not sockets:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry.name}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{entry.name}/fd/{fd}")
            except OSError:
                continue
            if link in sockets:
                started = process_start(int(entry.name))
                return started / ticks if started is not None else None
    return None


class Proof(Struct, frozen=True):
    proven: bool
    how: str  # what proved it, or why it cannot be proven


def running(
    health: Health,
    probe: Probe | None,
    expected: str,
    written: float,
    before: float | None = None,
) -> Proof:
    """Whether the healthy instance behind `probe` runs the manifest written at `written`
    (seconds since boot). `before`: when the first manifest change of this run was written;
    a listener started before it is the untouched original instance (used after a rollback)."""
    if not health.healthy:
        return Proof(False, health.status)
    if health.version is not None:
        if version_matches(health.version, expected):
            return Proof(True, f"/version reports {health.version}")
        return Proof(False, f"still reports version {health.version}, not {expected}")
    port = probe.port if probe else 0
    started = listener_started(port) if port else None
    if started is None:
        return Proof(
            False,
            f"cannot prove the new instance runs: no /version, and no process found listening"
            f" on port {port}",
        )
    if started >= written:
        return Proof(True, f"its process restarted {started - written:.1f}s after the write")
    if before is not None and started < before:
        return Proof(True, "its process was never replaced: the original instance runs")
    return Proof(
        False,
        f"cannot prove the new instance runs: no /version, and the process on port {port}"
        " started before the manifest was written",
    )
