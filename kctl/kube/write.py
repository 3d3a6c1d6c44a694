"""Write Kubernetes objects: stdout, one multi-document file, or one file per object."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kctl import fsio, yamlio


def as_list(objects: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "items": list(objects)}


def render(objects: Sequence[dict[str, Any]], *, as_json: bool = False, indent: int = 2) -> str:
    """All objects as one text: multi-document YAML, or a JSON List."""
    if as_json:
        return json.dumps(as_list(objects), indent=indent) + "\n"
    return yamlio.dump_all(objects, indent=indent)


def file_name(obj: dict[str, Any], as_json: bool) -> str:
    return f"{obj['metadata']['name']}-{obj['kind'].lower()}.{'json' if as_json else 'yaml'}"


def per_object(
    objects: Sequence[dict[str, Any]], *, as_json: bool = False, indent: int = 2
) -> dict[str, str]:
    """{file name: content} with one file per object, named `<name>-<kind>.yaml`."""
    files = {}
    for obj in objects:
        text = json.dumps(obj, indent=indent) + "\n" if as_json else yamlio.dump(obj, indent=indent)
        files[file_name(obj, as_json)] = text
    return files


def is_directory_target(target: Path) -> bool:
    """`-o` names a directory when it is one, ends with a slash, or has no file suffix."""
    if target.is_dir():
        return True
    if target.exists():
        return False
    return str(target).endswith("/") or target.suffix.lower() not in (".yaml", ".yml", ".json")


def write(
    objects: Sequence[dict[str, Any]],
    target: Path,
    *,
    as_json: bool = False,
    indent: int = 2,
    force: bool = False,
) -> list[Path]:
    """Write atomically to a directory (one file per object) or a single file."""
    if is_directory_target(target):
        planned = fsio.write_files(
            target, per_object(objects, as_json=as_json, indent=indent), force=force
        )
        return [p.path for p in planned]
    planned = fsio.write_files(
        target.parent, {target.name: render(objects, as_json=as_json, indent=indent)}, force=force
    )
    return [p.path for p in planned]
