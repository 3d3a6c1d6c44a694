"""What every translation rule of one conversion shares: the project, the options, the names
already given to objects, the warnings, and how a service's objects are named and labelled.

The rules (pod.py, probes.py, storage.py, network.py, workload.py) read from it and return
typed pieces; only the assembler (translate.py) combines pieces into the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.compose import Project, Service
from kctl.convert import labels as lbl
from kctl.convert.options import ConversionWarning, ConvertOptions, KubeFields, KubeObject
from kctl.errors import InputError, Location
from kctl.kube.naming import dns_label, dns_subdomain, unique

# A generated object and the service that owns it (None: shared by several services).
Owned = tuple[str | None, KubeObject]
_ANNOTATED_KINDS = {"deployment", "statefulset", "daemonset", "job", "cronjob", "service"}


class Context(Struct):
    """One conversion's shared facts and registries (names, warnings)."""

    project: Project
    opts: ConvertOptions
    service_names: dict[str, str]  # service -> DNS label (kompose.service.name_override wins)
    pod_of: dict[str, str]  # service -> io.kompose.service value of its pod
    warnings: list[ConversionWarning] = field(default_factory=list)
    names: dict[str, set[str]] = field(default_factory=dict)
    suffixes: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> unique()'s tried
    exclusive_claims: set[str] = field(default_factory=set)  # ReadWriteOnce claim names
    inside: dict[Path, bool] = field(default_factory=dict)  # inside_project's answers

    def inside_project(self, path: Path) -> bool:
        """Whether path, symlinks followed, is the project folder or inside it: only such
        files may be read into an object (nothing of the converting machine leaks into
        manifests). Asked once per path and conversion (services share env files)."""
        if path not in self.inside:
            self.inside[path] = inside_project(self.project, path)
        return self.inside[path]

    def warn(self, service: Service | None, key: str, message: str) -> None:
        """Report what was read but not (fully) translated, at the key's file:line."""
        if service is not None:
            location = service.location(key)
        else:
            first = str(self.project.files[0]) if self.project.files else "<stdin>"
            location = self.project.locations.get(key, Location(first))
        self.warnings.append(
            ConversionWarning(service.name if service else None, key, location, message)
        )

    def name(self, kind: str, wanted: str) -> str:
        """A name for a new object of kind, unique among that kind's names so far."""
        taken = self.names.setdefault(kind, set())
        base = dns_label(wanted) if kind == "Service" else dns_subdomain(wanted)
        tried = self.suffixes.setdefault(kind, {})
        return unique(base, taken, 63 if kind == "Service" else 253, tried)

    def base(self, service: str) -> str:
        """What a service's object names derive from: its name, or its name_override."""
        overridden = lbl.NAME_OVERRIDE in self.project.services[service].labels
        return self.service_names[service] if overridden else service

    def pod_base(self, service: str) -> str:
        """What names derive from for objects of a service's pod (a shared pod's name)."""
        shared = self.pod_of[service] != self.service_names[service]
        return self.pod_of[service] if shared else self.base(service)

    def labels(self, service: str) -> dict[str, str]:
        return {
            lbl.SELECTOR: self.pod_of[service],
            "app.kubernetes.io/name": self.service_names[service],
            "app.kubernetes.io/part-of": self.project.name,
        }

    def meta(
        self, kind: str, name: str, service: str | None, annotations: dict[str, str] | None = None
    ) -> KubeFields:
        """metadata for a new object (namespace, the service's labels, annotations)."""
        meta: dict[str, Any] = {"name": name}
        if self.opts.namespace and kind != "Namespace":
            meta["namespace"] = self.opts.namespace
        if service is not None:
            meta["labels"] = self.labels(service)
        if self.opts.kompose_command and kind.lower() in _ANNOTATED_KINDS:
            from kctl import __version__

            annotations = {
                **(annotations or {}),
                "kompose.cmd": self.opts.kompose_command,
                "kompose.version": f"kctl {__version__}",
            }
        if annotations:
            meta["annotations"] = dict(sorted(annotations.items()))
        return meta


def service_names(project: Project) -> dict[str, str]:
    """Each service's object name (kompose.service.name_override wins); collisions are refused."""
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    for name, service in project.services.items():
        override = service.labels.get(lbl.NAME_OVERRIDE)
        wanted = dns_label(name)
        if override is not None:
            try:
                wanted = lbl.BY_NAME[lbl.NAME_OVERRIDE].parse(override)
            except ValueError as exc:
                raise InputError(
                    f"{lbl.NAME_OVERRIDE}: {override!r} is not {exc}",
                    location=service.location(f"labels.{lbl.NAME_OVERRIDE}"),
                ) from None
        if wanted in owners:
            raise InputError(
                f"services {owners[wanted]!r} and {name!r} both become {wanted!r} in Kubernetes "
                "(their objects and selectors would collide)",
                location=service.location(""),
                hint=f"rename one, or give it a {lbl.NAME_OVERRIDE} label",
            )
        owners[wanted] = name
        names[name] = wanted
    return names


def inside_project(project: Project, path: Path) -> bool:
    """Whether path, symlinks followed, is the project folder or inside it: only such files
    may be read into an object (nothing of the converting machine leaks into manifests)."""
    root = project.working_dir.resolve()
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return False
    return real == root or root in real.parents


def escape(value: str) -> str:
    """Kubernetes expands $(VAR) in command, args and env: keep Compose's literal text."""
    return value.replace("$(", "$$(")


_LABEL_NAME = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def valid_label(key: str, value: str) -> bool:
    """Whether Kubernetes accepts key: value as a label (else it can only be an annotation)."""
    prefix, _, name = key.rpartition("/")
    return (
        bool(_LABEL_NAME.match(key))
        and len(name) <= 63
        and len(prefix) <= 253
        and len(value) <= 63
        and bool(_LABEL_VALUE.match(value))
    )


def label_or_annotate(metadata: dict[str, Any], labels: Mapping[Any, Any]) -> list[str]:
    """Add Compose labels (kompose.* aside) to metadata: as labels where Kubernetes accepts
    them, else as annotations. Returns the keys that had to become annotations."""
    annotated = []
    for key, value in labels.items():
        key, value = str(key), str(value)
        if key.startswith("kompose."):
            continue
        if valid_label(key, value):
            metadata.setdefault("labels", {})[key] = value
        else:
            metadata.setdefault("annotations", {})[key] = value
            annotated.append(key)
    return annotated
