"""Compose secrets and configs → Secrets / ConfigMaps mounted as files (subPath, read-only)."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.compose import Service
from kctl.compose.spec import FileMount, FileObject
from kctl.convert import labels as lbl
from kctl.convert.context import Context, Owned
from kctl.convert.options import KubeObject
from kctl.errors import InputError
from kctl.inputs import check_regular
from kctl.kube.naming import dns_label, dns_subdomain


class Mounted(Struct):
    """One secret/config mount: its pod volume (None when its content is missing), the
    container's mount and the object created for it (once per conversion)."""

    volume: dict[str, Any] | None
    mount: dict[str, Any]
    objects: list[Owned] = field(default_factory=list)


def config_key(name: str) -> str:
    """A ConfigMap/Secret data key for a file name."""
    key = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return key or "data"


def secret_or_config(
    ctx: Context, name: str, service: Service, kind: str, spec: FileMount
) -> Mounted:
    """Mount one `secrets:`/`configs:` entry of a service (kind is secrets or configs)."""
    source = spec.source
    defined = ctx.project.secret_specs if kind == "secrets" else ctx.project.config_specs
    top = defined.get(source) or FileObject()
    default_dir = "/run/secrets/" if kind == "secrets" else "/"
    target = spec.target or f"{default_dir}{source}"
    if not target.startswith("/"):
        target = f"{default_dir}{target}"
    key = config_key(source)
    obj_kind = "Secret" if kind == "secrets" else "ConfigMap"
    external = top.external
    obj_name = dns_subdomain((top.name or source) if external else source)
    vol_name = dns_label(f"{name}-{kind[:-1]}-{source}")
    mount = {"name": vol_name, "mountPath": target, "subPath": key, "readOnly": True}
    for owner, value in (("uid", spec.uid), ("gid", spec.gid)):
        if value is not None:
            ctx.warn(
                service,
                kind,
                f"{kind[:-1]} {source!r}: {owner} not translated (Kubernetes files are owned "
                f"by root; group access: {lbl.FS_GROUP})",
            )
    objects: list[Owned] = []
    if not external and top.file and not ctx.inside_project(Path(top.file)):
        ctx.warn(
            service,
            kind,
            f"{kind[:-1]} {source!r}: {top.file} is outside the project folder, so it is "
            f"never read: create the {obj_kind} {obj_name!r} in the cluster (key {key!r})",
        )
        external = True  # mounted by name, created by the user
    if not external and obj_name not in ctx.names.setdefault(obj_kind, set()):
        content = _content(ctx, service, kind, source, top)
        if content is None:
            return Mounted(None, mount)
        ctx.names[obj_kind].add(obj_name)
        users = [
            s
            for s, svc in ctx.project.services.items()
            if any(m.source == source for m in _mounts(svc, kind))
        ]
        obj = _object(ctx, obj_kind, obj_name, key, content)
        objects.append((name if users == [name] else None, obj))
    field_name = "secret" if obj_kind == "Secret" else "configMap"
    ref: dict[str, Any] = {"secretName": obj_name} if obj_kind == "Secret" else {"name": obj_name}
    if spec.mode is not None:
        ref["defaultMode"] = spec.mode
    return Mounted({"name": vol_name, field_name: ref}, mount, objects)


def _mounts(service: Service, kind: str) -> tuple[FileMount, ...]:
    return service.spec.secrets if kind == "secrets" else service.spec.configs


def _object(ctx: Context, kind: str, name: str, key: str, content: bytes) -> KubeObject:
    meta: dict[str, Any] = {"name": name}
    if ctx.opts.namespace:
        meta["namespace"] = ctx.opts.namespace
    encoded = base64.b64encode(content).decode()
    if kind == "Secret":
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta,
            "type": "Opaque",
            "data": {key: encoded},
        }
    try:
        data = {"data": {key: content.decode()}}
    except UnicodeDecodeError:
        data = {"binaryData": {key: encoded}}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, **data}


def _content(
    ctx: Context, service: Service, kind: str, source: str, top: FileObject
) -> bytes | None:
    """The bytes of a secret/config (file, environment or content), None when unset."""
    if top.file:
        path = Path(top.file)
        try:
            if path.exists() and not path.is_file():  # a FIFO would block the read forever
                check_regular(path)
            return path.read_bytes()
        except InputError as exc:
            raise InputError(
                f"{kind[:-1]} {source!r}: {top.file} {exc.message}",
                location=service.location(kind),
            ) from None
        except OSError as exc:
            raise InputError(
                f"{kind[:-1]} {source!r}: cannot read {top.file}: {exc.strerror}",
                location=service.location(kind),
            ) from None
    if top.environment:
        value = ctx.project.environment.get(top.environment)
        if value is None:
            ctx.warn(
                service,
                kind,
                f"{kind[:-1]} {source!r} comes from environment "
                f"variable {top.environment} which is not set: not created",
            )
            return None
        return value.encode()
    if top.content is not None:
        return top.content.encode()
    ctx.warn(
        service, kind, f"{kind[:-1]} {source!r} has no file, environment or content: not created"
    )
    return None
