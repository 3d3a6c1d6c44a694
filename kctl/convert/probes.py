"""healthcheck and kompose.service.healthcheck.* labels → livenessProbe and readinessProbe."""

from __future__ import annotations

from typing import Any

from kctl.compose import Service
from kctl.compose.spec import Healthcheck
from kctl.convert import labels as lbl
from kctl.convert.context import Context, escape
from kctl.convert.options import KomposeLabels, KubeFields
from kctl.errors import InputError


def probes(ctx: Context, service: Service, labels: KomposeLabels) -> KubeFields:
    """{livenessProbe, readinessProbe} of the service's container (either may be absent).

    The healthcheck is the liveness probe and, unless readiness labels say otherwise, the
    readiness probe too (an unhealthy container gets no traffic);
    kompose.service.healthcheck.readiness.disable removes every readiness probe."""
    check = service.spec.healthcheck or Healthcheck()
    if check.start_interval is not None:
        ctx.warn(
            service,
            "healthcheck.start_interval",
            "not translated: Kubernetes probes keep one period (periodSeconds from interval)",
        )
    out: dict[str, Any] = {}
    liveness = probe_from(check)
    if labels.get(lbl.LIVENESS_HTTP_PATH) or labels.get(lbl.LIVENESS_TCP_PORT):
        handler = _label_probe(
            labels, service, lbl.LIVENESS_HTTP_PATH, lbl.LIVENESS_HTTP_PORT, lbl.LIVENESS_TCP_PORT
        )
        liveness = {**handler, **timing(check)}
    if liveness:
        out["livenessProbe"] = liveness
    if labels.get(lbl.READINESS_DISABLE):
        return out
    readiness = _readiness(labels, service)
    if readiness is None:  # no readiness labels: the healthcheck decides readiness too
        readiness = dict(liveness)
    if readiness:
        out["readinessProbe"] = readiness
    return out


def _readiness(labels: KomposeLabels, service: Service) -> KubeFields | None:
    """The probe the readiness labels describe; None when there are no readiness labels."""
    named = [k for k in labels if k.startswith(lbl.READINESS_PREFIX) and k != lbl.READINESS_DISABLE]
    if not named:
        return None
    spec = _label_check(labels)
    readiness = probe_from(spec) if spec.test else {}
    if labels.get(lbl.READINESS_HTTP_PATH) or labels.get(lbl.READINESS_TCP_PORT):
        handler = _label_probe(
            labels,
            service,
            lbl.READINESS_HTTP_PATH,
            lbl.READINESS_HTTP_PORT,
            lbl.READINESS_TCP_PORT,
        )
        readiness = {**handler, **timing(spec)}
    return readiness


def _label_check(labels: KomposeLabels) -> Healthcheck:
    """The healthcheck the readiness labels write (labels.py has typed their values: the
    durations are seconds already)."""

    def value(label: str) -> Any:
        return labels[label] if labels.get(label) else None

    retries = value(lbl.READINESS_RETRIES)
    return Healthcheck(
        test=("CMD-SHELL", labels[lbl.READINESS_TEST]) if labels.get(lbl.READINESS_TEST) else (),
        interval=_float(value(lbl.READINESS_INTERVAL)),
        timeout=_float(value(lbl.READINESS_TIMEOUT)),
        start_period=_float(value(lbl.READINESS_START)),
        retries=None if retries is None else int(retries),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def probe_from(check: Healthcheck) -> KubeFields:
    """An exec probe from a Compose healthcheck ({} when disabled or without a test)."""
    if check.disable:
        return {}
    test = check.test
    if not test or test[0] == "NONE":
        return {}
    if test[0] == "CMD":
        command = list(test[1:])
    elif test[0] == "CMD-SHELL":
        command = ["/bin/sh", "-c", " ".join(test[1:])]
    else:
        command = list(test)
    return {"exec": {"command": [escape(c) for c in command]}, **timing(check)}


def _label_probe(
    labels: KomposeLabels, service: Service, path_label: str, port_label: str, tcp_label: str
) -> KubeFields:
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


# Docker's defaults for a healthcheck that leaves them out (or sets 0): moby daemon/health.go
# defaultProbeInterval/defaultProbeTimeout 30s, defaultProbeRetries 3, no start period.
DOCKER_DEFAULTS = {"interval": 30, "timeout": 30, "retries": 3}


def timing(check: Healthcheck) -> KubeFields:
    """periodSeconds, timeoutSeconds, initialDelaySeconds, failureThreshold of a healthcheck,
    with Docker's defaults where a healthcheck with a test leaves them out (not Kubernetes'
    10 s / 1 s). A probe only labels describe (no Docker healthcheck) keeps Kubernetes'."""
    out: dict[str, Any] = {}
    docker = bool(check.test)
    for key, written, field in (
        ("interval", check.interval, "periodSeconds"),
        ("timeout", check.timeout, "timeoutSeconds"),
        ("start_period", check.start_period, "initialDelaySeconds"),
    ):
        seconds = written or 0.0
        if seconds <= 0 and docker and key in DOCKER_DEFAULTS:
            seconds = DOCKER_DEFAULTS[key]
        if seconds > 0 or written is not None:
            out[field] = max(1, int(seconds))
    retries = check.retries or 0
    if retries > 0 or docker:
        out["failureThreshold"] = retries if retries > 0 else DOCKER_DEFAULTS["retries"]
    return out
