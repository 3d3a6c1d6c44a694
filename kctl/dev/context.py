"""Build contexts as Docker sends them: `.dockerignore` rules, a content digest, a tar.

The same file list feeds the digest and the tar, so what is tagged is exactly what is built:
identical trees (paths, modes, contents, Dockerfile, build args, target) give identical tags.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import tarfile
from collections.abc import Mapping
from pathlib import Path

from msgspec import Struct

from kctl.errors import InputError, Location


class _Rule(Struct, frozen=True):
    regex: re.Pattern[str]
    exclude: bool  # False for `!` re-includes


def _translate(pattern: str) -> str:
    """A .dockerignore pattern (Go filepath.Match + `**`) as a regex over `/` paths."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                out.append("(?:.*/)?")
                i += 1
            else:
                out.append(".*")
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise ValueError(f"unterminated character class in {pattern!r}")
            body = pattern[i + 1 : end]
            if body.startswith("^"):
                body = "!" + body[1:]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


class DockerIgnore:
    """The rules of one `.dockerignore` (last matching rule wins; `!` re-includes)."""

    def __init__(self, text: str = "", source: str = ".dockerignore") -> None:
        self.rules: list[_Rule] = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exclude = not line.startswith("!")
            pattern = line if exclude else line[1:].strip()
            pattern = os.path.normpath(pattern.lstrip("/")).replace(os.sep, "/")
            if pattern in (".", ""):
                continue
            try:
                self.rules.append(_Rule(re.compile(_translate(pattern) + r"\Z"), exclude))
            except (ValueError, re.error) as exc:
                raise InputError(
                    f"invalid .dockerignore pattern {line!r}: {exc}",
                    location=Location(source, number),
                ) from None

    @classmethod
    def load(cls, context: Path) -> DockerIgnore:
        path = context / ".dockerignore"
        try:
            return cls(path.read_text(encoding="utf-8"), str(path))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"cannot read .dockerignore: {exc}", location=Location(str(path))
            ) from None

    def excluded(self, rel: str) -> bool:
        """Whether a context-relative path is left out (a rule matching a parent counts)."""
        parts = rel.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        result = False
        for rule in self.rules:
            if any(rule.regex.match(c) for c in candidates):
                result = rule.exclude
        return result


class ContextFile(Struct, frozen=True):
    rel: str
    path: Path
    mode: int  # permission bits, plus the file type for symlinks
    link: str | None = None


def collect(context: Path, dockerfile: str = "Dockerfile") -> list[ContextFile]:
    """Files Docker would send for this context, sorted; the Dockerfile is always included."""
    if not context.is_dir():
        raise InputError("build context is not a directory", location=Location(str(context)))
    ignore = DockerIgnore.load(context)
    always = {dockerfile.replace(os.sep, "/"), ".dockerignore"}
    files: list[ContextFile] = []
    for root, dirs, names in os.walk(context):
        rel_root = os.path.relpath(root, context).replace(os.sep, "/")
        rel_root = "" if rel_root == "." else rel_root + "/"
        kept_dirs = []
        for name in sorted(dirs):
            rel = rel_root + name
            full = Path(root) / name
            if rel == ".kctl":  # kctl up's own state, never part of what is built
                continue
            if full.is_symlink():
                names.append(name)
                continue
            # a folder is walked unless excluded with no `!` rule that could re-include below it
            if ignore.excluded(rel) and not any(not r.exclude for r in ignore.rules):
                continue
            kept_dirs.append(name)
        dirs[:] = kept_dirs
        for name in sorted(names):
            rel = rel_root + name
            full = Path(root) / name
            if ignore.excluded(rel) and rel not in always:
                continue
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                files.append(ContextFile(rel, full, stat.S_IFLNK | 0o777, os.readlink(full)))
            elif stat.S_ISREG(info.st_mode):
                files.append(ContextFile(rel, full, stat.S_IMODE(info.st_mode)))
    return sorted(files, key=lambda f: f.rel)


def digest(
    files: list[ContextFile],
    dockerfile: str = "Dockerfile",
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
) -> str:
    """sha256 over paths, modes and contents, plus the Dockerfile name, build args, target."""
    h = hashlib.sha256()
    h.update(f"dockerfile\0{dockerfile}\0target\0{target or ''}\0".encode())
    for key, value in sorted((build_args or {}).items()):
        h.update(f"arg\0{key}\0{value}\0".encode())
    for f in files:
        h.update(f"file\0{f.rel}\0{f.mode:o}\0".encode())
        if f.link is not None:
            h.update(f"link\0{f.link}\0".encode())
            continue
        with open(f.path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()


def tag_for(digest_hex: str) -> str:
    """The image tag of a context digest."""
    return f"kctl-{digest_hex[:20]}"


def tar(files: list[ContextFile]) -> io.BytesIO:
    """The context as a deterministic tar (mtime 0, root owner), ready for the build API."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for f in files:
            info = tarfile.TarInfo(f.rel)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if f.link is not None:
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, f.link, 0o777
                archive.addfile(info)
                continue
            info.mode = f.mode
            data = f.path.read_bytes()
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer
