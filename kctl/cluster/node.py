"""The kubeadm control-plane layout under a root directory, read into a typed model.

Layout (paths relative to `--root`):
  etc/kubernetes/manifests/{etcd,kube-apiserver,kube-controller-manager,kube-scheduler}.yaml
  etc/kubernetes/kubeadm-config.yaml      ClusterConfiguration (+ optional InitConfiguration)
  etc/kubernetes/pki/**.crt               certificates (expiry)
  etc/kubernetes/addons/{coredns,kube-proxy}.yaml   addon manifests kctl manages (optional)
  var/lib/kubelet/config.yaml             KubeletConfiguration
The kubelet version comes from --kubelet-version, the cluster API (--kubeconfig) or the
kubelet's read-only API; kctl never executes a file under the root it inspects.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kctl.cluster import docs
from kctl.cluster.catalog import Version
from kctl.cluster.names import CONTROL_PLANE
from kctl.errors import InputError, Location
from kctl.images import ImageRef

MANIFESTS_DIR = "etc/kubernetes/manifests"
KUBEADM_CONFIG = "etc/kubernetes/kubeadm-config.yaml"
KUBELET_CONFIG = "var/lib/kubelet/config.yaml"
ADDONS_DIR = "etc/kubernetes/addons"
ADDONS = ("coredns", "kube-proxy")
PKI_DIR = "etc/kubernetes/pki"
TMP_DIR = "etc/kubernetes/tmp"
_BUILD_INFO = re.compile(r'kubernetes_build_info\{[^}]*git_version="(v\d+\.\d+\.\d+)"')


@dataclass(frozen=True)
class Probe:
    """An httpGet livenessProbe as the kubelet would run it."""

    scheme: str
    host: str
    port: int
    path: str

    def url(self, path: str | None = None) -> str:
        return f"{self.scheme.lower()}://{self.host}:{self.port}{path or self.path}"


@dataclass
class ManifestFile:
    """A YAML file kctl reads and may rewrite (static pod, addon, config)."""

    rel: str
    path: Path
    raw: bytes
    docs: list[Any]


@dataclass
class StaticPod:
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


@dataclass
class Addon:
    """A kctl-managed addon manifest (CoreDNS Deployment, kube-proxy DaemonSet)."""

    name: str
    file: ManifestFile
    image: str
    tag: str


@dataclass
class Node:
    """Everything `kctl upgrade` knows about one control-plane node."""

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

    def all_kubelets(self) -> dict[str, str]:
        """{node: kubelet version} for every kubelet kctl knows of (this node's first)."""
        out = {self.name: self.kubelet_version} if self.kubelet_version else {}
        out.update({k: v for k, v in self.kubelets.items() if k != self.name})
        return out

    @property
    def apiserver_version(self) -> Version:
        return Version.parse(self.pods["kube-apiserver"].tag)

    @property
    def from_version(self) -> Version:
        """The release the node is moving from: ClusterConfiguration's kubernetesVersion (it is
        only rewritten by upload-config, after every control-plane component), else the
        apiserver's."""
        try:
            return Version.parse(self.kubernetes_version or "")
        except ValueError:
            return self.apiserver_version

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
    file = _read(root, rel, f"{name} addon manifest")
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


def kubelet_api_version(kubelet_config: dict[str, Any], timeout: float = 0.5) -> str | None:
    """The running kubelet's version from its read-only API (`readOnlyPort` in its config,
    GET /metrics, kubernetes_build_info), when that port is enabled; never by running a binary."""
    port = kubelet_config.get("readOnlyPort")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        return None
    from kctl.cluster.health import get_text

    text = get_text(Probe("HTTP", "127.0.0.1", port, "/metrics"), timeout)
    match = _BUILD_INFO.search(text or "")
    return match[1] if match else None


def load_node(
    root: Path, kubelet_version: str | None = None, kubeconfig: Path | None = None
) -> Node:
    """Read the node under `root`; missing or malformed files raise InputError with file:line.

    With a kubeconfig, the ClusterConfiguration comes from the kubeadm-config ConfigMap when
    the node has no local copy, and every node's kubelet version from the cluster API.
    """
    pods = {name: _static_pod(root, name) for name in CONTROL_PLANE}
    api = None
    if kubeconfig is not None:
        from kctl.cluster.kubeapi import from_kubeconfig

        api = from_kubeconfig(kubeconfig)
    if api is not None and not (root / KUBEADM_CONFIG).exists():
        raw = api.cluster_configuration().encode()
        source = Path("configmap:kube-system/kubeadm-config")
        config = ManifestFile(
            KUBEADM_CONFIG, root / KUBEADM_CONFIG, raw, docs.parse_all(raw, source)
        )
    else:
        config = _read(root, KUBEADM_CONFIG, "kubeadm ClusterConfiguration")
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
    cluster = config.docs[index]
    node_name = None
    for d in config.docs:
        if isinstance(d, dict) and d.get("kind") == "InitConfiguration":
            node_name = _nested(d, "nodeRegistration", "name")
            if node_name is not None and not isinstance(node_name, str):
                raise docs.invalid(
                    config.path, ["nodeRegistration", "name"], "the node name must be text"
                )
    kubelet = _read(root, KUBELET_CONFIG, "kubelet configuration")
    if len(kubelet.docs) != 1 or not isinstance(kubelet.docs[0], dict):
        raise InputError("expected one KubeletConfiguration", location=Location.of(kubelet.path, 1))
    if kubelet.docs[0].get("kind") != "KubeletConfiguration":
        raise docs.invalid(kubelet.path, ["kind"], "expected kind: KubeletConfiguration")
    addons = {name: a for name in ADDONS if (a := _addon(root, name)) is not None}
    version = cluster.get("kubernetesVersion")
    name = str(node_name or socket.gethostname())
    kubelets = api.kubelet_versions() if api is not None else {}
    if kubelet_version is None and name in kubelets:
        kubelet_version = kubelets[name]
    return Node(
        root=root,
        name=name,
        pods=pods,
        cluster_config=config,
        cluster_config_index=index,
        kubernetes_version=str(version) if version else None,
        image_repository=str(cluster.get("imageRepository") or "registry.k8s.io"),
        kubelet_config=kubelet,
        addons=addons,
        kubelet_version=kubelet_version or kubelet_api_version(kubelet.docs[0]),
        kubelets=kubelets,
    )
