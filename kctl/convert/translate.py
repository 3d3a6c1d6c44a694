"""Compose project → Kubernetes objects: the assembler.

Every Compose key kctl understands is in TRANSLATED, with the functions that translate it;
anything else a service sets becomes a warning with its file:line (never a silent drop). The
rules return typed pieces (container.py, pod.py, probes.py, storage.py, secrets.py,
network.py, workload.py); this module combines them, service by service, then folds services
that share a pod (groups.py) and orders the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kctl.compose import Project, Service
from kctl.compose.checks import apply_profiles
from kctl.compose.extends import Extends
from kctl.convert import container as containers
from kctl.convert import groups, network, pod, probes, secrets, storage, workload
from kctl.convert import labels as lbl
from kctl.convert.context import Context, Owned, service_names
from kctl.convert.options import (
    CONTROLLERS,
    Conversion,
    ConversionWarning,
    ConvertOptions,
    KomposeLabels,
    KubeFields,
)
from kctl.errors import InputError
from kctl.kube.naming import dns_label

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

Rule = Callable[..., object]
"""A function of kctl/convert (or the loader) that translates a Compose key."""


class _Assembler:
    def __init__(self, project: Project, options: ConvertOptions) -> None:
        names = service_names(project)
        # the io.kompose.service value of each service's pod: shared by services of one pod
        pod_of = names | groups.pod_groups(
            project, options.service_group_mode, options.service_group_name
        )
        self.ctx = Context(project, options, names, pod_of)
        self.ctx.warnings.extend(
            ConversionWarning(w.service, w.key, w.location, w.message) for w in project.warnings
        )
        self.storage = storage.StorageState.of(project)
        self.components: dict[str, list[dict[str, Any]]] = {}
        self.shared: list[dict[str, Any]] = []

    def add(self, pieces: list[Owned]) -> None:
        for owner, obj in pieces:
            if owner is None:
                self.shared.append(obj)
            else:
                self.components.setdefault(owner, []).append(obj)

    def run(self) -> Conversion:
        opts = self.ctx.opts
        if opts.controller and opts.controller not in CONTROLLERS:
            raise InputError(
                f"unknown controller {opts.controller!r}",
                hint=f"choose one of {', '.join(CONTROLLERS)}",
            )
        for name, service in self.ctx.project.services.items():
            self.service(name, service)
        self.merge_shared_pods()
        _check_top_level(self.ctx)
        served = {
            o["metadata"]["name"]
            for objs in self.components.values()
            for o in objs
            if o["kind"] == "Service"
        }
        network.unreached_names(self.ctx, served)
        if opts.network_policies:
            self.add([(None, policy) for policy in network.network_policies(self.ctx)])
        objects = [o for objs in self.components.values() for o in objs] + self.shared
        if opts.namespace and opts.create_namespace:
            name = dns_label(opts.namespace)
            objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
        objects.sort(key=lambda o: (rank.get(o["kind"], len(rank)), o["metadata"]["name"]))
        return Conversion(objects, self.components, self.shared, self.ctx.warnings)

    def service(self, name: str, service: Service) -> None:
        """Translate one service: its pieces, combined into a workload and its objects."""
        ctx = self.ctx
        _check_untranslated(ctx, service)
        labels = _kompose_labels(ctx, service)
        kind = workload.controller(ctx, service, labels)
        built = containers.container(ctx, name, service, labels)
        mounted = storage.storage(ctx, self.storage, name, service, labels, kind)
        main = {**built.container, **({"volumeMounts": mounted.mounts} if mounted.mounts else {})}
        spec: dict[str, Any] = {"containers": [main], **pod.pod_spec(ctx, service, labels)}
        if mounted.volumes:
            spec["volumes"] = mounted.volumes
        init = pod.init_containers(ctx, name, service, labels)
        if init:
            spec["initContainers"] = init
        template = {"metadata": {"labels": self.pod_labels(name, service)}, "spec": spec}
        networked = network.network(ctx, name, service, labels, kind)
        service_name = networked.service["metadata"]["name"] if networked.service else None
        made = workload.workload(
            ctx, name, service, labels, kind, template, service_name, mounted.claim_templates
        )
        self.add(built.objects + mounted.objects + [(name, made.workload)])
        if networked.service is not None:
            self.add([(name, networked.service)])
        self.add(made.objects + networked.objects)
        scaler = workload.autoscaler(ctx, name, service, labels, made.workload)
        if scaler is not None:
            self.add([(name, scaler)])

    def pod_labels(self, name: str, service: Service) -> dict[str, str]:
        labels = self.ctx.labels(name)
        if self.ctx.opts.network_policies:
            for network_name in network.networks_of(service):
                labels[network.network_label(self.ctx, network_name)] = "true"
        return labels

    def merge_shared_pods(self) -> None:
        """One workload per shared pod (service groups, network_mode: service:X)."""
        members: dict[str, list[str]] = {}
        for name in self.ctx.project.services:
            members.setdefault(self.ctx.pod_of[name], []).append(name)
        for pod_name, names in members.items():
            if len(names) < 2:
                continue
            workloads = [(n, self.workload_of(n)) for n in names]
            for service, key, message in groups.merge_pods(self.ctx.project, pod_name, workloads):
                self.ctx.warn(self.ctx.project.services[service], key, message)
            base = workloads[0][1]
            taken = self.ctx.names.setdefault(base["kind"].lower(), set())
            taken.difference_update(w["metadata"]["name"] for _, w in workloads)
            base["metadata"]["name"] = self.ctx.name(base["kind"].lower(), pod_name)
            for name, member in workloads[1:]:
                self.components[name].remove(member)
                if not self.components[name]:
                    del self.components[name]
            self.retarget_autoscalers(names, base)

    def workload_of(self, service: str) -> KubeFields:
        return next(o for o in self.components[service] if o["kind"] in groups.WORKLOAD_KINDS)

    def retarget_autoscalers(self, names: list[str], target: dict[str, Any]) -> None:
        autoscalers = [
            (name, o)
            for name in names
            for o in self.components.get(name, [])
            if o["kind"] == "HorizontalPodAutoscaler"
        ]
        if len(autoscalers) > 1:
            raise InputError(
                f"services {[n for n, _ in autoscalers]} share a pod and each asks for "
                "an autoscaler: keep kompose.hpa.* labels on one of them",
                location=self.ctx.project.services[autoscalers[1][0]].location("labels"),
            )
        for _, scaler in autoscalers:
            scaler["spec"]["scaleTargetRef"]["name"] = target["metadata"]["name"]


def _check_untranslated(ctx: Context, service: Service) -> None:
    for key in service.locations:
        if not key or "." in key or key.startswith("x-"):
            continue
        if key not in TRANSLATED:
            ctx.warn(service, key, "not translated to Kubernetes (ignored)")
    for key in service.spec.deploy.keys:
        if key not in DEPLOY_TRANSLATED:
            ctx.warn(service, f"deploy.{key}", "not translated to Kubernetes (ignored)")
    if lbl.SERVICE_GROUP in service.labels and ctx.opts.service_group_mode != "label":
        ctx.warn(
            service,
            f"labels.{lbl.SERVICE_GROUP}",
            "needs --service-group-mode label (as in Kompose): the service stays its own pod",
        )


# Attributes of top-level volumes/networks/secrets/configs and the functions that translate
# them (none: accepted, nothing to translate); anything else is reported at its file:line (the
# Compose keys rule, applied to the top level).
_FILE_OBJECT: dict[str, tuple[Rule, ...]] = {
    "file": (secrets._content,),
    "environment": (secrets._content,),
    "content": (secrets._content,),
    "external": (secrets.secret_or_config,),  # mounted by name, never created
    "name": (secrets.secret_or_config,),
}
TOP_LEVEL_TRANSLATED: dict[str, dict[str, tuple[Rule, ...]]] = {
    "volumes": {
        "name": (storage._Builder.named,),  # the claim of an external volume
        "external": (storage._Builder.named,),  # no claim is created
        "labels": (storage._volume_labels, storage._Builder.claim),  # kompose.volume.*, labels
        "driver": (storage._nfs,),  # local only (others reported)
        "driver_opts": (storage._nfs,),  # nfs volumes (others reported)
    },
    "networks": {
        "name": (),  # Compose's network name: nothing to translate
        "external": (),  # an existing network: nothing to create
    },
    "secrets": _FILE_OBJECT,
    "configs": _FILE_OBJECT,
}


def _check_top_level(ctx: Context) -> None:
    project = ctx.project
    for section, entries in (
        ("volumes", project.volumes),
        ("networks", project.networks),
        ("secrets", project.secrets),
        ("configs", project.configs),
    ):
        for name, spec in entries.items():
            for attr, value in (spec or {}).items():
                known = TOP_LEVEL_TRANSLATED[section]
                if attr in known or (
                    section == "networks" and attr == "driver" and value == "bridge"
                ):
                    continue
                if f"{section}.{name}.{attr}" not in project.locations:
                    continue  # set by the loader (e.g. a default name), not by the user
                ctx.warn(None, f"{section}.{name}.{attr}", "not translated to Kubernetes (ignored)")


def _kompose_labels(ctx: Context, service: Service) -> KomposeLabels:
    """The service's kompose.* labels (and those in deploy.labels), typed and checked."""
    values, problems = lbl.parse_labels(service.labels, "service")
    more, deploy_problems = lbl.parse_labels(dict(service.spec.deploy.labels), "deploy")
    for key, found in (("labels", problems), ("deploy.labels", deploy_problems)):
        for problem in found:
            location = service.location(f"{key}.{problem.key}")
            if problem.error:
                raise InputError(problem.message, location=location, hint=problem.hint)
            hint = f" ({problem.hint})" if problem.hint else ""
            ctx.warn(service, f"{key}.{problem.key}", problem.message + hint)
    return values | more


def convert_project(project: Project, options: ConvertOptions | None = None) -> Conversion:
    """Translate a loaded Compose project into Kubernetes objects (validated by the caller)."""
    return _Assembler(project, options or ConvertOptions()).run()


# Compose service keys and the functions that translate them (each reads the key: the table
# cannot name a rule that does not exist, and tests check that every function names its key).
TRANSLATED: dict[str, tuple[Rule, ...]] = {
    "image": (containers._image,),
    "build": (containers._image,),  # the image is <project>-<service>
    "command": (containers.container,),  # container.args
    "entrypoint": (containers.container,),  # container.command
    "environment": (containers._environment,),
    "env_file": (containers._env_file,),  # ConfigMap + envFrom
    "ports": (containers.container_ports, network._ports),
    "expose": (containers.exposed_ports, pod._wait_for),
    "volumes": (storage.storage,),  # PVC / ConfigMap / nfs / emptyDir / hostPath
    "tmpfs": (storage.storage,),  # emptyDir (medium: Memory)
    "secrets": (storage.storage, secrets.secret_or_config),  # Secret + volumeMount
    "configs": (storage.storage, secrets.secret_or_config),  # ConfigMap + volumeMount
    "depends_on": (pod.init_containers,),  # initContainers waiting for ports
    "healthcheck": (probes.probes,),  # livenessProbe + readinessProbe
    "deploy": (
        workload.controller,  # mode
        workload.replicas,
        workload.restart_of,  # restart_policy
        workload._strategy,  # update_config, rollback_config (reported)
        workload._deploy_labels,
        containers._resources,
        pod.placement,
    ),
    "labels": (_kompose_labels, workload.workload),  # kompose.* behaviour; the rest label
    "user": (containers._security,),  # securityContext.runAsUser/Group
    "working_dir": (containers.container,),
    "restart": (workload.restart_of, workload._restart_warnings),
    "cap_add": (containers._security,),
    "cap_drop": (containers._security,),
    "privileged": (containers._security,),
    "read_only": (containers._security,),  # readOnlyRootFilesystem
    "stdin_open": (containers.container,),
    "tty": (containers.container,),
    "hostname": (pod.pod_spec,),
    "extra_hosts": (pod.pod_spec,),  # hostAliases
    "dns": (pod._dns_config,),
    "dns_search": (pod._dns_config,),
    "sysctls": (pod._pod_security,),
    "stop_grace_period": (pod.pod_spec,),  # terminationGracePeriodSeconds
    "pull_policy": (containers.container,),  # imagePullPolicy
    "network_mode": (pod._host_namespaces, groups.pod_groups),  # service:X joins X's pod
    "pid": (pod._host_namespaces,),
    "ipc": (pod._host_namespaces,),
    "networks": (network._aliases, network.networks_of),  # alias Services, NetworkPolicy
    "scale": (workload.replicas,),
    "mem_limit": (containers._resources,),
    "mem_reservation": (containers._resources,),
    "cpus": (containers._resources,),
    "profiles": (apply_profiles,),  # the loader selects services
    "extends": (Extends.service,),  # the loader merges it into the service
    "container_name": (containers.container,),
}
