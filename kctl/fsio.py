"""Atomic writes that never clobber user files by accident.

Every command that writes goes through here: content is staged in a temporary file or directory
beside the target and renamed into place, so an interrupted or failed run leaves the previous
output untouched. Existing files that would change are refused unless `force` is set.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path

from msgspec import Struct

from kctl.errors import OperationError, TargetExistsError


class Change(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


class PlannedWrite(Struct, frozen=True):
    """One file a command intends to write, and what it would do to the disk."""

    path: Path
    content: bytes
    change: Change
    old_content: bytes | None = None


def _as_bytes(content: str | bytes) -> bytes:
    return content.encode() if isinstance(content, str) else content


def plan_writes(root: Path, files: Mapping[str, str | bytes]) -> list[PlannedWrite]:
    """Compare wanted files (paths relative to root) with the disk; nothing is written."""
    planned = []
    for rel in sorted(files):
        path = root / rel
        content = _as_bytes(files[rel])
        if path.is_dir():
            raise TargetExistsError(f"{path} is a directory, kctl wants to write a file there")
        if path.exists() or path.is_symlink():
            if path.exists() and not path.is_file():  # a FIFO would block the read forever
                raise TargetExistsError(f"{path} is not a regular file: kctl will not replace it")
            try:
                old = path.read_bytes()
            except OSError as exc:
                raise OperationError(f"cannot read {path}: {exc.strerror}") from None
            change = Change.UNCHANGED if old == content else Change.UPDATE
            planned.append(PlannedWrite(path, content, change, old))
        else:
            planned.append(PlannedWrite(path, content, Change.CREATE))
    return planned


def refuse_overwrites(planned: list[PlannedWrite], force: bool) -> None:
    """Raise TargetExistsError listing the files that exist and would change, unless force."""
    conflicts = [p.path for p in planned if p.change is Change.UPDATE]
    if conflicts and not force:
        raise TargetExistsError(
            f"{len(conflicts)} file(s) already exist and would be overwritten",
            details=[str(p) for p in conflicts[:20]] + (["..."] if len(conflicts) > 20 else []),
            hint="pass --force to overwrite them",
        )


@contextlib.contextmanager
def output_errors(path: Path) -> Iterator[None]:
    """OS errors while writing output become one sentence naming the path (exit 1)."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or path
        reason = exc.strerror or str(exc)
        if isinstance(exc, NotADirectoryError):
            reason = "a parent of it is a file, not a directory"
        raise OperationError(f"cannot write {path}: {reason} ({where})") from None


def write_file(path: Path, content: str | bytes, *, mode: int | None = None) -> None:
    """Write one file atomically: temp file in the same directory, fsync, rename."""
    with output_errors(path):
        _write_file(path, content, mode)


def _write_file(path: Path, content: str | bytes, mode: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".kctl-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_as_bytes(content))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode if mode is not None else 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_files(
    root: Path, files: Mapping[str, str | bytes], *, force: bool = False
) -> list[PlannedWrite]:
    """Write several files under root, all or nothing.

    Conflicts are checked before anything is written; then every file is staged beside its
    target and the stages are renamed into place. Returns the plan (unchanged files untouched).
    """
    with output_errors(root / next(iter(files)) if len(files) == 1 else root):
        planned = plan_writes(root, files)
        refuse_overwrites(planned, force)
        _stage_and_rename(planned)
    return planned


def _stage_and_rename(planned: list[PlannedWrite]) -> None:
    """Stage every changed file, keep a hard link to each file it replaces, rename the stages
    into place; if any step fails, put back exactly what was there (same inode: content and
    mode) and remove what this run created."""
    staged: list[tuple[str, Path]] = []
    kept: dict[Path, str] = {}  # target -> hard link to its previous inode
    done: list[Path] = []
    try:
        for item in planned:
            if item.change is Change.UNCHANGED:
                continue
            item.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{item.path.name}.", suffix=".kctl-tmp", dir=item.path.parent
            )
            staged.append((tmp, item.path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(item.content)
            os.chmod(tmp, 0o644)
            if item.change is Change.UPDATE:
                kept[item.path] = _hard_link_beside(item.path)
        for tmp, target in staged:
            os.replace(tmp, target)
            done.append(target)
    except BaseException:
        for target in reversed(done):
            with contextlib.suppress(OSError):
                if target in kept:
                    os.replace(kept.pop(target), target)
                else:
                    os.unlink(target)
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        for link in kept.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(link)
        raise
    for link in kept.values():  # the write is done: a backup that will not go is only litter
        for _ in range(2):
            try:
                os.unlink(link)
                break
            except FileNotFoundError:
                break
            except OSError:
                continue


def _hard_link_beside(path: Path) -> str:
    """A new hard link to path's inode in its folder (a backup that costs no copy)."""
    for _ in range(100):
        link = str(path.parent / f".{path.name}.{os.urandom(4).hex()}.kctl-bak")
        try:
            os.link(path, link, follow_symlinks=False)
            return link
        except FileExistsError:
            continue
    raise FileExistsError(f"no free backup name beside {path}")


def write_tree(dest: Path, files: Mapping[str, str | bytes], *, force: bool = False) -> None:
    """Replace the directory dest with exactly `files`, atomically.

    The tree is built in a temporary sibling directory and swapped in with renames; a failure
    at any point leaves the previous dest as it was. An existing non-empty dest whose content
    differs is refused unless force.
    """
    with output_errors(dest):
        _write_tree(dest.absolute(), files, force)


def _write_tree(dest: Path, files: Mapping[str, str | bytes], force: bool) -> None:
    if dest.exists() and not dest.is_dir():
        raise TargetExistsError(f"{dest} exists and is not a directory")
    if dest.exists() and any(dest.iterdir()) and not force:
        if _tree_equals(dest, files):
            return
        raise TargetExistsError(
            f"{dest} already exists and is not empty", hint="pass --force to replace it"
        )
    reuse = _Reuse.of(dest) if dest.is_dir() and not dest.is_symlink() else None
    if reuse is not None and reuse.whole_tree(files):
        return  # already exactly this tree: replacing it would change nothing
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = _sibling(dest, ".kctl-tmp")
    kept: Path | None = None
    try:
        folders: set[str] = {str(stage)}
        for rel, content in files.items():
            target, parent = _under(stage, rel)
            if parent not in folders:
                Path(parent).mkdir(parents=True, exist_ok=True)
                folders.add(parent)
            data = _as_bytes(content)
            if reuse is None or not reuse.link(rel, target, data):
                _write_new(target, data)
        os.chmod(stage, 0o755)
        if dest.exists():
            kept = _sibling(dest, ".kctl-kept")
            _link_tree(dest, kept)  # fails on files that cannot be linked (immutable ...)
            _check_removable(dest)
    except BaseException:
        _remove_quietly(stage, kept)
        raise
    if kept is None:
        try:
            os.replace(stage, dest)
        except BaseException:
            _remove_quietly(stage)
            raise
        return
    _swap_in(dest, stage, kept)


def _under(root: Path, rel: str) -> tuple[str, str]:
    """str(root / rel) and str((root / rel).parent), without making Path objects for the
    usual relative path (one pathlib join costs more than the system call it names)."""
    if rel and rel[0] != "/" and rel[-1] != "/" and "//" not in rel and "/./" not in f"/{rel}/":
        target = f"{root}/{rel}"
        return target, target.rpartition("/")[0]
    path = root / rel
    return str(path), str(path.parent)


def _write_new(path: str, data: bytes) -> None:
    """Create the file path holding data (what Path.write_bytes makes, mode 0o666 less the
    umask, in three system calls where it makes five: a chart is thousands of files)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class _Reuse:
    """Files of the tree being replaced that the new tree holds unchanged are kept: hard-linked
    into the stage instead of written again, or, when the whole tree is already exactly what
    the write would make, left as it is. Creating a file costs ~10x reading one, and a
    regenerated chart rewrites thousands of files of which most have not changed. Only what is
    exactly what writing would make counts (regular files with the same bytes, the modes new
    files and folders get, ours, files with no other link, nothing else in the tree); any
    doubt, and it is written."""

    def __init__(self, dest: Path, umask: int) -> None:
        self.dest = dest
        self.file_mode = 0o666 & ~umask  # what write_bytes and mkdir give under this umask
        self.folder_mode = 0o777 & ~umask
        self.uid = os.geteuid()

    @classmethod
    def of(cls, dest: Path) -> _Reuse | None:
        """Reuse for dest, when this system says its umask without changing it (Linux)."""
        try:
            with open("/proc/self/status", encoding="ascii") as status:
                line = next((x for x in status if x.startswith("Umask:")), None)
        except (OSError, ValueError):
            return None
        return cls(dest, int(line.split()[1], 8)) if line is not None else None

    def same(
        self, rel: str, data: bytes, st: os.stat_result | None = None, old: str | None = None
    ) -> bool:
        """Whether the file at rel (lstat st and path old, when known) is exactly what writing
        data there would make."""
        old = old or os.path.join(self.dest, rel)
        try:
            st = st or os.lstat(old)
            if not (
                stat.S_ISREG(st.st_mode)
                and st.st_size == len(data)
                and stat.S_IMODE(st.st_mode) == self.file_mode
                and st.st_uid == self.uid
                and st.st_nlink == 1
            ):
                return False
            fd = os.open(old, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                # one read of one byte more: a file that grew differs; a read that stops short
                # for any reason but the end of the file differs too, which only costs a write
                return os.read(fd, len(data) + 1) == data
            finally:
                os.close(fd)
        except OSError:
            return False

    def link(self, rel: str, target: str, data: bytes) -> bool:
        """Link the old file into the stage at target if it is what writing data would make."""
        old = _under(self.dest, rel)[0]
        if not self.same(rel, data, old=old):
            return False
        try:
            os.link(old, target, follow_symlinks=False)
        except OSError:
            return False
        return True

    def whole_tree(self, files: Mapping[str, str | bytes]) -> bool:
        """Whether dest already is exactly the tree writing files would make."""
        folders: set[str] = set()  # every folder a file is in, and their parents
        for rel in files:
            parent = rel.rpartition("/")[0]
            while parent and parent not in folders:
                folders.add(parent)
                parent = parent.rpartition("/")[0]
        found = 0
        pending = [(str(self.dest), "")]
        try:
            if stat.S_IMODE(os.lstat(self.dest).st_mode) != 0o755:
                return False
            while pending:
                folder, prefix = pending.pop()
                for entry in os.scandir(folder):
                    rel = prefix + entry.name
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        if rel not in folders or st.st_uid != self.uid:
                            return False
                        if stat.S_IMODE(st.st_mode) != self.folder_mode:
                            return False
                        pending.append((entry.path, rel + "/"))
                    elif rel in files and self.same(rel, _as_bytes(files[rel]), st, entry.path):
                        found += 1
                    else:
                        return False
        except OSError:
            return False
        return found == len(files)


def _swap_in(dest: Path, stage: Path, kept: Path) -> None:
    """Put stage at dest and remove the old tree; any failure restores the old tree from
    `kept` (hard links to every file it held: the same inodes, content and modes)."""
    old: Path | None = None
    try:
        old = _sibling(dest, ".kctl-old")
        os.rmdir(old)
        os.replace(dest, old)
    except BaseException:
        if old is not None and not dest.exists():
            os.replace(old, dest)
        _remove_quietly(stage, kept, old)
        raise
    try:
        os.replace(stage, dest)
        shutil.rmtree(old)
    except BaseException as exc:
        failed = dest if not stage.exists() else None  # the new tree, when it got in place
        if failed is not None:
            os.replace(dest, stage)
        os.replace(kept, dest)
        _remove_quietly(stage, old)
        if isinstance(exc, OSError):
            left = [str(p) for p in (old,) if p.exists()]
            raise OperationError(
                f"cannot replace {dest}: {exc.strerror or exc} ({exc.filename or dest}); "
                "its previous content is back in place",
                details=[f"left behind (could not be removed): {p}" for p in left],
            ) from None
        raise
    _remove_quietly(kept)


def _sibling(dest: Path, suffix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=suffix, dir=dest.parent))


def _link_tree(source: Path, copy: Path) -> None:
    """Recreate source's folders under copy (same modes) with hard links to its files."""
    folders: list[tuple[str, int]] = [(str(copy), source.stat().st_mode)]
    top = str(source)
    for folder, subdirs, names in os.walk(top):
        base = str(copy) + folder[len(top) :]  # os.walk's folders are top + "/..."
        for name in subdirs:
            mode = os.lstat(f"{folder}/{name}").st_mode
            if stat.S_ISLNK(mode):
                os.symlink(os.readlink(f"{folder}/{name}"), f"{base}/{name}")
                continue
            os.mkdir(f"{base}/{name}")
            folders.append((f"{base}/{name}", mode))
        for name in names:
            os.link(f"{folder}/{name}", f"{base}/{name}", follow_symlinks=False)
    for made, mode in reversed(folders):
        os.chmod(made, stat.S_IMODE(mode))


def _check_removable(tree: Path) -> None:
    """Refuse before any change when a folder of tree forbids removing what it holds."""
    for folder, _, _ in os.walk(tree):
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OSError(errno.EACCES, "permission denied: its files cannot be removed", folder)


def _remove_quietly(*trees: Path | None) -> None:
    """Remove kctl's own staging trees, best effort (a second pass for a transient error)."""
    for tree in trees:
        for _ in range(2):
            if tree is None or not os.path.lexists(tree):
                break
            for folder, _, _ in os.walk(tree):  # a kept copy has the old folders' modes
                with contextlib.suppress(OSError):
                    os.chmod(folder, 0o700)
            shutil.rmtree(tree, ignore_errors=True)


def _tree_equals(dest: Path, files: Mapping[str, str | bytes]) -> bool:
    present = {str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()}
    if present != set(files):
        return False
    return all((dest / rel).read_bytes() == _as_bytes(c) for rel, c in files.items())
