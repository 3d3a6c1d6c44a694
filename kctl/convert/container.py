"""One Compose service → its container: image, command, env, ports, resources, security,
probes. The env_file ConfigMap is returned beside the container, never added elsewhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.compose import Service
from kctl.compose.spec import Device, Resources
from kctl.convert import labels as lbl
from kctl.convert.context import Context, Owned, escape
from kctl.convert.options import KomposeLabels, KubeFields
from kctl.convert.probes import probes
from kctl.errors import InputError
from kctl.kube.naming import dns_label

_PULL = {
    "always": "Always",
    "never": "Never",
    "missing": "IfNotPresent",
    "if_not_present": "IfNotPresent",
    "build": "IfNotPresent",
}
_GPU_RESOURCES = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu", "intel": "gpu.intel.com/i915"}


class ContainerPieces(Struct):
    """A service's container and the objects it needs (its env_file ConfigMap)."""

    container: dict[str, Any]
    objects: list[Owned] = field(default_factory=list)


def container(ctx: Context, name: str, service: Service, labels: KomposeLabels) -> ContainerPieces:
    """The container a service runs (volume mounts are added by the assembler)."""
    # as Kompose: container_name names the container (in Compose it names the container)
    typed = service.spec
    container_name = dns_label(typed.container_name or ctx.service_names[name])
    spec: dict[str, Any] = {"name": container_name, "image": _image(ctx, name, service)}
    if typed.entrypoint is not None:
        spec["command"] = [escape(a) for a in typed.entrypoint]
    if typed.command is not None:
        spec["args"] = [escape(a) for a in typed.command]
    if typed.working_dir:
        spec["workingDir"] = typed.working_dir
    env_from, objects = _env_file(ctx, name, service)
    if env_from:
        spec["envFrom"] = env_from
    env = _environment(ctx, service)
    if env:
        spec["env"] = env
    ports = container_ports(ctx, service, bool(labels.get(lbl.EXPOSE_TO_HOST)))
    if ports:
        spec["ports"] = ports
    policy = labels.get(lbl.IMAGE_PULL_POLICY) or _PULL.get(str(typed.pull_policy))
    if policy:
        spec["imagePullPolicy"] = policy
    resources = _resources(ctx, service, labels)
    if resources:
        spec["resources"] = resources
    security = _security(ctx, service)
    if security:
        spec["securityContext"] = security
    if typed.stdin_open:
        spec["stdin"] = True
    if typed.tty:
        spec["tty"] = True
    spec.update(probes(ctx, service, labels))
    return ContainerPieces(spec, objects)


# distribution/reference's grammar: [host[:port]/]path[:tag][@digest] (path lowercase).
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_IMAGE_REFERENCE = re.compile(
    rf"^(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[\w][\w.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"
)


def _image(ctx: Context, name: str, service: Service) -> str:
    if name in ctx.opts.images:  # built and pushed by --build/--push: pinned by digest
        return ctx.opts.images[name]
    if service.image is not None:
        if not _IMAGE_REFERENCE.match(service.image):
            raise InputError(
                f"image {service.image!r} is not a valid image reference",
                location=service.location("image"),
                hint="an unset variable leaves `name:` or `:tag` empty: set it, or give a "
                "default (${TAG:-latest})",
            )
        return service.image
    image = f"{ctx.project.name}-{name}"  # the name docker compose gives the image it builds
    if not service.spec.has_build:
        raise InputError(
            f"service {name!r} has neither image nor build", location=service.location("")
        )
    ctx.warn(
        service,
        "build",
        f"no image: using {image!r}; build and push it (kctl convert --build --push) or set "
        "`image:`",
    )
    return image


def _env_file(ctx: Context, name: str, service: Service) -> tuple[list[Any], list[Owned]]:
    """envFrom and the ConfigMap holding the service's env_file variables. An env file outside
    the project folder is never embedded: envFrom names a ConfigMap the user creates from it
    (listed first, so a later file's variables in kctl's own ConfigMap still win)."""
    from_file = service.env_file_environment
    if not from_file:
        return [], []
    outside = _outside_env_files(ctx, name, service)
    refs: list[Any] = [{"configMapRef": {"name": cm}} for cm in outside.values()]
    data = {
        k: v
        for k, v in from_file.items()
        if v is not None and service.env_file_origin.get(k) not in outside
    }
    if not data:
        return refs, []
    cm_name = ctx.name("ConfigMap", _env_config_map_name(ctx, name, service))
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": ctx.meta("ConfigMap", cm_name, name),
        "data": dict(sorted(data.items())),
    }
    return [*refs, {"configMapRef": {"name": cm_name}}], [(name, config_map)]


def _outside_env_files(ctx: Context, name: str, service: Service) -> dict[str, str]:
    """{env file outside the project: the ConfigMap name to create from it}, warned."""
    out: dict[str, str] = {}
    for path in service.env_files:
        if ctx.inside_project(Path(path)):
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", Path(path).name.lower()).strip("-") or "env"
        out[path] = ctx.name("ConfigMap", f"{ctx.base(name)}-{slug}")
        ctx.warn(
            service,
            "env_file",
            f"env file {path} is outside the project folder: its content is not embedded;"
            f" create ConfigMap {out[path]} from it before deploying"
            f" (kubectl create configmap {out[path]} --from-env-file={path})",
        )
    return out


def _environment(ctx: Context, service: Service) -> list[dict[str, Any]]:
    """env entries for variables `environment:` sets (env_file values come by envFrom)."""
    from_file = service.env_file_environment
    env = []
    for key, value in service.environment.items():
        if key in from_file and from_file[key] == value:
            continue
        if value is None:
            ctx.warn(
                service,
                "environment",
                f"{key} has no value and is not set in the environment: left out",
            )
            continue
        env.append({"name": key, "value": escape(value)})
    return env


def _env_config_map_name(ctx: Context, name: str, service: Service) -> str:
    """As Kompose: a single env_file names its ConfigMap (./config/app.env ->
    config-app-env); several are merged (in Compose's order) into <service>-env."""
    if len(service.env_files) != 1:
        return f"{ctx.base(name)}-env"
    path = Path(service.env_files[0])
    try:
        path = path.relative_to(ctx.project.working_dir)
    except ValueError:
        return f"{ctx.base(name)}-env"
    stem = re.sub(r"[^A-Za-z0-9]", "-", str(path).strip("./")).lower()
    return stem if stem and not stem.startswith("-") else f"{ctx.base(name)}-env"


def container_ports(ctx: Context, service: Service, host_ports: bool) -> list[dict[str, Any]]:
    """containerPort entries for `ports:` and `expose:` (hostPort with controller.port.expose)."""
    ports: list[dict[str, Any]] = []
    seen = set()
    for port in service.ports:
        key = (port.target, port.protocol.upper())
        if port.host_ip and not host_ports:
            ctx.warn(
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
    for target, proto in [*exposed_ports(service), *image_exposed(ctx, service)]:
        if (target, proto) not in seen:
            seen.add((target, proto))
            ports.append({"containerPort": target, "protocol": proto})
    return ports


def image_exposed(ctx: Context, service: Service) -> tuple[tuple[int, str], ...]:
    """The ports of the service's image config (its EXPOSE), for a service that declares none
    in `ports:` or `expose:` (ConvertOptions.image_ports: only what was read, never guessed)."""
    if service.spec.ports or service.spec.expose:
        return ()
    found = ctx.opts.image_ports.get(service.name)
    return found.ports if found is not None else ()


def exposed_ports(service: Service) -> list[tuple[int, str]]:
    """(port, PROTOCOL) for every `expose:` entry, ranges expanded."""
    out = []
    for exposed in service.spec.expose:
        number, _, proto = str(exposed).partition("/")
        start, _, end = number.partition("-")
        try:
            numbers = range(int(start), int(end or start) + 1)
        except ValueError:
            continue
        out += [(n, (proto or "tcp").upper()) for n in numbers]
    return out


def _resources(ctx: Context, service: Service, labels: KomposeLabels) -> KubeFields:
    """requests/limits from deploy.resources, GPUs, ephemeral-storage labels, mem_*, cpus."""
    res = service.spec.deploy.resources
    out = _deploy_resources(ctx, service, res)
    gpus = _gpus(ctx, service, res.reservations.devices)
    if gpus:  # extended resources are set as limits (requests default to them)
        out.setdefault("limits", {}).update(gpus)
    for label, k8s_key in ((lbl.EPHEMERAL_LIMIT, "limits"), (lbl.EPHEMERAL_REQUEST, "requests")):
        if label in labels:
            out.setdefault(k8s_key, {})["ephemeral-storage"] = labels[label]
    for size, k8s_key in (
        (service.spec.mem_limit, "limits"),
        (service.spec.mem_reservation, "requests"),
    ):
        if size is not None:
            out.setdefault(k8s_key, {})["memory"] = str(size)
    if service.spec.cpus is not None:
        out.setdefault("limits", {})["cpu"] = _cpu(service.spec.cpus)
    return out


def _deploy_resources(ctx: Context, service: Service, res: Resources) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for compose_key, block, k8s_key in (
        ("limits", res.limits, "limits"),
        ("reservations", res.reservations, "requests"),
    ):
        values: dict[str, Any] = {}
        if block.memory is not None:
            values["memory"] = str(block.memory)
        if block.cpus:
            values["cpu"] = _cpu(block.cpus)
        if values:
            out[k8s_key] = values
        for key in block.keys:
            if key not in ("memory", "cpus", "devices"):
                ctx.warn(service, f"deploy.resources.{compose_key}.{key}", "not translated")
    return out


def _gpus(ctx: Context, service: Service, devices: tuple[Device, ...]) -> dict[str, int]:
    """deploy.resources.reservations.devices → {nvidia.com/gpu: N} (device plugin names)."""
    out: dict[str, int] = {}
    key = "deploy.resources.reservations.devices"
    for device in devices:
        capabilities = set(device.capabilities)
        driver = device.driver or "nvidia"
        resource = _GPU_RESOURCES.get(driver)
        if "gpu" not in capabilities or resource is None:
            ctx.warn(service, key, f"device {sorted(capabilities)} ({driver}) not translated")
            continue
        ids = list(device.device_ids)
        count = device.count
        if ids:
            ctx.warn(service, key, f"device_ids {ids}: Kubernetes picks the GPUs (count kept)")
            count = len(ids)
        if count is None or str(count) in ("all", "-1"):
            ctx.warn(service, key, "count: all has no Kubernetes equivalent: set a number of GPUs")
            continue
        out[resource] = out.get(resource, 0) + int(count)
    return out


def _cpu(cpus: float) -> str:
    millis = round(cpus * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def _security(ctx: Context, service: Service) -> KubeFields:
    security: dict[str, Any] = {}
    user = service.spec.user
    if user is not None:
        uid, _, gid = str(user).partition(":")
        if uid.isdigit():
            security["runAsUser"] = int(uid)
            if gid.isdigit():
                security["runAsGroup"] = int(gid)
        else:
            ctx.warn(
                service,
                "user",
                f"user {user!r} is not numeric: Kubernetes needs a UID (runAsUser); left out",
            )
    caps: dict[str, list[str]] = {}
    if service.spec.cap_add:
        caps["add"] = list(service.spec.cap_add)
    if service.spec.cap_drop:
        caps["drop"] = list(service.spec.cap_drop)
    if caps:
        security["capabilities"] = caps
    if service.spec.privileged:
        security["privileged"] = True
    if service.spec.read_only:
        security["readOnlyRootFilesystem"] = True
    return security
