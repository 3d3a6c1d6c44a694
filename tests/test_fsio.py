"""Atomic writes: all or nothing, and user files are never overwritten without force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctl import fsio
from kctl.errors import OperationError, TargetExistsError

pytestmark = pytest.mark.unit


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_write_file_creates_parents_and_leaves_no_temp(tmp_path: Path) -> None:
    fsio.write_file(tmp_path / "a" / "b.txt", "hello")
    assert (tmp_path / "a" / "b.txt").read_text() == "hello"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.txt"]


def test_write_files_refuses_changed_files_without_force(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("mine\n")
    before = snapshot(tmp_path)
    with pytest.raises(TargetExistsError) as err:
        fsio.write_files(tmp_path, {"Dockerfile": "theirs\n", "new.txt": "x"})
    assert err.value.exit_code == 3
    assert snapshot(tmp_path) == before  # nothing written, not even the new file


def test_write_files_identical_content_is_not_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_text("same")
    plan = fsio.write_files(tmp_path, {"same.txt": "same", "new.txt": "n"})
    assert {p.path.name: p.change for p in plan} == {
        "same.txt": fsio.Change.UNCHANGED,
        "new.txt": fsio.Change.CREATE,
    }


def test_write_files_with_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("old")
    fsio.write_files(tmp_path, {"f": "new"}, force=True)
    assert (tmp_path / "f").read_text() == "new"


def test_write_files_failure_midway_leaves_targets_untouched(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a").write_text("old-a")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OperationError):  # an OSError, said in one sentence naming the path
        fsio.write_files(tmp_path, {"a": "new-a", "b": "new-b"}, force=True)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (tmp_path / "a").read_text() == "old-a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # temp files cleaned


def test_write_tree_creates_and_replaces_atomically(tmp_path: Path) -> None:
    dest = tmp_path / "chart"
    fsio.write_tree(dest, {"Chart.yaml": "a", "templates/x.yaml": "b"})
    assert snapshot(dest).keys() == {"Chart.yaml", "templates/x.yaml"}
    with pytest.raises(TargetExistsError):
        fsio.write_tree(dest, {"Chart.yaml": "changed"})
    fsio.write_tree(dest, {"Chart.yaml": "changed"}, force=True)
    assert snapshot(dest).keys() == {"Chart.yaml"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart"]


def test_write_tree_same_content_without_force_is_a_no_op(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    fsio.write_tree(dest, {"a": "1"})
    before = snapshot(dest)
    fsio.write_tree(dest, {"a": "1"})
    assert snapshot(dest) == before


def test_write_tree_failure_keeps_previous_tree(tmp_path: Path, monkeypatch) -> None:
    dest = tmp_path / "out"
    fsio.write_tree(dest, {"a": "1"})
    before = snapshot(dest)
    real_replace = os.replace

    def fail_second(src, dst, _count=[0]):
        _count[0] += 1
        if _count[0] == 2:  # moving the new tree into place fails
            raise OSError("boom")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    with pytest.raises(OperationError):  # an OSError, said in one sentence naming the path
        fsio.write_tree(dest, {"b": "2"}, force=True)
    monkeypatch.setattr(os, "replace", real_replace)
    assert snapshot(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_tree_force_keeps_only_what_a_fresh_write_would_make(tmp_path: Path) -> None:
    """Replacing a tree reuses an unchanged file (its inode) only when it is exactly what a new
    write makes; a changed mode, a second link or other content gets a new file."""
    dest = tmp_path / "out"
    names = ["same", "mode", "linked", "content", "sub/same"]
    fsio.write_tree(dest, {name: "v1" for name in names})
    fresh_mode = (dest / "same").stat().st_mode
    (dest / "mode").chmod(0o600)
    os.link(dest / "linked", tmp_path / "elsewhere")
    inodes = {name: (dest / name).stat().st_ino for name in names}
    fsio.write_tree(dest, {**{name: "v1" for name in names}, "content": "v2"}, force=True)
    assert {n: (dest / n).read_text() for n in names} == {
        **{name: "v1" for name in names},
        "content": "v2",
    }
    assert {n for n in names if (dest / n).stat().st_ino == inodes[n]} == {"same", "sub/same"}
    assert {(dest / n).stat().st_mode for n in names} == {fresh_mode}
    assert (dest / "linked").stat().st_nlink == 1  # no longer shared with `elsewhere`
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "out"]


def test_write_tree_force_on_the_same_tree_changes_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    files = {"a": "1", "sub/deeper/b": "2"}
    fsio.write_tree(dest, files)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in dest.rglob("*")}
    fsio.write_tree(dest, files, force=True)
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in dest.rglob("*")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("extra", ["file", "folder", "folder mode", "symlink"])
def test_write_tree_force_replaces_a_tree_that_only_holds_the_same_files(
    tmp_path: Path, extra: str
) -> None:
    """The same files plus anything else (a file, an empty folder, a folder with another mode,
    a symlink) is not the same tree: forcing the write leaves exactly the new one."""
    dest = tmp_path / "out"
    files = {"a": "1", "sub/b": "2"}
    fsio.write_tree(dest, files)
    fresh = (dest / "sub").stat().st_mode
    if extra == "file":
        (dest / "sub" / "c").write_text("3")
    elif extra == "folder":
        (dest / "empty").mkdir()
    elif extra == "folder mode":
        (dest / "sub").chmod(0o700)
    else:
        (dest / "link").symlink_to(dest / "a")
    fsio.write_tree(dest, files, force=True)
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*")) == ["a", "sub", "sub/b"]
    assert (dest / "sub").stat().st_mode == fresh
    assert [(dest / rel).read_text() for rel in files] == ["1", "2"]


def test_write_tree_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("x")
    with pytest.raises(TargetExistsError):
        fsio.write_tree(tmp_path / "out", {"a": "1"}, force=True)


@pytest.mark.parametrize(
    ("out", "extra"),
    [
        ("FILE/sub/out.yaml", []),  # a parent is a file
        ("/proc/kctl-test/out.yaml", []),  # a directory that cannot be made
        ("/sys/kernel/kctl-test.yaml", []),  # a directory kctl may not write (even as root)
        ("/proc/kctl-chart", ["--chart", "--force"]),
    ],
)
def test_unwritable_outputs_are_one_sentence_naming_the_path(tmp_path, capsys, out, extra):
    from kctl.cli.main import main

    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: x\n")
    (tmp_path / "FILE").write_text("")
    target = out if out.startswith("/") else str(tmp_path / out)
    code = main(["convert", "-f", str(tmp_path / "compose.yaml"), "-o", target, *extra])
    err = capsys.readouterr().err
    assert code == 1 and "cannot write" in err and target in err
    assert "internal error" not in err and "Traceback" not in err
    assert not list(tmp_path.glob(".*kctl-*"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "é", ".", "/", " "]), max_size=8))
def test_a_path_under_a_folder_is_what_pathlib_makes(rel: str) -> None:
    root = Path("/tmp/out.kctl-tmp")
    assert fsio._under(root, rel) == (str(root / rel), str((root / rel).parent))
