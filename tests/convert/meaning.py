"""What a Compose service means (as `docker-compose config` states it) against what kctl's
objects do, service by service: image, command/entrypoint, every env value after ConfigMap and
Secret resolution, ports reachable through a Service that selects the pod, the name resolving,
mounts with readOnly, shared volumes backed by one claim, probe timing, resources, replicas,
user. Returns the differences as text; the corpus test allows only those docs/kompose.md lists."""

from __future__ import annotations

import base64
from typing import Any

from kctl.compose.units import parse_bytes, parse_duration
from kctl.kube.naming import dns_label

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}


def _pod(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"])


class Objects:
    """kctl's objects, indexed for the questions the check asks."""

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        self.by_kind: dict[str, dict[str, dict[str, Any]]] = {}
        for obj in objects:
            self.by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
        self.workloads = [o for o in objects if o["kind"] in WORKLOADS]

    def container(self, service: str, container_name: str | None) -> tuple[Any, Any] | None:
        wanted = {dns_label(service), container_name}
        for workload in self.workloads:
            for container in _pod(workload)["spec"]["containers"]:
                if container["name"] in wanted:
                    return workload, container
        return None

    def env(self, container: dict[str, Any]) -> dict[str, str]:
        """The container's environment with ConfigMap/Secret references resolved."""
        out: dict[str, str] = {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                out.update(self.data("ConfigMap", source["configMapRef"]["name"]))
            if "secretRef" in source:
                out.update(self.data("Secret", source["secretRef"]["name"]))
        for item in container.get("env", []):
            ref = item.get("valueFrom", {})
            if "value" in item:
                out[item["name"]] = item["value"].replace("$$(", "$(")
            elif "configMapKeyRef" in ref:
                key = ref["configMapKeyRef"]
                out[item["name"]] = self.data("ConfigMap", key["name"]).get(key["key"], "")
            elif "secretKeyRef" in ref:
                key = ref["secretKeyRef"]
                out[item["name"]] = self.data("Secret", key["name"]).get(key["key"], "")
        return out

    def data(self, kind: str, name: str) -> dict[str, str]:
        obj = self.by_kind.get(kind, {}).get(name, {})
        if kind == "Secret":
            return {k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()}
        return dict(obj.get("data") or {})

    def services_selecting(self, workload: dict[str, Any]) -> list[dict[str, Any]]:
        labels = _pod(workload)["metadata"]["labels"]
        return [
            s
            for s in self.by_kind.get("Service", {}).values()
            if all(labels.get(k) == v for k, v in s["spec"].get("selector", {}).items())
        ]


def unescape(value: Any) -> Any:
    """`config` writes a literal `$` as `$$` so that its output can be read again."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: unescape(v) for k, v in value.items()}
    return value


def compare(project: str, expected: dict[str, Any], objects: list[dict[str, Any]]) -> list[str]:
    """Every difference in meaning between docker-compose's model and kctl's objects."""
    index = Objects(objects)
    problems: list[str] = []
    claims: dict[str, set[str]] = {}
    for name, raw in expected["services"].items():
        service = unescape(raw)
        found = index.container(name, service.get("container_name"))
        if found is None:
            problems.append(f"{name}: no container")
            continue
        workload, container = found
        say = lambda what, want, got: problems.append(  # noqa: E731
            f"{name}: {what}: docker-compose {want!r}, kctl {got!r}"
        )
        _image(project, name, service, container, say)
        # Kubernetes reads `$$(` in command, args and env as a literal `$(`
        command = _literal(container.get("command"))
        if service.get("entrypoint") is not None and command != service["entrypoint"]:
            say("entrypoint", service["entrypoint"], command)
        args = _literal(container.get("args"))
        if service.get("command") is not None and args != service["command"]:
            say("command", service["command"], args)
        want_env = {k: v for k, v in (service.get("environment") or {}).items() if v is not None}
        got_env = index.env(container)
        if want_env != got_env:
            diff = {k for k in set(want_env) | set(got_env) if want_env.get(k) != got_env.get(k)}
            say(
                "environment",
                {k: want_env.get(k) for k in sorted(diff)},
                {k: got_env.get(k) for k in sorted(diff)},
            )
        _network(index, name, service, workload, say)
        _mounts(name, service, workload, container, claims, say)
        _probe(service, container, say)
        _resources(service, container, say)
        _replicas(service, workload, say)
        _user(service, workload, container, say)
    for source, names in claims.items():
        if len(names) > 1:
            problems.append(f"volume {source}: mounted from {sorted(names)}, not one claim")
    return problems


def _literal(words: list[str] | None) -> list[str] | None:
    return None if words is None else [w.replace("$$(", "$(") for w in words]


def _image(project: str, name: str, service: dict[str, Any], container: Any, say: Any) -> None:
    want = service.get("image") or f"{project}-{name}"
    if container["image"] != want:
        say("image", want, container["image"])


def _network(index: Objects, name: str, service: dict[str, Any], workload: Any, say: Any) -> None:
    selecting = index.services_selecting(workload)
    if not service.get("network_mode") and not any(
        s["metadata"]["name"] == dns_label(name) for s in selecting
    ):
        say("name resolves", name, [s["metadata"]["name"] for s in selecting])
    wanted = {
        (int(p["target"]), p.get("protocol", "tcp").upper()) for p in service.get("ports") or []
    }
    wanted |= {(int(str(e).split("/")[0]), "TCP") for e in service.get("expose") or []}
    reachable = {
        (int(p["targetPort"]), p.get("protocol", "TCP"))
        for s in selecting
        for p in s["spec"].get("ports", [])
    }
    headless = any(
        s["spec"].get("clusterIP") == "None" and not s["spec"].get("ports") for s in selecting
    )
    missing = wanted - reachable
    if missing and not headless:
        say("ports reachable through a Service", sorted(wanted), sorted(reachable))


def _mounts(
    name: str,
    service: dict[str, Any],
    workload: Any,
    container: Any,
    claims: dict[str, set[str]],
    say: Any,
) -> None:
    mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
    pod = _pod(workload)["spec"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    templates = {t["metadata"]["name"] for t in workload["spec"].get("volumeClaimTemplates", [])}
    for volume in service.get("volumes") or []:
        target = volume["target"]
        mount = mounts.get(target)
        if mount is None:
            say("mount", target, None)
            continue
        if bool(volume.get("read_only")) != bool(mount.get("readOnly")):
            say(f"mount {target} readOnly", bool(volume.get("read_only")), mount.get("readOnly"))
        if volume["type"] == "volume" and volume.get("source"):
            source = volumes.get(mount["name"], {})
            claim = source.get("persistentVolumeClaim", {}).get("claimName")
            if claim is None and mount["name"] in templates:
                claim = f"template:{mount['name']}:{name}"
            claims.setdefault(volume["source"], set()).add(claim or f"{name}:{target}")
    for target in service.get("tmpfs") or []:
        if str(target).split(":")[0] not in mounts:
            say("tmpfs", target, None)


def _probe(service: dict[str, Any], container: Any, say: Any) -> None:
    check = service.get("healthcheck") or {}
    test = check.get("test")
    if check.get("disable") or not test or test[0] == "NONE":
        return
    probe = container.get("livenessProbe")
    if probe is None:
        say("healthcheck", test, None)
        return
    want = {
        "periodSeconds": max(1, int(parse_duration(check.get("interval") or "30s"))),
        "timeoutSeconds": max(1, int(parse_duration(check.get("timeout") or "30s"))),
        "failureThreshold": int(check.get("retries") or 3),
    }
    got = {k: probe.get(k) for k in want}
    if want != got:
        say("probe timing", want, got)


def _resources(service: dict[str, Any], container: Any, say: Any) -> None:
    limits = ((service.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    got = container.get("resources", {}).get("limits", {})
    memory = limits.get("memory") or service.get("mem_limit")
    if memory and int(got.get("memory", 0)) != parse_bytes(memory):
        say("memory limit", memory, got.get("memory"))
    cpus = limits.get("cpus") or service.get("cpus")
    if cpus:
        millis = round(float(cpus) * 1000)
        text = str(got.get("cpu", ""))
        value = int(text[:-1]) if text.endswith("m") else round(float(text or 0) * 1000)
        if value != millis:
            say("cpu limit", cpus, got.get("cpu"))


def _replicas(service: dict[str, Any], workload: Any, say: Any) -> None:
    if workload["kind"] not in ("Deployment", "StatefulSet") or "replicas" not in workload["spec"]:
        return
    deploy = service.get("deploy") or {}
    want = deploy.get("replicas", service.get("scale", 1))
    if workload["spec"]["replicas"] != want:
        say("replicas", want, workload["spec"]["replicas"])


def _user(service: dict[str, Any], workload: Any, container: Any, say: Any) -> None:
    user = str(service.get("user") or "")
    uid, _, gid = user.partition(":")
    security = container.get("securityContext", {})
    if uid.isdigit() and security.get("runAsUser") != int(uid):
        say("user", user, security.get("runAsUser"))
    if gid.isdigit() and security.get("runAsGroup") != int(gid):
        say("group", user, security.get("runAsGroup"))
