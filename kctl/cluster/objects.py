"""The cluster objects kubeadm reads and writes during an upgrade, as kctl sees them.

A real kubeadm node keeps its ClusterConfiguration in the `kube-system/kubeadm-config`
ConfigMap (key `ClusterConfiguration`), the kubelet's in `kube-system/kubelet-config` (key
`kubelet`), and CoreDNS and kube-proxy exist only as cluster objects (Deployment `coredns` with
ConfigMap `coredns` key `Corefile`, DaemonSet `kube-proxy`). Each is named by an `ObjectRef`
whose `rel` (`cluster:kube-system/configmaps/kubeadm-config#ClusterConfiguration`) stands beside
node file paths in renders, backups and journals, so the same phases back up, write and restore
files and objects alike.

The bytes of an object are the document a ConfigMap key holds, or the whole object as YAML
without its server-managed fields (status, managedFields, resourceVersion, generation); a write
is a PUT carrying the resourceVersion kctl read (a concurrent change is a 409, never
overwritten), a restore a PUT of the backed-up bytes over whatever is there now.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from msgspec import Struct, field

from kctl.errors import OperationError

PREFIX = "cluster:"
NAMESPACE = "kube-system"
_GROUPS = {"configmaps": "/api/v1", "deployments": "/apis/apps/v1", "daemonsets": "/apis/apps/v1"}
_SERVER_FIELDS = ("resourceVersion", "generation", "managedFields")


class ObjectRef(Struct, frozen=True):
    """One object (or one document inside a ConfigMap) in the cluster."""

    resource: str  # configmaps, deployments, daemonsets
    name: str
    key: str | None = None  # a ConfigMap's data key holding a document
    namespace: str = NAMESPACE

    @property
    def api_path(self) -> str:
        return f"{_GROUPS[self.resource]}/namespaces/{self.namespace}/{self.resource}/{self.name}"

    @property
    def rel(self) -> str:
        """How renders, backups and journals name it (beside node file paths)."""
        suffix = f"#{self.key}" if self.key else ""
        return f"{PREFIX}{self.namespace}/{self.resource}/{self.name}{suffix}"

    @property
    def backup_rel(self) -> str:
        """Where a backup keeps its bytes, relative to the backup folder."""
        suffix = f".{self.key}" if self.key else ""
        return f"cluster/{self.namespace}/{self.resource}/{self.name}{suffix}.yaml"

    @classmethod
    def parse(cls, rel: str) -> ObjectRef:
        body, _, key = rel.removeprefix(PREFIX).partition("#")
        namespace, resource, name = body.split("/")
        if resource not in _GROUPS:
            raise ValueError(f"{rel}: kctl writes no {resource}")
        return cls(resource, name, key or None, namespace)


def is_object(rel: str) -> bool:
    return rel.startswith(PREFIX)


KUBEADM_CONFIG = ObjectRef("configmaps", "kubeadm-config", "ClusterConfiguration")
KUBELET_CONFIG = ObjectRef("configmaps", "kubelet-config", "kubelet")
COREFILE = ObjectRef("configmaps", "coredns", "Corefile")
COREDNS = ObjectRef("deployments", "coredns")
KUBE_PROXY = ObjectRef("daemonsets", "kube-proxy")
READ = (KUBEADM_CONFIG, KUBELET_CONFIG, COREFILE, COREDNS, KUBE_PROXY)


def content(obj: dict[str, Any], ref: ObjectRef) -> bytes:
    """The bytes kctl renders and diffs for an object (see the module docstring)."""
    if ref.key is not None:
        data = obj.get("data") or {}
        text = data.get(ref.key) if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise OperationError(f"{ref.rel}: the ConfigMap has no {ref.key!r} key")
        return text.encode("utf-8")
    import yaml

    plain = copy.deepcopy(obj)
    plain.pop("status", None)
    meta = plain.get("metadata") or {}
    for name in _SERVER_FIELDS:
        meta.pop(name, None)
    return yaml.safe_dump(plain, sort_keys=False, default_flow_style=False).encode("utf-8")


def build(ref: ObjectRef, data: bytes, current: dict[str, Any]) -> dict[str, Any]:
    """The object to PUT so that its bytes become `data`, over `current` (its resourceVersion)."""
    if ref.key is not None:
        obj = copy.deepcopy(current)
        obj.setdefault("data", {})[ref.key] = data.decode("utf-8")
        return obj
    import yaml

    obj = yaml.safe_load(data)
    meta = obj.setdefault("metadata", {})
    for name in _SERVER_FIELDS:
        if name in (current.get("metadata") or {}):
            meta[name] = current["metadata"][name]
    return dict(obj)


class ClusterState(Struct):
    """What kctl read from the cluster: objects by API path, Nodes, control-plane mirror pods."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    pods: list[dict[str, Any]] = field(default_factory=list)

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        return self.objects.get(ref.api_path)

    def kubelets(self) -> dict[str, str]:
        """{node name: kubelet version} for every Node."""
        out = {}
        for item in self.nodes:
            name = (item.get("metadata") or {}).get("name")
            version = ((item.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion")
            if isinstance(name, str) and isinstance(version, str):
                out[name] = version
        return out

    def control_plane_nodes(self) -> list[str]:
        """Nodes labelled node-role.kubernetes.io/control-plane (kubeadm's label)."""
        return sorted(
            str(n["metadata"]["name"])
            for n in self.nodes
            if "node-role.kubernetes.io/control-plane" in (n["metadata"].get("labels") or {})
        )

    def component_images(self, component: str) -> dict[str, str]:
        """{node: image} of a control-plane component's mirror pods (label component=NAME)."""
        out = {}
        for pod in self.pods:
            labels = (pod.get("metadata") or {}).get("labels") or {}
            spec = pod.get("spec") or {}
            containers = spec.get("containers") or [{}]
            if labels.get("component") == component and spec.get("nodeName"):
                out[str(spec["nodeName"])] = str(containers[0].get("image", ""))
        return out


class ObjectStore:
    """Writes and restores cluster objects through the API, tracking resourceVersions."""

    def __init__(self, api: Any, state: ClusterState) -> None:
        self.api = api
        self.state = state

    def write(self, ref: ObjectRef, data: bytes) -> None:
        current = self.state.objects.get(ref.api_path)
        if current is None:
            raise OperationError(f"{ref.rel} was not read from the cluster")
        self.state.objects[ref.api_path] = self.api.put(ref.api_path, build(ref, data, current))

    def restore(self, ref: ObjectRef, data: bytes) -> bool:
        """Put the backed-up bytes back over whatever is there now; False when already equal."""
        current = self.api.get(ref.api_path)
        if content(current, ref) == data:
            self.state.objects[ref.api_path] = current
            return False
        self.state.objects[ref.api_path] = self.api.put(ref.api_path, build(ref, data, current))
        return True


def read_state(api: Any, refs: Iterable[ObjectRef] = READ) -> ClusterState:
    """Every object kctl may read or write, the Nodes and the control-plane mirror pods (the
    requests run side by side: each is a TLS round trip to the API server)."""
    from concurrent.futures import ThreadPoolExecutor

    wanted = list(refs)
    pods = f"/api/v1/namespaces/{NAMESPACE}/pods?labelSelector=tier%3Dcontrol-plane"
    with ThreadPoolExecutor(max_workers=len(wanted) + 2) as pool:
        found = [pool.submit(api.find, ref.api_path) for ref in wanted]
        nodes = pool.submit(api.get, "/api/v1/nodes")
        mirror = pool.submit(api.get, pods)
        state = ClusterState()
        for ref, future in zip(wanted, found, strict=True):
            obj = future.result()
            if obj is not None:
                state.objects[ref.api_path] = obj
        state.nodes = list(nodes.result().get("items") or [])
        state.pods = list(mirror.result().get("items") or [])
    return state
