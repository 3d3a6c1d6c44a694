"""Strict schema validation with validators built once per (Kubernetes version, kind)."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from kctl.errors import InputError, OperationError
from kctl.usercache import cache_dir

DEFAULT_KUBE_VERSION = "1.33"


@cache
def _schema_root() -> Path:
    """kubernetes-validate's schema folder, found without importing the package (its import
    pulls in jsonschema: ~60 ms that every `kctl convert` would pay for data files only)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise OperationError("kubernetes-validate is not installed (it carries the schemas)")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@cache
def _versions() -> list[str]:
    root = _schema_root()
    found = []
    for entry in root.iterdir():
        match = re.match(r"^v(\d+\.\d+)\.\d+-local-strict$", entry.name)
        if match:
            found.append(match.group(1))
    return sorted(set(found), key=lambda v: tuple(int(p) for p in v.split(".")))


@cache
def schema_dir(kube_version: str) -> str:
    """The strict schema folder for a Kubernetes version (latest not newer than it)."""
    if not re.fullmatch(r"v?\d{1,3}\.\d{1,3}(\.\d{1,3})?", kube_version):
        raise InputError(
            f"Kubernetes version {kube_version!r} is not MAJOR.MINOR",
            hint=f"pass --kube-version as MAJOR.MINOR, e.g. {DEFAULT_KUBE_VERSION}",
        )
    wanted = tuple(int(p) for p in kube_version.lstrip("v").split(".")[:2])
    candidates = [v for v in _versions() if tuple(int(p) for p in v.split(".")) <= wanted]
    if not candidates:
        raise InputError(
            f"no schemas for Kubernetes {kube_version}", hint=f"supported: {', '.join(_versions())}"
        )
    if wanted > tuple(int(p) for p in _versions()[-1].split(".")):
        raise InputError(
            f"Kubernetes {kube_version} is newer than the bundled schemas",
            hint=f"use --kube-version {_versions()[-1]} or older",
        )
    return next(
        e.name
        for e in _schema_root().iterdir()
        if e.name.startswith(f"v{candidates[-1]}.") and e.name.endswith("-local-strict")
    )


@cache
def _definitions(folder: str) -> Any:
    return json.loads((_schema_root() / folder / "_definitions.json").read_text())


@cache
def _validator(folder: str, kind: str, api_version: str) -> Any:
    import jsonschema_rs

    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = _schema_root() / folder / f"{kind.lower()}-{group}.json"
    try:
        stat = path.stat()
        defs = (_schema_root() / folder / "_definitions.json").stat()
    except FileNotFoundError:
        raise OperationError(f"no schema for {kind} {api_version} in {folder}") from None
    version = f"{stat.st_mtime_ns}-{stat.st_size}-{defs.st_mtime_ns}-{defs.st_size}"
    cached = _cache_file(folder, path.name, version)
    schema = _read_cached(cached) if cached is not None else None
    if schema is None:
        schema = _self_contained(path, folder)
        if cached is not None:
            _write_cached(cached, schema)
    return jsonschema_rs.Draft202012Validator(schema)


def _self_contained(path: Path, folder: str) -> Any:
    """The kind's schema with its definitions inlined (the root `$defs` only if recursive)."""
    defs = _definitions(folder)["$defs"]
    kept: list[str] = []
    schema = _inline(json.loads(path.read_text()), defs, (), kept)
    if kept:  # recursive refs resolve through the root `$defs` (1.5 MB: only when needed)
        schema = {**schema, "$defs": defs}
    return _without_descriptions(schema)


_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
_DATA = frozenset({"enum", "const", "default", "examples"})


def _without_descriptions(node: Any) -> Any:
    """A schema without its `description` annotations: three quarters of a Deployment's
    inlined schema (344 -> 83 kB), never used to validate, read and compiled on every run.
    Names in `properties` (PriorityClass has a field called description) and data keywords
    (enum, const, default, examples) are kept as they are."""
    if isinstance(node, list):
        return [_without_descriptions(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "description" and isinstance(value, str):
            continue
        if key in _DATA:
            out[key] = value
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _without_descriptions(s) for name, s in value.items()}
        else:
            out[key] = _without_descriptions(value)
    return out


# Inlining a kind's schema reads the 1.5 MB definitions file and walks it: ~12 ms of a
# 500-service `kctl convert` for a Deployment, every run. The result depends only on the schema
# files, so it is kept in the user's cache, keyed by the mtime and size of the kind file and of
# the definitions file and by _CACHE_FORMAT (bumped when what is cached changes); a cache
# that cannot be read or written is simply not used.
_CACHE_FORMAT = 2


def _cache_file(folder: str, name: str, version: str) -> Path | None:
    """Where the inlined schema of `name` is cached; `version` identifies the source files."""
    base = cache_dir("schemas", folder)
    key = f"{name.removesuffix('.json')}-{version}-v{_CACHE_FORMAT}.json"
    return base / key if base is not None else None


def _read_cached(path: Path) -> Any:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_cached(path: Path, schema: Any) -> None:
    from kctl import fsio

    with contextlib.suppress(OperationError):  # atomic: readers see the whole file or none
        fsio.write_file(path, json.dumps(schema, separators=(",", ":")))


_DEF_REF = re.compile(r"^(?:/api/_definitions\.json)?#/\$defs/(.+)$")


def _inline(node: Any, defs: dict[str, Any], stack: tuple[str, ...], kept: list[str]) -> Any:
    """Replace definition $refs by their content so each validator is self-contained;
    recursive definitions keep their $ref (listed in kept)."""
    if isinstance(node, list):
        return [_inline(item, defs, stack, kept) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        match = _DEF_REF.match(ref)
        if match and match.group(1) in defs and match.group(1) not in stack:
            name = match.group(1)
            rest = {k: v for k, v in node.items() if k != "$ref"}
            target = _inline(defs[name], defs, (*stack, name), kept)
            return {**target, **rest} if rest else target
        kept.append(ref)
    return {k: _inline(v, defs, stack, kept) for k, v in node.items()}


def validate(obj: dict[str, Any], kube_version: str = DEFAULT_KUBE_VERSION) -> None:
    """Validate strictly (unknown fields rejected); raise OperationError naming the object."""
    folder = schema_dir(kube_version)
    validator = _validator(folder, obj.get("kind", ""), obj.get("apiVersion", ""))
    error = next(iter(validator.iter_errors(obj)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.instance_path) or "(root)"
        raise OperationError(
            f"{obj.get('kind')} {obj.get('metadata', {}).get('name')!r} is not valid for "
            f"Kubernetes {kube_version} at {where}: {error.message}",
            hint="this is a kctl bug: please report it with the Compose file",
        )
