"""What the user asked of a conversion (flags of `kctl convert`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import Struct, field

from kctl.errors import Location
from kctl.kube.validate import DEFAULT_KUBE_VERSION

KubeObject = dict[str, Any]
"""A whole Kubernetes object as written out (apiVersion, kind, metadata, ...)."""
KubeFields = dict[str, Any]
"""A piece of a Kubernetes object being built (a pod spec, a container, a probe, metadata)."""
KomposeLabels = dict[str, Any]
"""A service's kompose.* labels, typed by convert/labels.py (label -> int, float, str, ...)."""

CONTROLLERS = ("deployment", "statefulset", "daemonset", "job", "cronjob")
VOLUME_MODES = ("pvc", "emptyDir", "hostPath", "configMap")


class ImagePorts(Struct, frozen=True):
    """The ports an image's config exposes (Dockerfile EXPOSE), and where they were read."""

    image: str
    ports: tuple[tuple[int, str], ...]  # (number, TCP|UDP|SCTP)
    source: str  # "the engine" (kctl built it) | "registry HOST"


class ConvertOptions(Struct, frozen=True):
    """How to convert: the flags and settings of `kctl convert` (and `kctl up`)."""

    controller: str | None = None
    replicas: int | None = None
    volumes: str = "pvc"
    pvc_request_size: str = "100Mi"
    namespace: str | None = None
    create_namespace: bool = False
    kube_version: str = DEFAULT_KUBE_VERSION
    network_policies: bool = False
    wait_for_deps: bool = True
    wait_image: str = "busybox:1.36"
    configmap_max_bytes: int = 1 << 20
    service_group_mode: str | None = None  # label | volume: services merged into one pod
    service_group_name: str | None = None
    kompose_command: str | None = None  # set: kompose.cmd/kompose.version annotations
    images: Mapping[str, str] = field(default_factory=dict)  # service -> image built for it
    # service -> its image's EXPOSE, for services that declare no ports (never guessed: only
    # what an image config says, read from the engine or, with --inspect-images, the registry)
    image_ports: Mapping[str, ImagePorts] = field(default_factory=dict)


class ConversionWarning(Struct, frozen=True):
    """A Compose key kctl read but did not (fully) translate."""

    service: str | None
    key: str
    location: Location
    message: str

    def __str__(self) -> str:
        who = f"service {self.service!r}: " if self.service else ""
        key = f"{self.key}: " if self.key else ""
        return f"{self.location}: {who}{key}{self.message}"


class Conversion(Struct):
    """The result: objects in output order, grouped per service for charts, and warnings."""

    objects: list[KubeObject] = field(default_factory=list)
    components: dict[str, list[KubeObject]] = field(default_factory=dict)
    shared: list[KubeObject] = field(default_factory=list)
    warnings: list[ConversionWarning] = field(default_factory=list)
