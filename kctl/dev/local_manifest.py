"""What the local target plays of a rendered chart: the objects `podman kube play` (4.x) runs
or accepts, with host ports published (on 127.0.0.1 unless Compose names an IP), the endpoints
that makes, and which service each endpoint reaches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kctl.dev.local_plan import COMPONENT_LABEL, RELEASE_LABEL, LocalPlan, pod_labels, pod_spec
from kctl.dev.source import HostPort
from kctl.errors import InputError, Location, OperationError

# What `podman kube play` (4.x) runs or accepts; everything else is not run locally.
PLAYABLE = {"Pod", "Deployment", "ConfigMap", "Secret", "PersistentVolumeClaim"}


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return pod_spec(obj)
    except OperationError:
        return None


def _pod_labels(obj: dict[str, Any]) -> dict[str, Any]:
    return pod_labels(obj)


def local_manifest(
    documents: Sequence[Any],
    release: str,
    ports: Sequence[tuple[int, int]],
    published: Sequence[HostPort] = (),
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Objects Podman can play, with host ports published; plus endpoints, skipped.

    A container port is published on the host port `--port-forward` maps it to, else on the
    one the Compose file publishes for that service (and its host IP), else on the same number
    (Podman publishes nothing without a hostPort); on 127.0.0.1 unless Compose names an IP.
    A port-forward for a port no container declares is an input error.
    """
    forward = {remote: local for local, remote in ports}
    compose = {(p.component, p.container_port): p for p in published}
    played, skipped, endpoints = [], [], []
    used: set[int] = set()
    declared: set[int] = set()
    for obj in documents:
        if not isinstance(obj, dict) or "kind" not in obj:
            continue
        kind = obj["kind"]
        if kind not in PLAYABLE:
            if kind != "Service":  # Services are what host ports replace locally
                skipped.append(f"{kind}/{obj.get('metadata', {}).get('name', '?')}")
            continue
        if kind in ("Pod", "Deployment"):
            labels = _pod_labels(obj)
            labels[RELEASE_LABEL] = release
            component = str(labels.get(COMPONENT_LABEL) or obj.get("metadata", {}).get("name"))
            for container in (_pod_spec(obj) or {}).get("containers", []):
                for port in container.get("ports", []) or []:
                    number = int(port.get("containerPort", 0))
                    declared.add(number)
                    found = compose.get((component, number))
                    host = int(
                        port.get("hostPort")
                        or forward.get(number)
                        or (found.host_port if found else number)
                    )
                    if host in used:
                        continue
                    used.add(host)
                    ip = found.host_ip if found and number not in forward else "127.0.0.1"
                    port["hostPort"], port["hostIP"] = host, ip
                    endpoints.append(f"http://{_reachable(ip)}:{host}")
        played.append(obj)
    check_forwards(ports, declared)
    return played, endpoints, skipped


def _reachable(ip: str) -> str:
    """The address a client on this machine reaches a port published on ip with."""
    if ip in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{ip}]" if ":" in ip else ip


def check_forwards(ports: Sequence[tuple[int, int]], declared: set[int]) -> None:
    unknown = [f"{local}:{remote}" for local, remote in ports if remote not in declared]
    if unknown:
        known = ", ".join(str(p) for p in sorted(declared)) or "none"
        raise InputError(
            f"port-forward {', '.join(unknown)}: no container declares that port "
            f"(declared: {known})",
            location=Location("--port-forward / port-forward"),
            hint="forward a declared port, or declare it (Compose `ports:`/`expose:`, the chart)",
        )


def endpoint_services(plan: LocalPlan) -> dict[str, str]:
    """Which service each published endpoint reaches."""
    found = {}
    for unit in plan.units:
        for obj in unit.objects:
            for container in (_pod_spec(obj) or {}).get("containers", []):
                for port in container.get("ports") or []:
                    if port.get("hostPort"):
                        ip = _reachable(str(port.get("hostIP", "127.0.0.1")))
                        found[f"http://{ip}:{port['hostPort']}"] = unit.service
    return found


def images_of(objects: Sequence[Any]) -> list[str]:
    return [
        str(c.get("image", ""))
        for o in objects
        if isinstance(o, dict) and o.get("kind") in ("Pod", "Deployment")
        for c in (_pod_spec(o) or {}).get("containers", [])
    ]
