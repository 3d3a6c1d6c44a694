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


# A static-pod manifest or kubeadm config is about ten levels deep; the round-trip editor
# (ruamel) that rewrites node files recurses, so deeper input is refused where it is read.
MAX_DEPTH = 64


def parse_all(data: bytes, path: Path) -> list[Any]:
    """All YAML documents in `data`; errors carry file:line:column (kctl.yamlio.load_all_fast)."""
    from kctl import inputs, yamlio

    text = inputs.decode(data, str(path))
    documents = yamlio.load_all_fast(text, str(path))
    if any(_deeper_than(doc, MAX_DEPTH) for doc in documents):
        raise InputError(
            f"nested more than {MAX_DEPTH} levels deep: not a Kubernetes or kubeadm file",
            location=Location.of(path, _first_deep_line(text, MAX_DEPTH)),
        )
    return documents


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether mappings/lists nest more than `limit` levels (iterative: no recursion limit)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in children)
    return False


def _first_deep_line(text: str, limit: int) -> int | None:
    """The line of the first node nested deeper than `limit` (libyaml's node marks)."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    stack: list[tuple[Any, int]] = [(node, 0) for node in yaml.compose_all(text, Loader=loader)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.CollectionNode):
            if depth >= limit:
                return int(node.start_mark.line) + 1
            mapping = isinstance(node, yaml.MappingNode)
            values = [v for _, v in node.value] if mapping else node.value
            stack.extend((value, depth + 1) for value in values)
    return None


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
