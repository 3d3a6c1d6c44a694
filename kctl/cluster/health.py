"""Component health from the livenessProbe endpoint of its static pod, with a timeout."""

from __future__ import annotations

import re
import socket
import ssl
import threading
from collections.abc import Callable
from functools import cache

from msgspec import Struct

from kctl.cluster.node import Node, Probe
from kctl.inputs import json_object


class Health(Struct, frozen=True):
    """What one probe of a component found."""

    component: str
    endpoint: str
    healthy: bool
    status: str  # "ok", "HTTP 500", "connection refused", "timeout", "no probe"
    version: str | None = None  # what the component reports at /version, when it does


@cache
def _insecure_context() -> ssl.SSLContext:
    # Like the kubelet, a probe does not verify the serving certificate; not loading the CA
    # bundle also saves ~30 ms per process.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _get(probe: Probe, path: str, timeout: float) -> tuple[int, bytes]:
    """GET scheme://host:port/path; a tiny HTTP/1.0 client (http.client costs 20 ms to import,
    a third of a plan's budget), one connection per request, read to EOF."""
    with socket.create_connection((probe.host, probe.port), timeout=timeout) as raw:
        conn: socket.socket = raw
        if probe.scheme == "HTTPS":
            conn = _insecure_context().wrap_socket(raw, server_hostname=probe.host)
        host = f"[{probe.host}]" if ":" in probe.host else probe.host
        conn.sendall(
            f"GET {path} HTTP/1.0\r\nHost: {host}:{probe.port}\r\n"
            "User-Agent: kctl-upgrade-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n".encode()
        )
        chunks = []
        size = 0
        while size < 1 << 20:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    if (
        len(status_line) < 2
        or not status_line[0].startswith(b"HTTP/")
        or not status_line[1].isdigit()
    ):
        raise ConnectionError("not an HTTP response")
    return int(status_line[1]), body


def get_text(probe: Probe, timeout: float) -> str | None:
    """The body of a 200 answer at the probe's URL, else None (no error raised)."""
    try:
        status, body = _get(probe, probe.path, timeout)
    except (OSError, ConnectionError):
        return None
    return body.decode("utf-8", "replace") if status == 200 else None


def _version_of(body: bytes) -> str | None:
    data = json_object(body)
    if data is None:
        return None
    for key in ("gitVersion", "etcdserver"):
        if isinstance(data.get(key), str):
            return str(data[key])
    return None


def check(component: str, probe: Probe | None, timeout: float = 1.0) -> Health:
    """Probe one component: GET the liveness path, then /version (kube-apiserver, etcd, ...)."""
    if probe is None:
        return Health(component, "", False, "no httpGet livenessProbe in the manifest")
    endpoint = probe.url()
    try:
        status, _ = _get(probe, probe.path, timeout)
    except TimeoutError:
        return Health(component, endpoint, False, f"no answer within {timeout:g}s")
    except OSError as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return Health(component, endpoint, False, reason.lower())
    if not 200 <= status < 400:
        return Health(component, endpoint, False, f"HTTP {status}")
    version = None
    try:
        vstatus, body = _get(probe, "/version", timeout)
        if vstatus == 200:
            version = _version_of(body)
    except OSError:
        pass
    return Health(component, endpoint, True, "ok", version)


def start_all(probes: dict[str, Probe | None], timeout: float = 1.0) -> Callable[[], list[Health]]:
    """Start probing every component concurrently; call the result to wait for the answers.

    The caller can do other work (read certificates) while the probes are on the wire.
    """
    results: dict[str, Health] = {}

    def run(name: str, probe: Probe | None) -> None:
        results[name] = check(name, probe, timeout)

    threads = [
        threading.Thread(target=run, args=(name, probe), daemon=True)
        for name, probe in probes.items()
    ]
    for thread in threads:
        thread.start()

    def wait() -> list[Health]:
        for thread in threads:
            thread.join()
        return [results[name] for name in probes]

    return wait


def check_all(probes: dict[str, Probe | None], timeout: float = 1.0) -> list[Health]:
    """Probe every component concurrently (a plan waits for the slowest, not the sum)."""
    return start_all(probes, timeout)()


_BUILD_INFO = re.compile(r'kubernetes_build_info\{[^}]*git_version="(v\d+\.\d+\.\d+)"')


def kubelet_from_read_only_api(node: Node, timeout: float = 0.5) -> str | None:
    """The running kubelet's version from its read-only API (`readOnlyPort` in its config,
    GET /metrics, kubernetes_build_info), when that port is enabled; never by running a binary.
    Sets it on the node when the node had none (no --kubelet-version, no cluster answer)."""
    if node.kubelet_version is not None:
        return node.kubelet_version
    port = node.kubelet_config.docs[0].get("readOnlyPort")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        return None
    text = get_text(Probe("HTTP", "127.0.0.1", port, "/metrics"), timeout)
    match = _BUILD_INFO.search(text or "")
    node.kubelet_version = match[1] if match else None
    return node.kubelet_version
