"""Component health from the livenessProbe endpoint of its static pod, with a timeout."""

from __future__ import annotations

import http.client
import json
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from kctl.cluster.node import Probe


@dataclass(frozen=True)
class Health:
    """What one probe of a component found."""

    component: str
    endpoint: str
    healthy: bool
    status: str  # "ok", "HTTP 500", "connection refused", "timeout", "no probe"
    version: str | None = None  # what the component reports at /version, when it does


def _get(probe: Probe, path: str, timeout: float) -> tuple[int, bytes]:
    conn: http.client.HTTPConnection
    if probe.scheme == "HTTPS":
        # Like the kubelet, a probe does not verify the serving certificate.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(probe.host, probe.port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(probe.host, probe.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": "kctl-upgrade-probe"})
        response = conn.getresponse()
        return response.status, response.read(65536)
    finally:
        conn.close()


def _version_of(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
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
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return Health(component, endpoint, False, reason.lower())
    if not 200 <= status < 400:
        return Health(component, endpoint, False, f"HTTP {status}")
    version = None
    try:
        vstatus, body = _get(probe, "/version", timeout)
        if vstatus == 200:
            version = _version_of(body)
    except (OSError, http.client.HTTPException):
        pass
    return Health(component, endpoint, True, "ok", version)


def check_all(probes: dict[str, Probe | None], timeout: float = 1.0) -> list[Health]:
    """Probe every component concurrently (a plan waits for the slowest, not the sum)."""
    if not probes:
        return []
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        futures = [pool.submit(check, name, probe, timeout) for name, probe in probes.items()]
        return [f.result() for f in futures]
