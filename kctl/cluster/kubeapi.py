"""Read-only access to the cluster API from a kubeconfig: the kubeadm-config ConfigMap and the
kubelet version of every node. Only what `kctl upgrade` needs, over HTTPS with the kubeconfig's
CA and client certificate or token (no Kubernetes client library needed)."""

from __future__ import annotations

import base64
import json
import ssl
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kctl.cluster import docs
from kctl.errors import InputError, Location, OperationError


@dataclass
class ClusterAPI:
    server: str
    context: ssl.SSLContext
    headers: dict[str, str]
    timeout: float = 10.0

    def get(self, path: str) -> dict[str, Any]:
        request = urllib.request.Request(self.server.rstrip("/") + path, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as r:
                data: dict[str, Any] = json.load(r)
                return data
        except (OSError, ValueError) as exc:
            raise OperationError(f"cluster API {self.server}{path}: {exc}") from None

    def cluster_configuration(self) -> str:
        """The ClusterConfiguration document kubeadm keeps in kube-system/kubeadm-config."""
        cm = self.get("/api/v1/namespaces/kube-system/configmaps/kubeadm-config")
        text = (cm.get("data") or {}).get("ClusterConfiguration")
        if not isinstance(text, str):
            raise OperationError("the kubeadm-config ConfigMap has no ClusterConfiguration key")
        return text

    def kubelet_versions(self) -> dict[str, str]:
        """{node name: kubelet version} for every node."""
        nodes = self.get("/api/v1/nodes")
        return {
            str(item["metadata"]["name"]): str(item["status"]["nodeInfo"]["kubeletVersion"])
            for item in nodes.get("items") or []
        }


def _material(entry: dict[str, Any], key: str, base: Path) -> bytes | None:
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    if entry.get(key):
        path = Path(entry[key])
        return (path if path.is_absolute() else base / path).read_bytes()
    return None


def from_kubeconfig(path: Path) -> ClusterAPI:
    """The API server of the kubeconfig's current context, with its credentials."""
    config = docs.parse_one(docs.read_bytes(path, "kubeconfig"), path)

    def named(kind: str, name: str) -> dict[str, Any]:
        entries = config.get(kind) or []
        if not isinstance(entries, list):
            raise docs.invalid(path, [kind], f"{kind} must be a list of named entries")
        for item in entries:
            if isinstance(item, dict) and item.get("name") == name:
                found = item.get(kind[:-1]) or {}
                if not isinstance(found, dict):
                    raise docs.invalid(path, [kind], f"{kind[:-1]} {name!r} must be a mapping")
                return found
        raise docs.invalid(path, [kind], f"no {kind[:-1]} named {name!r} in the kubeconfig")

    current = config.get("current-context")
    if not isinstance(current, str):
        raise docs.invalid(
            path, ["current-context"], "current-context must name one of the contexts"
        )
    context = named("contexts", current)
    cluster = named("clusters", str(context.get("cluster")))
    user = named("users", str(context.get("user"))) if context.get("user") else {}
    server = cluster.get("server")
    if not isinstance(server, str) or not server.startswith(("https://", "http://")):
        raise docs.invalid(path, ["clusters"], "the cluster has no https:// server")
    base = path.parent
    try:
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if cluster.get("insecure-skip-tls-verify"):
            ssl_context.check_hostname = False
            ssl_context.verify_mode = ssl.CERT_NONE
        else:
            ca = _material(cluster, "certificate-authority", base)
            if ca:
                ssl_context.load_verify_locations(cadata=ca.decode())
            else:
                ssl_context.load_default_certs()
        cert = _material(user, "client-certificate", base)
        key = _material(user, "client-key", base)
        if cert and key:
            with tempfile.TemporaryDirectory() as tmp:
                (Path(tmp) / "c").write_bytes(cert)
                (Path(tmp) / "k").write_bytes(key)
                ssl_context.load_cert_chain(Path(tmp) / "c", Path(tmp) / "k")
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise InputError(
            f"kubeconfig credentials are unusable: {exc}", location=Location.of(path)
        ) from None
    headers = {"Accept": "application/json"}
    if user.get("token"):
        headers["Authorization"] = f"Bearer {user['token']}"
    return ClusterAPI(server, ssl_context, headers)
