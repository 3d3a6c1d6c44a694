"""Compose project → Kubernetes objects. Every Compose key kctl understands is in TRANSLATED;
anything else a service sets becomes a warning with its file:line (never a silent drop)."""

from __future__ import annotations

import base64
import copy
import re
import shlex
from pathlib import Path
from typing import Any

from kctl.compose import Project, Service, parse_bytes, parse_duration
from kctl.convert import groups
from kctl.convert import labels as lbl
from kctl.convert.options import CONTROLLERS, Conversion, ConversionWarning, ConvertOptions
from kctl.errors import InputError
from kctl.kube.naming import dns_label, dns_subdomain, unique

# Compose service keys and what translates them (grep a key to find its rule).
TRANSLATED: dict[str, str] = {
    "image": "container.image",
    "build": "container.image (<project>-<service>)",
    "command": "container.args",
    "entrypoint": "container.command",
    "environment": "container.env",
    "env_file": "ConfigMap + container.envFrom",
    "ports": "container.ports + Service",
    "expose": "container.ports + Service",
    "volumes": "PVC / ConfigMap / emptyDir / hostPath + volumeMounts",
    "tmpfs": "emptyDir (medium: Memory)",
    "secrets": "Secret + volumeMount",
    "configs": "ConfigMap + volumeMount",
    "depends_on": "initContainers waiting for ports",
    "healthcheck": "livenessProbe + readinessProbe",
    "deploy": "replicas, resources, ...",
    "labels": "annotations (+ kompose.* behaviour)",
    "user": "securityContext.runAsUser/Group",
    "working_dir": "container.workingDir",
    "restart": "controller / restartPolicy",
    "cap_add": "securityContext.capabilities.add",
    "cap_drop": "capabilities.drop",
    "privileged": "securityContext.privileged",
    "read_only": "readOnlyRootFilesystem",
    "stdin_open": "container.stdin",
    "tty": "container.tty",
    "hostname": "pod.hostname",
    "extra_hosts": "pod.hostAliases",
    "dns": "pod.dnsConfig.nameservers",
    "dns_search": "pod.dnsConfig.searches",
    "sysctls": "pod securityContext.sysctls",
    "stop_grace_period": "terminationGracePeriodSeconds",
    "pull_policy": "imagePullPolicy",
    "network_mode": "hostNetwork",
    "pid": "hostPID",
    "ipc": "hostIPC",
    "networks": "NetworkPolicy (--generate-network-policies)",
    "scale": "replicas",
    "mem_limit": "resources.limits.memory",
    "mem_reservation": "resources.requests.memory",
    "cpus": "resources.limits.cpu",
    "profiles": "(loader: service selection)",
    "container_name": "container.name",
}
DEPLOY_TRANSLATED = {
    "replicas",
    "mode",
    "resources",
    "placement",
    "update_config",
    "labels",
    "restart_policy",
}
KIND_ORDER = [
    "Namespace",
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "Service",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Ingress",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
]
_PULL = {
    "always": "Always",
    "never": "Never",
    "missing": "IfNotPresent",
    "if_not_present": "IfNotPresent",
    "build": "IfNotPresent",
}


def _escape(value: str) -> str:
    """Kubernetes expands $(VAR) in command, args and env: keep Compose's literal text."""
    return value.replace("$(", "$$(")


class _Converter:
    def __init__(self, project: Project, options: ConvertOptions) -> None:
        self.project = project
        self.opts = options
        self.result = Conversion()
        self.names: dict[str, set[str]] = {}
        self.service_names = _service_names(project)
        # the io.kompose.service value of each service's pod: shared by services of one pod
        self.pod_of = self.service_names | groups.pod_groups(
            project, options.service_group_mode, options.service_group_name
        )
        self.volume_users: dict[str, list[str]] = {}
        for name, service in project.services.items():
            for volume in service.volumes:
                if volume.type == "volume" and volume.source:
                    self.volume_users.setdefault(volume.source, []).append(name)
        self.created_claims: set[str] = set()
        self.single_writer_claims: set[str] = set()
        self.bind_claims: dict[str, str] = {}

    # helpers ----------------------------------------------------------------------------
    def warn(self, service: Service | None, key: str, message: str) -> None:
        location = (
            service.location(key)
            if service
            else self.project.locations.get(key, self.project_location())
        )
        self.result.warnings.append(
            ConversionWarning(service.name if service else None, key, location, message)
        )

    def project_location(self) -> Any:
        from kctl.errors import Location

        return Location(str(self.project.files[0]) if self.project.files else "<stdin>")

    def name(self, kind: str, wanted: str) -> str:
        taken = self.names.setdefault(kind, set())
        base = dns_label(wanted) if kind in ("Service",) else dns_subdomain(wanted)
        return unique(base, taken, 63 if kind == "Service" else 253)

    def base(self, service: str) -> str:
        """What a service's object names derive from: its name, or its name_override."""
        overridden = lbl.NAME_OVERRIDE in self.project.services[service].labels
        return self.service_names[service] if overridden else service

    def pod_base(self, service: str) -> str:
        """What names derive from for objects of a service's pod (a shared pod's name)."""
        shared = self.pod_of[service] != self.service_names[service]
        return self.pod_of[service] if shared else self.base(service)

    def labels(self, service: str) -> dict[str, str]:
        return {
            lbl.SELECTOR: self.pod_of[service],
            "app.kubernetes.io/name": self.service_names[service],
            "app.kubernetes.io/part-of": self.project.name,
        }

    def meta(
        self, kind: str, name: str, service: str | None, annotations: dict[str, str] | None = None
    ) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name}
        if self.opts.namespace and kind != "Namespace":
            meta["namespace"] = self.opts.namespace
        if service is not None:
            meta["labels"] = self.labels(service)
        if self.opts.kompose_command and kind.lower() in _ANNOTATED_KINDS:
            annotations = {**(annotations or {}), **self.kompose_annotations()}
        if annotations:
            meta["annotations"] = dict(sorted(annotations.items()))
        return meta

    def kompose_annotations(self) -> dict[str, str]:
        from kctl import __version__

        return {
            "kompose.cmd": str(self.opts.kompose_command),
            "kompose.version": f"kctl {__version__}",
        }

    def add(self, service: str | None, obj: dict[str, Any]) -> None:
        if service is None:
            self.result.shared.append(obj)
        else:
            self.result.components.setdefault(service, []).append(obj)

    # project ----------------------------------------------------------------------------
    def run(self) -> Conversion:
        if self.opts.controller and self.opts.controller not in CONTROLLERS:
            raise InputError(
                f"unknown controller {self.opts.controller!r}",
                hint=f"choose one of {', '.join(CONTROLLERS)}",
            )
        for name, service in self.project.services.items():
            self.service(name, service)
        self.merge_shared_pods()
        if self.opts.network_policies:
            self.network_policies()
        objects = [o for objs in self.result.components.values() for o in objs]
        objects += self.result.shared
        if self.opts.namespace and self.opts.create_namespace:
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {"name": dns_label(self.opts.namespace)},
                }
            )
        rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
        self.result.objects = sorted(
            objects, key=lambda o: (rank.get(o["kind"], len(rank)), o["metadata"]["name"])
        )
        return self.result

    def merge_shared_pods(self) -> None:
        """One workload per shared pod (service groups, network_mode: service:X)."""
        members: dict[str, list[str]] = {}
        for name in self.project.services:
            members.setdefault(self.pod_of[name], []).append(name)
        for pod, names in members.items():
            if len(names) < 2:
                continue
            workloads = [(n, self.workload_of(n)) for n in names]
            for service, key, message in groups.merge_pods(self.project, pod, workloads):
                self.warn(self.project.services[service], key, message)
            base = workloads[0][1]
            taken = self.names.setdefault(base["kind"].lower(), set())
            taken.difference_update(w["metadata"]["name"] for _, w in workloads)
            base["metadata"]["name"] = self.name(base["kind"].lower(), pod)
            for name, workload in workloads[1:]:
                self.result.components[name].remove(workload)
                if not self.result.components[name]:
                    del self.result.components[name]
            self.retarget_autoscalers(names, base)

    def workload_of(self, service: str) -> dict[str, Any]:
        return next(
            o for o in self.result.components[service] if o["kind"] in groups.WORKLOAD_KINDS
        )

    def retarget_autoscalers(self, names: list[str], workload: dict[str, Any]) -> None:
        autoscalers = [
            (name, o)
            for name in names
            for o in self.result.components.get(name, [])
            if o["kind"] == "HorizontalPodAutoscaler"
        ]
        if len(autoscalers) > 1:
            raise InputError(
                f"services {[n for n, _ in autoscalers]} share a pod and each asks for "
                "an autoscaler: keep kompose.hpa.* labels on one of them",
                location=self.project.services[autoscalers[1][0]].location("labels"),
            )
        for _, autoscaler in autoscalers:
            autoscaler["spec"]["scaleTargetRef"]["name"] = workload["metadata"]["name"]

    # one service ------------------------------------------------------------------------
    def service(self, name: str, service: Service) -> None:
        self.check_untranslated(service)
        labels = self.kompose_labels(service)
        controller = self.controller(service, labels)
        container = self.container(name, service, labels)
        pod: dict[str, Any] = {"containers": [container]}
        self.pod_settings(service, labels, pod)
        volumes, claim_templates = self.volumes(name, service, labels, container, controller)
        if volumes:
            pod["volumes"] = volumes
        init = self.init_containers(name, service, labels)
        if init:
            pod["initContainers"] = init
        annotations = {k: v for k, v in service.labels.items() if not k.startswith("kompose.")}
        pod_labels = self.labels(name)
        if self.opts.network_policies:
            for network in self.networks_of(service):
                pod_labels[f"io.kompose.network/{dns_label(self.project.name + '-' + network)}"] = (
                    "true"
                )
        template = {"metadata": {"labels": pod_labels}, "spec": pod}
        service_obj = self.k8s_service(name, service, labels, container, controller)
        workload = self.workload(
            name, service, labels, controller, template, annotations, claim_templates, service_obj
        )
        self.add(name, workload)
        if service_obj is not None:
            self.add(name, service_obj)
            self.ingress(name, service, labels, service_obj)
        self.network_aliases(name, service, service_obj)
        self.hpa(name, service, labels, workload)

    def check_untranslated(self, service: Service) -> None:
        for key, _ in service.locations.items():
            if not key or "." in key or key.startswith("x-"):
                continue
            if key not in TRANSLATED:
                self.warn(service, key, "not translated to Kubernetes (ignored)")
        for key in service.get("deploy") or {}:
            if key not in DEPLOY_TRANSLATED:
                self.warn(service, f"deploy.{key}", "not translated to Kubernetes (ignored)")
        if lbl.SERVICE_GROUP in service.labels and self.opts.service_group_mode != "label":
            self.warn(
                service,
                f"labels.{lbl.SERVICE_GROUP}",
                "needs --service-group-mode label (as in Kompose): the service stays its own pod",
            )

    def kompose_labels(self, service: Service) -> dict[str, Any]:
        """The service's kompose.* labels (and those in deploy.labels), typed and checked."""
        values, problems = lbl.parse_labels(service.labels, "service")
        deploy_labels = (service.get("deploy") or {}).get("labels") or {}
        more, deploy_problems = lbl.parse_labels(
            {str(k): str(v) for k, v in deploy_labels.items()}, "deploy"
        )
        for key, found in (("labels", problems), ("deploy.labels", deploy_problems)):
            for problem in found:
                location = service.location(f"{key}.{problem.key}")
                if problem.error:
                    raise InputError(problem.message, location=location, hint=problem.hint)
                hint = f" ({problem.hint})" if problem.hint else ""
                self.warn(service, f"{key}.{problem.key}", problem.message + hint)
        return values | more

    def controller(self, service: Service, labels: dict[str, Any]) -> str:
        if self.opts.controller:
            return self.opts.controller
        if lbl.CONTROLLER_TYPE in labels:
            return str(labels[lbl.CONTROLLER_TYPE])
        if lbl.CRON_SCHEDULE in labels:
            return "cronjob"
        mode = (service.get("deploy") or {}).get("mode")
        if mode == "global":
            return "daemonset"
        if mode == "global-job":
            self.warn(
                service,
                "deploy.mode",
                "global-job (one run on every node) has no Kubernetes equivalent: one Job runs",
            )
        if mode in ("replicated-job", "global-job"):
            return "job"
        if _restart(service)[0] in ("no", "on-failure"):
            return "job"
        return "deployment"

    def container(self, name: str, service: Service, labels: dict[str, Any]) -> dict[str, Any]:
        image = service.image
        if image is None:
            image = f"{self.project.name}-{name}"
            if service.get("build"):
                self.warn(
                    service,
                    "build",
                    f"no image: using {image!r}; build and push it "
                    "(kctl convert --build --push) or set `image:`",
                )
            else:
                raise InputError(
                    f"service {name!r} has neither image nor build", location=service.location("")
                )
        # as Kompose: container_name names the container (in Compose it names the container)
        container_name = dns_label(str(service.get("container_name") or self.service_names[name]))
        container: dict[str, Any] = {"name": container_name, "image": image}
        if service.get("entrypoint") is not None:
            container["command"] = [_escape(a) for a in service.get("entrypoint")]
        if service.get("command") is not None:
            container["args"] = [_escape(a) for a in service.get("command")]
        if service.get("working_dir"):
            container["workingDir"] = service.get("working_dir")
        env = self.env(name, service, container)
        if env:
            container["env"] = env
        ports = self.container_ports(service, bool(labels.get(lbl.EXPOSE_TO_HOST)))
        if ports:
            container["ports"] = ports
        policy = labels.get(lbl.IMAGE_PULL_POLICY) or _PULL.get(str(service.get("pull_policy")))
        if policy:
            container["imagePullPolicy"] = policy
        resources = self.resources(service, labels)
        if resources:
            container["resources"] = resources
        security = self.security(service)
        if security:
            container["securityContext"] = security
        if service.get("stdin_open"):
            container["stdin"] = True
        if service.get("tty"):
            container["tty"] = True
        self.probes(service, labels, container)
        return container

    def env(self, name: str, service: Service, container: dict[str, Any]) -> list[Any]:
        from_file = service.env_file_environment
        if from_file:
            cm_name = self.name("ConfigMap", self.env_config_map_name(name, service))
            data = {k: v for k, v in from_file.items() if v is not None}
            self.add(
                name,
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": self.meta("ConfigMap", cm_name, name),
                    "data": dict(sorted(data.items())),
                },
            )
            container["envFrom"] = [{"configMapRef": {"name": cm_name}}]
        env = []
        for key, value in service.environment.items():
            if key in from_file and from_file[key] == value:
                continue
            if value is None:
                self.warn(
                    service,
                    "environment",
                    f"{key} has no value and is not set in the environment: left out",
                )
                continue
            env.append({"name": key, "value": _escape(value)})
        return env

    def env_config_map_name(self, name: str, service: Service) -> str:
        """As Kompose: a single env_file names its ConfigMap (./config/app.env ->
        config-app-env); several are merged (in Compose's order) into <service>-env."""
        if len(service.env_files) != 1:
            return f"{self.base(name)}-env"
        path = Path(service.env_files[0])
        try:
            path = path.relative_to(self.project.working_dir)
        except ValueError:
            return f"{self.base(name)}-env"
        stem = re.sub(r"[^A-Za-z0-9]", "-", str(path).strip("./")).lower()
        return stem if stem and not stem.startswith("-") else f"{self.base(name)}-env"

    def container_ports(self, service: Service, host_ports: bool) -> list[dict[str, Any]]:
        ports: list[dict[str, Any]] = []
        seen = set()
        for port in service.ports:
            key = (port.target, port.protocol.upper())
            if port.host_ip and not host_ports:
                self.warn(
                    service,
                    "ports",
                    f"host IP {port.host_ip} of port {port.target} "
                    "has no Kubernetes equivalent (the Service listens on all addresses)",
                )
            if key in seen:
                continue
            seen.add(key)
            ports.append({"containerPort": port.target, "protocol": key[1]})
            if host_ports and port.published:
                ports[-1]["hostPort"] = int(port.published.split("-")[0])
                if port.host_ip:
                    ports[-1]["hostIP"] = port.host_ip
        for exposed in service.get("expose") or []:
            number, _, proto = str(exposed).partition("/")
            for target in _expand(number):
                key = (target, (proto or "tcp").upper())
                if key not in seen:
                    seen.add(key)
                    ports.append({"containerPort": target, "protocol": key[1]})
        return ports

    def resources(self, service: Service, labels: dict[str, Any]) -> dict[str, Any]:
        res = (service.get("deploy") or {}).get("resources") or {}
        out: dict[str, dict[str, Any]] = {}
        for compose_key, k8s_key in (("limits", "limits"), ("reservations", "requests")):
            block = res.get(compose_key) or {}
            values: dict[str, Any] = {}
            if block.get("memory"):
                values["memory"] = str(int(block["memory"]))
            if block.get("cpus"):
                values["cpu"] = _cpu(float(block["cpus"]))
            if values:
                out[k8s_key] = values
            for key in block:
                if key not in ("memory", "cpus", "devices"):
                    self.warn(service, f"deploy.resources.{compose_key}.{key}", "not translated")
        gpus = self.gpus(service, res.get("reservations", {}).get("devices") or [])
        if gpus:  # extended resources are set as limits (requests default to them)
            out.setdefault("limits", {}).update(gpus)
        for label, k8s_key in (
            (lbl.EPHEMERAL_LIMIT, "limits"),
            (lbl.EPHEMERAL_REQUEST, "requests"),
        ):
            if label in labels:
                out.setdefault(k8s_key, {})["ephemeral-storage"] = labels[label]
        if service.get("mem_limit") is not None:
            out.setdefault("limits", {})["memory"] = str(
                parse_bytes(service.get("mem_limit"), service.location("mem_limit"))
            )
        if service.get("mem_reservation") is not None:
            out.setdefault("requests", {})["memory"] = str(
                parse_bytes(service.get("mem_reservation"), service.location("mem_reservation"))
            )
        if service.get("cpus") is not None:
            out.setdefault("limits", {})["cpu"] = _cpu(float(service.get("cpus")))
        return out

    def gpus(self, service: Service, devices: list[dict[str, Any]]) -> dict[str, int]:
        """deploy.resources.reservations.devices → {nvidia.com/gpu: N} (device plugin names)."""
        out: dict[str, int] = {}
        key = "deploy.resources.reservations.devices"
        for device in devices:
            capabilities = {str(c) for c in device.get("capabilities") or []}
            driver = str(device.get("driver") or "nvidia")
            resource = _GPU_RESOURCES.get(driver)
            if "gpu" not in capabilities or resource is None:
                self.warn(service, key, f"device {sorted(capabilities)} ({driver}) not translated")
                continue
            ids = device.get("device_ids") or []
            count = device.get("count")
            if ids:
                self.warn(service, key, f"device_ids {ids}: Kubernetes picks the GPUs (count kept)")
                count = len(ids)
            if count is None or str(count) in ("all", "-1"):
                self.warn(
                    service, key, "count: all has no Kubernetes equivalent: set a number of GPUs"
                )
                continue
            out[resource] = out.get(resource, 0) + int(count)
        return out

    def security(self, service: Service) -> dict[str, Any]:
        ctx: dict[str, Any] = {}
        user = service.get("user")
        if user is not None:
            uid, _, gid = str(user).partition(":")
            if uid.isdigit():
                ctx["runAsUser"] = int(uid)
                if gid.isdigit():
                    ctx["runAsGroup"] = int(gid)
            else:
                self.warn(
                    service,
                    "user",
                    f"user {user!r} is not numeric: Kubernetes needs a UID (runAsUser); left out",
                )
        caps: dict[str, list[str]] = {}
        if service.get("cap_add"):
            caps["add"] = list(service.get("cap_add"))
        if service.get("cap_drop"):
            caps["drop"] = list(service.get("cap_drop"))
        if caps:
            ctx["capabilities"] = caps
        if service.get("privileged"):
            ctx["privileged"] = True
        if service.get("read_only"):
            ctx["readOnlyRootFilesystem"] = True
        return ctx

    def probes(self, service: Service, labels: dict[str, Any], container: dict[str, Any]) -> None:
        check = service.get("healthcheck") or {}
        if check.get("start_interval") is not None:
            self.warn(
                service,
                "healthcheck.start_interval",
                "not translated: Kubernetes probes keep one period (periodSeconds from interval)",
            )
        liveness = self.probe_from(check, service, "healthcheck")
        if labels.get(lbl.LIVENESS_HTTP_PATH) or labels.get(lbl.LIVENESS_TCP_PORT):
            liveness = {
                **self.label_probe(
                    labels,
                    lbl.LIVENESS_HTTP_PATH,
                    lbl.LIVENESS_HTTP_PORT,
                    lbl.LIVENESS_TCP_PORT,
                    service,
                ),
                **_timing(check, service),
            }
        if liveness:
            container["livenessProbe"] = liveness
        readiness_labels = [
            k for k in labels if k.startswith(lbl.READINESS_PREFIX) and k != lbl.READINESS_DISABLE
        ]
        if labels.get(lbl.READINESS_DISABLE):
            return  # kompose: no readinessProbe at all, not even the healthcheck's
        if readiness_labels:
            spec: dict[str, Any] = {}
            if labels.get(lbl.READINESS_TEST):
                spec["test"] = ["CMD-SHELL", labels[lbl.READINESS_TEST]]
            for label, key in (
                (lbl.READINESS_INTERVAL, "interval"),
                (lbl.READINESS_TIMEOUT, "timeout"),
                (lbl.READINESS_RETRIES, "retries"),
                (lbl.READINESS_START, "start_period"),
            ):
                if labels.get(label):
                    spec[key] = labels[label]
            readiness = self.probe_from(spec, service, "labels") if spec.get("test") else {}
            if labels.get(lbl.READINESS_HTTP_PATH) or labels.get(lbl.READINESS_TCP_PORT):
                readiness = {
                    **self.label_probe(
                        labels,
                        lbl.READINESS_HTTP_PATH,
                        lbl.READINESS_HTTP_PORT,
                        lbl.READINESS_TCP_PORT,
                        service,
                    ),
                    **_timing(spec, service),
                }
            if readiness:
                container["readinessProbe"] = readiness
        elif liveness:
            container["readinessProbe"] = dict(liveness)

    def probe_from(self, check: dict[str, Any], service: Service, key: str) -> dict[str, Any]:
        if not check or check.get("disable"):
            return {}
        test = check.get("test")
        if not test:
            return {}
        if test[0] == "NONE":
            return {}
        if test[0] == "CMD":
            command = list(test[1:])
        elif test[0] == "CMD-SHELL":
            command = ["/bin/sh", "-c", " ".join(test[1:])]
        else:
            command = list(test)
        return {"exec": {"command": [_escape(c) for c in command]}, **_timing(check, service)}

    def label_probe(
        self,
        labels: dict[str, Any],
        path_label: str,
        port_label: str,
        tcp_label: str,
        service: Service,
    ) -> dict[str, Any]:
        if labels.get(path_label):
            port = labels.get(port_label) or next((p.target for p in service.ports), None)
            if port is None:
                raise InputError(
                    f"{path_label} needs {port_label}: the service publishes no port",
                    location=service.location(f"labels.{path_label}"),
                    hint=f"add the label {port_label}: PORT",
                )
            return {"httpGet": {"path": labels[path_label], "port": port}}
        return {"tcpSocket": {"port": labels[tcp_label]}}

    def pod_settings(self, service: Service, labels: dict[str, Any], pod: dict[str, Any]) -> None:
        if service.get("hostname"):
            pod["hostname"] = dns_label(str(service.get("hostname")))
        aliases: dict[str, list[str]] = {}
        for entry in service.get("extra_hosts") or []:
            host, ip = _split_host(str(entry))
            if host and ip:
                aliases.setdefault(ip, []).append(host)
        if aliases:
            pod["hostAliases"] = [{"ip": ip, "hostnames": hosts} for ip, hosts in aliases.items()]
        dns = service.get("dns") or []
        searches = service.get("dns_search") or []
        if dns or searches:
            config: dict[str, Any] = {}
            if dns:  # cluster DNS stays first (as Compose's embedded DNS), these follow
                config["nameservers"] = list(dns)[:2]
                if len(dns) > 2:
                    self.warn(
                        service,
                        "dns",
                        f"Kubernetes allows 3 nameservers with cluster DNS: {dns[2:]} left out",
                    )
            if searches:
                config["searches"] = list(searches)
            pod["dnsConfig"] = config
        pod_security: dict[str, Any] = {}
        sysctls = service.get("sysctls") or {}
        if sysctls:
            pod_security["sysctls"] = [{"name": k, "value": str(v)} for k, v in sysctls.items()]
        if lbl.FS_GROUP in labels:
            pod_security["fsGroup"] = labels[lbl.FS_GROUP]
        if pod_security:
            pod["securityContext"] = pod_security
        if service.get("stop_grace_period") is not None:
            pod["terminationGracePeriodSeconds"] = int(
                parse_duration(
                    service.get("stop_grace_period"), service.location("stop_grace_period")
                )
            )
        for key, field in (("network_mode", "hostNetwork"), ("pid", "hostPID"), ("ipc", "hostIPC")):
            value = service.get(key)
            if value == "host":
                pod[field] = True
            elif key == "network_mode" and (
                value in ("bridge", "default") or str(value).startswith("service:")
            ):
                pass  # the pod network; service:X joins X's pod (kctl/convert/groups.py)
            elif value is not None:
                self.warn(service, key, f"{key}: {value} has no Kubernetes equivalent (ignored)")
        if labels.get(lbl.SERVICE_ACCOUNT):
            pod["serviceAccountName"] = labels[lbl.SERVICE_ACCOUNT]
        if labels.get(lbl.IMAGE_PULL_SECRET):
            pod["imagePullSecrets"] = [{"name": labels[lbl.IMAGE_PULL_SECRET]}]
        pod.update(self.placement(service))

    def placement(self, service: Service) -> dict[str, Any]:
        """nodeSelector, affinity and tolerations from deploy.placement.constraints."""
        placement = (service.get("deploy") or {}).get("placement") or {}
        selector: dict[str, str] = {}
        expressions: list[dict[str, Any]] = []
        tolerations: list[dict[str, Any]] = []
        for constraint in placement.get("constraints") or []:
            match = re.match(r"^\s*([\w.\-/]+)\s*(==|!=)\s*(.+?)\s*$", str(constraint))
            if not match:
                self.warn(service, "deploy.placement", f"constraint {constraint!r} not understood")
                continue
            key, op, value = match.groups()
            if key == "node.role" and value in ("manager", "worker"):
                on_managers = (value == "manager") == (op == "==")
                expressions.append(
                    {"key": _CONTROL_PLANE, "operator": "Exists" if on_managers else "DoesNotExist"}
                )
                if on_managers:
                    tolerations.append(
                        {"key": _CONTROL_PLANE, "operator": "Exists", "effect": "NoSchedule"}
                    )
                continue
            node_key = _node_label(key)
            if node_key is None:
                self.warn(
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
        if placement.get("preferences"):
            self.warn(service, "deploy.placement", "placement preferences are not translated")
        if placement.get("max_replicas_per_node") is not None:
            self.warn(service, "deploy.placement", "max_replicas_per_node is not translated")
        pod: dict[str, Any] = {}
        if selector:
            pod["nodeSelector"] = selector
        if expressions:
            pod["affinity"] = {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{"matchExpressions": expressions}]
                    }
                }
            }
        if tolerations:
            pod["tolerations"] = tolerations
        return pod

    # storage ----------------------------------------------------------------------------
    def volumes(
        self,
        name: str,
        service: Service,
        labels: dict[str, Any],
        container: dict[str, Any],
        controller: str,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        pod_volumes: list[dict[str, Any]] = []
        claim_templates: list[dict[str, Any]] = []
        mounts: list[dict[str, Any]] = []
        mode = _VOLUME_MODES.get(labels.get(lbl.VOLUME_TYPE, ""), self.opts.volumes)
        for index, volume in enumerate(service.volumes):
            if volume.type == "volume" and volume.source:
                vol_name = dns_label(volume.source)
            else:
                base = Path(volume.source).name if volume.source else volume.type
                vol_name = dns_label(f"{name}-{base or 'root'}-{index}")
            mount: dict[str, Any] = {"name": vol_name, "mountPath": volume.target}
            if volume.read_only:
                mount["readOnly"] = True
            if volume.subpath:
                mount["subPath"] = volume.subpath
            if lbl.VOLUME_SUBPATH in labels and volume.type in ("volume", "bind"):
                mount["subPath"] = labels[lbl.VOLUME_SUBPATH]
            if volume.type == "volume" and volume.source:
                spec = self.project.volumes.get(volume.source) or {}
                if spec.get("external"):
                    self.warn(
                        service,
                        "volumes",
                        f"external volume {volume.source!r}: a "
                        "PersistentVolumeClaim of that name must already exist",
                    )
                # as Kompose: configMap mode only turns bind mounts into ConfigMaps
                named_mode = "pvc" if mode == "configMap" else mode
                nfs = self.nfs(volume.source, spec, service)
                if nfs is not None:
                    pod_volumes.append({"name": vol_name, "nfs": nfs})
                elif (
                    named_mode == "pvc"
                    and controller == "statefulset"
                    and self.volume_users[volume.source] == [name]
                ):
                    claim_templates.append(
                        self.claim(volume.source, service, labels, None, template=True)
                    )
                elif named_mode == "pvc":
                    if volume.source not in self.created_claims and not spec.get("external"):
                        self.created_claims.add(volume.source)
                        users = self.volume_users[volume.source]
                        owner = name if users == [name] else None
                        self.add(owner, self.claim(volume.source, service, labels, owner))
                    claim = str(spec["name"]) if spec.get("external") else volume.source
                    pod_volumes.append(
                        {
                            "name": vol_name,
                            "persistentVolumeClaim": {
                                "claimName": dns_subdomain(claim),
                                **({"readOnly": True} if volume.read_only else {}),
                            },
                        }
                    )
                elif named_mode == "hostPath":
                    pod_volumes.append(
                        {
                            "name": vol_name,
                            "hostPath": {
                                "path": f"/var/lib/kctl/{self.project.name}/{volume.source}"
                            },
                        }
                    )
                else:
                    pod_volumes.append({"name": vol_name, "emptyDir": {}})
            elif volume.type == "bind" and volume.source:
                pod_volumes.append(
                    self.bind(name, service, labels, (volume.source, index), vol_name, mount, mode)
                )
            elif volume.type == "tmpfs":
                empty: dict[str, Any] = {"medium": "Memory"}
                if volume.tmpfs_size:
                    empty["sizeLimit"] = str(volume.tmpfs_size)
                pod_volumes.append({"name": vol_name, "emptyDir": empty})
            else:  # anonymous volume
                pod_volumes.append({"name": vol_name, "emptyDir": {}})
            mounts.append(mount)
        for index, target in enumerate(service.get("tmpfs") or []):
            path, _, options = str(target).partition(":")
            vol_name = dns_label(f"{name}-tmpfs-{index}")
            empty = {"medium": "Memory"}
            size = re.search(r"size=(\w+)", options)
            if size:
                empty["sizeLimit"] = str(parse_bytes(size.group(1), service.location("tmpfs")))
            pod_volumes.append({"name": vol_name, "emptyDir": empty})
            mounts.append({"name": vol_name, "mountPath": path})
        for kind in ("secrets", "configs"):
            for mount_spec in service.get(kind) or []:
                secret_volume, mount = self.secret_or_config(name, service, kind, mount_spec)
                if secret_volume is not None:
                    pod_volumes.append(secret_volume)
                    mounts.append(mount)
        for template in claim_templates:
            name_ = template["metadata"]["name"]
            pod_volumes = [v for v in pod_volumes if v["name"] != dns_label(name_)]
        if mounts:
            container["volumeMounts"] = mounts
        return pod_volumes, claim_templates

    def claim(
        self,
        volume: str,
        service: Service,
        labels: dict[str, Any],
        owner: str | None,
        template: bool = False,
    ) -> dict[str, Any]:
        vol_labels = self.volume_labels(volume, service)
        size = (
            vol_labels.get(lbl.VOLUME_SIZE)
            or labels.get(lbl.VOLUME_SIZE)
            or self.opts.pvc_request_size
        )
        storage_class = vol_labels.get(lbl.VOLUME_STORAGE_CLASS) or labels.get(
            lbl.VOLUME_STORAGE_CLASS
        )
        claim_spec: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"] if owner or template else ["ReadWriteMany"],
            "resources": {"requests": {"storage": size}},
        }
        if storage_class:
            claim_spec["storageClassName"] = storage_class
        if vol_labels.get(lbl.VOLUME_SELECTOR):
            selected = vol_labels[lbl.VOLUME_SELECTOR]
            claim_spec["selector"] = {"matchLabels": {lbl.SELECTOR: selected}}
        metadata: dict[str, Any] = {
            "name": dns_subdomain(volume),
            "labels": {"io.kompose.volume": dns_label(volume)},
        }
        if template:
            return {"metadata": metadata, "spec": claim_spec}
        if claim_spec["accessModes"] == ["ReadWriteOnce"]:
            self.single_writer_claims.add(metadata["name"])
        if self.opts.namespace:
            metadata["namespace"] = self.opts.namespace
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": metadata,
            "spec": claim_spec,
        }

    def nfs(self, volume: str, spec: dict[str, Any], service: Service) -> dict[str, Any] | None:
        """An nfs volume source for a local-driver NFS volume; other driver settings warned."""
        opts = {str(k): str(v) for k, v in (spec.get("driver_opts") or {}).items()}
        driver = spec.get("driver")
        if driver not in (None, "local"):
            self.warn(service, "volumes", f"volume {volume!r}: driver {driver!r} not translated")
        if not opts:
            return None
        options = dict(o.partition("=")[::2] for o in opts.get("o", "").split(",") if o)
        server, path = options.get("addr"), opts.get("device", "")
        if opts.get("type", "").startswith("nfs") and server and path.startswith(":/"):
            return {
                "server": server,
                "path": path[1:],
                **({"readOnly": True} if "ro" in options else {}),
            }
        self.warn(
            service,
            "volumes",
            f"volume {volume!r}: driver_opts {opts} not translated "
            "(the claim gets the cluster's default storage)",
        )
        return None

    def volume_labels(self, volume: str, service: Service) -> dict[str, Any]:
        """The kompose.* labels of a top-level volume, typed (errors point at the mount)."""
        raw = (self.project.volumes.get(volume) or {}).get("labels") or {}
        values, problems = lbl.parse_labels({str(k): str(v) for k, v in raw.items()}, "volume")
        for problem in problems:
            message = f"volume {volume!r}: {problem.message}"
            if problem.error:
                raise InputError(message, location=service.location("volumes"), hint=problem.hint)
            self.warn(service, "volumes", message)
        return values

    def bind(
        self,
        name: str,
        service: Service,
        labels: dict[str, Any],
        source_index: tuple[str, int],
        vol_name: str,
        mount: dict[str, Any],
        mode: str,
    ) -> dict[str, Any]:
        source, index = source_index
        path = Path(source)
        data = _small_files(path, self.opts.configmap_max_bytes)
        if data is not None and mode != "hostPath":
            # as Kompose: <service>-cm<N>, N the mount's index among the service's volumes
            cm_name = self.name("ConfigMap", f"{self.base(name)}-cm{index}")
            config_map: dict[str, Any] = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": self.meta("ConfigMap", cm_name, name),
            }
            config_map.update(_config_map_data(data))
            self.add(name, config_map)
            if path.is_file():
                mount["subPath"] = _config_key(path.name)
            return {"name": vol_name, "configMap": {"name": cm_name}}
        if mode == "hostPath":
            return {"name": vol_name, "hostPath": {"path": source}}
        if mode == "emptyDir":
            self.warn(service, "volumes", f"bind mount {source}: an empty emptyDir (--volumes)")
            return {"name": vol_name, "emptyDir": {}}
        claim = self.bind_claim(name, service, labels, source, index)
        self.warn(
            service,
            "volumes",
            f"bind mount {source} is not a small text file or folder: it becomes the claim "
            f"{claim!r}, which starts empty (copy the data in, or use --volumes hostPath)",
        )
        readonly = {"readOnly": True} if mount.get("readOnly") else {}
        return {"name": vol_name, "persistentVolumeClaim": {"claimName": claim, **readonly}}

    def bind_claim(
        self, name: str, service: Service, labels: dict[str, Any], source: str, index: int
    ) -> str:
        """One claim per bind-mounted host path (as Kompose: <service>-claim<N>), shared by
        every service that binds it: data written there persists, as on the host."""
        if source in self.bind_claims:
            return self.bind_claims[source]
        users = [
            s
            for s, svc in self.project.services.items()
            if any(v.type == "bind" and v.source == source for v in svc.volumes)
        ]
        claim_name = self.name("PersistentVolumeClaim", f"{self.pod_base(name)}-claim{index}")
        self.bind_claims[source] = claim_name
        owner = name if users == [name] else None
        self.add(owner, self.claim(claim_name, service, labels, owner))
        return claim_name

    def secret_or_config(
        self, name: str, service: Service, kind: str, spec: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        source = str(spec["source"])
        top = (self.project.secrets if kind == "secrets" else self.project.configs).get(source, {})
        target = spec.get("target") or (
            f"/run/secrets/{source}" if kind == "secrets" else f"/{source}"
        )
        if not str(target).startswith("/"):
            target = f"/run/secrets/{target}" if kind == "secrets" else f"/{target}"
        key = _config_key(source)
        obj_kind = "Secret" if kind == "secrets" else "ConfigMap"
        obj_name = (
            dns_subdomain(str(top.get("name") or source))
            if top.get("external")
            else dns_subdomain(source)
        )
        vol_name = dns_label(f"{name}-{kind[:-1]}-{source}")
        mount = {"name": vol_name, "mountPath": str(target), "subPath": key, "readOnly": True}
        for owner in ("uid", "gid"):
            if spec.get(owner) is not None:
                self.warn(
                    service,
                    kind,
                    f"{kind[:-1]} {source!r}: {owner} not translated (Kubernetes files are owned "
                    f"by root; group access: {lbl.FS_GROUP})",
                )
        if not top.get("external") and obj_name not in self.names.setdefault(obj_kind, set()):
            content = self.secret_content(service, kind, source, top)
            if content is None:
                return None, mount
            self.names[obj_kind].add(obj_name)
            meta = {"name": obj_name}
            if self.opts.namespace:
                meta["namespace"] = self.opts.namespace
            if obj_kind == "Secret":
                obj = {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": meta,
                    "type": "Opaque",
                    "data": {key: base64.b64encode(content).decode()},
                }
            else:
                try:
                    obj = {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": meta,
                        "data": {key: content.decode()},
                    }
                except UnicodeDecodeError:
                    obj = {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": meta,
                        "binaryData": {key: base64.b64encode(content).decode()},
                    }
            users = [
                s
                for s, svc in self.project.services.items()
                if any(m["source"] == source for m in svc.get(kind) or [])
            ]
            self.add(name if users == [name] else None, obj)
        ref = {"secretName": obj_name} if obj_kind == "Secret" else {"name": obj_name}
        volume: dict[str, Any] = {
            "name": vol_name,
            "secret" if obj_kind == "Secret" else "configMap": ref,
        }
        if spec.get("mode") is not None:
            volume["secret" if obj_kind == "Secret" else "configMap"]["defaultMode"] = (
                int(str(spec["mode"]), 8) if isinstance(spec["mode"], str) else int(spec["mode"])
            )
        return volume, mount

    def secret_content(
        self, service: Service, kind: str, source: str, top: dict[str, Any]
    ) -> bytes | None:
        if top.get("file"):
            try:
                return Path(top["file"]).read_bytes()
            except OSError as exc:
                raise InputError(
                    f"{kind[:-1]} {source!r}: cannot read {top['file']}: {exc.strerror}",
                    location=service.location(kind),
                ) from None
        if top.get("environment"):
            value = self.project.environment.get(str(top["environment"]))
            if value is None:
                self.warn(
                    service,
                    kind,
                    f"{kind[:-1]} {source!r} comes from environment "
                    f"variable {top['environment']} which is not set: not created",
                )
                return None
            return value.encode()
        if top.get("content") is not None:
            return str(top["content"]).encode()
        self.warn(
            service,
            kind,
            f"{kind[:-1]} {source!r} has no file, environment or content: not created",
        )
        return None

    # workloads and services -------------------------------------------------------------
    def replicas(self, service: Service) -> int:
        if self.opts.replicas is not None:
            return self.opts.replicas
        deploy = service.get("deploy") or {}
        if deploy.get("replicas") is not None:
            return int(deploy["replicas"])
        if service.get("scale") is not None:
            return int(service.get("scale"))
        return 1

    def workload(
        self,
        name: str,
        service: Service,
        labels: dict[str, Any],
        controller: str,
        template: dict[str, Any],
        annotations: dict[str, str],
        claim_templates: list[dict[str, Any]],
        service_obj: dict[str, Any] | None,
    ) -> dict[str, Any]:
        obj_name = self.name(controller, self.base(name))
        meta = self.meta(controller, obj_name, name, annotations)
        self.deploy_labels(service, meta)
        selector = {"matchLabels": {lbl.SELECTOR: self.pod_of[name]}}
        pod = template["spec"]
        if controller in ("job", "cronjob"):
            condition, retries = _restart(service)
            pod["restartPolicy"] = "OnFailure" if condition == "on-failure" else "Never"
            job: dict[str, Any] = {"template": template}
            backoff = labels.get(lbl.CRON_BACKOFF, retries)
            if backoff is not None:
                job["backoffLimit"] = backoff
            deploy = service.get("deploy") or {}
            if deploy.get("mode") == "replicated-job" and deploy.get("replicas") is not None:
                job["completions"] = job["parallelism"] = int(deploy["replicas"])
            if controller == "job":
                return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": job}
            schedule = labels.get(lbl.CRON_SCHEDULE)
            if not schedule:
                raise InputError(
                    f"service {name!r} is a CronJob but has no {lbl.CRON_SCHEDULE} label",
                    location=service.location("labels"),
                )
            spec: dict[str, Any] = {"schedule": schedule, "jobTemplate": {"spec": job}}
            if labels.get(lbl.CRON_CONCURRENCY):
                spec["concurrencyPolicy"] = labels[lbl.CRON_CONCURRENCY]
            return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta, "spec": spec}
        restart = str(service.get("restart") or "")
        if restart and restart not in ("always", "unless-stopped"):
            self.warn(
                service, "restart", f"restart: {restart} with a {controller}: pods always restart"
            )
        policy = (service.get("deploy") or {}).get("restart_policy") or {}
        if policy.get("condition") not in (None, "any") or policy.get("max_attempts") is not None:
            self.warn(
                service,
                "deploy.restart_policy",
                f"a {controller}'s pods always restart: condition/max_attempts not translated",
            )
        if controller == "daemonset":
            return {
                "apiVersion": "apps/v1",
                "kind": "DaemonSet",
                "metadata": meta,
                "spec": {"selector": selector, "template": template},
            }
        spec = {"replicas": self.replicas(service), "selector": selector}
        if controller == "statefulset":
            spec["serviceName"] = (service_obj or {}).get("metadata", {}).get(
                "name"
            ) or self.headless(name)
            spec["template"] = template
            if claim_templates:
                spec["volumeClaimTemplates"] = claim_templates
            return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta, "spec": spec}
        strategy = self.strategy(service)
        claims = {
            v["persistentVolumeClaim"]["claimName"]
            for v in pod.get("volumes", [])
            if "persistentVolumeClaim" in v
        }
        if claims & self.single_writer_claims:  # two pods must never hold a ReadWriteOnce claim
            if strategy:
                self.warn(
                    service,
                    "deploy.update_config",
                    "a ReadWriteOnce claim is mounted: strategy Recreate instead",
                )
            strategy = {"type": "Recreate"}
        if strategy:
            spec["strategy"] = strategy
        spec["template"] = template
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}

    def deploy_labels(self, service: Service, meta: dict[str, Any]) -> None:
        """deploy.labels label the workload (as Kompose); values Kubernetes refuses as labels
        are kept as annotations, with a warning."""
        for key, value in ((service.get("deploy") or {}).get("labels") or {}).items():
            key, value = str(key), str(value)
            if key.startswith("kompose."):
                continue
            if _valid_label(key, value):
                meta["labels"][key] = value
            else:
                meta.setdefault("annotations", {})[key] = value
                self.warn(
                    service,
                    f"deploy.labels.{key}",
                    "not a valid Kubernetes label: kept as an annotation",
                )

    def headless(self, name: str) -> str:
        svc_name = self.name("Service", self.base(name))
        self.add(
            name,
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": self.meta("Service", svc_name, name),
                "spec": {
                    "clusterIP": "None",
                    "selector": {lbl.SELECTOR: self.pod_of[name]},
                    "ports": [{"name": "headless", "port": 55555, "targetPort": 55555}],
                },
            },
        )
        return svc_name

    def strategy(self, service: Service) -> dict[str, Any]:
        deploy = service.get("deploy") or {}
        update = deploy.get("update_config") or {}
        if deploy.get("rollback_config"):
            self.warn(
                service,
                "deploy.rollback_config",
                "Kubernetes rolls back with "
                "`kubectl rollout undo`; rollback_config is not translated",
            )
        if not update:
            return {}
        parallelism = int(update.get("parallelism", 1) or 1)
        if update.get("order") == "start-first":
            rolling = {"maxSurge": parallelism, "maxUnavailable": 0}
        else:
            rolling = {"maxSurge": 0, "maxUnavailable": parallelism}
        for key in update:
            if key not in ("parallelism", "order"):
                self.warn(service, f"deploy.update_config.{key}", "not translated (ignored)")
        return {"type": "RollingUpdate", "rollingUpdate": rolling}

    def k8s_service(
        self,
        name: str,
        service: Service,
        labels: dict[str, Any],
        container: dict[str, Any],
        controller: str,
    ) -> dict[str, Any] | None:
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
        for exposed in service.get("expose") or []:
            number, _, proto = str(exposed).partition("/")
            for target in _expand(number):
                key = (target, (proto or "tcp").upper())
                if key not in seen:
                    seen.add(key)
                    ports.append(
                        {
                            "name": dns_label(f"{proto or 'tcp'}-{target}", 15),
                            "port": target,
                            "targetPort": target,
                            "protocol": key[1],
                        }
                    )
        kind = labels.get(lbl.SERVICE_TYPE, "clusterip")
        if not ports and kind != "headless":
            for label in (lbl.SERVICE_TYPE, lbl.SERVICE_EXPOSE, lbl.NODEPORT_PORT):
                if label in labels:
                    self.warn(service, f"labels.{label}", "the service has no ports: no Service")
            return None
        spec: dict[str, Any] = {"selector": {lbl.SELECTOR: self.pod_of[name]}}
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
                self.warn(
                    service,
                    f"labels.{label}",
                    f"applies to NodePort/LoadBalancer Services, this one is {kind}: ignored",
                )
        annotations = {k: v for k, v in service.labels.items() if not k.startswith("kompose.")}
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": self.meta(
                "Service", self.name("Service", self.base(name)), name, annotations
            ),
            "spec": spec,
        }

    def network_aliases(
        self, name: str, service: Service, service_obj: dict[str, Any] | None
    ) -> None:
        """networks.*.aliases: one more Service per alias, so the alias resolves to the pods."""
        for network, settings in (service.get("networks") or {}).items():
            for key in settings or {}:
                if key != "aliases":
                    self.warn(service, f"networks.{network}.{key}", "not translated (ignored)")
            for alias in (settings or {}).get("aliases") or []:
                wanted = dns_label(str(alias))
                if service_obj is None:
                    self.warn(service, "networks", f"alias {alias!r}: no ports, so no Service")
                    continue
                if wanted == service_obj["metadata"]["name"]:
                    continue
                taken = wanted in self.service_names.values() or wanted in self.names.get(
                    "Service", set()
                )
                if taken:
                    self.warn(service, "networks", f"alias {alias!r}: the name is taken (ignored)")
                    continue
                self.names.setdefault("Service", set()).add(wanted)
                alias_obj = copy.deepcopy(service_obj)
                alias_obj["metadata"]["name"] = wanted
                self.add(name, alias_obj)

    def ingress(
        self, name: str, service: Service, labels: dict[str, Any], service_obj: dict[str, Any]
    ) -> None:
        expose = labels.get(lbl.SERVICE_EXPOSE)
        if not expose or expose.lower() == "false":
            return
        if not service_obj["spec"].get("ports"):
            self.warn(
                service, f"labels.{lbl.SERVICE_EXPOSE}", "no Ingress: the Service has no port"
            )
            return
        port = service_obj["spec"]["ports"][0]["port"]
        backend = {"service": {"name": service_obj["metadata"]["name"], "port": {"number": port}}}
        rules = []
        hosts = [] if expose.lower() == "true" else [h.strip() for h in expose.split(",")]
        for host in hosts or [""]:
            hostname, slash, path = host.partition("/")
            rule: dict[str, Any] = {
                "http": {
                    "paths": [
                        {
                            "path": "/" + path if slash else "/",
                            "pathType": "Prefix",
                            "backend": backend,
                        }
                    ]
                }
            }
            if hostname:
                rule = {"host": hostname, **rule}
            rules.append(rule)
        spec: dict[str, Any] = {"rules": rules}
        if labels.get(lbl.EXPOSE_INGRESS_CLASS):
            spec["ingressClassName"] = labels[lbl.EXPOSE_INGRESS_CLASS]
        if labels.get(lbl.EXPOSE_TLS_SECRET):
            spec["tls"] = [
                {
                    "hosts": [h.partition("/")[0] for h in hosts if h],
                    "secretName": labels[lbl.EXPOSE_TLS_SECRET],
                }
            ]
            if not spec["tls"][0]["hosts"]:
                del spec["tls"][0]["hosts"]
        self.add(
            name,
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": self.meta("Ingress", self.name("Ingress", self.base(name)), name),
                "spec": spec,
            },
        )

    def hpa(
        self, name: str, service: Service, labels: dict[str, Any], workload: dict[str, Any]
    ) -> None:
        keys = (lbl.HPA_MIN, lbl.HPA_MAX, lbl.HPA_CPU, lbl.HPA_MEMORY)
        if not any(k in labels for k in keys):
            return
        if workload["kind"] not in ("Deployment", "StatefulSet"):
            self.warn(service, "labels", "kompose.hpa.* needs a Deployment or StatefulSet")
            return
        targets: list[tuple[str, tuple[str, int | str]]] = []
        if lbl.HPA_CPU in labels:
            targets.append(("cpu", ("Utilization", labels[lbl.HPA_CPU])))
        if lbl.HPA_MEMORY in labels:
            targets.append(("memory", labels[lbl.HPA_MEMORY]))
        metrics = [
            {
                "type": "Resource",
                "resource": {
                    "name": resource,
                    "target": {
                        "type": kind,
                        "averageUtilization" if kind == "Utilization" else "averageValue": value,
                    },
                },
            }
            for resource, (kind, value) in targets
        ]
        workload["spec"].pop("replicas", None)  # the autoscaler owns the replica count
        minimum = labels.get(lbl.HPA_MIN, 1)
        maximum = labels.get(lbl.HPA_MAX, max(minimum, 3))
        if maximum < minimum:
            raise InputError(
                f"{lbl.HPA_MAX} ({maximum}) is below {lbl.HPA_MIN} ({minimum})",
                location=service.location(f"labels.{lbl.HPA_MAX}"),
            )
        spec: dict[str, Any] = {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": workload["kind"],
                "name": workload["metadata"]["name"],
            },
            "minReplicas": minimum,
            "maxReplicas": maximum,
        }
        if metrics:
            spec["metrics"] = metrics
        self.add(
            name,
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": self.meta(
                    "HorizontalPodAutoscaler",
                    self.name("HorizontalPodAutoscaler", self.base(name)),
                    name,
                ),
                "spec": spec,
            },
        )

    def init_containers(
        self, name: str, service: Service, labels: dict[str, Any]
    ) -> list[dict[str, Any]]:
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
        if not self.opts.wait_for_deps:
            return init
        for dependency, spec in (service.get("depends_on") or {}).items():
            target = self.project.services.get(dependency)
            if target is None:
                continue
            condition = spec.get("condition", "service_started")
            if condition == "service_completed_successfully":
                self.warn(
                    service,
                    "depends_on",
                    f"{dependency}: service_completed_successfully"
                    " cannot be awaited from an init container (not translated)",
                )
                continue
            ports = [p.published or str(p.target) for p in target.ports if p.protocol == "tcp"] + [
                str(e).partition("/")[0]
                for e in target.get("expose") or []
                if str(e).partition("/")[2] in ("", "tcp")
            ]
            if not ports:
                self.warn(
                    service,
                    "depends_on",
                    f"{dependency} has no TCP port: kctl cannot wait for it (no init container)",
                )
                continue
            host = self.service_names[dependency]
            port = ports[0].split("-")[0]
            init.append(
                {
                    "name": dns_label(f"wait-for-{dependency}"),
                    "image": self.opts.wait_image,
                    "command": [
                        "sh",
                        "-c",
                        f"until nc -z {host} {port}; do echo waiting "
                        f"for {host}:{port}; sleep 2; done",
                    ],
                }
            )
        return init

    def networks_of(self, service: Service) -> list[str]:
        return list((service.get("networks") or {"default": None}).keys())

    def network_policies(self) -> None:
        networks: dict[str, list[str]] = {}
        for name, service in self.project.services.items():
            if service.get("network_mode"):
                continue
            for network in self.networks_of(service):
                networks.setdefault(network, []).append(name)
        for network in sorted(networks):
            label = f"io.kompose.network/{dns_label(self.project.name + '-' + network)}"
            meta: dict[str, Any] = {
                "name": self.name("NetworkPolicy", f"{self.project.name}-{network}")
            }
            if self.opts.namespace:
                meta["namespace"] = self.opts.namespace
            self.add(
                None,
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": meta,
                    "spec": {
                        "podSelector": {"matchLabels": {label: "true"}},
                        "policyTypes": ["Ingress"],
                        "ingress": [{"from": [{"podSelector": {"matchLabels": {label: "true"}}}]}],
                    },
                },
            )


_ANNOTATED_KINDS = {"deployment", "statefulset", "daemonset", "job", "cronjob", "service"}
_CONTROL_PLANE = "node-role.kubernetes.io/control-plane"
_GPU_RESOURCES = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu", "intel": "gpu.intel.com/i915"}
_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}
_NODE_LABELS = {
    "node.hostname": "kubernetes.io/hostname",
    "node.platform.os": "kubernetes.io/os",
    "node.platform.arch": "kubernetes.io/arch",
    "engine.labels.operatingsystem": "kubernetes.io/os",
}
_VOLUME_MODES = {
    "persistentVolumeClaim": "pvc",
    "emptyDir": "emptyDir",
    "hostPath": "hostPath",
    "configMap": "configMap",
}


def _node_label(key: str) -> str | None:
    """The node label a Swarm constraint key means (node.labels.X is X), None if none."""
    if key in _NODE_LABELS:
        return _NODE_LABELS[key]
    if key.startswith("node.labels.") and len(key) > len("node.labels."):
        return key.removeprefix("node.labels.")
    return None


_LABEL_NAME = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _valid_label(key: str, value: str) -> bool:
    prefix, _, name = key.rpartition("/")
    return (
        bool(_LABEL_NAME.match(key))
        and len(name) <= 63
        and len(prefix) <= 253
        and len(value) <= 63
        and bool(_LABEL_VALUE.match(value))
    )


def _restart(service: Service) -> tuple[str, int | None]:
    """(no|always|on-failure|unless-stopped or "" when unset, retry count) of a service."""
    restart = service.get("restart")
    if restart is not None:
        condition, _, count = str(restart).partition(":")
        return condition, int(count) if count.isdigit() else None
    policy = (service.get("deploy") or {}).get("restart_policy") or {}
    if not policy:
        return "", None
    condition = {"none": "no", "on-failure": "on-failure"}.get(str(policy.get("condition")), "")
    attempts = policy.get("max_attempts")
    return condition, int(attempts) if attempts is not None else None


def _service_names(project: Project) -> dict[str, str]:
    """Each service's object name (kompose.service.name_override wins); collisions are refused."""
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    for name, service in project.services.items():
        override = service.labels.get(lbl.NAME_OVERRIDE)
        wanted = dns_label(name)
        if override is not None:
            try:
                wanted = lbl.BY_NAME[lbl.NAME_OVERRIDE].parse(override)
            except ValueError as exc:
                raise InputError(
                    f"{lbl.NAME_OVERRIDE}: {override!r} is not {exc}",
                    location=service.location(f"labels.{lbl.NAME_OVERRIDE}"),
                ) from None
        if wanted in owners:
            raise InputError(
                f"services {owners[wanted]!r} and {name!r} both become {wanted!r} in Kubernetes "
                "(their objects and selectors would collide)",
                location=service.location(""),
                hint=f"rename one, or give it a {lbl.NAME_OVERRIDE} label",
            )
        owners[wanted] = name
        names[name] = wanted
    return names


def _expand(number: str) -> list[int]:
    start, _, end = number.partition("-")
    try:
        return list(range(int(start), int(end or start) + 1))
    except ValueError:
        return []


def _cpu(cpus: float) -> str:
    millis = round(cpus * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def _timing(check: dict[str, Any], service: Service) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, field in (
        ("interval", "periodSeconds"),
        ("timeout", "timeoutSeconds"),
        ("start_period", "initialDelaySeconds"),
    ):
        if check.get(key) is not None:
            out[field] = max(1, int(parse_duration(check[key], service.location("healthcheck"))))
    if check.get("retries") is not None:
        out["failureThreshold"] = max(1, int(check["retries"]))
    return out


def _int_or_name(port: str) -> int | str:
    return int(port) if str(port).isdigit() else str(port)


def _split_host(entry: str) -> tuple[str, str]:
    if "=" in entry:
        host, _, ip = entry.partition("=")
    else:
        host, _, ip = entry.partition(":")
    return host.strip(), ip.strip().strip("[]")


def _json_list(text: str) -> list[str] | None:
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None


def _config_key(name: str) -> str:
    key = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return key or "data"


def _config_map_data(files: dict[str, bytes]) -> dict[str, dict[str, str]]:
    """ConfigMap data (UTF-8 text) and binaryData (anything else, base64) for files."""
    text: dict[str, str] = {}
    binary: dict[str, str] = {}
    for name, content in sorted(files.items()):
        try:
            text[_config_key(name)] = content.decode("utf-8")
        except UnicodeDecodeError:
            binary[_config_key(name)] = base64.b64encode(content).decode()
    return {k: v for k, v in (("data", text), ("binaryData", binary)) if v}


def _small_files(path: Path, limit: int) -> dict[str, bytes] | None:
    """{file name: bytes} for a small file or flat folder of them, else None."""
    try:
        files = (
            [path]
            if path.is_file()
            else sorted(p for p in path.iterdir() if p.is_file())
            if path.is_dir()
            else []
        )
        if not files or any(p.is_symlink() for p in files):
            return None
        if sum(p.stat().st_size for p in files) > limit:
            return None
        return {p.name: p.read_bytes() for p in files}
    except OSError:
        return None


def convert_project(project: Project, options: ConvertOptions | None = None) -> Conversion:
    """Translate a loaded Compose project into Kubernetes objects (validated by the caller)."""
    return _Converter(project, options or ConvertOptions()).run()
