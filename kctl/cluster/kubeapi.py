"""The cluster API from a kubeconfig: GET and PUT of the objects kubeadm reads and writes
(objects.py says which). Only what `kctl upgrade` needs, over HTTPS with the kubeconfig's CA and
client certificate or token (no Kubernetes client library needed)."""

from __future__ import annotations

import base64
import json
import ssl
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster import docs
from kctl.errors import InputError, Location, OperationError


class APIError(OperationError):
    """The API server answered with an error status (404, 409 Conflict, 500...)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"cluster API: HTTP {code}: {message}")
        self.code = code


def _status_message(exc: urllib.error.HTTPError) -> str:
    try:
        status = json.loads(exc.read() or b"{}")
    except (OSError, ValueError):
        status = {}
    message = status.get("message") if isinstance(status, dict) else None
    return str(message or exc.reason)


class ClusterAPI(Struct):
    server: str
    context: ssl.SSLContext
    headers: dict[str, str]
    timeout: float = 10.0

    def request(self, verb: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.server.rstrip("/") + path, data=data, headers=headers, method=verb
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as r:
                answer: dict[str, Any] = json.load(r)
                return answer
        except urllib.error.HTTPError as exc:
            raise APIError(exc.code, f"{verb} {path}: {_status_message(exc)}") from None
        except (OSError, ValueError) as exc:
            raise OperationError(f"cluster API {self.server}{path}: {exc}") from None

    def get(self, path: str) -> dict[str, Any]:
        return self.request("GET", path)

    def find(self, path: str) -> dict[str, Any] | None:
        """The object, or None when the API answers 404."""
        try:
            return self.get(path)
        except APIError as exc:
            if exc.code == 404:
                return None
            raise

    def put(self, path: str, obj: dict[str, Any]) -> dict[str, Any]:
        return self.request("PUT", path, obj)


def _material(entry: dict[str, Any], key: str, base: Path, root: Path | None) -> bytes | None:
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    if entry.get(key):
        path = Path(entry[key])
        if path.is_absolute() and root is not None and (root / path.relative_to("/")).exists():
            path = root / path.relative_to("/")  # kubelet.conf's /var/lib/kubelet/pki/...
        return (path if path.is_absolute() else base / path).read_bytes()
    return None


def from_kubeconfig(path: Path, root: Path | None = None) -> ClusterAPI:
    """The API server of the kubeconfig's current context, with its credentials (absolute file
    paths in it are looked up under `root` first: a node's kubeconfigs name node paths)."""
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
            ca = _material(cluster, "certificate-authority", base, root)
            if ca:
                ssl_context.load_verify_locations(cadata=ca.decode())
            else:
                ssl_context.load_default_certs()
        cert = _material(user, "client-certificate", base, root)
        key = _material(user, "client-key", base, root)
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
