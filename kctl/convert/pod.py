"""Pod-level settings of a service: hostname, hosts, DNS, sysctls, host namespaces, service
account, placement (nodeSelector/affinity/tolerations) and init containers."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from kctl.compose import Service
from kctl.convert import labels as lbl
from kctl.convert.context import Context
from kctl.convert.options import KomposeLabels, KubeFields
from kctl.kube.naming import dns_label

_CONTROL_PLANE = "node-role.kubernetes.io/control-plane"
_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}
_NODE_LABELS = {
    "node.hostname": "kubernetes.io/hostname",
    "node.platform.os": "kubernetes.io/os",
    "node.platform.arch": "kubernetes.io/arch",
    "engine.labels.operatingsystem": "kubernetes.io/os",
}


def pod_spec(ctx: Context, service: Service, labels: KomposeLabels) -> KubeFields:
    """Every pod field the service sets, containers and volumes aside."""
    pod: dict[str, Any] = {}
    if service.spec.hostname:
        pod["hostname"] = dns_label(service.spec.hostname)
    aliases: dict[str, list[str]] = {}
    for entry in service.spec.extra_hosts:
        host, ip = _split_host(entry)
        if host and ip:
            aliases.setdefault(ip, []).append(host)
    if aliases:
        pod["hostAliases"] = [{"ip": ip, "hostnames": hosts} for ip, hosts in aliases.items()]
    dns_config = _dns_config(ctx, service)
    if dns_config:
        pod["dnsConfig"] = dns_config
    security = _pod_security(service, labels)
    if security:
        pod["securityContext"] = security
    if service.spec.stop_grace_period is not None:
        pod["terminationGracePeriodSeconds"] = int(service.spec.stop_grace_period)
    pod.update(_host_namespaces(ctx, service))
    if labels.get(lbl.SERVICE_ACCOUNT):
        pod["serviceAccountName"] = labels[lbl.SERVICE_ACCOUNT]
    if labels.get(lbl.IMAGE_PULL_SECRET):
        pod["imagePullSecrets"] = [{"name": labels[lbl.IMAGE_PULL_SECRET]}]
    pod.update(placement(ctx, service))
    return pod


def _dns_config(ctx: Context, service: Service) -> KubeFields:
    dns = list(service.spec.dns)
    searches = list(service.spec.dns_search)
    config: dict[str, Any] = {}
    if dns:  # cluster DNS stays first (as Compose's embedded DNS), these follow
        config["nameservers"] = list(dns)[:2]
        if len(dns) > 2:
            ctx.warn(
                service,
                "dns",
                f"Kubernetes allows 3 nameservers with cluster DNS: {dns[2:]} left out",
            )
    if searches:
        config["searches"] = list(searches)
    return config


def _pod_security(service: Service, labels: KomposeLabels) -> KubeFields:
    security: dict[str, Any] = {}
    sysctls = service.spec.sysctls
    if sysctls:
        security["sysctls"] = [{"name": k, "value": v} for k, v in sysctls.items()]
    if lbl.FS_GROUP in labels:
        security["fsGroup"] = labels[lbl.FS_GROUP]
    return security


def _host_namespaces(ctx: Context, service: Service) -> KubeFields:
    out: dict[str, Any] = {}
    spec = service.spec
    for key, value, field in (
        ("network_mode", spec.network_mode, "hostNetwork"),
        ("pid", spec.pid, "hostPID"),
        ("ipc", spec.ipc, "hostIPC"),
    ):
        if value == "host":
            out[field] = True
        elif key == "network_mode" and (
            value in ("bridge", "default") or str(value).startswith("service:")
        ):
            pass  # the pod network; service:X joins X's pod (kctl/convert/groups.py)
        elif value is not None:
            ctx.warn(service, key, f"{key}: {value} has no Kubernetes equivalent (ignored)")
    return out


def placement(ctx: Context, service: Service) -> KubeFields:
    """nodeSelector, affinity and tolerations from deploy.placement.constraints."""
    rules = service.spec.deploy.placement
    selector: dict[str, str] = {}
    expressions: list[dict[str, Any]] = []
    tolerations: list[dict[str, Any]] = []
    for constraint in rules.constraints:
        match = re.match(r"^\s*([\w.\-/]+)\s*(==|!=)\s*(.+?)\s*$", str(constraint))
        if not match:
            ctx.warn(service, "deploy.placement", f"constraint {constraint!r} not understood")
            continue
        key, op, value = match.groups()
        if key == "node.role" and value in ("manager", "worker"):
            on_managers = (value == "manager") == (op == "==")
            operator = "Exists" if on_managers else "DoesNotExist"
            expressions.append({"key": _CONTROL_PLANE, "operator": operator})
            if on_managers:
                toleration = {"key": _CONTROL_PLANE, "operator": "Exists", "effect": "NoSchedule"}
                tolerations.append(toleration)
            continue
        node_key = _node_label(key)
        if node_key is None:
            ctx.warn(
                service,
                "deploy.placement",
                f"constraint {constraint!r}: {key} has no Kubernetes node label (ignored)",
            )
            continue
        value = _ARCH.get(value, value) if node_key == "kubernetes.io/arch" else value
        if op == "==":
            selector[node_key] = value
        else:
            expressions.append({"key": node_key, "operator": "NotIn", "values": [value]})
    if rules.preferences:
        ctx.warn(service, "deploy.placement", "placement preferences is not translated")
    if rules.max_replicas_per_node is not None:
        ctx.warn(service, "deploy.placement", "max_replicas_per_node is not translated")
    pod: dict[str, Any] = {}
    if selector:
        pod["nodeSelector"] = selector
    if expressions:
        terms = {"nodeSelectorTerms": [{"matchExpressions": expressions}]}
        pod["affinity"] = {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": terms}
        }
    if tolerations:
        pod["tolerations"] = tolerations
    return pod


def _node_label(key: str) -> str | None:
    """The node label a Swarm constraint key means (node.labels.X is X), None if none."""
    if key in _NODE_LABELS:
        return _NODE_LABELS[key]
    if key.startswith("node.labels.") and len(key) > len("node.labels."):
        return key.removeprefix("node.labels.")
    return None


def init_containers(
    ctx: Context, name: str, service: Service, labels: KomposeLabels
) -> list[dict[str, Any]]:
    """kompose.init.containers.* and one wait container per depends_on service with a port."""
    init: list[dict[str, Any]] = []
    if labels.get(lbl.INIT_IMAGE):
        container: dict[str, Any] = {
            "name": dns_label(labels.get(lbl.INIT_NAME) or f"{name}-init"),
            "image": labels[lbl.INIT_IMAGE],
        }
        if labels.get(lbl.INIT_COMMAND):
            command = labels[lbl.INIT_COMMAND]
            container["command"] = _json_list(command) or shlex.split(command)
        init.append(container)
    if not ctx.opts.wait_for_deps:
        return init
    for dependency, spec in service.spec.depends_on.items():
        wait = _wait_for(ctx, service, dependency, spec.condition)
        if wait is not None:
            init.append(wait)
    return init


def _wait_for(ctx: Context, service: Service, dependency: str, condition: str) -> Any:
    target = ctx.project.services.get(dependency)
    if target is None:
        return None
    if condition == "service_completed_successfully":
        ctx.warn(
            service,
            "depends_on",
            f"{dependency}: service_completed_successfully"
            " cannot be awaited from an init container (not translated)",
        )
        return None
    ports = [p.published or str(p.target) for p in target.ports if p.protocol == "tcp"] + [
        str(e).partition("/")[0]
        for e in target.spec.expose
        if str(e).partition("/")[2] in ("", "tcp")
    ]
    if not ports:
        ctx.warn(
            service,
            "depends_on",
            f"{dependency} has no TCP port: kctl cannot wait for it (no init container)",
        )
        return None
    host, port = ctx.service_names[dependency], ports[0].split("-")[0]
    return {
        "name": dns_label(f"wait-for-{dependency}"),
        "image": ctx.opts.wait_image,
        "command": [
            "sh",
            "-c",
            f"until nc -z {host} {port}; do echo waiting for {host}:{port}; sleep 2; done",
        ],
    }


def _split_host(entry: str) -> tuple[str, str]:
    if "=" in entry:
        host, _, ip = entry.partition("=")
    else:
        host, _, ip = entry.partition(":")
    return host.strip(), ip.strip().strip("[]")


def _json_list(text: str) -> list[str] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None
