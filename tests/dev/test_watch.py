"""What triggers a cycle: filtering, debouncing and coalescing, with the real watchdog."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kctl.dev.watch import ChangeFilter, ChangeQueue, WatchedContext, Watcher, is_noise, watch_dirs


def make_context(root: Path) -> WatchedContext:
    (root / "src").mkdir(parents=True)
    (root / "Dockerfile").write_text("FROM scratch\n")
    (root / ".dockerignore").write_text("*.log\nbuild/\nDockerfile\n")
    return WatchedContext.of(root, "Dockerfile")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("rel", "relevant"),
    [
        ("src/app.py", True),
        ("Dockerfile", True),  # ignored by .dockerignore, but it is what builds
        (".dockerignore", True),
        ("debug.log", False),
        ("build/out.o", False),
        ("src/.app.py.swp", False),
        ("src/app.py~", False),
        ("src/.#app.py", False),
        ("src/#app.py#", False),
        ("src/4913", False),
        (".git/index", False),
        (".kctl/development/manifest.yaml", False),
        ("src/.app.py.kctl-tmp", False),
    ],
)
def test_change_filter(tmp_path: Path, rel: str, relevant: bool) -> None:
    context = make_context(tmp_path / "app")
    chart = tmp_path / "chart"
    chart.mkdir()
    change_filter = ChangeFilter([context], [chart])
    assert change_filter.relevant(str(context.root / rel)) is relevant
    assert change_filter.relevant(str(chart / "values.yaml"))
    assert not change_filter.relevant(str(tmp_path / "elsewhere.txt"))


@pytest.mark.unit
def test_noise_and_watch_dirs(tmp_path: Path) -> None:
    assert is_noise(Path("/a/.hg/store")) and not is_noise(Path("/a/src/main.go"))
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "compose.yaml").write_text("")
    dirs = watch_dirs([tmp_path / "a", tmp_path / "a" / "b", tmp_path / "compose.yaml"])
    assert dirs == [tmp_path.resolve()]  # nested folders are not watched twice


@pytest.mark.unit
def test_queue_debounces_a_burst_into_one_batch() -> None:
    queue = ChangeQueue()
    batches: list[list[str]] = []
    worker = threading.Thread(target=lambda: batches.append(queue.wait(0.3)))
    worker.start()
    for n in range(5):  # an editor's save burst, 50 ms apart
        queue.add(f"f{n}")
        time.sleep(0.05)
    worker.join(10)
    assert batches == [["f0", "f1", "f2", "f3", "f4"]]
    assert not queue.pending()


@pytest.mark.unit
def test_changes_during_a_cycle_coalesce_into_one_follow_up() -> None:
    queue = ChangeQueue()
    queue.add("a")
    assert queue.wait(0.05) == ["a"]
    # a "cycle" runs; meanwhile three changes arrive
    for name in ("b", "c", "b"):
        queue.add(name)
    assert queue.wait(0.05) == ["b", "c"]
    assert not queue.pending()


def _wait_in_thread(queue: ChangeQueue, delay: float) -> tuple[threading.Thread, list[list[str]]]:
    batches: list[list[str]] = []
    worker = threading.Thread(target=lambda: batches.append(queue.wait(delay)), daemon=True)
    worker.start()
    return worker, batches


@pytest.mark.unit
def test_a_write_that_ended_does_not_wait_out_the_whole_delay() -> None:
    queue = ChangeQueue()
    worker, batches = _wait_in_thread(queue, 60)
    queue.add("a", settled=True)  # e.g. inotify's close-after-write
    worker.join(10)
    assert batches == [["a"]]


@pytest.mark.unit
def test_a_write_still_going_keeps_the_batch_open() -> None:
    queue = ChangeQueue()
    worker, batches = _wait_in_thread(queue, 60)
    queue.add("a", settled=True)
    queue.add("b")  # modified, not closed yet: more may come
    worker.join(1)
    assert worker.is_alive() and not batches
    queue.add("b", settled=True)
    worker.join(10)
    assert batches == [["a", "b"]]


@pytest.mark.integration
def test_watcher_ends_the_batch_once_the_file_is_written(tmp_path: Path) -> None:
    """A plain save is served without waiting out watch-delay (here 60 s)."""
    context = make_context(tmp_path / "app")
    queue = ChangeQueue()
    watcher = Watcher(queue)
    watcher.update([context.root], ChangeFilter([context], []))
    try:
        worker, batches = _wait_in_thread(queue, 60)
        (context.root / "src" / "main.py").write_text("print(1)\n")
        worker.join(10)
        assert batches == [[str(context.root / "src" / "main.py")]]
        tmp = context.root / "src" / ".main.py.kctl-tmp"  # an atomic save: write, rename
        tmp.write_text("print(2)\n")
        worker, batches = _wait_in_thread(queue, 60)
        tmp.rename(context.root / "src" / "main.py")
        worker.join(10)
        assert batches == [[str(context.root / "src" / "main.py")]]
    finally:
        watcher.stop()


@pytest.mark.integration
def test_watcher_reports_relevant_changes_only(tmp_path: Path) -> None:
    context = make_context(tmp_path / "app")
    queue = ChangeQueue()
    watcher = Watcher(queue)
    watcher.update([context.root], ChangeFilter([context], []))
    try:
        (context.root / "src" / ".main.py.swp").write_text("swap")
        (context.root / "debug.log").write_text("log")
        (context.root / ".git").mkdir()
        (context.root / ".git" / "HEAD").write_text("ref")
        time.sleep(0.5)
        assert not queue.pending()
        (context.root / "src" / "main.py").write_text("print(1)\n")
        batch = queue.wait(0.2)
        assert str(context.root / "src" / "main.py") in batch
        # an atomic save (write temp + rename) is seen as the target file changing
        tmp = context.root / "src" / ".main.py.kctl-tmp"
        tmp.write_text("print(2)\n")
        tmp.rename(context.root / "src" / "main.py")
        assert str(context.root / "src" / "main.py") in queue.wait(0.2)
    finally:
        watcher.stop()
