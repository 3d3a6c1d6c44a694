"""YAML reading for node files: a fast C parse, and ruamel positions only when reporting errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kctl.errors import InputError, Location
from kctl.inputs import check_regular


def read_bytes(path: Path, what: str) -> bytes:
    """The bytes of a required node file; a missing file is an input error naming it."""
    try:
        if path.exists():
            check_regular(path)  # a FIFO would block the read
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{what} is missing",
            location=Location.of(path),
            hint="point --root at a kubeadm node (etc/kubernetes/manifests, etc/kubernetes/pki)",
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot read {what}: {exc.strerror}", location=Location.of(path)
        ) from None


def parse_all(data: bytes, path: Path) -> list[Any]:
    """All YAML documents in `data`; errors carry file:line:column (kctl.yamlio.load_all_fast)."""
    from kctl import inputs, yamlio

    return yamlio.load_all_fast(inputs.decode(data, str(path)), str(path))


def parse_one(data: bytes, path: Path) -> dict[str, Any]:
    """The single mapping document of a file."""
    docs = parse_all(data, path)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise InputError(
            "expected exactly one YAML mapping document", location=Location.of(path, 1)
        )
    return docs[0]


def locate(path: Path, keys: Sequence[str | int], doc_index: int = 0) -> Location:
    """The position of a key path in a file (the deepest part that exists), for error messages."""
    from kctl import yamlio

    try:
        docs = yamlio.loads_all(path.read_text(encoding="utf-8"), str(path))
        node: Any = docs[doc_index]
    except Exception:
        return Location.of(path)
    where = yamlio.location_of(node, str(path))
    key: Any
    for key in keys:
        try:
            if (isinstance(key, int) and isinstance(node, list) and key < len(node)) or (
                isinstance(node, dict) and key in node
            ):
                where = yamlio.location_of(node, str(path), key)
                node = node[key]
            else:
                break
        except Exception:
            break
    return where


def invalid(path: Path, keys: Sequence[str | int], message: str, doc_index: int = 0) -> InputError:
    """An InputError for a semantic problem, located at the key path in the file."""
    return InputError(message, location=locate(path, keys, doc_index))
