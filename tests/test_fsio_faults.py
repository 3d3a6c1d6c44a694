"""Fault injection on every output kctl writes: whatever single operation fails (permission
denied, disk full, a file where a folder should be), the previous output is exactly as it was
(bytes, modes, inodes) and nothing kctl staged is left behind."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl import fsio
from kctl.errors import KctlError

pytestmark = pytest.mark.unit

OLD = {"Chart.yaml": "name: old\n", "templates/a.yaml": "a: 1\n", "templates/sub/b.yaml": "b\n"}
NEW = {"Chart.yaml": "name: new\n", "templates/a.yaml": "a: 2\n", "values.yaml": "v: 1\n"}

# the calls through which fsio changes the disk, and the error each injects
FAULTS: dict[str, int] = {
    "replace": errno.EACCES,
    "unlink": errno.EACCES,  # shutil.rmtree removes files with os.unlink
    "rmdir": errno.EBUSY,
    "link": errno.EPERM,  # linking an immutable file
    "mkdir": errno.ENOSPC,
    "open": errno.ENOSPC,  # tempfile.mkstemp opens with os.open
    "write": errno.ENOSPC,  # disk full while staging
    "chmod": errno.EPERM,
}


def state(root: Path) -> dict[str, tuple[bytes | None, int, int]]:
    out = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        regular = stat.S_ISREG(info.st_mode)
        data = path.read_bytes() if regular else None
        inode = info.st_ino if regular else 0  # a restored folder is a new one, its files not
        out[str(path.relative_to(root))] = (data, stat.S_IMODE(info.st_mode), inode)
    return out


class Injector:
    """Fail the n-th call of one os function (once), counting only calls under `base`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, nth: int, base: Path) -> None:
        self.calls = 0
        self.fired = False
        owner: Any = os
        real: Callable[..., Any] = getattr(owner, name)
        code = FAULTS[name]

        def failing(*args: Any, **kwargs: Any) -> Any:
            if name == "open" and not (int(args[1]) & (os.O_WRONLY | os.O_CREAT)):
                return real(*args, **kwargs)
            where = str(args[0])
            if name == "write":  # a file descriptor: the file it writes
                where = os.readlink(f"/proc/self/fd/{args[0]}")
            if str(base) in where or kwargs.get("dir_fd") is not None:
                self.calls += 1
                if self.calls == nth and not self.fired:
                    self.fired = True
                    raise OSError(code, os.strerror(code), str(args[0]))
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, failing)


def _old_tree(dest: Path) -> None:
    fsio.write_tree(dest, OLD)
    os.chmod(dest / "templates/sub", 0o750)
    os.chmod(dest / "templates/a.yaml", 0o600)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_write_tree_survives_any_single_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    nth = 1
    while True:
        base = tmp_path / f"run{nth}"
        dest = base / "chart"
        _old_tree(dest)
        before = state(dest)
        with monkeypatch.context() as patch:
            injector = Injector(patch, name, nth, base)
            try:
                fsio.write_tree(dest, NEW, force=True)
                failed = False
            except (KctlError, OSError):
                failed = True
        if failed:
            assert state(dest) == before, f"{name} call {nth} changed the old output"
        else:
            assert {k: v[0] for k, v in state(dest).items() if v[0] is not None} == {
                k: v.encode() for k, v in NEW.items()
            }
        assert sorted(p.name for p in base.iterdir()) == ["chart"], f"{name} call {nth} left files"
        if not injector.fired:
            break
        nth += 1
    assert nth > 1 or name in ("rmdir",), f"os.{name} was never called under the output"


@pytest.mark.parametrize("name", ["replace", "open", "link", "unlink"])
def test_write_files_survives_any_single_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    nth = 1
    while True:
        root = tmp_path / f"run{nth}"
        fsio.write_files(root, OLD)
        os.chmod(root / "templates/a.yaml", 0o600)
        before = state(root)
        with monkeypatch.context() as patch:
            injector = Injector(patch, name, nth, root)
            try:
                fsio.write_files(root, NEW, force=True)
                failed = False
            except (KctlError, OSError):
                failed = True
        if failed:
            assert state(root) == before, f"{name} call {nth} changed the old output"
        else:
            for rel, text in NEW.items():
                assert (root / rel).read_text() == text
            leftovers = [p for p in root.rglob(".*kctl-*")]
            assert not leftovers
        if not injector.fired:
            break
        nth += 1


def test_old_tree_that_cannot_be_removed_stays_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's reproducer: permission denied on a file inside the old chart while it is
    removed (after the new one is in place): the old chart comes back whole."""
    dest = tmp_path / "out" / "chart"
    _old_tree(dest)
    before = state(dest)
    real_unlink = os.unlink

    def denied(path: Any, *args: Any, **kwargs: Any) -> None:
        if str(path).endswith("b.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", denied)
    with pytest.raises(KctlError) as caught:
        fsio.write_tree(dest, NEW, force=True)
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert state(dest) == before
    assert "previous content is back" in str(caught.value)
    leftovers = sorted(p.name for p in dest.parent.iterdir() if p.name != "chart")
    assert all(name.endswith(".kctl-old") for name in leftovers)  # only what could not go
    for name in leftovers:
        shutil.rmtree(dest.parent / name)


def test_folder_that_forbids_removal_refused_before_any_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of the old tree the user may not empty (no write permission; root is never
    refused, so os.access is what answers): refused before anything changes."""
    dest = tmp_path / "out" / "chart"
    _old_tree(dest)
    before = state(dest)
    real_access = os.access
    locked = str(dest / "templates/sub")
    monkeypatch.setattr(os, "access", lambda p, m, **k: p != locked and real_access(p, m, **k))
    with pytest.raises(KctlError) as caught:
        fsio.write_tree(dest, NEW, force=True)
    assert "permission denied" in str(caught.value) and "templates/sub" in str(caught.value)
    assert state(dest) == before
    assert sorted(p.name for p in dest.parent.iterdir()) == ["chart"]


def test_convert_chart_force_over_an_old_chart_that_cannot_be_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kctl convert --chart -o DIR --force`, permission denied on a file of the old chart:
    exit 1, and DIR is exactly the old chart (it was left half-replaced before)."""
    from kctl.cli.main import main

    compose = Path(__file__).resolve().parents[1] / "examples/compose/guestbook/compose.yaml"
    out = tmp_path / "chart"
    assert main(["convert", "-f", str(compose), "--chart", "-o", str(out)]) == 0
    (out / "templates/extra.yaml").write_text("# the user's own file\n")
    before = state(out)
    real_unlink = os.unlink

    def denied(path: Any, *args: Any, **kwargs: Any) -> None:
        if str(path).endswith("extra.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", denied)
    compose_env = {"GUESTBOOK_TAG": "v2"}
    for key, value in compose_env.items():
        monkeypatch.setenv(key, value)
    code = main(["convert", "-f", str(compose), "--chart", "-o", str(out), "--force"])
    monkeypatch.setattr(os, "unlink", real_unlink)
    err = capsys.readouterr().err
    assert code == 1, err
    assert "previous content is back" in err
    assert state(out) == before
