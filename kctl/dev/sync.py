"""Live update: copy changed files into the running containers instead of rebuilding.

What Tilt's `live_update` and Skaffold's `sync` do. Rules come from
`[environments.<name>.sync]` in kctl.toml:

    [environments.development.sync]
    "www/**" = "/www"              # glob (relative to the kctl.toml folder) = container folder
    run = "kill -HUP 1"            # optional: run in each container after a sync
    rebuild = ["Dockerfile", "package-lock.json"]   # a change here always rebuilds

A file matching a rule lands under the rule's folder with its path below the pattern's fixed
leading folders kept (`www/css/a.css` -> `/www/css/a.css`). A batch of changes is synced only if
every changed path is an existing file matched by a rule (deletions, the Dockerfile,
`.dockerignore`, `rebuild` globs and anything else mean a full cycle). The image stays honest:
the content tag of the next full cycle includes the synced files, so it rebuilds with them.
"""

from __future__ import annotations

import io
import re
import shlex
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from msgspec import Struct, field

from kctl.dev.context import _translate
from kctl.errors import KctlError, OperationError
from kctl.progress import Progress

RESERVED = ("run", "rebuild")
GLOB_CHARS = re.compile(r"[*?\[\\]")


class SyncRule(Struct, frozen=True):
    pattern: str  # a glob over `/` paths relative to the root
    dest: str  # an absolute folder in the container

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(_translate(self.pattern.strip("/")) + "$")

    @property
    def prefix(self) -> str:
        """The pattern's fixed leading folders (`src/app/**/*.py` -> `src/app`)."""
        parts = self.pattern.strip("/").split("/")
        fixed = []
        for part in parts[:-1]:
            if GLOB_CHARS.search(part):
                break
            fixed.append(part)
        return "/".join(fixed)

    def target(self, rel: str) -> str | None:
        """Where a file (path relative to the root) goes in the container, if it matches."""
        if not self.regex.match(rel):
            return None
        below = rel[len(self.prefix) :].lstrip("/") if self.prefix else rel
        return str(PurePosixPath(self.dest) / below)


class SyncRules(Struct, frozen=True):
    rules: tuple[SyncRule, ...] = ()
    run: tuple[str, ...] = ()  # argv run in each container after a sync
    rebuild: tuple[str, ...] = ()  # globs whose change always means a full cycle
    root: Path = field(default_factory=Path)

    def plan(self, changed: Sequence[str], always_rebuild: Sequence[Path]) -> list[Synced] | None:
        """(host file, container path) for each change, or None when a rebuild is needed."""
        if not self.rules:
            return None
        rebuild = [re.compile(_translate(p.strip("/")) + "$") for p in self.rebuild]
        forced = {p.resolve() for p in always_rebuild}
        root = self.root.resolve()
        planned = []
        for raw in changed:
            path = Path(raw).resolve()
            if path.is_dir():
                continue  # a folder event; the files in it come as their own events
            if path in forced or not path.is_file() or not path.is_relative_to(root):
                return None
            rel = path.relative_to(root).as_posix()
            if any(r.match(rel) for r in rebuild):
                return None
            target = next((t for r in self.rules if (t := r.target(rel)) is not None), None)
            if target is None:
                return None
            planned.append(Synced(path, target))
        return planned or None


class Synced(Struct, frozen=True):
    source: Path
    target: str


def parse_rules(table: Mapping[str, Any], root: Path) -> SyncRules:
    """The `sync` table of an environment; ValueError names what is wrong."""
    rules = []
    for key, value in table.items():
        if key in RESERVED:
            continue
        if not isinstance(value, str) or not value.startswith("/"):
            raise ValueError(f"sync rule {key!r} needs an absolute container folder, not {value!r}")
        rules.append(SyncRule(str(key), value))
    run = table.get("run", ())
    if isinstance(run, str):
        run = ("/bin/sh", "-c", run)
    if not isinstance(run, list | tuple) or not all(isinstance(a, str) for a in run):
        raise ValueError("sync `run` must be a command string or a list of strings")
    rebuild = table.get("rebuild", [])
    if not isinstance(rebuild, list) or not all(isinstance(p, str) for p in rebuild):
        raise ValueError("sync `rebuild` must be a list of globs")
    return SyncRules(tuple(rules), tuple(run), tuple(rebuild), root)


def archive(files: Sequence[Synced]) -> bytes:
    """A tar of the files at their container paths (relative to /), modes kept."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for item in files:
            data = item.source.read_bytes()
            info = tarfile.TarInfo(item.target.lstrip("/"))
            info.size, info.mode = len(data), item.source.stat().st_mode & 0o7777
            info.mtime = int(item.source.stat().st_mtime)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def copy_into(
    containers: Sequence[str],
    files: Sequence[Synced],
    run: Sequence[str],
    progress: Progress,
) -> None:
    """Copy files into each container through the engine API, then run the command there."""
    from kctl.dev.image import _client, engine_error

    data = archive(files)
    client = _client()
    try:
        for container in containers:
            if not client.put_archive(container, "/", data):
                raise OperationError(f"the engine refused to copy files into {container[:12]}")
            if run:
                _run(client, container, run, progress)
    except KctlError:
        raise
    except Exception as exc:  # the SDK's APIError / ConnectionError
        raise engine_error(exc, "sync") from None
    finally:
        client.close()


def _run(client: Any, container: str, argv: Sequence[str], progress: Progress) -> None:
    exec_id = client.exec_create(container, list(argv))["Id"]
    output = client.exec_start(exec_id).decode(errors="replace")
    for line in output.splitlines():
        progress.output(line + "\n")
    code = client.exec_inspect(exec_id).get("ExitCode")
    if code:
        raise OperationError(
            f"sync `run` ({shlex.join(argv)}) exited with code {code} in {container[:12]}",
            details=output.strip().splitlines()[-20:],
        )
