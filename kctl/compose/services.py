"""A service built from its own keys: each key checked (schema), normalized to long syntax,
env files read; merged over the service it extends (extends.py resolves which)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kctl.compose import normalize as norm
from kctl.compose import schema, yamlnodes
from kctl.compose.envfile import parse_env_file
from kctl.compose.files import ComposeFile, Variables, absolute, unknown_key
from kctl.compose.merge import merge_service
from kctl.compose.model import Service
from kctl.errors import InputError, Location

SERVICE_KEYS = set(
    """
annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs
container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares
cpus cpuset credential_spec depends_on deploy develop device_cgroup_rules devices dns dns_opt
dns_search domainname driver_opts entrypoint env_file environment expose extends external_links
extra_hosts gpus group_add healthcheck hostname image init ipc isolation labels label_file links
logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit models network_mode
networks oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop
privileged profiles provider pull_policy read_only restart runtime scale secrets security_opt
shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits
use_api_socket user userns_mode uts volumes volumes_from working_dir
""".split()
)
_SCALAR_TYPES: dict[str, tuple[type, ...]] = {
    "image": (str,),
    "user": (str, int),
    "working_dir": (str,),
    "hostname": (str,),
    "restart": (str,),
    "privileged": (bool,),
    "read_only": (bool,),
    "tty": (bool,),
    "stdin_open": (bool,),
    "pull_policy": (str,),
    "network_mode": (str,),
    "pid": (str,),
    "ipc": (str,),
    "stop_grace_period": (str, int, float),
    "container_name": (str,),
    "scale": (int,),
    "init": (bool,),
    "platform": (str,),
    "stop_signal": (str,),
}


def raw_service(file: ComposeFile, name: str) -> dict[Any, Any]:
    """A service's mapping as written (null: empty), refused when it is no mapping."""
    raw = file.data["services"][name]
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(
            f"service {name!r} must be a mapping", location=file.where("services", name)
        )
    return raw


def copy_service(service: Service) -> Service:
    """A copy later merges can change without touching the resolved original. The config is
    copied one level deep: merge_service replaces a key's value, it never changes a list or
    mapping in place (it builds new ones), so the values below can be shared."""
    copied = Service(
        service.name,
        dict(service.config),
        dict(service.locations),
        dict(service.env_file_environment),
        service.file,
    )
    copied.env_files = list(service.env_files)
    copied.env_file_origin = dict(service.env_file_origin)
    copied.resets, copied.overrides = set(service.resets), set(service.overrides)
    copied.layer_starts = {k: list(v) for k, v in service.layer_starts.items()}
    return copied


def _locator(file: ComposeFile, name: str) -> schema.Locate:
    def locate(path: tuple[Any, ...]) -> Location:
        return file.where("services", name, *path)

    return locate


def build_service(
    file: ComposeFile, name: str, env: Mapping[str, str], base: Service | None
) -> Service:
    """A service's own keys, normalized and merged over what it extends (base)."""
    raw = raw_service(file, name)
    locations = dict(file.service_locations().get(name, {}))
    locations[""] = file.where("services", name)
    service = Service(name, {}, locations, file=file.name)
    resets: set[str] = set()
    overrides: set[str] = set()
    plain: dict[str, Any] = {}
    for k, value in raw.items():
        if not isinstance(k, str) or (k not in SERVICE_KEYS and not k.startswith("x-")):
            raise unknown_key(k, SERVICE_KEYS, file.where("services", name, k), "service key")
        if isinstance(value, yamlnodes.Reset):
            resets.add(k)
            continue
        if isinstance(value, yamlnodes.Override):
            overrides.add(k)
            value = value.value
        plain[k] = value
    for key, value in plain.items():
        if key in schema.SERVICE:
            schema.check(value, schema.SERVICE[key], (key,), _locator(file, name))
    service.config = _normalize(plain, file, name, env)
    service.env_file_environment = service.config.pop("__env_file__", {})
    service.env_files = service.config.pop("__env_paths__", [])
    service.env_file_origin = service.config.pop("__env_origin__", {})
    if base is not None:
        merged = copy_service(base)
        merged.name, merged.file = name, file.name
        merged.locations = {**base.locations, **service.locations}
        merged.resets, merged.overrides = set(), set()
        merged.config.pop("extends", None)
        merge_service(merged, service, overrides)
        service = merged
    for k in resets:
        service.config.pop(k, None)
    service.config.pop("extends", None)
    service.resets, service.overrides = resets, overrides
    return service


def _normalize(
    raw: dict[str, Any], file: ComposeFile, name: str, env: Mapping[str, str]
) -> dict[str, Any]:
    def where(key: str) -> Location:
        return file.where("services", name, key)

    out: dict[str, Any] = {}
    env_file_values: dict[str, str | None] = {}
    for key, value in raw.items():
        expected = _SCALAR_TYPES.get(key)
        if expected and value is not None and not isinstance(value, expected):
            names = " or ".join(t.__name__ for t in expected)
            raise InputError(
                f"{key} must be a {names}, not {type(value).__name__}", location=where(key)
            )
        try:
            env_file_values = _normalize_key(
                key, value, out, env_file_values, file, name, env, where
            )
        except InputError:
            raise
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            raise InputError(f"invalid value for {key}: {exc}", location=where(key)) from None
    if env_file_values:
        merged_env: dict[str, str | None] = dict(env_file_values)
        merged_env.update(out.get("environment") or {})
        out["environment"] = merged_env
        out["__env_file__"] = env_file_values
    return out


def _normalize_key(
    key: str,
    value: Any,
    out: dict[str, Any],
    env_file_values: dict[str, str | None],
    file: ComposeFile,
    name: str,
    env: Mapping[str, str],
    where: Any,
) -> dict[str, str | None]:
    if key == "ports":
        out[key] = norm.ports(value, where)
    elif key == "volumes":
        out[key] = norm.volumes(value, file.directory, where)
    elif key == "environment":
        out[key] = norm.key_values(value, where(key), resolve_from=env)
    elif key in ("labels", "annotations", "sysctls"):
        out[key] = norm.labels(value, where(key), what=key)
    elif key in ("command", "entrypoint"):
        out[key] = norm.command(value, where(key))
    elif key == "depends_on":
        out[key] = norm.depends_on(value, where(key))
    elif key == "healthcheck":
        out[key] = norm.healthcheck(value, where(key))
    elif key == "deploy":
        out[key] = norm.deploy(value, where(key))
    elif key == "build":
        out[key] = norm.build(value, file.directory, where(key), env)
    elif key in ("secrets", "configs"):
        out[key] = norm.mounts(value, key, where(key))
    elif key in ("expose", "tmpfs", "dns", "dns_search", "profiles", "cap_add", "cap_drop"):
        out[key] = norm.string_list(value)
    elif key == "networks":
        out[key] = {str(n): None for n in value} if isinstance(value, list) else dict(value or {})
    elif key == "env_file":
        env_file_values, out["__env_paths__"], out["__env_origin__"] = _env_files(
            value, file, name, env
        )
    elif key != "extends":
        out[key] = value
    return env_file_values


def _env_file_values(path: Path, env: Mapping[str, str]) -> dict[str, str]:
    """An env file's variables, read once per load for the variables it is read with."""
    if not isinstance(env, Variables):
        return parse_env_file(path, env)
    if path not in env.env_files:
        env.env_files[path] = parse_env_file(path, env, env.unset)
    return env.env_files[path]


def _env_files(
    value: Any, file: ComposeFile, name: str, env: Mapping[str, str]
) -> tuple[dict[str, str | None], list[str], dict[str, str]]:
    """The variables of a service's env files (later files win), the files read, and which
    file each variable's value came from."""
    entries = value if isinstance(value, list) else [value]
    result: dict[str, str | None] = {}
    read: list[str] = []
    origin: dict[str, str] = {}
    for entry in entries:
        spec = {"path": entry, "required": True} if isinstance(entry, str) else dict(entry)
        path = absolute(file.directory / str(spec["path"]))
        if not path.is_file():
            if spec.get("required", True):
                raise InputError(
                    f"env file {path} not found", location=file.where("services", name, "env_file")
                )
            continue
        read.append(str(path))
        values = _env_file_values(path, env)
        result.update(values)
        origin.update(dict.fromkeys(values, str(path)))
    return result, read, origin
