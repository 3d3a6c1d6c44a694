"""Services that share one pod: `kompose.service.group` (--service-group-mode label), identical
volumes (--service-group-mode volume) and `network_mode: service:X` (Compose's shared network
namespace, which in Kubernetes only containers of one pod have).

`pod_groups` decides who shares a pod; `merge_pods` folds the members' workloads into one.
A conflict (two members set the same pod field differently, the same port twice, different
controllers or replica counts) is refused with the member's file:line: a merged pod must mean
what every member asked for.
"""

from __future__ import annotations

from typing import Any

from kctl.compose import Project
from kctl.convert import labels as lbl
from kctl.convert.options import KubeFields
from kctl.errors import InputError
from kctl.kube.naming import dns_label

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
# pod fields that are lists of named things: members' entries are combined by name
_LISTS = ("containers", "initContainers", "volumes", "imagePullSecrets")
# pod fields Compose sets per container: one pod keeps the first member's (reported)
_ONE_PER_POD = {"hostname": "hostname", "subdomain": "domainname"}


def pod_groups(project: Project, mode: str | None, group_name: str | None) -> dict[str, str]:
    """{service: pod name} for every service that shares its pod with another one."""
    groups: dict[str, list[str]] = {}
    for name, service in project.services.items():
        key = None
        if mode == "label" and service.labels.get(lbl.SERVICE_GROUP):
            key = "label:" + service.labels[lbl.SERVICE_GROUP]
        elif mode == "volume":  # as Kompose: exactly the same volumes, bind mounts included
            mounts = sorted(
                f"{v.type}:{v.source}:{v.target}:{v.read_only}" for v in service.volumes
            )
            key = "volume:" + ",".join(mounts) if mounts else None
        if key:
            groups.setdefault(key, []).append(name)
    pod_of: dict[str, str] = {}
    for key, members in groups.items():
        if len(members) < 2 and key.startswith("volume:"):
            continue
        if key.startswith("label:"):
            pod = dns_label(key.removeprefix("label:"))
        else:
            pod = dns_label(group_name or "-".join(members))
        pod_of.update(dict.fromkeys(members, pod))
    for name, service in project.services.items():
        mode_value = service.spec.network_mode or ""
        if mode_value.startswith("service:"):
            pod_of[name] = _join(project, pod_of, name, mode_value.removeprefix("service:"))
    return pod_of


def _join(project: Project, pod_of: dict[str, str], name: str, target: str) -> str:
    """The pod a `network_mode: service:target` service joins (following chains)."""
    seen = {name}
    while target not in seen:
        if target not in project.services:
            raise InputError(
                f"network_mode: service:{target}: no service {target!r}",
                location=project.services[name].location("network_mode"),
            )
        seen.add(target)
        nxt = project.services[target].spec.network_mode or ""
        if not nxt.startswith("service:"):
            pod = pod_of.get(target, dns_label(target))
            pod_of.setdefault(target, pod)
            return pod
        target = nxt.removeprefix("service:")
    raise InputError(
        f"network_mode: service:{target} forms a cycle",
        location=project.services[name].location("network_mode"),
    )


def pod_spec_of(workload: dict[str, Any]) -> KubeFields:
    """The pod spec inside any workload kind."""
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    result: dict[str, Any] = spec["template"]["spec"]
    return result


def merge_pods(
    project: Project, pod: str, members: list[tuple[str, dict[str, Any]]]
) -> list[tuple[str, str, str]]:
    """Fold every member's pod into the first member's workload (in place); refuse conflicts.
    Returns (service, key, message) for what one pod cannot keep (a second hostname)."""
    notes: list[tuple[str, str, str]] = []
    base_service, base = members[0]
    base_pod = pod_spec_of(base)
    ports: dict[tuple[int, str], str] = {}
    _claim_ports(project, base_service, base_pod, ports)
    for service, workload in members[1:]:
        where = project.services[service].location("")
        if workload["kind"] != base["kind"]:
            raise InputError(
                f"pod {pod!r}: {base_service!r} is a {base['kind']}, {service!r} a "
                f"{workload['kind']}: services of one pod need one controller",
                location=where,
            )
        replicas = (base["spec"].get("replicas"), workload["spec"].get("replicas"))
        if replicas[0] != replicas[1]:
            raise InputError(
                f"pod {pod!r}: {base_service!r} wants {replicas[0]} replicas, "
                f"{service!r} {replicas[1]}",
                location=where,
            )
        other = pod_spec_of(workload)
        _claim_ports(project, service, other, ports)
        for key, value in other.items():
            if key in _LISTS:
                _merge_named(base_pod, key, value, pod, service, where)
            elif key not in base_pod:
                base_pod[key] = value
            elif base_pod[key] != value and key in _ONE_PER_POD:
                notes.append(
                    (service, _ONE_PER_POD[key], f"pod {pod!r} keeps {base_service}'s {key}")
                )
            elif base_pod[key] != value:
                raise InputError(
                    f"pod {pod!r}: {base_service!r} and {service!r} set {key} differently",
                    location=where,
                    hint="give both services the same setting, or keep them in separate pods",
                )
    return notes


def _merge_named(
    pod_spec: dict[str, Any], key: str, items: list[dict[str, Any]], pod: str, service: str,
    where: Any,
) -> None:  # fmt: skip
    current = pod_spec.setdefault(key, [])
    by_name = {item.get("name"): item for item in current}
    for item in items:
        name = item.get("name")
        if name not in by_name:
            current.append(item)
            by_name[name] = item
        elif by_name[name] != item:
            raise InputError(
                f"pod {pod!r}: {service!r} brings a different {key[:-1]} named {name!r}",
                location=where,
            )


def _claim_ports(
    project: Project, service: str, pod_spec: dict[str, Any], taken: dict[tuple[int, str], str]
) -> None:
    for container in pod_spec.get("containers", []):
        for port in container.get("ports", []):
            key = (port["containerPort"], port.get("protocol", "TCP"))
            if key in taken and taken[key] != service:
                raise InputError(
                    f"services {taken[key]!r} and {service!r} share a pod but both listen on "
                    f"{key[0]}/{key[1]}",
                    location=project.services[service].location("ports"),
                )
            taken[key] = service
