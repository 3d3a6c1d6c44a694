"""The kompose.* labels kctl honours: one typed table that drives parsing, errors, help and docs.

Every label value is checked before anything is translated: a bad value is exit 2 with the
label's file:line and what was expected; an unknown kompose.* label is a warning with a
"did you mean". Values come out typed (int, bool, canonical enum spelling), so translation
code never parses label text itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from msgspec import Struct

from kctl.kube.naming import SELECTOR_LABEL

SELECTOR = SELECTOR_LABEL
NETWORK_LABEL_PREFIX = "io.kompose.network/"
VOLUME_LABEL = "io.kompose.volume"

SERVICE_TYPE = "kompose.service.type"
SERVICE_EXPOSE = "kompose.service.expose"
EXPOSE_TLS_SECRET = "kompose.service.expose.tls-secret"
EXPOSE_INGRESS_CLASS = "kompose.service.expose.ingress-class-name"
NODEPORT_PORT = "kompose.service.nodeport.port"
EXTERNAL_TRAFFIC_POLICY = "kompose.service.external-traffic-policy"
SERVICE_GROUP = "kompose.service.group"
NAME_OVERRIDE = "kompose.service.name_override"
CONTROLLER_TYPE = "kompose.controller.type"
EXPOSE_TO_HOST = "kompose.controller.port.expose"
VOLUME_SIZE = "kompose.volume.size"
VOLUME_STORAGE_CLASS = "kompose.volume.storage-class-name"
VOLUME_TYPE = "kompose.volume.type"
VOLUME_SUBPATH = "kompose.volume.subpath"
VOLUME_SELECTOR = "kompose.volume.selector"
HPA_MIN = "kompose.hpa.replicas.min"
HPA_MAX = "kompose.hpa.replicas.max"
HPA_CPU = "kompose.hpa.cpu"
HPA_MEMORY = "kompose.hpa.memory"
CRON_SCHEDULE = "kompose.cronjob.schedule"
CRON_CONCURRENCY = "kompose.cronjob.concurrency_policy"
CRON_BACKOFF = "kompose.cronjob.backoff_limit"
IMAGE_PULL_POLICY = "kompose.image-pull-policy"
IMAGE_PULL_SECRET = "kompose.image-pull-secret"
SERVICE_ACCOUNT = "kompose.serviceaccount-name"
FS_GROUP = "kompose.security-context.fsgroup"
EPHEMERAL_LIMIT = "kompose.ephemeral-storage.limit"
EPHEMERAL_REQUEST = "kompose.ephemeral-storage.request"
INIT_NAME = "kompose.init.containers.name"
INIT_IMAGE = "kompose.init.containers.image"
INIT_COMMAND = "kompose.init.containers.command"
LIVENESS_HTTP_PATH = "kompose.service.healthcheck.liveness.http_get_path"
LIVENESS_HTTP_PORT = "kompose.service.healthcheck.liveness.http_get_port"
LIVENESS_TCP_PORT = "kompose.service.healthcheck.liveness.tcp_port"
READINESS_PREFIX = "kompose.service.healthcheck.readiness."
READINESS_HTTP_PATH = "kompose.service.healthcheck.readiness.http_get_path"
READINESS_HTTP_PORT = "kompose.service.healthcheck.readiness.http_get_port"
READINESS_TCP_PORT = "kompose.service.healthcheck.readiness.tcp_port"
READINESS_TEST = "kompose.service.healthcheck.readiness.test"
READINESS_INTERVAL = "kompose.service.healthcheck.readiness.interval"
READINESS_TIMEOUT = "kompose.service.healthcheck.readiness.timeout"
READINESS_RETRIES = "kompose.service.healthcheck.readiness.retries"
READINESS_START = "kompose.service.healthcheck.readiness.start_period"
READINESS_DISABLE = "kompose.service.healthcheck.readiness.disable"


# value parsers: text -> typed value, ValueError(message of what was expected) otherwise -------
def _enum(*choices: str, canonical: dict[str, str] | None = None) -> Callable[[str], str]:
    table = {c.lower(): c for c in choices} | {k.lower(): v for k, v in (canonical or {}).items()}

    def parse(text: str) -> str:
        try:
            return table[text.strip().lower()]
        except KeyError:
            raise ValueError(f"one of {', '.join(choices)}") from None

    return parse


def _int(low: int, high: int | None = None) -> Callable[[str], int]:
    expected = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"

    def parse(text: str) -> int:
        if not re.fullmatch(r"\s*[+-]?\d{1,18}\s*", text):
            raise ValueError(expected)
        value = int(text)
        if value < low or (high is not None and value > high):
            raise ValueError(expected)
        return value

    return parse


def _bool(text: str) -> bool:
    # strconv.ParseBool's spellings, which Kompose accepts
    lowered = text.strip().lower()
    if lowered in ("1", "t", "true", "yes"):
        return True
    if lowered in ("0", "f", "false", "no"):
        return False
    raise ValueError("true or false")


_QUANTITY = re.compile(r"^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")


def _quantity(text: str) -> str:
    value = text.strip()
    if not _QUANTITY.match(value):
        raise ValueError("a Kubernetes quantity such as 512Mi, 1Gi or 500m")
    return value


_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_PORT_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def _subdomain(text: str) -> str:
    value = text.strip()
    if len(value) > 253 or not _SUBDOMAIN.match(value):
        raise ValueError("a Kubernetes object name (lowercase letters, digits, '-' and '.')")
    return value


def _dns_label(text: str) -> str:
    value = text.strip()
    if len(value) > 63 or not _LABEL.match(value):
        raise ValueError("a DNS label (lowercase letters, digits and '-', at most 63)")
    return value


def _label_value(text: str) -> str:
    value = text.strip()
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        raise ValueError("a Kubernetes label value (letters, digits, '-', '_', '.', at most 63)")
    return value


def _port(text: str) -> int | str:
    value = text.strip()
    if value.isdigit():
        return _int(1, 65535)(value)
    if len(value) > 15 or not _PORT_NAME.match(value):
        raise ValueError("a port number (1-65535) or a port name")
    return value


def _percent(text: str) -> int:
    return _int(1, 100)(text.strip().removesuffix("%"))


def _memory_target(text: str) -> tuple[str, int | str]:
    """An integer (or N%) is utilization; a quantity (512Mi) is an average value."""
    value = text.strip()
    if re.fullmatch(r"\d+%?", value):
        return ("Utilization", _percent(value))
    try:
        return ("AverageValue", _quantity(value))
    except ValueError:
        raise ValueError("a percentage 1-100 or a quantity such as 512Mi") from None


def _duration(text: str) -> float:
    from kctl.compose.units import parse_duration
    from kctl.errors import InputError

    try:
        seconds = parse_duration(text.strip())
    except InputError:
        raise ValueError("a duration such as 10s, 1m30s or 500ms") from None
    if not 0 <= seconds < 10**9:
        raise ValueError("a duration such as 10s, 1m30s or 500ms")
    return seconds


_CRON_FIELD = re.compile(r"^[\w*/,?#LW-]+$")
_CRON_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


def _cron(text: str) -> str:
    value = text.strip()
    body = re.sub(r"^(CRON_)?TZ=\S+\s+", "", value)
    fields = body.split()
    if body in _CRON_MACROS or (len(fields) == 5 and all(_CRON_FIELD.match(f) for f in fields)):
        return value
    raise ValueError("a cron schedule of five fields (e.g. '*/5 * * * *') or @hourly/@daily/...")


def _text(text: str) -> str:
    if not text.strip():
        raise ValueError("a non-empty value")
    return text


def _http_path(text: str) -> str:
    if not text.startswith("/"):
        raise ValueError("an absolute HTTP path starting with /")
    return text


def _subpath(text: str) -> str:
    value = text.strip()
    if not value or value.startswith("/") or ".." in value.split("/"):
        raise ValueError("a relative path inside the volume (no leading / and no ..)")
    return value


def _expose(text: str) -> str:
    value = text.strip().strip(",").strip()
    if not value:
        raise ValueError("true, false or a comma-separated list of hosts[/path]")
    if value.lower() in ("true", "false"):
        return value.lower()
    for entry in value.split(","):
        host = entry.strip().partition("/")[0]
        if host and not _SUBDOMAIN.match(host.removeprefix("*.")):
            raise ValueError("true, false or a comma-separated list of hosts[/path]")
    return value


class LabelSpec(Struct, frozen=True):
    """One kompose.* label: its name, what its value must be, where it applies, what it does."""

    name: str
    parse: Callable[[str], Any]
    expected: str
    help: str
    scope: str = "service"  # service | volume (top-level volume labels) | deploy (deploy.labels)


LABELS: tuple[LabelSpec, ...] = (
    LabelSpec(
        SERVICE_TYPE,
        _enum("clusterip", "nodeport", "loadbalancer", "headless"),
        "clusterip|nodeport|loadbalancer|headless",
        "Service type",
    ),
    LabelSpec(SERVICE_EXPOSE, _expose, "true|false|host[/path],...", "Ingress for the first port"),
    LabelSpec(EXPOSE_TLS_SECRET, _subdomain, "Secret name", "TLS Secret of the Ingress"),
    LabelSpec(EXPOSE_INGRESS_CLASS, _subdomain, "IngressClass name", "ingressClassName"),
    LabelSpec(NODEPORT_PORT, _int(1, 65535), "port 1-65535", "nodePort of the first port"),
    LabelSpec(
        EXTERNAL_TRAFFIC_POLICY,
        _enum("Local", "Cluster"),
        "Local|Cluster",
        "externalTrafficPolicy of a NodePort/LoadBalancer Service",
    ),
    LabelSpec(
        SERVICE_GROUP, _label_value, "group name", "services with the same group share a pod"
    ),
    LabelSpec(NAME_OVERRIDE, _dns_label, "DNS label", "name of the service's objects"),
    LabelSpec(
        CONTROLLER_TYPE,
        _enum("deployment", "statefulset", "daemonset", "job", "cronjob"),
        "deployment|statefulset|daemonset|job|cronjob",
        "workload kind",
    ),
    LabelSpec(EXPOSE_TO_HOST, _bool, "true|false", "published ports become hostPorts"),
    LabelSpec(VOLUME_SIZE, _quantity, "quantity", "PVC storage request", "service|volume"),
    LabelSpec(
        VOLUME_STORAGE_CLASS,
        _subdomain,
        "StorageClass name",
        "PVC storageClassName",
        "service|volume",
    ),
    LabelSpec(
        VOLUME_TYPE,
        _enum(
            "persistentVolumeClaim",
            "emptyDir",
            "hostPath",
            "configMap",
            canonical={"pvc": "persistentVolumeClaim"},
        ),
        "persistentVolumeClaim|emptyDir|hostPath|configMap",
        "how volumes are stored",
    ),
    LabelSpec(VOLUME_SUBPATH, _subpath, "relative path", "subPath of every volume mount"),
    LabelSpec(
        VOLUME_SELECTOR,
        _label_value,
        "label value",
        "PVC selector (io.kompose.service=VALUE)",
        "volume",
    ),
    LabelSpec(HPA_MIN, _int(1), "integer >= 1", "HorizontalPodAutoscaler minReplicas"),
    LabelSpec(HPA_MAX, _int(1), "integer >= 1", "HorizontalPodAutoscaler maxReplicas"),
    LabelSpec(HPA_CPU, _percent, "percent 1-100", "target CPU utilization"),
    LabelSpec(
        HPA_MEMORY,
        _memory_target,
        "percent 1-100 or quantity",
        "target memory utilization (80) or average value (512Mi)",
    ),
    LabelSpec(CRON_SCHEDULE, _cron, "cron schedule", "CronJob schedule"),
    LabelSpec(
        CRON_CONCURRENCY,
        _enum("Allow", "Forbid", "Replace"),
        "Allow|Forbid|Replace",
        "CronJob concurrencyPolicy",
    ),
    LabelSpec(CRON_BACKOFF, _int(0), "integer >= 0", "Job backoffLimit"),
    LabelSpec(
        IMAGE_PULL_POLICY,
        _enum("Always", "Never", "IfNotPresent"),
        "Always|Never|IfNotPresent",
        "imagePullPolicy",
    ),
    LabelSpec(IMAGE_PULL_SECRET, _subdomain, "Secret name", "imagePullSecrets"),
    LabelSpec(SERVICE_ACCOUNT, _subdomain, "ServiceAccount name", "serviceAccountName"),
    LabelSpec(FS_GROUP, _int(0, 2**31 - 1), "GID", "pod securityContext.fsGroup"),
    LabelSpec(EPHEMERAL_LIMIT, _quantity, "quantity", "limits.ephemeral-storage", "service|deploy"),
    LabelSpec(
        EPHEMERAL_REQUEST, _quantity, "quantity", "requests.ephemeral-storage", "service|deploy"
    ),
    LabelSpec(INIT_NAME, _dns_label, "DNS label", "name of the extra init container"),
    LabelSpec(INIT_IMAGE, _text, "image", "image of an extra init container"),
    LabelSpec(INIT_COMMAND, _text, "command", "command of the init container (JSON list or shell)"),
    LabelSpec(LIVENESS_HTTP_PATH, _http_path, "/path", "livenessProbe httpGet path"),
    LabelSpec(LIVENESS_HTTP_PORT, _port, "port", "livenessProbe httpGet port"),
    LabelSpec(LIVENESS_TCP_PORT, _port, "port", "livenessProbe tcpSocket port"),
    LabelSpec(READINESS_HTTP_PATH, _http_path, "/path", "readinessProbe httpGet path"),
    LabelSpec(READINESS_HTTP_PORT, _port, "port", "readinessProbe httpGet port"),
    LabelSpec(READINESS_TCP_PORT, _port, "port", "readinessProbe tcpSocket port"),
    LabelSpec(READINESS_TEST, _text, "shell command", "readinessProbe exec command"),
    LabelSpec(READINESS_INTERVAL, _duration, "duration", "readinessProbe periodSeconds"),
    LabelSpec(READINESS_TIMEOUT, _duration, "duration", "readinessProbe timeoutSeconds"),
    LabelSpec(READINESS_RETRIES, _int(1), "integer >= 1", "readinessProbe failureThreshold"),
    LabelSpec(READINESS_START, _duration, "duration", "readinessProbe initialDelaySeconds"),
    LabelSpec(READINESS_DISABLE, _bool, "true|false", "no readinessProbe at all"),
)
BY_NAME: dict[str, LabelSpec] = {spec.name: spec for spec in LABELS}
KNOWN = set(BY_NAME)


class LabelProblem(Struct, frozen=True):
    """A label kctl read and could not honour: `error` means refuse (exit 2), else warn."""

    key: str
    message: str
    hint: str | None = None
    error: bool = False


def parse_labels(raw: Mapping[str, str], scope: str) -> tuple[dict[str, Any], list[LabelProblem]]:
    """Typed values of the kompose.* labels in raw for scope, and what is wrong with the rest."""
    values: dict[str, Any] = {}
    problems: list[LabelProblem] = []
    for key, text in raw.items():
        if not key.startswith("kompose."):
            continue
        spec = BY_NAME.get(key)
        if spec is None or scope not in spec.scope.split("|"):
            problems.append(_unknown(key, scope, spec))
            continue
        try:
            values[key] = spec.parse(str(text))
        except ValueError as exc:
            problems.append(
                LabelProblem(key, f"{key}: {str(text)!r} is not {exc}", hint=spec.help, error=True)
            )
    return values, problems


def _unknown(key: str, scope: str, spec: LabelSpec | None) -> LabelProblem:
    if spec is not None:
        where = " or ".join(spec.scope.split("|"))
        return LabelProblem(key, f"{key} applies to {where} labels, not {scope} labels (ignored)")
    import difflib

    names = [s.name for s in LABELS if scope in s.scope.split("|")]
    close = difflib.get_close_matches(key, names, 1, 0.8)
    return LabelProblem(
        key,
        f"unknown kompose label {key!r} (ignored)",
        hint=f"did you mean {close[0]!r}?" if close else None,
    )


def reference() -> list[tuple[str, str, str, str]]:
    """(label, value, where, effect) rows for `kctl convert --list-labels` and the README."""
    return [(s.name, s.expected, s.scope.replace("|", ", "), s.help) for s in LABELS]


def markdown_table() -> str:
    """The README's label table (tests/convert/test_kompose_flags.py keeps README equal)."""
    rows = ["| label | value | on | effect |", "|---|---|---|---|"]
    for name, value, where, effect in reference():
        value = value.replace("|", " \\| ")
        rows.append(f"| `{name}` | {value} | {where} | {effect} |")
    return "\n".join(rows) + "\n"
