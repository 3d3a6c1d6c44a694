"""Assemble a chart: one template per object, each component's values block, and the chart's
own files (Chart.yaml, values.yaml and its schema, helpers, NOTES, README, .helmignore)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from msgspec import Struct, field

from kctl.chart.fragments import Fragments
from kctl.chart.jinja import ChartJinja, Stencils
from kctl.chart.lift import LiftedObject
from kctl.chart.naming import chart_name, unique_keys, values_key
from kctl.chart.object_templates import WORKLOAD_KINDS, ObjectTemplater
from kctl.chart.readme import ReadmeTable
from kctl.chart.values import (
    COMMENTS,
    deep_merge,
    ordered,
    readme_rows,
    values_schema_json,
)
from kctl.kube.naming import SELECTOR_LABEL


class ChartSpec(Struct, frozen=True):
    """What a chart is made from: Kubernetes objects grouped by component, plus metadata."""

    name: str
    components: Mapping[str, Sequence[Mapping[str, Any]]]
    shared: Sequence[Mapping[str, Any]] = ()
    app_version: str = "latest"
    version: str = "0.1.0"
    description: str = ""
    values_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def render_chart(spec: ChartSpec) -> dict[str, str]:
    """Render the chart's files (chart-relative path → content), byte-deterministic."""
    return _ChartBuilder(spec).build()


def claim_switches(spec: ChartSpec, vkeys: Mapping[str, str]) -> dict[str, str]:
    """Which values switch each claim on (shared claims, or their component's)."""
    switches: dict[str, str] = {}
    for pvc in (o for o in spec.shared if o.get("kind") == "PersistentVolumeClaim"):
        switches[pvc["metadata"]["name"]] = ".Values.sharedPersistence.enabled"
    for component, objects in spec.components.items():
        for pvc in (o for o in objects if o.get("kind") == "PersistentVolumeClaim"):
            switches[pvc["metadata"]["name"]] = f".Values.{vkeys[component]}.persistence.enabled"
    return switches


class _ChartBuilder:
    def __init__(self, spec: ChartSpec) -> None:
        self.spec = spec
        self.chart = chart_name(spec.name)
        self.jinja = ChartJinja()
        self.vkeys = unique_keys(list(spec.components))
        self.entry_texts: dict[tuple[str, str], str] = {}
        self.stencils = Stencils()
        self.objects = ObjectTemplater(
            Fragments(self.jinja.snippets, self.chart, self.jinja.json),
            claim_switches(spec, self.vkeys),
        )

    def build(self) -> dict[str, str]:
        """Every file of the chart: one template per object, values, schema, helpers, notes."""
        files: dict[str, str] = {}
        component_values: list[dict[str, Any]] = []
        notes: list[dict[str, Any]] = []
        for component, objects in self.spec.components.items():
            vkey = self.vkeys[component]
            values = self.component(component, objects, vkey, files, notes)
            deep_merge(values, self.spec.values_overrides.get(component, {}))
            block = ordered(values)
            shapes = [(key, repr(value)) for key, value in block.items()]
            component_values.append(
                {
                    "component": component,
                    "vkey": vkey,
                    "block": block,
                    "shapes": shapes,
                    "entries": self.entries(block, shapes),
                }
            )
        shared = self.shared_objects(files)
        self.chart_files(files, component_values, shared, notes)
        return dict(sorted(files.items()))

    def entries(
        self, block: dict[str, Any], shapes: list[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """Each key of a component's values block as values.yaml shows it: its comment and its
        YAML, indented under the component (the template's own filters, called here once per
        key rather than through the template, and once per chart for a key and value that
        several components share: shapes[i] is the i-th key and its value's repr, which tells
        plain data apart, 1 from "1" from True)."""
        entries = []
        for (key, value), shared in zip(block.items(), shapes, strict=True):
            text = self.entry_texts.get(shared)
            if text is None:
                text = self.entry_texts[shared] = self.jinja.toyaml_indented({key: value}, 2)
            entries.append((COMMENTS.get(key, ""), text))
        return entries

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
        workload: LiftedObject | None = None
        service: dict[str, Any] | None = None
        lifted: set[str] = set()  # Ingress, HorizontalPodAutoscaler: the first one is lifted
        for source in objects:
            obj = self.objects.template_object(source)
            kind = source.get("kind")
            if kind in WORKLOAD_KINDS and workload is None:
                workload = obj
                self.objects.workload(obj, vkey, values)
            elif kind == "Service" and service is None and not _headless(source):
                service = dict(source)
                self.objects.service(obj, vkey, values)
            elif kind == "PersistentVolumeClaim":
                claim_key = values_key(source["metadata"]["name"])
                persistence[claim_key] = {}
                base = f".Values.{vkey}.persistence"
                self.objects.claim(
                    obj, f"{base}.enabled", f"{base}.{claim_key}", persistence[claim_key]
                )
            elif kind in ("Ingress", "HorizontalPodAutoscaler") and kind not in lifted:
                lifted.add(str(kind))
                (self.objects.ingress if kind == "Ingress" else self.objects.hpa)(obj, vkey, values)
            elif kind in WORKLOAD_KINDS:
                self.objects.other_workload(obj)
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
        files[f"templates/{name}-ingress.yaml"] = self._stenciled(
            "ingress.yaml.j2",
            vkey=vkey,
            service_json=self.jinja.json(name),
            component_json=self.jinja.json(component),
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
        files[f"templates/{target['metadata']['name']}-hpa.yaml"] = self._stenciled(
            "hpa.yaml.j2",
            vkey=vkey,
            target_name_json=self.jinja.json(target["metadata"]["name"]),
            component_json=self.jinja.json(component),
            target_kind=str(target["kind"]),
        )

    def _stenciled(self, template: str, **values: str) -> str:
        """A per-component file: template rendered with the chart's name and the selector
        label, its per-component values (written as given) filled into its stencil."""
        filled = self.stencils.filled(template, tuple(values.values()))
        if filled is not None:
            return filled
        names = tuple(values)
        return self.stencils.render(
            template,
            lambda *filled: self.jinja.render(
                template,
                chart=self.chart,
                selector_label=SELECTOR_LABEL,
                **dict(zip(names, filled, strict=True)),
            ),
            tuple(values.values()),
        )

    def shared_objects(self, files: dict[str, str]) -> dict[str, Any]:
        """Templates of the objects no single component owns; the sharedPersistence values."""
        shared: dict[str, Any] = {}
        for source in self.spec.shared:
            obj = self.objects.template_object(source)
            if source.get("kind") == "PersistentVolumeClaim":
                claim_key = values_key(source["metadata"]["name"])
                shared.setdefault("enabled", True)
                shared[claim_key] = {}
                self.objects.claim(
                    obj,
                    ".Values.sharedPersistence.enabled",
                    f".Values.sharedPersistence.{claim_key}",
                    shared[claim_key],
                )
            elif source.get("kind") in WORKLOAD_KINDS:
                self.objects.other_workload(obj)
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
        table = ReadmeTable(self.jinja, self.stencils)
        rows = [table.lines(readme_rows(all_values))]
        for comp in component_values:
            all_values[comp["vkey"]] = comp["block"]
            rows.append(table.component(comp["vkey"], comp["block"], comp["shapes"]))
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
        files["values.schema.json"] = (
            values_schema_json(
                all_values, {comp["vkey"]: comp["shapes"] for comp in component_values}
            )
            + "\n"
        )
        files[".helmignore"] = self.jinja.render("helmignore.j2")
        files["templates/_helpers.tpl"] = self.jinja.render("_helpers.tpl.j2", name=self.chart)
        files["templates/NOTES.txt"] = self.jinja.render(
            "NOTES.txt.j2", name=self.chart, service_notes=[self.service_notes(n) for n in notes]
        )
        files["README.md"] = self.jinja.render(
            "chart-README.md.j2",
            name=self.chart,
            description=description,
            rows="".join(rows),
        )

    def service_notes(self, note: Mapping[str, Any]) -> str:
        """The NOTES lines of one service (_notes.j2), its names filled into the stencil."""
        macro = self.jinja.module("_notes.j2").service_notes
        values = (note["component"], note["vkey"], self.jinja.json(note["service"]))
        return self.stencils.render(
            "_notes.j2",
            lambda *filled: str(macro(self.chart, *filled)),
            (*values, str(note["port"])),
        )

    def add_file(self, files: dict[str, str], source: Mapping[str, Any], obj: LiftedObject) -> None:
        """The object's template, named after it (suffixed when two would share a file)."""
        kind = str(source.get("kind", "object")).lower()
        name = f"templates/{source['metadata']['name']}-{kind}.yaml"
        while name in files:
            name = name.removesuffix(".yaml") + "-x.yaml"
        if obj.condition:
            files[name] = self.stencils.render(
                ("object.yaml.j2", True),
                lambda condition, body: self.jinja.render(
                    "object.yaml.j2", condition=condition, body=body
                ),
                (obj.condition, obj.render()),
            )
        else:
            files[name] = self.stencils.render(
                ("object.yaml.j2", False),
                lambda body: self.jinja.render("object.yaml.j2", condition=None, body=body),
                (obj.render(),),
            )


def _headless(service: Mapping[str, Any]) -> bool:
    return bool(service.get("spec", {}).get("clusterIP") == "None")
