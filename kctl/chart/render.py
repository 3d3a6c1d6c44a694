"""Render a chart: lift tunable fields of each object into values, keep the rest verbatim."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kctl import yamlio
from kctl.chart.naming import chart_name, unique_keys, values_key
from kctl.chart.values import COMMENTS, deep_merge, ordered, readme_rows, values_schema
from kctl.images import ImageRef
from kctl.kube.naming import SELECTOR_LABEL

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
_VALUE_LINE = re.compile(
    r"^(?P<indent> *)(?P<lead>- )?(?P<key>[^ :#][^:]*?): __KCTL_LIFT_(?P<id>\d+)__$"
)
_KEY_LINE = re.compile(r"^(?P<indent> *)__KCTL_LIFT_(?P<id>\d+)__: .*$")


@dataclass(frozen=True)
class ChartSpec:
    """What a chart is made from: Kubernetes objects grouped by component, plus metadata."""

    name: str
    components: Mapping[str, Sequence[Mapping[str, Any]]]
    shared: Sequence[Mapping[str, Any]] = ()
    app_version: str = "latest"
    version: str = "0.1.0"
    description: str = ""
    values_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


Fragment = Callable[[str, str, str], str]  # (indent, lead, key) -> Go-template text


class _Jinja:
    """The chart's Jinja environment (delimiters that do not clash with Go templates)."""

    def __init__(self) -> None:
        from kctl.resources import templates_dir
        from kctl.templating import environment

        self.env = environment(templates_dir() / "chart")
        self.env.filters["toyaml"] = lambda data: yamlio.dump(data).rstrip("\n")
        self.snippets: Any = self.env.get_template("_snippets.j2").module

    def render(self, template: str, **context: Any) -> str:
        return str(self.env.get_template(template).render(**context))


@dataclass
class _Object:
    """One object being turned into a template: a copy with lift tokens and their fragments."""

    data: dict[str, Any]
    fragments: list[Fragment] = field(default_factory=list)
    condition: str | None = None

    def lift(self, fragment: Fragment) -> str:
        self.fragments.append(fragment)
        return f"__KCTL_LIFT_{len(self.fragments) - 1}__"

    def render(self) -> str:
        lines = []
        for line in yamlio.dump(self.data).splitlines():
            match = _VALUE_LINE.match(line) or _KEY_LINE.match(line)
            if match is None:
                lines.append(line)
                continue
            groups = match.groupdict()
            fragment = self.fragments[int(groups["id"])]
            lines.append(
                fragment(groups["indent"], groups.get("lead") or "", groups.get("key") or "")
            )
        return "\n".join(lines) + "\n"


class _ChartBuilder:
    def __init__(self, spec: ChartSpec) -> None:
        self.spec = spec
        self.chart = chart_name(spec.name)
        self.jinja = _Jinja()
        self.snip: Any = self.jinja.snippets
        self.claim_enabled: dict[str, str] = {}  # claim name -> values path of its enabled flag
        self.shared_values: dict[str, Any] = {}

    # fragments -------------------------------------------------------------------------
    def scalar(self, path: str, kind: str = "raw") -> Fragment:
        return lambda indent, lead, key: str(self.snip.scalar(indent, lead, key, path, kind))

    def optional_scalar(self, path: str, kind: str = "string") -> Fragment:
        return lambda indent, lead, key: str(self.snip.optional_scalar(indent, key, path, kind))

    def block(self, path: str) -> Fragment:
        return lambda indent, lead, key: str(self.snip.block(indent, key, path))

    def optional_block(self, path: str) -> Fragment:
        return lambda indent, lead, key: str(self.snip.optional_block(indent, key, path))

    def name_ref(self, name: str) -> Fragment:
        return lambda indent, lead, key: str(
            self.snip.object_name(indent, lead, key, name, self.chart)
        )

    def claim_volume(self, claim: str, enabled: str, read_only: bool) -> Fragment:
        return lambda indent, lead, key: str(
            self.snip.claim(indent, key, claim, enabled, self.chart, read_only)
        )

    def labels_include(self) -> Fragment:
        return lambda indent, lead, key: str(self.snip.include_labels(indent, self.chart))

    # objects ---------------------------------------------------------------------------
    def add_labels(self, obj: _Object, metadata: dict[str, Any]) -> None:
        labels = dict(metadata.get("labels") or {})
        labels[obj.lift(self.labels_include())] = None
        metadata["labels"] = labels

    def rename(self, obj: _Object, holder: dict[str, Any], key: str) -> None:
        if isinstance(holder.get(key), str):
            holder[key] = obj.lift(self.name_ref(holder[key]))

    def template_object(self, source: Mapping[str, Any]) -> _Object:
        obj = _Object(copy.deepcopy(dict(source)))
        metadata = obj.data.setdefault("metadata", {})
        self.rename(obj, metadata, "name")
        self.add_labels(obj, metadata)
        return obj

    def pod_references(self, obj: _Object, pod: dict[str, Any]) -> None:
        """Names other objects that a pod spec refers to follow fullnameOverride."""
        for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
            for source in container.get("envFrom", []):
                for ref in ("configMapRef", "secretRef"):
                    if ref in source:
                        self.rename(obj, source[ref], "name")
            for env in container.get("env", []) if isinstance(container.get("env"), list) else []:
                value_from = env.get("valueFrom", {})
                for ref in ("configMapKeyRef", "secretKeyRef"):
                    if ref in value_from:
                        self.rename(obj, value_from[ref], "name")
        for volume in pod.get("volumes", []):
            if "configMap" in volume:
                self.rename(obj, volume["configMap"], "name")
            if "secret" in volume:
                self.rename(obj, volume["secret"], "secretName")
            claim = volume.get("persistentVolumeClaim", {}).get("claimName")
            if claim in self.claim_enabled:
                enabled = self.claim_enabled[claim]
                volume["persistentVolumeClaim"] = obj.lift(
                    self.claim_volume(
                        claim, enabled, bool(volume["persistentVolumeClaim"].get("readOnly"))
                    )
                )
            elif claim is not None:
                self.rename(obj, volume["persistentVolumeClaim"], "claimName")

    def workload(self, obj: _Object, vkey: str, values: dict[str, Any]) -> None:
        base = f".Values.{vkey}"
        spec = obj.data.setdefault("spec", {})
        kind = obj.data.get("kind")
        if kind == "CronJob":
            template = (
                spec.setdefault("jobTemplate", {}).setdefault("spec", {}).setdefault("template", {})
            )
        else:
            template = spec.setdefault("template", {})
        pod = template.setdefault("spec", {})
        pod_meta = template.setdefault("metadata", {})
        self.add_labels(obj, pod_meta)
        if kind in ("Deployment", "StatefulSet"):
            values["replicaCount"] = spec.get("replicas", 1)
            autoscaling = f"{base}.autoscaling.enabled"
            spec["replicas"] = obj.lift(
                lambda indent, lead, key: str(
                    self.snip.replicas(indent, key, f"{base}.replicaCount", autoscaling)
                )
            )
        if kind == "StatefulSet":
            self.rename(obj, spec, "serviceName")
        values["podAnnotations"] = dict(pod_meta.get("annotations") or {})
        pod_meta["annotations"] = obj.lift(self.optional_block(f"{base}.podAnnotations"))
        containers = pod.get("containers") or []
        if containers:
            main = containers[0]
            values["image"] = split_image(str(main.get("image", "")))
            values["image"]["pullPolicy"] = main.get("imagePullPolicy", "")
            main["image"] = obj.lift(
                lambda indent, lead, key: str(self.snip.image(indent, lead, key, f"{base}.image"))
            )
            main["imagePullPolicy"] = obj.lift(self.optional_scalar(f"{base}.image.pullPolicy"))
            for key, name in (
                ("env", "env"),
                ("resources", "resources"),
                ("livenessProbe", "livenessProbe"),
                ("readinessProbe", "readinessProbe"),
                ("startupProbe", "startupProbe"),
                ("securityContext", "securityContext"),
            ):
                default: Any = [] if key == "env" else {}
                values[name] = main.get(key, default)
                main[key] = obj.lift(self.optional_block(f"{base}.{name}"))
        for key, name, default in (
            ("nodeSelector", "nodeSelector", {}),
            ("tolerations", "tolerations", []),
            ("affinity", "affinity", {}),
            ("securityContext", "podSecurityContext", {}),
        ):
            values[name] = pod.get(key, default)
            pod[key] = obj.lift(self.optional_block(f"{base}.{name}"))
        values["serviceAccount"] = {"name": pod.get("serviceAccountName", "")}
        pod["serviceAccountName"] = obj.lift(self.optional_scalar(f"{base}.serviceAccount.name"))
        self.pod_references(obj, pod)

    def service(self, obj: _Object, vkey: str, values: dict[str, Any]) -> None:
        base = f".Values.{vkey}.service"
        spec = obj.data.setdefault("spec", {})
        values["service"] = {"type": spec.get("type", "ClusterIP"), "ports": spec.get("ports", [])}
        if "type" in spec:
            spec["type"] = obj.lift(self.scalar(f"{base}.type", "string"))
        else:  # an absent type means ClusterIP: keep it absent unless changed
            spec["type"] = obj.lift(
                lambda indent, lead, key: str(
                    self.snip.scalar_unless_default(indent, key, f"{base}.type", "ClusterIP")
                )
            )
        spec["ports"] = obj.lift(self.block(f"{base}.ports"))

    def claim(self, obj: _Object, enabled: str, base: str, values: dict[str, Any]) -> None:
        spec = obj.data.setdefault("spec", {})
        requests = spec.setdefault("resources", {}).setdefault("requests", {})
        values["size"] = str(requests.get("storage", "1Gi"))
        requests["storage"] = obj.lift(self.scalar(f"{base}.size", "string"))
        values["storageClass"] = spec.get("storageClassName", "")
        spec["storageClassName"] = obj.lift(self.optional_scalar(f"{base}.storageClass"))
        values["accessModes"] = spec.get("accessModes", ["ReadWriteOnce"])
        spec["accessModes"] = obj.lift(self.block(f"{base}.accessModes"))
        obj.condition = enabled

    def ingress(self, obj: _Object, vkey: str, values: dict[str, Any]) -> None:
        base = f".Values.{vkey}.ingress"
        spec = obj.data.setdefault("spec", {})
        values["ingress"] = {
            "enabled": True,
            "className": spec.get("ingressClassName", ""),
            "annotations": dict(obj.data["metadata"].get("annotations") or {}),
            "rules": spec.get("rules", []),
            "tls": spec.get("tls", []),
        }
        spec["ingressClassName"] = obj.lift(self.optional_scalar(f"{base}.className"))
        obj.data["metadata"]["annotations"] = obj.lift(self.optional_block(f"{base}.annotations"))
        spec["rules"] = obj.lift(self.block(f"{base}.rules"))
        spec["tls"] = obj.lift(self.optional_block(f"{base}.tls"))
        obj.condition = f"{base}.enabled"

    def hpa(self, obj: _Object, vkey: str, values: dict[str, Any]) -> None:
        base = f".Values.{vkey}.autoscaling"
        spec = obj.data.setdefault("spec", {})
        values["autoscaling"] = {
            "enabled": True,
            "minReplicas": spec.get("minReplicas", 1),
            "maxReplicas": spec.get("maxReplicas", 1),
        }
        spec["minReplicas"] = obj.lift(self.scalar(f"{base}.minReplicas"))
        spec["maxReplicas"] = obj.lift(self.scalar(f"{base}.maxReplicas"))
        self.rename(obj, spec.setdefault("scaleTargetRef", {}), "name")
        obj.condition = f"{base}.enabled"

    # chart -----------------------------------------------------------------------------
    def build(self) -> dict[str, str]:
        """Every file of the chart: one template per object, values, schema, helpers, notes."""
        vkeys = unique_keys(list(self.spec.components))
        self.register_claims(vkeys)
        files: dict[str, str] = {}
        component_values: list[dict[str, Any]] = []
        notes: list[dict[str, Any]] = []
        for component, objects in self.spec.components.items():
            values = self.component(component, objects, vkeys[component], files, notes)
            deep_merge(values, self.spec.values_overrides.get(component, {}))
            component_values.append(
                {"component": component, "vkey": vkeys[component], "block": ordered(values)}
            )
        shared = self.shared_objects(files)
        self.chart_files(files, component_values, shared, notes)
        return dict(sorted(files.items()))

    def register_claims(self, vkeys: Mapping[str, str]) -> None:
        """Which values switch each claim on (shared claims, or their component's)."""
        for pvc in (o for o in self.spec.shared if o.get("kind") == "PersistentVolumeClaim"):
            self.claim_enabled[pvc["metadata"]["name"]] = ".Values.sharedPersistence.enabled"
        for component, objects in self.spec.components.items():
            for pvc in (o for o in objects if o.get("kind") == "PersistentVolumeClaim"):
                enabled = f".Values.{vkeys[component]}.persistence.enabled"
                self.claim_enabled[pvc["metadata"]["name"]] = enabled

    def component(
        self,
        component: str,
        objects: Sequence[Mapping[str, Any]],
        vkey: str,
        files: dict[str, str],
        notes: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """The templates of one component's objects (into files) and its values block."""
        values: dict[str, Any] = {}
        persistence: dict[str, Any] = {}
        workload: _Object | None = None
        service: dict[str, Any] | None = None
        lifted: set[str] = set()  # Ingress, HorizontalPodAutoscaler: the first one is lifted
        for source in objects:
            obj = self.template_object(source)
            kind = source.get("kind")
            if kind in WORKLOAD_KINDS and workload is None:
                workload = obj
                self.workload(obj, vkey, values)
            elif kind == "Service" and service is None and not _headless(source):
                service = dict(source)
                self.service(obj, vkey, values)
            elif kind == "PersistentVolumeClaim":
                claim_key = values_key(source["metadata"]["name"])
                persistence[claim_key] = {}
                self.claim(
                    obj,
                    f".Values.{vkey}.persistence.enabled",
                    f".Values.{vkey}.persistence.{claim_key}",
                    persistence[claim_key],
                )
            elif kind in ("Ingress", "HorizontalPodAutoscaler") and kind not in lifted:
                lifted.add(str(kind))
                (self.ingress if kind == "Ingress" else self.hpa)(obj, vkey, values)
            elif kind in WORKLOAD_KINDS:
                self.pod_references(obj, pod_spec(obj.data))
            self.add_file(files, source, obj)
        if persistence:
            values["persistence"] = {"enabled": True, **persistence}
        if service is not None and service.get("spec", {}).get("ports"):
            self.service_extras(component, vkey, service, "Ingress" in lifted, values, files, notes)
        if workload is not None and workload.data.get("kind") in ("Deployment", "StatefulSet"):
            self.autoscaling(
                component, vkey, objects, "HorizontalPodAutoscaler" in lifted, values, files
            )
        return values

    def service_extras(
        self,
        component: str,
        vkey: str,
        service: dict[str, Any],
        has_ingress: bool,
        values: dict[str, Any],
        files: dict[str, str],
        notes: list[dict[str, Any]],
    ) -> None:
        """NOTES about reaching the Service; a switched-off Ingress when there is none."""
        port = service["spec"]["ports"][0]["port"]
        name = service["metadata"]["name"]
        notes.append({"component": component, "vkey": vkey, "service": name, "port": port})
        if has_ingress:
            return
        values["ingress"] = {
            "enabled": False,
            "className": "",
            "annotations": {},
            "hosts": [
                {
                    "host": f"{chart_name(component)}.local",
                    "paths": [{"path": "/", "pathType": "Prefix"}],
                }
            ],
            "tls": [],
            "servicePort": port,
        }
        files[f"templates/{name}-ingress.yaml"] = self.jinja.render(
            "ingress.yaml.j2",
            chart=self.chart,
            vkey=vkey,
            component=component,
            service=name,
            selector_label=SELECTOR_LABEL,
        )

    def autoscaling(
        self,
        component: str,
        vkey: str,
        objects: Sequence[Mapping[str, Any]],
        has_hpa: bool,
        values: dict[str, Any],
        files: dict[str, str],
    ) -> None:
        """A switched-off autoscaler for a Deployment/StatefulSet that has none."""
        if has_hpa:
            values.setdefault("autoscaling", {})["enabled"] = True
            return
        values["autoscaling"] = {
            "enabled": False,
            "minReplicas": 1,
            "maxReplicas": 3,
            "targetCPUUtilizationPercentage": 80,
        }
        target = next(o for o in objects if o.get("kind") in ("Deployment", "StatefulSet"))
        files[f"templates/{target['metadata']['name']}-hpa.yaml"] = self.jinja.render(
            "hpa.yaml.j2",
            chart=self.chart,
            vkey=vkey,
            component=component,
            target_name=target["metadata"]["name"],
            target_kind=target["kind"],
            selector_label=SELECTOR_LABEL,
        )

    def shared_objects(self, files: dict[str, str]) -> dict[str, Any]:
        """Templates of the objects no single component owns; the sharedPersistence values."""
        shared: dict[str, Any] = {}
        for source in self.spec.shared:
            obj = self.template_object(source)
            if source.get("kind") == "PersistentVolumeClaim":
                claim_key = values_key(source["metadata"]["name"])
                shared.setdefault("enabled", True)
                shared[claim_key] = {}
                self.claim(
                    obj,
                    ".Values.sharedPersistence.enabled",
                    f".Values.sharedPersistence.{claim_key}",
                    shared[claim_key],
                )
            elif source.get("kind") in WORKLOAD_KINDS:
                self.pod_references(obj, pod_spec(obj.data))
            self.add_file(files, source, obj)
        return shared

    def chart_files(
        self,
        files: dict[str, str],
        component_values: list[dict[str, Any]],
        shared: dict[str, Any],
        notes: list[dict[str, Any]],
    ) -> None:
        """Chart.yaml, values.yaml and its schema, helpers, NOTES, README, .helmignore."""
        spec = self.spec
        all_values: dict[str, Any] = {"nameOverride": "", "fullnameOverride": ""}
        if shared:
            all_values["sharedPersistence"] = shared
        for comp in component_values:
            all_values[comp["vkey"]] = comp["block"]
        context = {
            "name": self.chart,
            "components": component_values,
            "shared": shared,
            "comments": COMMENTS,
        }
        description = spec.description or f"A Helm chart for {spec.name}"
        files["Chart.yaml"] = self.jinja.render(
            "Chart.yaml.j2",
            name=self.chart,
            version=spec.version,
            app_version=str(spec.app_version),
            description=description,
        )
        files["values.yaml"] = self.jinja.render("values.yaml.j2", **context)
        files["values.schema.json"] = json.dumps(values_schema(all_values), indent=2) + "\n"
        files[".helmignore"] = self.jinja.render("helmignore.j2")
        files["templates/_helpers.tpl"] = self.jinja.render("_helpers.tpl.j2", name=self.chart)
        files["templates/NOTES.txt"] = self.jinja.render(
            "NOTES.txt.j2", name=self.chart, services=notes
        )
        files["README.md"] = self.jinja.render(
            "chart-README.md.j2",
            name=self.chart,
            description=description,
            rows=readme_rows(all_values),
        )

    def add_file(self, files: dict[str, str], source: Mapping[str, Any], obj: _Object) -> None:
        kind = str(source.get("kind", "object")).lower()
        name = f"templates/{source['metadata']['name']}-{kind}.yaml"
        while name in files:
            name = name.removesuffix(".yaml") + "-x.yaml"
        files[name] = self.jinja.render(
            "object.yaml.j2", condition=obj.condition, body=obj.render()
        )


def _headless(service: Mapping[str, Any]) -> bool:
    return bool(service.get("spec", {}).get("clusterIP") == "None")


def pod_spec(data: dict[str, Any]) -> dict[str, Any]:
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


def render_chart(spec: ChartSpec) -> dict[str, str]:
    """Render the chart's files (chart-relative path → content), byte-deterministic."""
    return _ChartBuilder(spec).build()
