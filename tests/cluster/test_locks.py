"""The lock records pid + process start time + boot id: stale locks are recognised."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kctl.cluster import lock
from tests.cluster.nodes import NodeSpec, make_node
from tests.support.run import run_kctl

pytestmark = pytest.mark.unit

APPLY = ["-y", "--force", "--no-etcd-backup", "--probe-timeout", "0.2"]


@pytest.fixture
def node(tmp_path: Path) -> Path:
    return make_node(tmp_path / "n", NodeSpec(pki=False))


def _lock(root: Path, **info: object) -> Path:
    path = lock.lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"target": "v1.30.14", "done": ["preflight"], **info}))
    return path


def test_owner_is_recognised_as_alive() -> None:
    me = lock.owner()
    assert me["pid"] == os.getpid()
    assert isinstance(me["startTime"], int) and me["bootId"]
    assert lock.holder_state(me) == (True, f"pid {os.getpid()} is running")


@pytest.mark.parametrize(
    ("info", "why"),
    [
        ({"startTime": 1}, "now belongs to another process (start time differs)"),
        ({"bootId": "not-this-boot"}, "the node rebooted since"),
    ],
)
def test_reused_pid_or_reboot_makes_a_lock_stale(
    node: Path, info: dict[str, object], why: str
) -> None:
    # the pid is alive (our parent), yet the lock is not its lock
    path = _lock(node, pid=os.getppid(), **info)
    applied = run_kctl("upgrade", "apply", "v1.30.14", "--root", node, *APPLY)
    err = applied.stderr
    assert applied.exit_code == 3, err
    assert "interrupted upgrade" in err and why in err
    assert f"kctl upgrade rollback --root {node}" in " ".join(err.split())
    # ... and rollback is not blocked by it
    assert run_kctl("upgrade", "rollback", "--root", node).exit_code == 0
    assert not path.exists()


def test_live_holder_blocks_apply_and_rollback(node: Path) -> None:
    parent = os.getppid()
    path = _lock(node, pid=parent, startTime=lock.process_start(parent), bootId=lock.boot_id())
    applied = run_kctl("upgrade", "apply", "v1.30.14", "--root", node, *APPLY)
    assert applied.exit_code == 3 and "another upgrade is in progress" in applied.stderr
    rolled_back = run_kctl("upgrade", "rollback", "--root", node)
    assert rolled_back.exit_code == 3 and "still running" in rolled_back.stderr
    assert path.exists()


@pytest.mark.e2e  # the crash hook SIGKILLs the process: only a real one can be killed
def test_the_journal_records_start_time_and_boot_id(node: Path) -> None:
    import subprocess
    import sys

    phase = ["upgrade", "phase", "upload-config", "v1.30.14", "--root", str(node), *APPLY]
    done = subprocess.run(
        [sys.executable, "-m", "kctl", *phase],
        env={**os.environ, "KCTL_UPGRADE_CRASH_AFTER": "backup"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    journal = json.loads(lock.lock_path(node).read_text())
    assert journal["bootId"] == lock.boot_id()
    assert isinstance(journal["startTime"], int)
    assert lock.holder_state(journal)[0] is False  # the process is gone
