"""A loopback Kubernetes API for `kctl upgrade` tests: the objects kubeadm reads and writes.

No kube-apiserver can be installed from the package registries this machine reaches (no
Kubernetes server binaries on PyPI, apt or the Go module proxy, and no network beyond them), so
this HTTPS server answers the few REST paths kubeadm (and kctl) use, with the semantics that
matter to an upgrade:

- GET and PUT of ConfigMaps (`kube-system/kubeadm-config`, `kubelet-config`, `coredns`,
  `kube-proxy`), Deployments (`coredns`) and DaemonSets (`kube-proxy`);
- GET of Nodes (`/api/v1/nodes`, one by name) and of the control-plane mirror pods
  (`/api/v1/namespaces/kube-system/pods?labelSelector=component=kube-apiserver`);
- `metadata.resourceVersion` bumped on every write, a PUT with a stale one is 409 Conflict
  (optimistic concurrency, as the real API server does), an unknown object 404 with a Status,
  no bearer token 401;
- every write recorded (`writes`: verb, path, body), and `fail_puts` to make one path answer 500.

The objects are shaped like a real v1.30 kubeadm cluster's (kubeadm v1.30 stores its
ClusterConfiguration as kubeadm.k8s.io/v1beta3 with `apiServer.timeoutForControlPlane`, the
kubelet's as kubelet.config.k8s.io/v1beta1 under the `kubelet` key, CoreDNS v1.11.1's default
Corefile), built by `v130_cluster()`.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import http.server
import ipaddress
import json
import ssl
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOKEN = "kctl-test-token"

CLUSTER_CONFIGURATION_V130 = """\
apiServer:
  extraArgs:
    authorization-mode: Node,RBAC
  timeoutForControlPlane: 4m0s
apiVersion: kubeadm.k8s.io/v1beta3
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controlPlaneEndpoint: 127.0.0.1:6443
controllerManager: {}
dns: {}
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: v1.30.4
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/12
scheduler: {}
"""

KUBELET_CONFIGURATION_V130 = """\
apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
healthzBindAddress: 127.0.0.1
healthzPort: 10248
kind: KubeletConfiguration
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
"""

COREFILE_V1_11 = """\
.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
"""


def _meta(
    name: str, rv: int, namespace: str | None = "kube-system", **extra: Any
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "resourceVersion": str(rv),
        "uid": f"00000000-0000-4000-8000-{rv:012d}",
        "creationTimestamp": "2026-11-02T09:14:03Z",
        **extra,
    }
    if namespace:
        meta["namespace"] = namespace
    return meta


def configmap(name: str, data: dict[str, str], rv: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(name, rv), "data": data}


def node_object(name: str, kubelet: str, control_plane: bool, rv: int) -> dict[str, Any]:
    labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
    if control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": _meta(name, rv, None, labels=labels),
        "spec": {"podCIDR": "10.244.0.0/24"},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "nodeInfo": {
                "kubeletVersion": kubelet,
                "kubeProxyVersion": "",
                "containerRuntimeVersion": "containerd://1.7.22",
                "osImage": "Ubuntu 24.04.1 LTS",
            },
        },
    }


def mirror_pod(component: str, node: str, image: str, rv: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _meta(
            f"{component}-{node}",
            rv,
            labels={"component": component, "tier": "control-plane"},
            annotations={"kubernetes.io/config.source": "file"},
        ),
        "spec": {"nodeName": node, "containers": [{"name": component, "image": image}]},
        "status": {"phase": "Running"},
    }


def _workload(kind: str, name: str, image: str, rv: int, labels: dict[str, str]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "containers": [{"name": name, "image": image}],
                "priorityClassName": (
                    "system-node-critical" if kind == "DaemonSet" else "system-cluster-critical"
                ),
                "serviceAccountName": name,
            },
        },
    }
    if kind == "Deployment":
        spec["replicas"] = 2
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": _meta(name, rv, labels=labels, generation=1),
        "spec": spec,
        "status": {"observedGeneration": 1},
    }


@dataclass
class ClusterSpec:
    """A kubeadm cluster at `version`: control-plane nodes (with mirror pods at `apiservers`
    versions when given), workers, the kubelet versions and what the ConfigMap holds."""

    version: str = "v1.30.4"
    control_planes: tuple[str, ...] = ("cp1",)
    workers: tuple[str, ...] = ("w1",)
    kubelets: dict[str, str] = field(default_factory=dict)  # default: version
    apiservers: dict[str, str] = field(default_factory=dict)  # node -> tag, default: version
    etcd: str = "3.5.12-0"
    coredns: str = "v1.11.1"
    repository: str = "registry.k8s.io"
    cluster_configuration: str = CLUSTER_CONFIGURATION_V130
    external_etcd: bool = False


def v130_cluster(spec: ClusterSpec | None = None) -> dict[str, dict[str, Any]]:
    """{API path: object} of a kubeadm cluster shaped like a real v1.30 one."""
    spec = spec or ClusterSpec()
    repo = spec.repository
    config = spec.cluster_configuration.replace("v1.30.4", spec.version)
    config = config.replace("registry.k8s.io", repo)
    if spec.external_etcd:
        config = config.replace(
            "etcd:\n  local:\n    dataDir: /var/lib/etcd\n",
            "etcd:\n  external:\n    caFile: /etc/etcd/ca.crt\n    certFile: /etc/etcd/client.crt\n"
            "    endpoints:\n    - https://10.0.0.21:2379\n    keyFile: /etc/etcd/client.key\n",
        )
    dns_repo = f"{repo}/coredns" if repo == "registry.k8s.io" else repo
    objects: dict[str, dict[str, Any]] = {}
    rv = 200
    cm = "/api/v1/namespaces/kube-system/configmaps/"
    for name, data in (
        ("kubeadm-config", {"ClusterConfiguration": config}),
        ("kubelet-config", {"kubelet": KUBELET_CONFIGURATION_V130}),
        ("coredns", {"Corefile": COREFILE_V1_11}),
        ("kube-proxy", {"config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"}),
    ):
        rv += 1
        objects[cm + name] = configmap(name, data, rv)
    apps = "/apis/apps/v1/namespaces/kube-system/"
    objects[apps + "deployments/coredns"] = _workload(
        "Deployment", "coredns", f"{dns_repo}/coredns:{spec.coredns}", 240, {"k8s-app": "kube-dns"}
    )
    objects[apps + "daemonsets/kube-proxy"] = _workload(
        "DaemonSet",
        "kube-proxy",
        f"{repo}/kube-proxy:{spec.version}",
        241,
        {"k8s-app": "kube-proxy"},
    )
    rv = 300
    for name in (*spec.control_planes, *spec.workers):
        rv += 1
        kubelet = spec.kubelets.get(name, spec.version)
        objects[f"/api/v1/nodes/{name}"] = node_object(
            name, kubelet, name in spec.control_planes, rv
        )
    for name in spec.control_planes:
        tag = spec.apiservers.get(name, spec.version)
        components = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]
        for component in components:
            rv += 1
            objects[f"/api/v1/namespaces/kube-system/pods/{component}-{name}"] = mirror_pod(
                component, name, f"{repo}/{component}:{tag}", rv
            )
        if not spec.external_etcd:
            rv += 1
            objects[f"/api/v1/namespaces/kube-system/pods/etcd-{name}"] = mirror_pod(
                "etcd", name, f"{repo}/etcd:{spec.etcd}", rv
            )
    return objects


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


class FakeAPIServer:
    """The loopback API server: `objects` by path, `writes` recorded, `kubeconfig` to use it."""

    def __init__(self, workdir: Path, objects: dict[str, dict[str, Any]]) -> None:
        self.objects = objects
        self.initial = copy.deepcopy(objects)
        self.writes: list[tuple[str, str, dict[str, Any]]] = []
        self.reads: list[str] = []
        self.fail_puts: dict[str, int] = {}
        self.lock = threading.Lock()
        self._revision = 1000
        workdir.mkdir(parents=True, exist_ok=True)
        cert, key = _self_signed(workdir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_port}"
        self.kubeconfig = workdir / "admin.conf"
        self.kubeconfig.write_text(kubeconfig_text(self.url, cert.read_bytes()))
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeAPIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def data(self, path: str, key: str) -> str:
        return str(self.objects[path]["data"][key])

    def changed(self) -> list[str]:
        """Paths whose object differs from the initial one (resourceVersion aside)."""

        def plain(obj: dict[str, Any]) -> dict[str, Any]:
            out = copy.deepcopy(obj)
            out["metadata"].pop("resourceVersion", None)
            return out

        return sorted(
            p for p, o in self.objects.items() if plain(o) != plain(self.initial.get(p, {}))
        )

    # request handling ----------------------------------------------------------------
    def _list(self, path: str, query: dict[str, list[str]]) -> dict[str, Any] | None:
        kinds = {"/api/v1/nodes": "NodeList", "/api/v1/namespaces/kube-system/pods": "PodList"}
        if path not in kinds:
            return None
        selector = dict(
            part.split("=", 1)
            for part in (query.get("labelSelector") or [""])[0].split(",")
            if part
        )
        prefix = path + "/"
        items = [
            o
            for p, o in sorted(self.objects.items())
            if p.startswith(prefix)
            and "/" not in p[len(prefix) :]
            and all((o["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())
        ]
        return {"kind": kinds[path], "apiVersion": "v1", "metadata": {}, "items": items}

    def handle(self, verb: str, raw_path: str, auth: str | None, body: bytes) -> tuple[int, Any]:
        if auth != f"Bearer {TOKEN}":
            return 401, _status(401, "Unauthorized", "Unauthorized")
        parsed = urllib.parse.urlsplit(raw_path)
        path = parsed.path
        with self.lock:
            if verb == "GET":
                self.reads.append(raw_path)
                if path == "/version":
                    return 200, {"gitVersion": "v1.30.4", "major": "1", "minor": "30"}
                listed = self._list(path, urllib.parse.parse_qs(parsed.query))
                if listed is not None:
                    return 200, listed
                if path in self.objects:
                    return 200, copy.deepcopy(self.objects[path])
                return 404, _status(404, "NotFound", f"{path} not found")
            if verb != "PUT":
                return 405, _status(405, "MethodNotAllowed", verb)
            if path not in self.objects:
                return 404, _status(404, "NotFound", f"{path} not found")
            if path in self.fail_puts:
                return self.fail_puts[path], _status(500, "InternalError", "injected failure")
            try:
                obj = json.loads(body)
            except ValueError:
                return 400, _status(400, "BadRequest", "body is not JSON")
            current = self.objects[path]
            sent = (obj.get("metadata") or {}).get("resourceVersion")
            if sent != current["metadata"]["resourceVersion"]:
                message = (
                    f"Operation cannot be fulfilled on {path}: the object has been modified;"
                    " please apply your changes to the latest version and try again"
                )
                return 409, _status(409, "Conflict", message)
            if obj["metadata"].get("name") != current["metadata"]["name"]:
                return 400, _status(400, "BadRequest", "name does not match the path")
            self._revision += 1
            stored = copy.deepcopy(obj)
            stored["metadata"]["resourceVersion"] = str(self._revision)
            if "status" in current:
                stored["status"] = current["status"]  # PUT ignores status, as for real
            self.objects[path] = stored
            self.writes.append(("PUT", path, copy.deepcopy(obj)))
            return 200, copy.deepcopy(stored)

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _serve(self, verb: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                code, answer = api.handle(verb, self.path, self.headers.get("Authorization"), body)
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_PUT(self) -> None:
                self._serve("PUT")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def kubeconfig_text(server: str, ca_pem: bytes) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "kubernetes-admin@kubernetes",
            "contexts": [
                {
                    "name": "kubernetes-admin@kubernetes",
                    "context": {"cluster": "kubernetes", "user": "kubernetes-admin"},
                }
            ],
            "clusters": [
                {
                    "name": "kubernetes",
                    "cluster": {
                        "server": server,
                        "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                    },
                }
            ],
            "users": [{"name": "kubernetes-admin", "user": {"token": TOKEN}}],
        }
    )


def _self_signed(workdir: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(9)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = workdir / "apiserver.crt", workdir / "apiserver.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
