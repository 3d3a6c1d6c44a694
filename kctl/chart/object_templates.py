"""Per-object templating: lift a workload, Service, PVC, Ingress or HPA's tunable fields into
its component's values; every other field stays as the input object had it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kctl.chart.fragments import Fragments
from kctl.chart.lift import LiftedObject
from kctl.images import ImageRef

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")

# (container field, values key) pairs lifted from the main container, then from the pod spec
_CONTAINER_FIELDS = (
    ("env", "env"),
    ("resources", "resources"),
    ("livenessProbe", "livenessProbe"),
    ("readinessProbe", "readinessProbe"),
    ("startupProbe", "startupProbe"),
    ("securityContext", "securityContext"),
)
_POD_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("nodeSelector", "nodeSelector", {}),
    ("tolerations", "tolerations", []),
    ("affinity", "affinity", {}),
    ("securityContext", "podSecurityContext", {}),
)


class ObjectTemplater:
    """Turns the objects of one chart into templates, filling their component's values."""

    def __init__(self, fragments: Fragments, claim_enabled: Mapping[str, str]) -> None:
        self.frag = fragments
        self.claim_enabled = claim_enabled  # claim name -> values path of its enabled flag
        # The object being templated is a copy of its source made as it is changed: a mapping
        # or list is copied (one level) before anything in it changes, everything left as it
        # was is shared with the source (which is never changed). A deep copy of every object
        # cost more than all the changes made to it.
        self.templating: LiftedObject | None = None
        self.owned: set[int] = set()  # ids of its mappings and lists that are its own copies

    def template_object(self, source: Mapping[str, Any]) -> LiftedObject:
        """A copy of `source` whose name follows fullnameOverride and labels get Helm's."""
        obj = LiftedObject(dict(source))
        self.templating, self.owned = obj, {id(obj.data)}
        metadata = self.own(obj, obj.data, "metadata", {})
        self.rename(obj, metadata, "name")
        self.add_labels(obj, metadata)
        return obj

    def own(self, obj: LiftedObject, holder: Any, key: Any, default: Any = None) -> Any:
        """holder[key] as obj's own copy, stored in holder (itself obj's own): what
        holder.setdefault(key, default) gives on a deep copy of the source."""
        if obj is not self.templating:
            raise RuntimeError("an object is changed after the next one was started")
        if isinstance(key, int) or key in holder:
            value = holder[key]
        else:
            value = holder[key] = default
            self.owned.add(id(default))
            return value
        if id(value) in self.owned:
            return value
        if isinstance(value, dict):
            value = holder[key] = dict(value)
        elif isinstance(value, list):
            value = holder[key] = list(value)
        else:
            return value  # a scalar: nothing in it to change
        self.owned.add(id(value))
        return value

    def own_path(self, obj: LiftedObject, path: tuple[Any, ...]) -> Any:
        """The mapping or list at `path` under obj.data, made obj's own (with every one on
        the way to it)."""
        holder: Any = obj.data
        for key in path:
            holder = self.own(obj, holder, key)
        return holder

    def add_labels(self, obj: LiftedObject, metadata: dict[str, Any]) -> None:
        """Helm's standard labels after the object's own."""
        labels = dict(metadata.get("labels") or {})
        labels[obj.lift(self.frag.labels_include())] = None
        metadata["labels"] = labels

    def rename(self, obj: LiftedObject, holder: dict[str, Any], key: str) -> None:
        """The object name at `holder[key]` (if any) follows fullnameOverride."""
        if isinstance(holder.get(key), str):
            holder[key] = obj.lift(self.frag.name_ref(holder[key]))

    def rename_at(self, obj: LiftedObject, path: tuple[Any, ...], holder: Any, key: str) -> None:
        """rename(holder, key) where holder is at `path` under obj.data (made obj's own first
        when there is a name to rename)."""
        if isinstance(holder.get(key), str):
            self.rename(obj, self.own_path(obj, path), key)

    def pod_references(self, obj: LiftedObject, at: tuple[Any, ...], pod: dict[str, Any]) -> None:
        """Names other objects that the pod spec at `at` refers to follow fullnameOverride."""
        containers = [
            ((*at, field, i), container)
            for field in ("initContainers", "containers")
            for i, container in enumerate(pod.get(field, []))
        ]
        for path, container in containers:
            for i, source in enumerate(container.get("envFrom", [])):
                for ref in ("configMapRef", "secretRef"):
                    if ref in source:
                        self.rename_at(obj, (*path, "envFrom", i, ref), source[ref], "name")
            env = container.get("env", [])
            for i, item in enumerate(env if isinstance(env, list) else []):
                value_from = item.get("valueFrom", {})
                for ref in ("configMapKeyRef", "secretKeyRef"):
                    if ref in value_from:
                        where = (*path, "env", i, "valueFrom", ref)
                        self.rename_at(obj, where, value_from[ref], "name")
        for i, volume in enumerate(pod.get("volumes", [])):
            path = (*at, "volumes", i)
            if "configMap" in volume:
                self.rename_at(obj, (*path, "configMap"), volume["configMap"], "name")
            if "secret" in volume:
                self.rename_at(obj, (*path, "secret"), volume["secret"], "secretName")
            claim = volume.get("persistentVolumeClaim", {}).get("claimName")
            if claim in self.claim_enabled:
                read_only = bool(volume["persistentVolumeClaim"].get("readOnly"))
                self.own_path(obj, path)["persistentVolumeClaim"] = obj.lift(
                    self.frag.claim_volume(claim, self.claim_enabled[claim], read_only)
                )
            elif claim is not None:
                pvc = volume["persistentVolumeClaim"]
                self.rename_at(obj, (*path, "persistentVolumeClaim"), pvc, "claimName")

    def other_workload(self, obj: LiftedObject) -> None:
        """A workload beyond its component's first: only its references are templated."""
        self.pod_references(obj, pod_path(obj.data), pod_spec(obj.data))

    def workload(self, obj: LiftedObject, vkey: str, values: dict[str, Any]) -> None:
        """Replicas, pod annotations, the main container and the pod's scheduling/security."""
        base = f".Values.{vkey}"
        spec = self.own(obj, obj.data, "spec", {})
        kind = obj.data.get("kind")
        template = spec
        if kind == "CronJob":
            template = self.own(obj, template, "jobTemplate", {})
            template = self.own(obj, template, "spec", {})
        template = self.own(obj, template, "template", {})
        pod = self.own(obj, template, "spec", {})
        pod_meta = self.own(obj, template, "metadata", {})
        self.add_labels(obj, pod_meta)
        if kind in ("Deployment", "StatefulSet"):
            values["replicaCount"] = spec.get("replicas", 1)
            spec["replicas"] = obj.lift(
                self.frag.replicas(f"{base}.replicaCount", f"{base}.autoscaling.enabled")
            )
        if kind == "StatefulSet":
            self.rename(obj, spec, "serviceName")
        values["podAnnotations"] = dict(pod_meta.get("annotations") or {})
        pod_meta["annotations"] = obj.lift(self.frag.optional_block(f"{base}.podAnnotations"))
        if pod.get("containers"):
            containers = self.own(obj, pod, "containers")
            self.main_container(obj, self.own(obj, containers, 0), base, values)
        for key, name, default in _POD_FIELDS:
            values[name] = pod.get(key, default)
            pod[key] = obj.lift(self.frag.optional_block(f"{base}.{name}"))
        values["serviceAccount"] = {"name": pod.get("serviceAccountName", "")}
        pod["serviceAccountName"] = obj.lift(
            self.frag.optional_scalar(f"{base}.serviceAccount.name")
        )
        self.pod_references(obj, pod_path(obj.data), pod)

    def main_container(
        self, obj: LiftedObject, main: dict[str, Any], base: str, values: dict[str, Any]
    ) -> None:
        """The first container's image, pull policy, env, resources, probes, security."""
        values["image"] = split_image(str(main.get("image", "")))
        values["image"]["pullPolicy"] = main.get("imagePullPolicy", "")
        main["image"] = obj.lift(self.frag.image(f"{base}.image"))
        main["imagePullPolicy"] = obj.lift(self.frag.optional_scalar(f"{base}.image.pullPolicy"))
        for key, name in _CONTAINER_FIELDS:
            default: Any = [] if key == "env" else {}
            values[name] = main.get(key, default)
            main[key] = obj.lift(self.frag.optional_block(f"{base}.{name}"))

    def service(self, obj: LiftedObject, vkey: str, values: dict[str, Any]) -> None:
        """The Service's type and ports."""
        base = f".Values.{vkey}.service"
        spec = self.own(obj, obj.data, "spec", {})
        values["service"] = {"type": spec.get("type", "ClusterIP"), "ports": spec.get("ports", [])}
        if "type" in spec:
            spec["type"] = obj.lift(self.frag.scalar(f"{base}.type", "string"))
        else:  # an absent type means ClusterIP: keep it absent unless changed
            spec["type"] = obj.lift(self.frag.scalar_unless_default(f"{base}.type", "ClusterIP"))
        spec["ports"] = obj.lift(self.frag.block(f"{base}.ports"))

    def claim(self, obj: LiftedObject, enabled: str, base: str, values: dict[str, Any]) -> None:
        """A PVC's size, storage class and access modes; it exists while `enabled` is true."""
        spec = self.own(obj, obj.data, "spec", {})
        requests = self.own(obj, self.own(obj, spec, "resources", {}), "requests", {})
        values["size"] = str(requests.get("storage", "1Gi"))
        requests["storage"] = obj.lift(self.frag.scalar(f"{base}.size", "string"))
        values["storageClass"] = spec.get("storageClassName", "")
        spec["storageClassName"] = obj.lift(self.frag.optional_scalar(f"{base}.storageClass"))
        values["accessModes"] = spec.get("accessModes", ["ReadWriteOnce"])
        spec["accessModes"] = obj.lift(self.frag.block(f"{base}.accessModes"))
        obj.condition = enabled

    def ingress(self, obj: LiftedObject, vkey: str, values: dict[str, Any]) -> None:
        """An Ingress's class, annotations, rules and TLS, behind ingress.enabled."""
        base = f".Values.{vkey}.ingress"
        spec = self.own(obj, obj.data, "spec", {})
        values["ingress"] = {
            "enabled": True,
            "className": spec.get("ingressClassName", ""),
            "annotations": dict(obj.data["metadata"].get("annotations") or {}),
            "rules": spec.get("rules", []),
            "tls": spec.get("tls", []),
        }
        spec["ingressClassName"] = obj.lift(self.frag.optional_scalar(f"{base}.className"))
        obj.data["metadata"]["annotations"] = obj.lift(
            self.frag.optional_block(f"{base}.annotations")
        )
        spec["rules"] = obj.lift(self.frag.block(f"{base}.rules"))
        spec["tls"] = obj.lift(self.frag.optional_block(f"{base}.tls"))
        obj.condition = f"{base}.enabled"

    def hpa(self, obj: LiftedObject, vkey: str, values: dict[str, Any]) -> None:
        """An autoscaler's replica bounds, behind autoscaling.enabled."""
        base = f".Values.{vkey}.autoscaling"
        spec = self.own(obj, obj.data, "spec", {})
        values["autoscaling"] = {
            "enabled": True,
            "minReplicas": spec.get("minReplicas", 1),
            "maxReplicas": spec.get("maxReplicas", 1),
        }
        spec["minReplicas"] = obj.lift(self.frag.scalar(f"{base}.minReplicas"))
        spec["maxReplicas"] = obj.lift(self.frag.scalar(f"{base}.maxReplicas"))
        self.rename(obj, self.own(obj, spec, "scaleTargetRef", {}), "name")
        obj.condition = f"{base}.enabled"


def pod_path(data: dict[str, Any]) -> tuple[str, ...]:
    """Where a workload object's pod spec is."""
    if data.get("kind") == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    return ("spec", "template", "spec")


def pod_spec(data: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a workload object ({} when it has none)."""
    spec = data.get("spec", {})
    if data.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    result: dict[str, Any] = spec.get("template", {}).get("spec", {})
    return result


def split_image(image: str) -> dict[str, Any]:
    """`repo[:tag][@digest]` → {repository, tag, digest} (a registry port is not a tag)."""
    ref = ImageRef.parse(image)
    result: dict[str, Any] = {"repository": ref.repository, "tag": ref.tag}
    if ref.digest:
        result["digest"] = ref.digest
    return result
