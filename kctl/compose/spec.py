"""A service's checked Compose keys as frozen msgspec Structs, built once from the canonical dict
(after normalize.py and schema.py): durations are seconds and sizes bytes here, so the
converter reads attributes and never parses a Compose value again."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from msgspec import Struct, field

from kctl.compose.units import parse_bytes, parse_duration
from kctl.errors import Location

ComposeMapping = Mapping[str, Any]
"""A Compose mapping as loaded (canonical values), for the parts that stay untyped."""

Where = Callable[[str], Location]
_ABSENT = Location("<absent key>")  # handed to parsers for a key that is not there: never shown


class ServicePort(Struct, frozen=True):
    """One `ports:` entry (long syntax)."""

    target: int
    published: str | None = None
    host_ip: str | None = None
    protocol: str = "tcp"
    mode: str = "ingress"
    name: str | None = None


class ServiceVolume(Struct, frozen=True):
    """One `volumes:` entry of a service (long syntax)."""

    type: str  # volume | bind | tmpfs | npipe | image
    target: str
    source: str | None = None
    read_only: bool = False
    subpath: str | None = None
    tmpfs_size: int | None = None


class Healthcheck(Struct, frozen=True):
    """`healthcheck:`; durations in seconds (None where the key is not written)."""

    test: tuple[str, ...] = ()
    interval: float | None = None
    timeout: float | None = None
    start_period: float | None = None
    start_interval: float | None = None
    retries: int | None = None
    disable: bool = False


class Device(Struct, frozen=True):
    """One `deploy.resources.reservations.devices` entry."""

    capabilities: tuple[str, ...] = ()
    driver: str | None = None
    device_ids: tuple[str, ...] = ()
    count: int | str | None = None  # a number, or "all" / -1


class ResourceBlock(Struct, frozen=True):
    """`deploy.resources.limits` or `.reservations`; `keys` are the keys written, in order."""

    cpus: float | None = None
    memory: int | None = None  # bytes
    pids: int | None = None
    devices: tuple[Device, ...] = ()
    keys: tuple[str, ...] = ()


class Resources(Struct, frozen=True):
    """`deploy.resources`: limits and reservations."""

    limits: ResourceBlock = field(default_factory=ResourceBlock)
    reservations: ResourceBlock = field(default_factory=ResourceBlock)


class RestartPolicy(Struct, frozen=True):
    """`deploy.restart_policy`."""

    condition: str | None = None
    max_attempts: int | None = None


class UpdateConfig(Struct, frozen=True):
    """`deploy.update_config`; `keys` are the keys written, in order."""

    parallelism: int | None = None
    order: str | None = None
    keys: tuple[str, ...] = ()


class Placement(Struct, frozen=True):
    """`deploy.placement`."""

    constraints: tuple[str, ...] = ()
    preferences: tuple[ComposeMapping, ...] = ()
    max_replicas_per_node: int | None = None


class Deploy(Struct, frozen=True):
    """`deploy:`; `keys` are the keys written, in order (empty when there is no deploy)."""

    mode: str | None = None
    replicas: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    resources: Resources = field(default_factory=Resources)
    restart_policy: RestartPolicy | None = None
    update_config: UpdateConfig | None = None
    has_rollback_config: bool = False
    placement: Placement = field(default_factory=Placement)
    keys: tuple[str, ...] = ()


class Dependency(Struct, frozen=True):
    """One `depends_on` entry (normalize.py fills the defaults)."""

    condition: str = "service_started"
    required: bool = True


class NetworkAttachment(Struct, frozen=True):
    """One `networks.NAME` of a service; `keys` are the keys written, in order."""

    aliases: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()


class FileMount(Struct, frozen=True):
    """One `secrets:` / `configs:` entry of a service (long syntax after normalize.py)."""

    source: str
    target: str | None = None
    uid: str | None = None
    gid: str | None = None
    mode: int | None = None  # octal text read as a number


class Tmpfs(Struct, frozen=True):
    """One `tmpfs:` entry: `PATH[:size=SIZE,...]`, the size in bytes."""

    path: str
    size: int | None = None


class FileObject(Struct, frozen=True):
    """A top-level secret or config."""

    file: str | None = None
    environment: str | None = None
    content: str | None = None
    external: bool = False
    name: str | None = None


class VolumeSpec(Struct, frozen=True):
    """A top-level volume."""

    external: bool = False
    name: str | None = None
    driver: str | None = None
    driver_opts: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def mount_type(self) -> str:
        """driver_opts `type` (the local driver's mount -t), "" when unset."""
        return self.driver_opts.get("type", "")

    @property
    def device(self) -> str:
        """driver_opts `device` (what the local driver mounts), "" when unset."""
        return self.driver_opts.get("device", "")

    @property
    def mount_options(self) -> dict[str, str]:
        """driver_opts `o` (`addr=1.2.3.4,ro`) as option -> value ("" for a flag)."""
        text = self.driver_opts.get("o", "")
        return dict(o.partition("=")[::2] for o in text.split(",") if o)


class ServiceSpec(Struct, frozen=True):
    """The typed keys of one service (the rest is still read from Service.config)."""

    healthcheck: Healthcheck | None = None
    deploy: Deploy = field(default_factory=Deploy)
    mem_limit: int | None = None  # bytes
    mem_reservation: int | None = None  # bytes
    cpus: float | None = None
    stop_grace_period: float | None = None  # seconds
    container_name: str | None = None
    entrypoint: tuple[str, ...] | None = None
    command: tuple[str, ...] | None = None
    working_dir: str | None = None
    pull_policy: str | None = None
    user: str | int | None = None  # as written (a warning quotes it)
    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    privileged: bool = False
    read_only: bool = False
    stdin_open: bool = False
    tty: bool = False
    has_build: bool = False
    depends_on: Mapping[str, Dependency] = field(default_factory=dict)
    networks: Mapping[str, NetworkAttachment] = field(default_factory=dict)
    network_mode: str | None = None
    pid: str | None = None
    ipc: str | None = None
    restart: str | None = None
    scale: int | None = None
    hostname: str | None = None
    extra_hosts: tuple[str, ...] = ()
    dns: tuple[str, ...] = ()
    dns_search: tuple[str, ...] = ()
    sysctls: Mapping[str, str] = field(default_factory=dict)
    expose: tuple[str, ...] = ()
    tmpfs: tuple[Tmpfs, ...] = ()
    secrets: tuple[FileMount, ...] = ()
    configs: tuple[FileMount, ...] = ()
    ports: tuple[ServicePort, ...] = ()
    volumes: tuple[ServiceVolume, ...] = ()


def _seconds(value: Any, where: Location) -> float | None:
    return None if value is None else parse_duration(value, where)


def _bytes(value: Any, where: Location) -> int | None:
    return None if value is None else parse_bytes(value, where)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def healthcheck(value: ComposeMapping | None, where: Location) -> Healthcheck | None:
    if value is None:
        return None
    return Healthcheck(
        test=tuple(str(t) for t in value.get("test") or ()),
        interval=_seconds(value.get("interval"), where),
        timeout=_seconds(value.get("timeout"), where),
        start_period=_seconds(value.get("start_period"), where),
        start_interval=_seconds(value.get("start_interval"), where),
        retries=_int(value.get("retries")),
        disable=bool(value.get("disable")),
    )


def _device(value: ComposeMapping) -> Device:
    return Device(
        capabilities=tuple(str(c) for c in value.get("capabilities") or ()),
        driver=None if value.get("driver") is None else str(value["driver"]),
        device_ids=tuple(value.get("device_ids") or ()),
        count=value.get("count"),
    )


def _block(value: ComposeMapping | None, where: Location) -> ResourceBlock:
    block = value or {}
    return ResourceBlock(
        cpus=None if block.get("cpus") is None else float(block["cpus"]),
        memory=_bytes(block.get("memory"), where),
        pids=_int(block.get("pids")),
        devices=tuple(_device(d) for d in block.get("devices") or ()),
        keys=tuple(str(k) for k in block),
    )


def _placement(value: ComposeMapping) -> Placement:
    return Placement(
        constraints=tuple(str(c) for c in value.get("constraints") or ()),
        preferences=tuple(value.get("preferences") or ()),
        max_replicas_per_node=_int(value.get("max_replicas_per_node")),
    )


def deploy(value: ComposeMapping | None, where: Location) -> Deploy:
    if not value:
        return Deploy()
    resources = value.get("resources") or {}
    policy = value.get("restart_policy")
    update = value.get("update_config")
    return Deploy(
        mode=value.get("mode"),
        replicas=_int(value.get("replicas")),
        labels={str(k): str(v) for k, v in (value.get("labels") or {}).items()},
        resources=Resources(
            limits=_block(resources.get("limits"), where),
            reservations=_block(resources.get("reservations"), where),
        ),
        restart_policy=RestartPolicy(
            condition=policy.get("condition"), max_attempts=_int(policy.get("max_attempts"))
        )
        if policy
        else None,
        update_config=UpdateConfig(
            parallelism=_int(update.get("parallelism")),
            order=update.get("order"),
            keys=tuple(str(k) for k in update),
        )
        if update
        else None,
        has_rollback_config=bool(value.get("rollback_config")),
        placement=_placement(value.get("placement") or {}),
        keys=tuple(str(k) for k in value),
    )


def _strings(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(v) for v in value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _text(value: Any) -> str | None:
    return str(value) if value else None


def _port(p: ComposeMapping) -> ServicePort:
    return ServicePort(
        target=int(p["target"]),
        published=p.get("published"),
        host_ip=p.get("host_ip"),
        protocol=p.get("protocol", "tcp"),
        mode=p.get("mode", "ingress"),
        name=p.get("name"),
    )


def _volume(v: ComposeMapping) -> ServiceVolume:
    return ServiceVolume(
        type=v["type"],
        target=v["target"],
        source=v.get("source"),
        read_only=bool(v.get("read_only", False)),
        subpath=(v.get("volume") or {}).get("subpath"),
        tmpfs_size=int((v.get("tmpfs") or {}).get("size") or 0) or None,
    )


def _tmpfs(text: str, where: Location) -> Tmpfs:
    path, _, options = text.partition(":")
    size = re.search(r"size=(\w+)", options)
    return Tmpfs(path, parse_bytes(size.group(1), where) if size else None)


def _file_mount(value: ComposeMapping) -> FileMount:
    mode = value.get("mode")
    return FileMount(
        source=str(value["source"]),
        target=_text(value.get("target")),
        uid=_str(value.get("uid")),
        gid=_str(value.get("gid")),
        mode=None if mode is None else int(str(mode), 8) if isinstance(mode, str) else int(mode),
    )


def file_object(value: ComposeMapping | None) -> FileObject:
    """A top-level secret or config (an empty one when the name is not defined)."""
    top = value or {}
    return FileObject(
        file=_text(top.get("file")),
        environment=_text(top.get("environment")),
        content=_str(top.get("content")),
        external=bool(top.get("external")),
        name=_text(top.get("name")),
    )


def volume_spec(value: ComposeMapping | None) -> VolumeSpec:
    """A top-level volume (an empty one when the name is not defined)."""
    top = value or {}
    return VolumeSpec(
        external=bool(top.get("external")),
        name=_str(top.get("name")),
        driver=_str(top.get("driver")),
        driver_opts={str(k): str(v) for k, v in (top.get("driver_opts") or {}).items()},
        labels={str(k): str(v) for k, v in (top.get("labels") or {}).items()},
    )


def _networks(value: ComposeMapping | None) -> dict[str, NetworkAttachment]:
    out = {}
    for name, settings in (value or {}).items():
        settings = settings or {}
        aliases = tuple(str(a) for a in settings.get("aliases") or ())
        out[str(name)] = NetworkAttachment(aliases, tuple(str(k) for k in settings))
    return out


def service_spec(config: ComposeMapping, where: Where) -> ServiceSpec:
    """The typed view of a service's canonical config (schema.py has checked every value)."""

    def at(key: str) -> Location:  # a key's place is only needed when the key is there
        return where(key) if config.get(key) is not None else _ABSENT

    return ServiceSpec(
        container_name=_text(config.get("container_name")),
        entrypoint=_strings(config.get("entrypoint")),
        command=_strings(config.get("command")),
        working_dir=_text(config.get("working_dir")),
        pull_policy=_str(config.get("pull_policy")),
        user=config.get("user"),
        cap_add=_strings(config.get("cap_add")) or (),
        cap_drop=_strings(config.get("cap_drop")) or (),
        privileged=bool(config.get("privileged")),
        read_only=bool(config.get("read_only")),
        stdin_open=bool(config.get("stdin_open")),
        tty=bool(config.get("tty")),
        has_build=bool(config.get("build")),
        depends_on={
            str(name): Dependency(
                str(spec.get("condition", "service_started")), bool(spec.get("required", True))
            )
            for name, spec in (config.get("depends_on") or {}).items()
        },
        networks=_networks(config.get("networks")),
        network_mode=_str(config.get("network_mode")),
        pid=_str(config.get("pid")),
        ipc=_str(config.get("ipc")),
        restart=_str(config.get("restart")),
        scale=_int(config.get("scale")),
        hostname=_text(config.get("hostname")),
        extra_hosts=_strings(config.get("extra_hosts")) or (),
        dns=_strings(config.get("dns")) or (),
        dns_search=_strings(config.get("dns_search")) or (),
        sysctls={str(k): str(v) for k, v in (config.get("sysctls") or {}).items()},
        expose=_strings(config.get("expose")) or (),
        tmpfs=tuple(_tmpfs(str(t), at("tmpfs")) for t in config.get("tmpfs") or ()),
        secrets=tuple(_file_mount(m) for m in config.get("secrets") or ()),
        configs=tuple(_file_mount(m) for m in config.get("configs") or ()),
        ports=tuple(_port(p) for p in config.get("ports") or ()),
        volumes=tuple(_volume(v) for v in config.get("volumes") or ()),
        healthcheck=healthcheck(config.get("healthcheck"), at("healthcheck")),
        deploy=deploy(config.get("deploy"), at("deploy")),
        mem_limit=_bytes(config.get("mem_limit"), at("mem_limit")),
        mem_reservation=_bytes(config.get("mem_reservation"), at("mem_reservation")),
        cpus=None if config.get("cpus") is None else float(config["cpus"]),
        stop_grace_period=_seconds(config.get("stop_grace_period"), at("stop_grace_period")),
    )
