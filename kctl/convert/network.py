"""ports, expose, networks and kompose.service.* labels → Services, Ingress, alias Services,
NetworkPolicies.

Every service on the project's networks answers by its Compose name, as in Compose: a Service
with its declared ports, else a headless Service without ports. A headless Service without
ports resolves to the pod IPs: the EndpointSlice controller keeps the pods' addresses with an
empty port list for it (kubernetes/endpointslice utils.go getEndpointPorts, "Allow headless
service not to have ports") and CoreDNS answers A records for such endpoints (plugin/kubernetes
object/endpoint.go adds a port -1 sentinel, since 2018). No port is ever guessed. A Service
exists for anything with ports, whatever its controller or network_mode."""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct, field

from kctl.compose import Service
from kctl.convert import labels as lbl
from kctl.convert.container import exposed_ports, image_exposed
from kctl.convert.context import Context, Owned
from kctl.convert.options import KomposeLabels, KubeFields, KubeObject
from kctl.kube.naming import dns_label
from kctl.plaindata import clone


class NetworkPieces(Struct):
    """A service's Service (None without ports) and what hangs off it (Ingress, aliases)."""

    service: dict[str, Any] | None
    objects: list[Owned] = field(default_factory=list)


def network(
    ctx: Context, name: str, service: Service, labels: KomposeLabels, controller: str
) -> NetworkPieces:
    """The Service of a service, its Ingress and one more Service per network alias."""
    service_obj = _service(ctx, name, service, labels, controller)
    objects: list[Owned] = []
    if service_obj is not None:
        ingress = _ingress(ctx, name, service, labels, service_obj)
        if ingress is not None:
            objects.append((name, ingress))
    objects += [(name, alias) for alias in _aliases(ctx, service, service_obj)]
    return NetworkPieces(service_obj, objects)


def _ports(ctx: Context, service: Service) -> list[dict[str, Any]]:
    ports: list[dict[str, Any]] = []
    seen = set()
    for port in service.ports:
        published = int(port.published.split("-")[0]) if port.published else port.target
        key = (published, port.protocol.upper())
        if key in seen:
            continue
        seen.add(key)
        ports.append(
            {
                "name": dns_label(port.name or f"{port.protocol}-{published}", 15),
                "port": published,
                "targetPort": port.target,
                "protocol": port.protocol.upper(),
            }
        )
    for target, proto in [*exposed_ports(service), *image_exposed(ctx, service)]:
        if (target, proto) not in seen:
            seen.add((target, proto))
            name = dns_label(f"{proto.lower()}-{target}", 15)
            ports.append({"name": name, "port": target, "targetPort": target, "protocol": proto})
    return ports


def on_project_network(service: Service) -> bool:
    """Whether Compose's DNS answers the service's name: not with network_mode host, none,
    bridge, service:X or container:X (no endpoint on the project's networks)."""
    return not service.spec.network_mode


def _service(
    ctx: Context, name: str, service: Service, labels: KomposeLabels, controller: str
) -> KubeFields | None:
    ports = _ports(ctx, service)
    kind = labels.get(lbl.SERVICE_TYPE, "clusterip")
    if not ports and kind != "headless":
        if not on_project_network(service):
            return None
        if lbl.SERVICE_TYPE in labels:
            ctx.warn(
                service,
                f"labels.{lbl.SERVICE_TYPE}",
                f"the service has no ports: its Service is headless, not {kind}",
            )
        kind = "headless"
    spec: dict[str, Any] = {"selector": {lbl.SELECTOR: ctx.pod_of[name]}}
    if ports:
        spec["ports"] = ports
    if kind == "headless" or (controller == "statefulset" and kind == "clusterip"):
        spec["clusterIP"] = "None"
    elif kind in ("nodeport", "loadbalancer"):
        spec["type"] = "NodePort" if kind == "nodeport" else "LoadBalancer"
        if lbl.NODEPORT_PORT in labels and kind == "nodeport":
            ports[0]["nodePort"] = labels[lbl.NODEPORT_PORT]
        if lbl.EXTERNAL_TRAFFIC_POLICY in labels:
            spec["externalTrafficPolicy"] = labels[lbl.EXTERNAL_TRAFFIC_POLICY]
    for label in (lbl.NODEPORT_PORT, lbl.EXTERNAL_TRAFFIC_POLICY):
        if label in labels and "type" not in spec:
            ctx.warn(
                service,
                f"labels.{label}",
                f"applies to NodePort/LoadBalancer Services, this one is {kind}: ignored",
            )
    annotations = {k: v for k, v in service.labels.items() if not k.startswith("kompose.")}
    svc_name = ctx.name("Service", ctx.base(name))
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": ctx.meta("Service", svc_name, name, annotations),
        "spec": spec,
    }


def headless(ctx: Context, name: str) -> KubeObject:
    """The governing Service a StatefulSet without ports still needs: headless, and without
    ports (Kompose lists a placeholder 55555 that nothing serves; DNS needs no port)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": ctx.meta("Service", ctx.name("Service", ctx.base(name)), name),
        "spec": {"clusterIP": "None", "selector": {lbl.SELECTOR: ctx.pod_of[name]}},
    }


def _aliases(
    ctx: Context, service: Service, service_obj: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """networks.*.aliases: one more Service per alias, so the alias resolves to the pods."""
    out = []
    for network_name, settings in service.spec.networks.items():
        for key in settings.keys:
            if key != "aliases":
                ctx.warn(service, f"networks.{network_name}.{key}", "not translated (ignored)")
        for alias in settings.aliases:
            wanted = dns_label(str(alias))
            if service_obj is None:
                ctx.warn(service, "networks", f"alias {alias!r}: not on a network, no Service")
                continue
            if wanted == service_obj["metadata"]["name"]:
                continue
            taken = ctx.names.setdefault("Service", set())
            if wanted in ctx.service_names.values() or wanted in taken:
                ctx.warn(service, "networks", f"alias {alias!r}: the name is taken (ignored)")
                continue
            taken.add(wanted)
            alias_obj = clone(service_obj)
            alias_obj["metadata"]["name"] = wanted
            out.append(alias_obj)
    return out


def _ingress(
    ctx: Context, name: str, service: Service, labels: KomposeLabels, service_obj: dict[str, Any]
) -> KubeFields | None:
    expose = labels.get(lbl.SERVICE_EXPOSE)
    if not expose or expose.lower() == "false":
        return None
    if not service_obj["spec"].get("ports"):
        ctx.warn(service, f"labels.{lbl.SERVICE_EXPOSE}", "no Ingress: the Service has no port")
        return None
    port = service_obj["spec"]["ports"][0]["port"]
    backend = {"service": {"name": service_obj["metadata"]["name"], "port": {"number": port}}}
    hosts = [] if expose.lower() == "true" else [h.strip() for h in expose.split(",")]
    rules = []
    for host in hosts or [""]:
        hostname, slash, path = host.partition("/")
        route = {"path": "/" + path if slash else "/", "pathType": "Prefix", "backend": backend}
        rule: dict[str, Any] = {"http": {"paths": [route]}}
        rules.append({"host": hostname, **rule} if hostname else rule)
    spec: dict[str, Any] = {"rules": rules}
    if labels.get(lbl.EXPOSE_INGRESS_CLASS):
        spec["ingressClassName"] = labels[lbl.EXPOSE_INGRESS_CLASS]
    if labels.get(lbl.EXPOSE_TLS_SECRET):
        tls: dict[str, Any] = {"secretName": labels[lbl.EXPOSE_TLS_SECRET]}
        tls_hosts = [h.partition("/")[0] for h in hosts if h]
        spec["tls"] = [{"hosts": tls_hosts, **tls} if tls_hosts else tls]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": ctx.meta("Ingress", ctx.name("Ingress", ctx.base(name)), name),
        "spec": spec,
    }


def networks_of(service: Service) -> list[str]:
    return list(service.spec.networks) or ["default"]


def network_label(ctx: Context, network_name: str) -> str:
    """The pod label of a Compose network (--generate-network-policies)."""
    return f"{lbl.NETWORK_LABEL_PREFIX}{dns_label(ctx.project.name + '-' + network_name)}"


def network_policies(ctx: Context) -> list[dict[str, Any]]:
    """One NetworkPolicy per Compose network: pods on it accept traffic from each other."""
    networks: dict[str, list[str]] = {}
    for name, service in ctx.project.services.items():
        if service.spec.network_mode:
            continue
        for network_name in networks_of(service):
            networks.setdefault(network_name, []).append(name)
    policies = []
    for network_name in sorted(networks):
        label = network_label(ctx, network_name)
        meta: dict[str, Any] = {
            "name": ctx.name("NetworkPolicy", f"{ctx.project.name}-{network_name}")
        }
        if ctx.opts.namespace:
            meta["namespace"] = ctx.opts.namespace
        peers = {"podSelector": {"matchLabels": {label: "true"}}}
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta,
                "spec": {
                    "podSelector": {"matchLabels": {label: "true"}},
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [peers]}],
                },
            }
        )
    return policies


def unreached_names(ctx: Context, served: set[str]) -> None:
    """Warn where a service reaches another by name (`host:port` or a URL's host in its
    environment, command, entrypoint or healthcheck) and that name has no Service."""
    missing = [n for n in ctx.project.services if ctx.service_names[n] not in served]
    if not missing:
        return
    names = "|".join(re.escape(n) for n in sorted(missing, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.-])({names})(?![\w.-])")
    for name, service in ctx.project.services.items():
        for key, text in _reaching_texts(service):
            for found in sorted({m.group(1) for m in pattern.finditer(text) if _reaches(m)}):
                if found != name:
                    ctx.warn(
                        service,
                        key,
                        f"reaches {found!r}, which has no Service in Kubernetes "
                        f"(network_mode: {ctx.project.services[found].get('network_mode')})",
                    )


def _reaches(match: re.Match[str]) -> bool:
    """host:port, or the host of a URL (scheme:// or user@ before it)."""
    text, start, end = match.string, match.start(1), match.end(1)
    if text[end : end + 1] == ":" and text[end + 1 : end + 2].isdigit():
        return True
    return text[max(0, start - 3) : start] == "://" or text[start - 1 : start] == "@"


def _reaching_texts(service: Service) -> list[tuple[str, str]]:
    """(key, text) of the values where a service names the hosts it talks to."""
    out: list[tuple[str, str]] = []
    for var, value in service.environment.items():
        if value is None:
            continue
        own = f"environment.{var}" in service.locations or var not in service.env_file_environment
        out.append((f"environment.{var}" if own else "env_file", str(value)))
    check = service.spec.healthcheck
    values: dict[str, tuple[str, ...] | None] = {
        "command": service.spec.command,
        "entrypoint": service.spec.entrypoint,
        "healthcheck.test": check.test if check is not None else None,
    }
    for key, words in values.items():
        if words:
            out.append((key, " ".join(words)))
    return out
