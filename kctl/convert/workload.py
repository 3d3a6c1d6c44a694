"""The controller of a service and its spec: Deployment, StatefulSet, DaemonSet, Job or
CronJob (flag, kompose.controller.type, kompose.cronjob.*, deploy.mode, restart), replicas
(`deploy.replicas`, `scale`, --replicas), rollout strategy (`deploy.update_config`), restart
policy and retries, deploy.labels, and the HorizontalPodAutoscaler (kompose.hpa.*)."""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from kctl.compose import Service
from kctl.convert import labels as lbl
from kctl.convert.context import Context, Owned, label_or_annotate
from kctl.convert.network import headless
from kctl.convert.options import KomposeLabels, KubeFields
from kctl.errors import InputError

_HPA_LABELS = (lbl.HPA_MIN, lbl.HPA_MAX, lbl.HPA_CPU, lbl.HPA_MEMORY)


class WorkloadPieces(Struct):
    """A service's workload and the objects it brings (headless Service, autoscaler)."""

    workload: dict[str, Any]
    objects: list[Owned] = field(default_factory=list)


def controller(ctx: Context, service: Service, labels: KomposeLabels) -> str:
    """deployment, statefulset, daemonset, job or cronjob."""
    if ctx.opts.controller:
        return ctx.opts.controller
    if lbl.CONTROLLER_TYPE in labels:
        return str(labels[lbl.CONTROLLER_TYPE])
    if lbl.CRON_SCHEDULE in labels:
        return "cronjob"
    mode = service.spec.deploy.mode
    if mode == "global":
        return "daemonset"
    if mode == "global-job":
        ctx.warn(
            service,
            "deploy.mode",
            "global-job (one run on every node) has no Kubernetes equivalent: one Job runs",
        )
    if mode in ("replicated-job", "global-job"):
        return "job"
    if restart_of(service)[0] in ("no", "on-failure"):
        return "job"
    return "deployment"


def restart_of(service: Service) -> tuple[str, int | None]:
    """(no|always|on-failure|unless-stopped, or "" when unset; retry count) of a service."""
    restart = service.spec.restart
    if restart is not None:
        condition, _, count = restart.partition(":")
        return condition, int(count) if count.isdigit() else None
    policy = service.spec.deploy.restart_policy
    if policy is None:
        return "", None
    condition = {"none": "no", "on-failure": "on-failure"}.get(str(policy.condition), "")
    return condition, policy.max_attempts


def autoscaled(labels: KomposeLabels, kind: str) -> bool:
    """Whether a HorizontalPodAutoscaler owns the replica count."""
    return not labels.keys().isdisjoint(_HPA_LABELS) and kind in ("deployment", "statefulset")


def workload(
    ctx: Context,
    name: str,
    service: Service,
    labels: KomposeLabels,
    kind: str,
    template: dict[str, Any],
    service_name: str | None,
    claim_templates: list[dict[str, Any]],
) -> WorkloadPieces:
    """The workload of kind for a service running template (its pod)."""
    annotations = {k: v for k, v in service.labels.items() if not k.startswith("kompose.")}
    meta = ctx.meta(kind, ctx.name(kind, ctx.base(name)), name, annotations)
    _deploy_labels(ctx, service, meta)
    if kind in ("job", "cronjob"):
        return WorkloadPieces(_job(name, service, labels, kind, template, meta))
    _restart_warnings(ctx, service, kind)
    selector = {"matchLabels": {lbl.SELECTOR: ctx.pod_of[name]}}
    if kind == "daemonset":
        spec: dict[str, Any] = {"selector": selector, "template": template}
        return WorkloadPieces(
            {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta, "spec": spec}
        )
    spec = {"replicas": replicas(ctx, service), "selector": selector}
    if autoscaled(labels, kind):
        del spec["replicas"]  # the autoscaler owns the replica count
    objects: list[Owned] = []
    if kind == "statefulset":
        if service_name is None:
            governing = headless(ctx, name)
            objects.append((name, governing))
            service_name = governing["metadata"]["name"]
        spec["serviceName"] = service_name
        spec["template"] = template
        if claim_templates:
            spec["volumeClaimTemplates"] = claim_templates
        obj = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta, "spec": spec}
        return WorkloadPieces(obj, objects)
    strategy = _strategy(ctx, service, template)
    if strategy:
        spec["strategy"] = strategy
    spec["template"] = template
    return WorkloadPieces(
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}
    )


def replicas(ctx: Context, service: Service) -> int:
    """--replicas, else deploy.replicas, else scale, else 1."""
    if ctx.opts.replicas is not None:
        return ctx.opts.replicas
    if service.spec.deploy.replicas is not None:
        return service.spec.deploy.replicas
    if service.spec.scale is not None:
        return service.spec.scale
    return 1


def _job(
    name: str,
    service: Service,
    labels: KomposeLabels,
    kind: str,
    template: dict[str, Any],
    meta: dict[str, Any],
) -> KubeFields:
    condition, retries = restart_of(service)
    restart_policy = "OnFailure" if condition == "on-failure" else "Never"
    job: dict[str, Any] = {
        "template": {**template, "spec": {**template["spec"], "restartPolicy": restart_policy}}
    }
    backoff = labels.get(lbl.CRON_BACKOFF, retries)
    if backoff is not None:
        job["backoffLimit"] = backoff
    deploy = service.spec.deploy
    if deploy.mode == "replicated-job" and deploy.replicas is not None:
        job["completions"] = job["parallelism"] = deploy.replicas
    if kind == "job":
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


def _restart_warnings(ctx: Context, service: Service, kind: str) -> None:
    restart = service.spec.restart or ""
    if restart and restart not in ("always", "unless-stopped"):
        ctx.warn(service, "restart", f"restart: {restart} with a {kind}: pods always restart")
    policy = service.spec.deploy.restart_policy
    if policy is not None and (
        policy.condition not in (None, "any") or policy.max_attempts is not None
    ):
        ctx.warn(
            service,
            "deploy.restart_policy",
            f"a {kind}'s pods always restart: condition/max_attempts not translated",
        )


def _strategy(ctx: Context, service: Service, template: dict[str, Any]) -> KubeFields:
    """deploy.update_config as a RollingUpdate; Recreate when a ReadWriteOnce claim is mounted."""
    deploy = service.spec.deploy
    update = deploy.update_config
    if deploy.has_rollback_config:
        ctx.warn(
            service,
            "deploy.rollback_config",
            "Kubernetes rolls back with `kubectl rollout undo`; rollback_config is not translated",
        )
    strategy: dict[str, Any] = {}
    if update is not None:
        parallelism = update.parallelism or 1
        if update.order == "start-first":
            rolling = {"maxSurge": parallelism, "maxUnavailable": 0}
        else:
            rolling = {"maxSurge": 0, "maxUnavailable": parallelism}
        for key in update.keys:
            if key not in ("parallelism", "order"):
                ctx.warn(service, f"deploy.update_config.{key}", "not translated (ignored)")
        strategy = {"type": "RollingUpdate", "rollingUpdate": rolling}
    claims = {
        v["persistentVolumeClaim"]["claimName"]
        for v in template["spec"].get("volumes", [])
        if "persistentVolumeClaim" in v
    }
    if claims & ctx.exclusive_claims:  # two pods must never hold a ReadWriteOnce claim
        if strategy:
            ctx.warn(
                service,
                "deploy.update_config",
                "a ReadWriteOnce claim is mounted: strategy Recreate instead",
            )
        strategy = {"type": "Recreate"}
    return strategy


def _deploy_labels(ctx: Context, service: Service, meta: dict[str, Any]) -> None:
    """deploy.labels label the workload (as Kompose); values Kubernetes refuses as labels are
    kept as annotations, with a warning. Fills meta, which this module has just built."""
    deploy_labels = dict(service.spec.deploy.labels)
    for key in label_or_annotate(meta, deploy_labels):
        ctx.warn(
            service, f"deploy.labels.{key}", "not a valid Kubernetes label: kept as an annotation"
        )


def autoscaler(
    ctx: Context, name: str, service: Service, labels: KomposeLabels, workload: dict[str, Any]
) -> KubeFields | None:
    """The HorizontalPodAutoscaler kompose.hpa.* asks for (None without those labels)."""
    if labels.keys().isdisjoint(_HPA_LABELS):
        return None
    if not autoscaled(labels, workload["kind"].lower()):
        ctx.warn(service, "labels", "kompose.hpa.* needs a Deployment or StatefulSet")
        return None
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
    minimum = labels.get(lbl.HPA_MIN, 1)
    maximum = labels.get(lbl.HPA_MAX, max(minimum, 3))
    if maximum < minimum:
        raise InputError(
            f"{lbl.HPA_MAX} ({maximum}) is below {lbl.HPA_MIN} ({minimum})",
            location=service.location(f"labels.{lbl.HPA_MAX}"),
        )
    target = {
        "apiVersion": "apps/v1",
        "kind": workload["kind"],
        "name": workload["metadata"]["name"],
    }
    spec: dict[str, Any] = {
        "scaleTargetRef": target,
        "minReplicas": minimum,
        "maxReplicas": maximum,
    }
    if metrics:
        spec["metrics"] = metrics
    hpa_name = ctx.name("HorizontalPodAutoscaler", ctx.base(name))
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": ctx.meta("HorizontalPodAutoscaler", hpa_name, name),
        "spec": spec,
    }
