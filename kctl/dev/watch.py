"""File watching for `kctl up`: which changes count, debouncing, coalescing.

Changes that cannot alter a build or a deploy never trigger a cycle: `.dockerignore`d paths,
VCS folders, kctl's own state and editor temp/swap files. A burst of saves becomes one cycle
once the tree has been quiet for `delay`; changes made while a cycle runs become exactly one
follow-up cycle.

Where the system says a write ended (inotify's close-after-write, a rename onto the path, a
delete), waiting the whole `delay` for more only adds latency: once every changed path is
settled so, SETTLE seconds of quiet end the batch (what a tool writes in one go — an editor's
save, a `git checkout` — arrives well within it). Without such events (e.g. macOS) the
batch waits for `delay` as before; a change that still comes later runs a follow-up cycle.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct
from watchdog.events import FileSystemEventHandler

from kctl.dev.context import DockerIgnore

SKIPPED_DIRS = {".git", ".hg", ".svn", ".bzr", ".kctl", ".idea", ".vscode", "__pycache__"}
EDITOR_TEMP = (
    "*.swp",
    "*.swo",
    "*.swx",
    "*.swpx",
    "*~",
    ".#*",
    "#*#",
    "4913",  # vim probes whether it may write a directory with this file
    "*.kctl-tmp",
    "*___jb_tmp___",
    "*___jb_old___",
    "*.crswap",
    ".goutputstream-*",
    "*.tmp.*",
)
SETTLE = 0.05  # seconds of quiet that end a batch whose writes have all ended
SETTLING = ("closed", "moved", "deleted")  # events after which a path's write has ended


def is_noise(path: Path) -> bool:
    """VCS/IDE folders, kctl state and editor temporary files."""
    if any(part in SKIPPED_DIRS for part in path.parts):
        return True
    return any(fnmatch.fnmatchcase(path.name, pattern) for pattern in EDITOR_TEMP)


class WatchedContext(Struct, frozen=True):
    root: Path
    dockerfile: str
    ignore: DockerIgnore

    @classmethod
    def of(cls, root: Path, dockerfile: str) -> WatchedContext:
        root = root.resolve()
        return cls(root, dockerfile, DockerIgnore.load(root))


class ChangeFilter:
    """Decides whether a changed path can matter to the next cycle."""

    def __init__(self, contexts: Sequence[WatchedContext], inputs: Sequence[Path]) -> None:
        self.contexts = list(contexts)
        self.inputs = [p.resolve() for p in inputs]

    def relevant(self, raw: str) -> bool:
        path = Path(raw).resolve()
        if is_noise(path):
            return False
        if any(path == i or path.is_relative_to(i) for i in self.inputs):
            return True
        for context in self.contexts:
            if not path.is_relative_to(context.root):
                continue
            rel = path.relative_to(context.root).as_posix()
            if rel in (context.dockerfile, ".dockerignore"):
                return True
            if not context.ignore.excluded(rel):
                return True
        return False


class ChangeQueue:
    """Changed paths collected from the watcher thread, released after a quiet period."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paths: dict[str, bool] = {}  # path -> its write has ended (settled)
        self._last = 0.0

    def add(self, path: str, settled: bool = False) -> None:
        """A change of path; settled: the event says the write ended (see SETTLING)."""
        with self._cond:
            self._paths[path] = settled  # a path keeps the place of its first change
            self._last = time.monotonic()
            self._cond.notify_all()

    def pending(self) -> bool:
        with self._cond:
            return bool(self._paths)

    def wait(self, delay: float, poll: float = 0.25) -> list[str]:
        """Block until something changed and then nothing for `delay` seconds (SETTLE once
        every changed path is settled); drain it."""
        with self._cond:
            while True:
                if self._paths:
                    quiet_for = time.monotonic() - self._last
                    needed = min(delay, SETTLE) if all(self._paths.values()) else delay
                    if quiet_for >= needed:
                        paths = list(self._paths)
                        self._paths.clear()
                        return paths
                    self._cond.wait(needed - quiet_for)
                else:
                    self._cond.wait(poll)  # short waits keep Ctrl-C responsive


def watch_dirs(paths: Iterable[Path]) -> list[Path]:
    """Folders to watch recursively for these paths (files via their folder), none nested."""
    dirs = sorted({(p if p.is_dir() else p.parent).resolve() for p in paths})
    kept: list[Path] = []
    for d in dirs:
        if not any(d.is_relative_to(k) for k in kept):
            kept.append(d)
    return kept


class Watcher:
    """watchdog observers on the watched folders, feeding a ChangeQueue through a filter."""

    def __init__(self, queue: ChangeQueue) -> None:
        self.queue = queue
        self.filter = ChangeFilter([], [])
        self._observer: Any = None
        self._dirs: list[Path] = []

    def update(self, dirs: list[Path], change_filter: ChangeFilter) -> None:
        """Watch exactly these folders with this filter (restarts only when folders change)."""
        self.filter = change_filter
        if dirs == self._dirs and self._observer is not None:
            return
        self.stop()
        from watchdog.observers import Observer

        observer = Observer()
        handler = _Handler(self)
        for directory in dirs:
            observer.schedule(handler, str(directory), recursive=True)
        observer.daemon = True
        observer.start()
        self._observer, self._dirs = observer, dirs

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        super().__init__()
        self.watcher = watcher

    def on_any_event(self, event: Any) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type not in ("moved", "deleted"):
            return  # a folder's mtime changes with every file in it; the files tell us
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                path = raw.decode() if isinstance(raw, bytes) else str(raw)
                if self.watcher.filter.relevant(path):
                    settled = event.event_type in SETTLING
                    self.watcher.queue.add(path, settled)
