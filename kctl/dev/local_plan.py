"""The rendered chart as the local target runs it: one unit (pod) per workload, in Compose order.

Pure: objects in, a LocalPlan out; kctl/dev/local_play.py carries it out with Podman.

- Names: every workload's pod joins one Podman network of the release (DNS by aardvark) with its
  Compose service name, its network aliases, the Kubernetes Services that select it and its own
  name as aliases: the names Compose and the cluster resolve, on every port.
- Isolation: pods, the network and volumes are named after the release and the environment
  (`-e staging` runs beside `development`), and labelled with that instance.
- Secrets and ConfigMaps mounted as volumes become files in a private (0700) folder bind-mounted
  read-only (Podman 4.3 panics on Secret volumes); values they give to `env` are inlined.
- Claims become Podman named volumes kctl creates (and keeps) itself: `kube play` refuses to
  recreate one that a failed play left behind.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from msgspec import Struct, field

from kctl.dev.services import Services, start_order
from kctl.errors import OperationError

RELEASE_LABEL = "kctl.dev/release"
COMPONENT_LABEL = "io.kompose.service"  # the Compose service a generated chart's pod runs
WORKLOADS = ("Pod", "Deployment")
_ALIAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class LocalFile(Struct, frozen=True):
    """A file the pods mount (a secret or config): written 0700-private, never printed."""

    path: Path
    data: bytes
    mode: int


class Unit(Struct, frozen=True):
    """One workload of the release: one pod, played on its own with its network aliases."""

    service: str  # the Compose service (or the workload's name without Compose)
    pod: str  # the pod Podman runs
    objects: list[dict[str, Any]]
    aliases: tuple[str, ...] = ()
    published: bool = False  # publishes a host port: it must keep running and answer
    restart: str = "Always"


class LocalPlan(Struct):
    instance: str  # release[-env]: the label and name prefix of everything below
    units: list[Unit] = field(default_factory=list)
    network: str | None = None
    volumes: list[str] = field(default_factory=list)
    files: list[LocalFile] = field(default_factory=list)
    secret_values: set[str] = field(default_factory=set)  # inlined into env: never shown

    def shown(self) -> list[dict[str, Any]]:
        """The played objects as they may be printed: env values from Secrets left out."""
        objects = copy.deepcopy([o for unit in self.units for o in unit.objects])
        for obj in objects:
            spec = pod_spec(obj)
            for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
                for entry in container.get("env") or []:
                    if entry.get("value") in self.secret_values:
                        entry["value"] = "(from a Secret: not shown)"
        return objects

    @property
    def run_once(self) -> list[str]:
        """Services whose container may finish (exit 0) instead of running on."""
        return [u.service for u in self.units if u.restart != "Always" and not u.published]


def instance_name(release: str, env: str) -> str:
    return release if env == "development" else f"{release}-{env}"


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("kind") == "Pod":
        spec = obj.setdefault("spec", {})
    else:
        spec = obj.setdefault("spec", {}).setdefault("template", {}).setdefault("spec", {})
    if not isinstance(spec, dict):
        raise OperationError(f"{obj.get('kind')} has no pod spec mapping")
    return spec


def pod_labels(obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("kind") == "Pod":
        meta = obj.setdefault("metadata", {})
    else:
        meta = obj["spec"].setdefault("template", {}).setdefault("metadata", {})
    labels: dict[str, Any] = meta.setdefault("labels", {})
    return labels


def _data(obj: dict[str, Any]) -> dict[str, bytes]:
    """The keys of a ConfigMap or Secret as bytes."""
    found: dict[str, bytes] = {}
    for key, value in (obj.get("data") or {}).items():
        text = str(value)
        found[str(key)] = base64.b64decode(text) if obj["kind"] == "Secret" else text.encode()
    for key, value in (obj.get("stringData") or {}).items():
        found[str(key)] = str(value).encode()
    for key, value in (obj.get("binaryData") or {}).items():
        found[str(key)] = base64.b64decode(str(value))
    return found


def _relative(path: str, what: str) -> PurePosixPath:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise OperationError(f"{what}: path {path!r} leaves its volume")
    return pure


class _Planner:
    def __init__(self, objects: Sequence[Any], release: str, env: str, files_dir: Path) -> None:
        self.release = release
        self.env = env
        self.instance = instance_name(release, env)
        self.files_dir = files_dir.resolve()
        self.sources: dict[tuple[str, str], dict[str, bytes]] = {}
        self.services: list[dict[str, Any]] = []
        self.workloads: list[dict[str, Any]] = []
        for obj in objects:
            if not isinstance(obj, dict):
                continue
            name = str((obj.get("metadata") or {}).get("name", ""))
            if obj.get("kind") in ("ConfigMap", "Secret"):
                self.sources[(obj["kind"], name)] = _data(obj)
            elif obj.get("kind") == "Service":
                self.services.append(obj)
            elif obj.get("kind") in WORKLOADS:
                self.workloads.append(copy.deepcopy(obj))
        self.files: list[LocalFile] = []
        self.volumes: list[str] = []
        self.secret_values: set[str] = set()

    def local_name(self, name: str) -> str:
        base = name if name == self.release or name.startswith(f"{self.release}-") else None
        base = base or f"{self.release}-{name}"
        return base if self.env == "development" else f"{base}-{self.env}"

    def source(self, kind: str, name: str, optional: bool = False) -> dict[str, bytes] | None:
        found = self.sources.get((kind, name))
        if found is None and not optional:
            raise OperationError(f"the chart mounts {kind} {name!r} but does not define it")
        return found

    def env_of(self, container: dict[str, Any]) -> list[dict[str, Any]] | None:
        """env with envFrom and configMap/secret references replaced by their values."""
        values: dict[str, Any] = {}
        for entry in container.pop("envFrom", None) or []:
            ref, kind = (
                (entry.get("configMapRef"), "ConfigMap")
                if "configMapRef" in entry
                else (entry.get("secretRef"), "Secret")
            )
            data = self.source(
                kind, str((ref or {}).get("name")), bool((ref or {}).get("optional"))
            )
            for key, value in (data or {}).items():
                values[f"{entry.get('prefix', '')}{key}"] = {"value": self.text(kind, value)}
        for entry in container.get("env") or []:
            rest = {k: v for k, v in entry.items() if k != "name"}
            source = entry.get("valueFrom") or {}
            for ref_key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = source.get(ref_key)
                if ref:
                    data = self.source(kind, str(ref.get("name")), bool(ref.get("optional")))
                    found = (data or {}).get(str(ref.get("key")))
                    rest = {"value": self.text(kind, found)} if found is not None else {}
            if rest:  # an optional reference to nothing leaves the variable unset
                values[str(entry["name"])] = rest
        if not values:
            return None
        return [{"name": name, **rest} for name, rest in values.items()]

    def text(self, kind: str, value: bytes) -> str:
        try:
            text = value.decode()
        except UnicodeDecodeError:
            raise OperationError(
                f"a {kind} value given to `env` is not text (UTF-8): no variable can hold it",
                hint="mount it as a file instead",
            ) from None
        if kind == "Secret" and text:
            self.secret_values.add(text)
        return text

    def materialise(self, pod: str, volume: dict[str, Any]) -> Path | None:
        """Write a Secret/ConfigMap volume's files; the folder that holds them (None: no such
        volume kind)."""
        for key, kind, name_key in (
            ("secret", "Secret", "secretName"),
            ("configMap", "ConfigMap", "name"),
        ):
            spec = volume.get(key)
            if spec is None:
                continue
            data = self.source(kind, str(spec.get(name_key)), bool(spec.get("optional"))) or {}
            folder = self.files_dir / pod / str(volume["name"])
            default = int(spec.get("defaultMode", 0o444))
            items = spec.get("items") or [{"key": k, "path": k} for k in sorted(data)]
            for item in items:
                value = data.get(str(item.get("key")))
                if value is None:
                    raise OperationError(
                        f"{kind} {spec.get(name_key)!r} has no key {item.get('key')!r}"
                    )
                relative = _relative(str(item.get("path") or item["key"]), f"{kind} volume")
                self.files.append(
                    LocalFile(folder / relative, value, int(item.get("mode", default)))
                )
            return folder
        return None

    def volumes_of(self, pod: str, spec: dict[str, Any]) -> None:
        """Claims -> named volumes; secret/configMap volumes -> host files (one per subPath)."""
        replaced: dict[str, Path] = {}
        kept = []
        for volume in spec.get("volumes") or []:
            claim = volume.get("persistentVolumeClaim")
            if claim is not None:
                name = f"kctl-{self.instance}_{claim['claimName']}"
                claim["claimName"] = name
                if name not in self.volumes:
                    self.volumes.append(name)
            folder = self.materialise(pod, volume)
            if folder is not None:
                replaced[str(volume["name"])] = folder
                continue
            kept.append(volume)
        if not replaced:
            return
        for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            for index, mount in enumerate(container.get("volumeMounts") or []):
                folder = replaced.get(str(mount.get("name")))
                if folder is None:
                    continue
                sub = mount.pop("subPath", None)
                name = f"{mount['name']}-{container['name']}-{index}"
                path = folder / _relative(str(sub), "subPath") if sub else folder
                kind = "File" if sub else "Directory"
                kept.append({"name": name, "hostPath": {"path": str(path), "type": kind}})
                mount["name"], mount["readOnly"] = name, True
        spec["volumes"] = kept

    def aliases(self, obj: dict[str, Any], service: str, services: Services) -> tuple[str, ...]:
        labels = {str(k): str(v) for k, v in pod_labels(obj).items()}
        names = [service]
        facts = services.get(service)
        names += list(facts.aliases) if facts else []
        for svc in self.services:
            selector = (svc.get("spec") or {}).get("selector") or {}
            if selector and all(labels.get(str(k)) == str(v) for k, v in selector.items()):
                names.append(str(svc["metadata"]["name"]))
        names.append(str(obj["metadata"]["name"]))
        unique = dict.fromkeys(n for n in names if _ALIAS.match(n))
        return tuple(unique)

    def units(self, services: Services) -> Iterator[Unit]:
        for obj in self.workloads:
            original = str(obj["metadata"]["name"])
            labels = pod_labels(obj)
            service = str(labels.get(COMPONENT_LABEL) or original)
            labels[RELEASE_LABEL] = self.instance
            labels[COMPONENT_LABEL] = service
            aliases = self.aliases(obj, service, services)
            obj["metadata"]["name"] = self.local_name(original)
            pod = (
                obj["metadata"]["name"]
                if obj["kind"] == "Pod"
                else f"{obj['metadata']['name']}-pod-0"
            )
            spec = pod_spec(obj)
            facts = services.get(service)
            if facts is not None:
                spec["restartPolicy"] = facts.restart_policy
            self.volumes_of(pod, spec)
            published = False
            for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
                env = self.env_of(container)
                if env is not None:
                    container["env"] = env
                published |= any(p.get("hostPort") for p in container.get("ports") or [])
            restart = str(spec.get("restartPolicy") or "Always")
            yield Unit(service, pod, [obj], aliases, published, restart)


def plan_local(
    objects: Sequence[Any],
    release: str,
    env: str,
    files_dir: Path,
    services: Services | None = None,
) -> LocalPlan:
    """The units to play for rendered (and host-port-published) objects, in start order."""
    services = services or Services()
    planner = _Planner(objects, release, env, files_dir)
    units = {u.service: u for u in planner.units(services)}
    ordered = [units[name] for name in start_order(list(units), services)]
    network = f"kctl-{planner.instance}" if len(ordered) > 1 else None
    return LocalPlan(
        planner.instance,
        ordered,
        network,
        planner.volumes,
        planner.files,
        planner.secret_values,
    )


def unit_argv(unit: Unit, network: str | None) -> list[str]:
    """`podman kube play` flags joining a unit to the network with its names as aliases."""
    if network is None:
        return []
    names = ",".join(f"alias={a}" for a in unit.aliases)
    return ["--network", f"{network}:{names}" if names else network]


def plan_to_json(plan: LocalPlan) -> dict[str, Any]:
    """The played part of a plan (what a rollback plays again); files are not in it."""
    return {
        "instance": plan.instance,
        "network": plan.network,
        "volumes": plan.volumes,
        "units": [
            {
                "service": u.service,
                "pod": u.pod,
                "objects": u.objects,
                "aliases": list(u.aliases),
                "published": u.published,
                "restart": u.restart,
            }
            for u in plan.units
        ],
    }


def plan_from_json(data: Mapping[str, Any]) -> LocalPlan:
    return LocalPlan(
        str(data["instance"]),
        [
            Unit(
                str(u["service"]),
                str(u["pod"]),
                list(u["objects"]),
                tuple(u["aliases"]),
                bool(u["published"]),
                str(u["restart"]),
            )
            for u in data["units"]
        ],
        data.get("network"),
        list(data.get("volumes") or []),
    )
