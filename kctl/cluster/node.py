"""A kubeadm node under a root directory, with its cluster's state, read into a typed model.

Layout (paths relative to `--root`):
  etc/kubernetes/manifests/{etcd,kube-apiserver,kube-controller-manager,kube-scheduler}.yaml
      (a control plane; etcd.yaml only with local etcd; a worker's folder is empty)
  etc/kubernetes/admin.conf, kubelet.conf  kubeconfigs (the node name is kubelet.conf's
                                           client certificate's CN, system:node:NAME)
  etc/kubernetes/pki/**.crt               certificates (expiry)
  var/lib/kubelet/config.yaml             KubeletConfiguration
  etc/kubernetes/kubeadm-config.yaml      kctl's offline layout only: ClusterConfiguration
  etc/kubernetes/addons/{coredns,kube-proxy}.yaml   kctl's offline layout only
The ClusterConfiguration comes from `--config FILE`, else the cluster's kube-system/
kubeadm-config ConfigMap (through --kubeconfig, else the node's admin.conf, a worker's
kubelet.conf), else the offline layout's file; the kubelet config, CoreDNS and kube-proxy from
the cluster too (objects.py). kctl never executes a file under the root it inspects.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.cluster import docs, objects
from kctl.cluster.catalog import Version
from kctl.cluster.names import CONTROL_PLANE
from kctl.cluster.objects import ClusterState, ObjectRef
from kctl.cluster.roles import (
    ADMIN_CONF,
    CONTROL_PLANE_ROLE,
    WORKER_ROLE,
    default_kubeconfig,
    node_name_from_kubelet_conf,
    node_role,
)
from kctl.errors import InputError, Location
from kctl.images import ImageRef

MANIFESTS_DIR = "etc/kubernetes/manifests"
KUBEADM_CONFIG = "etc/kubernetes/kubeadm-config.yaml"
KUBELET_CONFIG = "var/lib/kubelet/config.yaml"
ADDONS_DIR = "etc/kubernetes/addons"
ADDONS = ("coredns", "kube-proxy")
PKI_DIR = "etc/kubernetes/pki"
CONFIG_FLAG = "--config:"  # the rel of a ClusterConfiguration given with --config (never written)
TMP_DIR = "etc/kubernetes/tmp"


class Probe(Struct, frozen=True):
    """An httpGet livenessProbe as the kubelet would run it."""

    scheme: str
    host: str
    port: int
    path: str

    def url(self, path: str | None = None) -> str:
        return f"{self.scheme.lower()}://{self.host}:{self.port}{path or self.path}"


class ManifestFile(Struct):
    """A YAML file or cluster object kctl reads and may rewrite (static pod, addon, config);
    a cluster object's rel is its ObjectRef.rel and its path names it in messages."""

    rel: str
    path: Path
    raw: bytes
    docs: list[Any]


class StaticPod(Struct):
    """One control-plane static pod manifest and what it says about the component."""

    name: str
    file: ManifestFile
    image: str
    tag: str
    command: list[str]
    probe: Probe | None

    @property
    def version(self) -> str:
        """The tag, or the (shortened) digest of an image pinned by digest only."""
        return self.tag or "@" + image_digest(self.image)[:19]


class Addon(Struct):
    """A kctl-managed addon manifest (CoreDNS Deployment, kube-proxy DaemonSet)."""

    name: str
    file: ManifestFile
    image: str
    tag: str


class Node(Struct):
    """Everything `kctl upgrade` knows about one node and, through the API, its cluster."""

    root: Path
    name: str
    pods: dict[str, StaticPod]
    cluster_config: ManifestFile
    cluster_config_index: int
    kubernetes_version: str | None
    image_repository: str
    kubelet_config: ManifestFile
    addons: dict[str, Addon] = field(default_factory=dict)
    kubelet_version: str | None = None
    kubelets: dict[str, str] = field(default_factory=dict)  # every node's, from the API
    role: str = CONTROL_PLANE_ROLE
    cluster: ClusterState | None = None  # read through the API (None: offline)
    api: Any = None  # the ClusterAPI the state came from
    kubelet_cm: ManifestFile | None = None  # kube-system/kubelet-config's document
    corefile: ManifestFile | None = None  # kube-system/coredns's Corefile
    kubeconfig: Path | None = None  # which one the API was reached with

    @property
    def external_etcd(self) -> bool:
        """etcd.external in the ClusterConfiguration: kctl (like kubeadm) never touches it."""
        etcd = self.cluster_doc.get("etcd")
        return isinstance(etcd, dict) and isinstance(etcd.get("external"), dict)

    @property
    def control_plane_versions(self) -> dict[str, Version]:
        """{node: kube-apiserver version} of every control plane the cluster reports (its
        mirror pods), this node's own manifest first."""
        out = {}
        if "kube-apiserver" in self.pods:
            out[self.name] = self.apiserver_version
        for node, image in (
            self.cluster.component_images("kube-apiserver") if self.cluster else {}
        ).items():
            try:
                out.setdefault(node, Version.parse(split_image(image)[1]))
            except ValueError:
                continue
        return out

    @property
    def cluster_version(self) -> Version:
        """The newest control plane's kube-apiserver (kubeadm: the API server's version)."""
        versions = list(self.control_plane_versions.values())
        return max(versions) if versions else self.from_version

    def all_kubelets(self) -> dict[str, str]:
        """{node: kubelet version} for every kubelet kctl knows of (this node's first)."""
        out = {self.name: self.kubelet_version} if self.kubelet_version else {}
        out.update({k: v for k, v in self.kubelets.items() if k != self.name})
        return out

    @property
    def apiserver_version(self) -> Version:
        """This node's kube-apiserver (a worker: the cluster's ClusterConfiguration version)."""
        if "kube-apiserver" not in self.pods:
            return self.from_version
        return Version.parse(self.pods["kube-apiserver"].tag)

    @property
    def from_version(self) -> Version:
        """The release the node is moving from: ClusterConfiguration's kubernetesVersion (it is
        only rewritten by upload-config, after every control-plane component), else the
        apiserver's."""
        try:
            return Version.parse(self.kubernetes_version or "")
        except ValueError:
            if "kube-apiserver" not in self.pods:
                raise docs.invalid(
                    self.cluster_config.path,
                    ["kubernetesVersion"],
                    "the ClusterConfiguration names no kubernetesVersion",
                    self.cluster_config_index,
                ) from None
            return Version.parse(self.pods["kube-apiserver"].tag)

    def component_version(self, component: str) -> Version:
        """The release a control-plane component runs now (etcd follows the cluster's)."""
        if component in self.pods and component != "etcd":
            return Version.parse(self.pods[component].tag)
        return self.from_version

    @property
    def cluster_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = self.cluster_config.docs[self.cluster_config_index]
        return doc

    def files(self) -> dict[str, ManifestFile]:
        """Every file an upgrade may rewrite, by path relative to the root."""
        out = {pod.file.rel: pod.file for pod in self.pods.values()}
        out[self.cluster_config.rel] = self.cluster_config
        out[self.kubelet_config.rel] = self.kubelet_config
        for extra in (self.kubelet_cm, self.corefile):
            if extra is not None:
                out[extra.rel] = extra
        for addon in self.addons.values():
            out[addon.file.rel] = addon.file
        return out


def _read(root: Path, rel: str, what: str) -> ManifestFile:
    path = root / rel
    raw = docs.read_bytes(path, what)
    return ManifestFile(rel, path, raw, docs.parse_all(raw, path))


def split_image(image: str) -> tuple[str, str]:
    """(repository/name, tag) of an image reference; a digest (`@sha256:...`) is dropped:
    `registry.k8s.io/etcd:3.5.15-0@sha256:ab..` -> ("registry.k8s.io/etcd", "3.5.15-0"),
    `registry.k8s.io/etcd@sha256:ab..` -> ("registry.k8s.io/etcd", "")."""
    ref = ImageRef.parse(image)
    return ref.repository, ref.tag


def image_digest(image: str) -> str:
    """The `sha256:...` digest an image reference is pinned to ("" when none)."""
    return image.partition("@")[2]


def _static_pod(root: Path, name: str) -> StaticPod:
    file = _read(root, f"{MANIFESTS_DIR}/{name}.yaml", f"static pod manifest for {name}")
    path = file.path
    if len(file.docs) != 1 or not isinstance(file.docs[0], dict):
        raise InputError("a static pod manifest holds one Pod", location=Location.of(path, 1))
    doc = file.docs[0]
    if doc.get("kind") != "Pod":
        raise docs.invalid(path, ["kind"], f"expected kind: Pod, found {doc.get('kind')!r}")
    containers = _nested(doc, "spec", "containers")
    if not isinstance(containers, list) or not containers or not isinstance(containers[0], dict):
        raise docs.invalid(path, ["spec", "containers"], "spec.containers must list the component")
    container = containers[0]
    image = container.get("image")
    if not isinstance(image, str) or not image:
        raise docs.invalid(path, ["spec", "containers", 0], "container has no image")
    _, tag = split_image(image)
    if not tag and not (name == "etcd" and image_digest(image)):
        raise docs.invalid(
            path, ["spec", "containers", 0, "image"], f"image {image!r} has no version tag"
        )
    if name != "etcd":
        try:
            Version.parse(tag)
        except ValueError:
            raise docs.invalid(
                path,
                ["spec", "containers", 0, "image"],
                f"image tag {tag!r} is not a Kubernetes version like v1.31.2",
            ) from None
    command = container.get("command") or []
    if not isinstance(command, list) or not all(isinstance(c, str) for c in command):
        raise docs.invalid(path, ["spec", "containers", 0, "command"], "command must be strings")
    return StaticPod(name, file, image, tag, list(command), _probe(path, container))


def _probe(path: Path, container: dict[str, Any]) -> Probe | None:
    probe = container.get("livenessProbe")
    if not isinstance(probe, dict) or not isinstance(probe.get("httpGet"), dict):
        return None
    get = probe["httpGet"]
    port: Any = get.get("port")
    if isinstance(port, str) and not port.isdigit():
        named = [
            p.get("containerPort")
            for p in container.get("ports") or []
            if isinstance(p, dict) and p.get("name") == port
        ]
        port = named[0] if named else None
    if port is None or not str(port).isdigit() or not 0 < int(port) < 65536:
        raise docs.invalid(
            path,
            ["spec", "containers", 0, "livenessProbe", "httpGet", "port"],
            "livenessProbe.httpGet.port must be a port number or a named container port",
        )
    scheme = str(get.get("scheme") or "HTTP").upper()
    if scheme not in ("HTTP", "HTTPS"):
        raise docs.invalid(
            path,
            ["spec", "containers", 0, "livenessProbe", "httpGet", "scheme"],
            "scheme must be HTTP or HTTPS",
        )
    return Probe(
        scheme, str(get.get("host") or "127.0.0.1"), int(port), str(get.get("path") or "/")
    )


def _nested(doc: Any, *keys: str) -> Any:
    """doc[k1][k2]...; None when a level is missing or not a mapping (checked by callers)."""
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _addon(root: Path, name: str) -> Addon | None:
    rel = f"{ADDONS_DIR}/{name}.yaml"
    if not (root / rel).exists():
        return None
    return _addon_in(_read(root, rel, f"{name} addon manifest"), name)


def _addon_in(file: ManifestFile, name: str) -> Addon:
    for i, doc in enumerate(file.docs):
        if not isinstance(doc, dict) or doc.get("kind") not in ("Deployment", "DaemonSet"):
            continue
        containers = _nested(doc, "spec", "template", "spec", "containers") or []
        if not isinstance(containers, list):
            raise docs.invalid(
                file.path, ["spec", "template", "spec", "containers"], "containers must be a list"
            )
        for j, c in enumerate(containers):
            image = c.get("image") if isinstance(c, dict) else None
            if isinstance(image, str) and split_image(image)[0].endswith(name):
                _, tag = split_image(image)
                if not tag:
                    raise docs.invalid(
                        file.path,
                        ["spec", "template", "spec", "containers", j, "image"],
                        f"image {image!r} has no version tag",
                        i,
                    )
                return Addon(name, file, image, tag)
    raise InputError(
        f"no Deployment/DaemonSet with a {name} image found in the addon manifest",
        location=Location.of(file.path, 1),
    )


def _object_file(state: ClusterState, ref: ObjectRef) -> ManifestFile | None:
    obj = state.get(ref)
    if obj is None:
        return None
    raw = objects.content(obj, ref)
    source = Path(ref.rel)
    return ManifestFile(ref.rel, source, raw, docs.parse_all(raw, source))


def _cluster_config(root: Path, config: Path | None, state: ClusterState | None) -> ManifestFile:
    """--config FILE, else the kubeadm-config ConfigMap, else the offline layout's file."""
    if config is not None:
        raw = docs.read_bytes(config, "kubeadm configuration (--config)")
        file = ManifestFile(CONFIG_FLAG + str(config), config, raw, docs.parse_all(raw, config))
        if any(isinstance(d, dict) and d.get("kind") == "ClusterConfiguration" for d in file.docs):
            return file
    if state is not None:
        found = _object_file(state, objects.KUBEADM_CONFIG)
        if found is None:
            raise InputError(
                "the cluster has no kube-system/kubeadm-config ConfigMap: not a kubeadm cluster",
                hint="pass --config FILE with its ClusterConfiguration",
            )
        return found
    if (root / KUBEADM_CONFIG).exists():
        return _read(root, KUBEADM_CONFIG, "kubeadm ClusterConfiguration")
    raise InputError(
        "no ClusterConfiguration: kubeadm keeps it in the kube-system/kubeadm-config ConfigMap,"
        f" and there is no {ADMIN_CONF} under {root} to read it with",
        hint="pass --kubeconfig FILE (a control plane's /etc/kubernetes/admin.conf), or"
        " --config FILE holding the ClusterConfiguration",
    )


def _config_index(config: ManifestFile) -> int:
    index = next(
        (
            i
            for i, d in enumerate(config.docs)
            if isinstance(d, dict) and d.get("kind") == "ClusterConfiguration"
        ),
        None,
    )
    if index is None:
        raise InputError(
            "no document with kind: ClusterConfiguration", location=Location.of(config.path, 1)
        )
    return index


def _init_node_name(config: ManifestFile) -> str | None:
    node_name = None
    for d in config.docs:
        if isinstance(d, dict) and d.get("kind") == "InitConfiguration":
            node_name = _nested(d, "nodeRegistration", "name")
            if node_name is not None and not isinstance(node_name, str):
                raise docs.invalid(
                    config.path, ["nodeRegistration", "name"], "the node name must be text"
                )
    return node_name


def _kubelet_file(root: Path) -> ManifestFile:
    kubelet = _read(root, KUBELET_CONFIG, "kubelet configuration")
    if len(kubelet.docs) != 1 or not isinstance(kubelet.docs[0], dict):
        raise InputError("expected one KubeletConfiguration", location=Location.of(kubelet.path, 1))
    if kubelet.docs[0].get("kind") != "KubeletConfiguration":
        raise docs.invalid(kubelet.path, ["kind"], "expected kind: KubeletConfiguration")
    return kubelet


def _pods(root: Path, role: str, cluster: dict[str, Any]) -> dict[str, StaticPod]:
    """The control plane's static pods (etcd only with local etcd); none on a worker."""
    if role == WORKER_ROLE:
        return {}
    etcd = cluster.get("etcd")
    external = isinstance(etcd, dict) and isinstance(etcd.get("external"), dict)
    return {
        name: _static_pod(root, name) for name in CONTROL_PLANE if not (name == "etcd" and external)
    }


def load_pods(root: Path) -> dict[str, StaticPod]:
    """The static pods present under root (rollback: no config or cluster needed)."""
    return {
        name: _static_pod(root, name)
        for name in CONTROL_PLANE
        if (root / MANIFESTS_DIR / f"{name}.yaml").exists()
    }


def load_node(
    root: Path,
    kubelet_version: str | None = None,
    kubeconfig: Path | None = None,
    config: Path | None = None,
) -> Node:
    """Read the node under `root` and, through the API, its cluster; missing or malformed
    files raise InputError with file:line."""
    role = node_role(root)
    if role == CONTROL_PLANE_ROLE:
        _static_pod(root, "kube-apiserver")  # a missing manifest is named before the API is
    kubeconfig = kubeconfig or default_kubeconfig(root, role)
    api = None
    state = None
    if kubeconfig is not None:
        from kctl.cluster.kubeapi import from_kubeconfig

        api = from_kubeconfig(kubeconfig, root)
        state = objects.read_state(api)
    config_file = _cluster_config(root, config, state)
    index = _config_index(config_file)
    cluster = config_file.docs[index]
    if not isinstance(cluster, dict):
        raise InputError(
            "the ClusterConfiguration is not a mapping", location=Location.of(config_file.path, 1)
        )
    pods = _pods(root, role, cluster)
    kubelet = _kubelet_file(root)
    if state is not None:
        addons = {
            name: _addon_in(file, name)
            for name, ref in (("coredns", objects.COREDNS), ("kube-proxy", objects.KUBE_PROXY))
            if (file := _object_file(state, ref)) is not None
        }
    else:
        addons = {name: a for name in ADDONS if (a := _addon(root, name)) is not None}
    version = cluster.get("kubernetesVersion")
    name = str(
        _init_node_name(config_file) or node_name_from_kubelet_conf(root) or socket.gethostname()
    )
    kubelets = state.kubelets() if state is not None else {}
    if kubelet_version is None and name in kubelets:
        kubelet_version = kubelets[name]
    return Node(
        root=root,
        name=name,
        pods=pods,
        cluster_config=config_file,
        cluster_config_index=index,
        kubernetes_version=str(version) if version else None,
        image_repository=str(cluster.get("imageRepository") or "registry.k8s.io"),
        kubelet_config=kubelet,
        addons=addons,
        kubelet_version=kubelet_version,
        kubelets=kubelets,
        role=role,
        cluster=state,
        api=api,
        kubelet_cm=_object_file(state, objects.KUBELET_CONFIG) if state else None,
        corefile=_object_file(state, objects.COREFILE) if state else None,
        kubeconfig=kubeconfig,
    )
