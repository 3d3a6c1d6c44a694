"""Reading input files safely: only regular files, bounded in size, errors naming the path.

A FIFO, device or socket where kctl expects a file is reported, never opened (opening a FIFO
blocks until a writer comes; /dev/zero never ends); a symlink loop, a name too long, a
permission problem or a file over the size cap is exit 2 naming the path.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

from kctl.errors import InputError, Location

MAX_INPUT_BYTES = 64 << 20  # no Compose file, manifest, pack or certificate comes near it

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def check_regular(path: Path) -> os.stat_result:
    """stat(path) for a regular file (symlinks followed); InputError naming path otherwise."""
    try:
        info = path.stat()
    except FileNotFoundError:
        kind = "a dangling symlink" if path.is_symlink() else None
        message = f"{kind}, not a file" if kind else "file not found"
        raise InputError(message, location=Location(str(path))) from None
    except OSError as exc:
        raise InputError(os_message(exc), location=Location(str(path))) from None
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise InputError(f"is {kind}, expected a file", location=Location(str(path)))
    return info


def read_input(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular input file of at most limit bytes."""
    info = check_regular(path)
    if info.st_size > limit:
        raise InputError(
            f"is {info.st_size:,} bytes, more than kctl reads ({limit:,})",
            location=Location(str(path)),
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(os_message(exc), location=Location(str(path))) from None
    if len(data) > limit:  # grew while reading, or a /proc-like file that lies about its size
        raise InputError(f"is more than {limit:,} bytes", location=Location(str(path)))
    return data


def is_regular(path: Path) -> bool:
    """Whether path is a readable regular file (no exception, for optional inputs)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def os_message(exc: OSError) -> str:
    """What an OS error means for a path, in a few words."""
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENAMETOOLONG:
        return "path too long"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


def decode(data: bytes, filename: str) -> str:
    """Decode input bytes as UTF-8 (BOM allowed), failing with the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            location=Location(filename, line),
            hint="save the file as UTF-8",
        ) from None


def read_text(path: Path) -> str:
    """Read a text input file (a regular file only), OS and encoding problems as InputError."""
    return decode(read_input(path), str(path))


MAX_JSON_DEPTH = 200  # no project file nests near this; json.loads recurses per level
_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}]')


def json_too_deep(text: str | bytes) -> int | None:
    """The line where text nests deeper than MAX_JSON_DEPTH arrays/objects, else None.

    Counted without recursion (strings skipped), so a hostile file never reaches the parser's
    recursion limit; documents with fewer brackets than the cap are not scanned at all."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return None
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return text.count("\n", 0, token.start()) + 1
        elif char in "]}":
            depth -= 1
    return None


def json_object(text: str | bytes, filename: str | None = None) -> dict[str, Any] | None:
    """text as a JSON object, or None when it is not JSON or not an object.

    A document nested deeper than MAX_JSON_DEPTH is an InputError at its line when filename
    is given, else None (not a document kctl reads)."""
    import json

    line = json_too_deep(text)
    if line is not None:
        if filename is None:
            return None
        raise InputError(
            f"nested deeper than {MAX_JSON_DEPTH} levels", location=Location(filename, line)
        )
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
