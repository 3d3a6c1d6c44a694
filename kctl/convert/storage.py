"""volumes, tmpfs, secrets and configs of a service → pod volumes, volume mounts, claims.

Named volumes become PersistentVolumeClaims (one per volume, shared by every service that
mounts it; a StatefulSet's own volume becomes a volumeClaimTemplate), small bind-mounted files
ConfigMaps, other bind mounts claims, NFS driver_opts nfs volumes. `--volumes` and
kompose.volume.type choose emptyDir or hostPath instead.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.compose import Project, Service, ServiceVolume
from kctl.compose.spec import Tmpfs, VolumeSpec
from kctl.convert import labels as lbl
from kctl.convert.context import Context, Owned, label_or_annotate
from kctl.convert.options import KomposeLabels, KubeFields
from kctl.convert.secrets import config_key, secret_or_config
from kctl.errors import InputError
from kctl.kube.naming import dns_label, dns_subdomain

_VOLUME_MODES = {
    "persistentVolumeClaim": "pvc",
    "emptyDir": "emptyDir",
    "hostPath": "hostPath",
    "configMap": "configMap",
}


class StorageState(Struct):
    """What storage remembers across the services of one conversion (shared claims)."""

    volume_users: dict[str, list[str]]  # named volume -> services mounting it
    created_claims: set[str] = field(default_factory=set)
    bind_claims: dict[str, str] = field(default_factory=dict)  # host path -> claim name

    @classmethod
    def of(cls, project: Project) -> StorageState:
        users: dict[str, list[str]] = {}
        for name, service in project.services.items():
            for volume in service.volumes:
                if volume.type == "volume" and volume.source:
                    users.setdefault(volume.source, []).append(name)
        return cls(users)


class StoragePieces(Struct):
    """A service's pod volumes, its container's mounts, claim templates and new objects."""

    volumes: list[dict[str, Any]] = field(default_factory=list)
    mounts: list[dict[str, Any]] = field(default_factory=list)
    claim_templates: list[dict[str, Any]] = field(default_factory=list)
    objects: list[Owned] = field(default_factory=list)


def storage(
    ctx: Context,
    state: StorageState,
    name: str,
    service: Service,
    labels: KomposeLabels,
    controller: str,
) -> StoragePieces:
    """Everything a service mounts."""
    builder = _Builder(ctx, state, name, service, labels, controller)
    for index, volume in enumerate(service.volumes):
        builder.volume(index, volume)
    for index, tmpfs in enumerate(service.spec.tmpfs):
        builder.tmpfs(index, tmpfs)
    pieces = builder.pieces
    for kind, entries in (("secrets", service.spec.secrets), ("configs", service.spec.configs)):
        for spec in entries:
            found = secret_or_config(ctx, name, service, kind, spec)
            pieces.objects += found.objects
            if found.volume is not None:
                pieces.volumes.append(found.volume)
                pieces.mounts.append(found.mount)
    templated = {dns_label(t["metadata"]["name"]) for t in pieces.claim_templates}
    pieces.volumes = [v for v in pieces.volumes if v["name"] not in templated]
    return pieces


class _Builder:
    """Builds one service's StoragePieces (nothing outside them is changed but `state`)."""

    def __init__(
        self,
        ctx: Context,
        state: StorageState,
        name: str,
        service: Service,
        labels: KomposeLabels,
        controller: str,
    ) -> None:
        self.ctx, self.state, self.name, self.service = ctx, state, name, service
        self.labels, self.controller = labels, controller
        self.mode = _VOLUME_MODES.get(labels.get(lbl.VOLUME_TYPE, ""), ctx.opts.volumes)
        self.pieces = StoragePieces()

    def volume(self, index: int, volume: ServiceVolume) -> None:
        if volume.type == "volume" and volume.source:
            vol_name = dns_label(volume.source)
        else:
            base = Path(volume.source).name if volume.source else volume.type
            vol_name = dns_label(f"{self.name}-{base or 'root'}-{index}")
        mount: dict[str, Any] = {"name": vol_name, "mountPath": volume.target}
        if volume.read_only:
            mount["readOnly"] = True
        if volume.subpath:
            mount["subPath"] = volume.subpath
        if lbl.VOLUME_SUBPATH in self.labels and volume.type in ("volume", "bind"):
            mount["subPath"] = self.labels[lbl.VOLUME_SUBPATH]
        if volume.type == "volume" and volume.source:
            source = self.named(volume, vol_name)
        elif volume.type == "bind" and volume.source:
            source, sub_path = self.bind(volume.source, index, vol_name, mount)
            if sub_path:
                mount["subPath"] = sub_path
        elif volume.type == "tmpfs":
            empty: dict[str, Any] = {"medium": "Memory"}
            if volume.tmpfs_size:
                empty["sizeLimit"] = str(volume.tmpfs_size)
            source = {"name": vol_name, "emptyDir": empty}
        else:  # anonymous volume
            source = {"name": vol_name, "emptyDir": {}}
        if source is not None:
            self.pieces.volumes.append(source)
        self.pieces.mounts.append(mount)

    def named(self, volume: ServiceVolume, vol_name: str) -> KubeFields | None:
        """A named volume: a claim (or a claim template), an nfs export, emptyDir or hostPath."""
        source = str(volume.source)
        spec = self.ctx.project.volume_specs.get(source) or VolumeSpec()
        if spec.external:
            self.ctx.warn(
                self.service,
                "volumes",
                f"external volume {source!r}: a PersistentVolumeClaim of that name must "
                "already exist",
            )
        mode = "pvc" if self.mode == "configMap" else self.mode  # configMap: bind mounts only
        nfs = _nfs(self.ctx, source, spec, self.service)
        if nfs is not None:
            return {"name": vol_name, "nfs": nfs}
        own = self.state.volume_users[source] == [self.name]
        if mode == "pvc" and self.controller == "statefulset" and own:
            self.pieces.claim_templates.append(self.claim(source, None, template=True))
            return None
        if mode == "pvc":
            if source not in self.state.created_claims and not spec.external:
                self.state.created_claims.add(source)
                owner = self.name if own else None
                self.pieces.objects.append((owner, self.claim(source, owner)))
            claim_name = str(spec.name) if spec.external else source
            claim: dict[str, Any] = {"claimName": dns_subdomain(claim_name)}
            if volume.read_only:
                claim["readOnly"] = True
            return {"name": vol_name, "persistentVolumeClaim": claim}
        if mode == "hostPath":
            path = f"/var/lib/kctl/{self.ctx.project.name}/{source}"
            return {"name": vol_name, "hostPath": {"path": path}}
        return {"name": vol_name, "emptyDir": {}}

    def claim(self, volume: str, owner: str | None, template: bool = False) -> KubeFields:
        """A PersistentVolumeClaim (or a volumeClaimTemplate) for a volume."""
        vol_labels = _volume_labels(self.ctx, volume, self.service)
        size = (
            vol_labels.get(lbl.VOLUME_SIZE)
            or self.labels.get(lbl.VOLUME_SIZE)
            or self.ctx.opts.pvc_request_size
        )
        storage_class = vol_labels.get(lbl.VOLUME_STORAGE_CLASS) or self.labels.get(
            lbl.VOLUME_STORAGE_CLASS
        )
        single_writer = bool(owner or template)
        spec: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"] if single_writer else ["ReadWriteMany"],
            "resources": {"requests": {"storage": size}},
        }
        if storage_class:
            spec["storageClassName"] = storage_class
        if vol_labels.get(lbl.VOLUME_SELECTOR):
            spec["selector"] = {"matchLabels": {lbl.SELECTOR: vol_labels[lbl.VOLUME_SELECTOR]}}
        metadata: dict[str, Any] = {
            "name": dns_subdomain(volume),
            "labels": {lbl.VOLUME_LABEL: dns_label(volume)},
        }
        defined = self.ctx.project.volume_specs.get(volume) or VolumeSpec()
        label_or_annotate(metadata, defined.labels)
        if template:
            return {"metadata": metadata, "spec": spec}
        if single_writer:
            self.ctx.exclusive_claims.add(metadata["name"])
        if self.ctx.opts.namespace:
            metadata["namespace"] = self.ctx.opts.namespace
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": metadata,
            "spec": spec,
        }

    def bind(
        self, source: str, index: int, vol_name: str, mount: dict[str, Any]
    ) -> tuple[dict[str, Any], str | None]:
        """(pod volume, subPath for the mount) of a bind mount."""
        path = Path(source)
        if not self.ctx.inside_project(path):
            return self.outside(source, vol_name), None
        read = project_files(path, self.ctx.project.working_dir, self.ctx.opts.configmap_max_bytes)
        if read is not None and self.mode != "hostPath":
            files, left_out = read
            for rel, why in left_out:
                self.ctx.warn(
                    self.service, "volumes", f"bind mount {source}: {rel} left out ({why})"
                )
            # as Kompose: <service>-cm<N>, N the mount's index among the service's volumes
            cm_name = self.ctx.name("ConfigMap", f"{self.ctx.base(self.name)}-cm{index}")
            keys = _data_keys(files)
            config_map: dict[str, Any] = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": self.ctx.meta("ConfigMap", cm_name, self.name),
                **_config_map_data({keys[rel]: content for rel, content in files.items()}),
            }
            self.pieces.objects.append((self.name, config_map))
            ref: dict[str, Any] = {"name": cm_name}
            if any("/" in rel for rel in files):  # subfolders: each key placed at its path
                ref["items"] = [{"key": keys[rel], "path": rel} for rel in sorted(files)]
            sub_path = config_key(path.name) if path.is_file() else None
            return {"name": vol_name, "configMap": ref}, sub_path
        if self.mode == "hostPath":
            return {"name": vol_name, "hostPath": {"path": source}}, None
        if self.mode == "emptyDir":
            self.ctx.warn(
                self.service, "volumes", f"bind mount {source}: an empty emptyDir (--volumes)"
            )
            return {"name": vol_name, "emptyDir": {}}, None
        claim_name = self.bind_claim(source, index)
        self.ctx.warn(
            self.service,
            "volumes",
            f"bind mount {source} is not a small text file or folder: it becomes the claim "
            f"{claim_name!r}, which starts empty (copy the data in, or use --volumes hostPath)",
        )
        claim: dict[str, Any] = {"claimName": claim_name}
        if mount.get("readOnly"):
            claim["readOnly"] = True
        return {"name": vol_name, "persistentVolumeClaim": claim}, None

    def outside(self, source: str, vol_name: str) -> KubeFields:
        """A bind mount of a path outside the project folder: never read on this machine."""
        if self.mode == "emptyDir":
            self.ctx.warn(
                self.service, "volumes", f"bind mount {source}: an empty emptyDir (--volumes)"
            )
            return {"name": vol_name, "emptyDir": {}}
        self.ctx.warn(
            self.service,
            "volumes",
            f"bind mount {source} is outside the project folder: a hostPath (that path on "
            "the node that runs the pod); its content here is never read",
        )
        return {"name": vol_name, "hostPath": {"path": source}}

    def bind_claim(self, source: str, index: int) -> str:
        """One claim per bind-mounted host path (as Kompose: <service>-claim<N>), shared by
        every service that binds it: data written there persists, as on the host."""
        if source in self.state.bind_claims:
            return self.state.bind_claims[source]
        users = [
            s
            for s, svc in self.ctx.project.services.items()
            if any(v.type == "bind" and v.source == source for v in svc.volumes)
        ]
        claim_name = self.ctx.name(
            "PersistentVolumeClaim", f"{self.ctx.pod_base(self.name)}-claim{index}"
        )
        self.state.bind_claims[source] = claim_name
        owner = self.name if users == [self.name] else None
        self.pieces.objects.append((owner, self.claim(claim_name, owner)))
        return claim_name

    def tmpfs(self, index: int, tmpfs: Tmpfs) -> None:
        path = tmpfs.path
        vol_name = dns_label(f"{self.name}-tmpfs-{index}")
        empty: dict[str, Any] = {"medium": "Memory"}
        if tmpfs.size is not None:
            empty["sizeLimit"] = str(tmpfs.size)
        self.pieces.volumes.append({"name": vol_name, "emptyDir": empty})
        self.pieces.mounts.append({"name": vol_name, "mountPath": path})


def _nfs(ctx: Context, volume: str, spec: VolumeSpec, service: Service) -> KubeFields | None:
    """An nfs volume source for a local-driver NFS volume; other driver settings warned."""
    opts = dict(spec.driver_opts)
    driver = spec.driver
    if driver not in (None, "local"):
        ctx.warn(service, "volumes", f"volume {volume!r}: driver {driver!r} not translated")
    if not opts:
        return None
    options = spec.mount_options
    server, path = options.get("addr"), spec.device
    if spec.mount_type.startswith("nfs") and server and path.startswith(":/"):
        nfs: dict[str, Any] = {"server": server, "path": path[1:]}
        if "ro" in options:
            nfs["readOnly"] = True
        return nfs
    ctx.warn(
        service,
        "volumes",
        f"volume {volume!r}: driver_opts {opts} not translated "
        "(the claim gets the cluster's default storage)",
    )
    return None


def _volume_labels(ctx: Context, volume: str, service: Service) -> KomposeLabels:
    """The kompose.* labels of a top-level volume, typed (errors point at the mount)."""
    defined = ctx.project.volume_specs.get(volume) or VolumeSpec()
    values, problems = lbl.parse_labels(dict(defined.labels), "volume")
    for problem in problems:
        message = f"volume {volume!r}: {problem.message}"
        if problem.error:
            raise InputError(message, location=service.location("volumes"), hint=problem.hint)
        ctx.warn(service, "volumes", message)
    return values


def _config_map_data(files: dict[str, bytes]) -> dict[str, dict[str, str]]:
    """ConfigMap data (UTF-8 text) and binaryData (anything else, base64) for files."""
    text: dict[str, str] = {}
    binary: dict[str, str] = {}
    for name, content in sorted(files.items()):
        try:
            text[config_key(name)] = content.decode("utf-8")
        except UnicodeDecodeError:
            binary[config_key(name)] = base64.b64encode(content).decode()
    return {k: v for k, v in (("data", text), ("binaryData", binary)) if v}


MAX_DEPTH = 32  # folder levels read into a ConfigMap (deeper ones are left out, with a warning)

Files = dict[str, bytes]  # path relative to the bound folder ("/"-separated) -> content
LeftOut = list[tuple[str, str]]  # (relative path, why)


def project_files(path: Path, project_dir: Path, limit: int) -> tuple[Files, LeftOut] | None:
    """The files of a bound file or folder inside the project (subfolders included), with
    what was left out and why (symlinks leaving the project, special files, depth); None when
    nothing is there or the files exceed limit bytes (the caller makes a claim)."""
    root = project_dir.resolve()
    try:
        if path.is_file():
            return ({path.name: path.read_bytes()}, []) if path.stat().st_size <= limit else None
        if not path.is_dir():
            return None
        files: Files = {}
        left_out: LeftOut = []
        total = 0
        stack: list[tuple[Path, str, int]] = [(path, "", 0)]
        while stack:
            folder, prefix, depth = stack.pop()
            for entry in sorted(folder.iterdir(), reverse=True):
                rel = f"{prefix}{entry.name}"
                why = _left_out_because(entry, root, depth)
                if why:
                    left_out.append((rel, why))
                elif entry.is_dir():
                    stack.append((entry, rel + "/", depth + 1))
                else:
                    total += entry.stat().st_size
                    if total > limit:
                        return None
                    files[rel] = entry.read_bytes()
        return (files, sorted(left_out)) if files else None
    except OSError:
        return None


def _left_out_because(entry: Path, root: Path, depth: int) -> str | None:
    try:
        real = entry.resolve()
    except RuntimeError:  # Python 3.11 raises it for a symlink loop
        return "a symlink loop"
    if real != root and root not in real.parents:
        return "a symlink leaving the project folder: never read"
    if entry.is_symlink() and entry.is_dir():
        return "a symlink to a folder"
    if entry.is_dir():
        return f"deeper than {MAX_DEPTH} folders" if depth >= MAX_DEPTH else None
    if not entry.is_file():
        return "not a regular file"
    return None


def _data_keys(files: Files) -> dict[str, str]:
    """A distinct ConfigMap key for each relative path (a flat folder keeps its file names)."""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for rel in sorted(files, key=lambda r: (r.count("/"), r)):
        key = base = config_key(rel.replace("/", "_"))
        n = 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        taken.add(key)
        keys[rel] = key
    return keys
