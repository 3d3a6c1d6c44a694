"""Load a Compose project the way docker-compose does: discover, interpolate, extend, merge."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kctl import inputs
from kctl.compose import casts, schema, unique, yamlnodes
from kctl.compose import normalize as norm
from kctl.compose.checks import apply_profiles, check_references
from kctl.compose.discover import discover
from kctl.compose.envfile import parse_env_file
from kctl.compose.interpolate import interpolate
from kctl.compose.merge import merge_service
from kctl.compose.model import ComposeWarning, LoadOptions, Project, Service
from kctl.errors import InputError, Location
from kctl.plaindata import clone

TOP_LEVEL_KEYS = {
    "version",
    "name",
    "services",
    "volumes",
    "networks",
    "secrets",
    "configs",
    "include",
    "models",
}
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


@dataclass
class _File:
    """One Compose file as read: its data and the position of every key."""

    name: str  # shown in messages
    directory: Path
    data: dict[str, Any]
    locations: dict[tuple[Any, ...], Location]

    _by_service: dict[str, dict[str, Location]] | None = None

    def service_locations(self) -> dict[str, dict[str, Location]]:
        """{service: {dotted key: location}}, indexed once per file."""
        if self._by_service is None:
            index: dict[str, dict[str, Location]] = {}
            for path, loc in self.locations.items():
                if len(path) >= 3 and path[0] == "services":
                    index.setdefault(str(path[1]), {})[".".join(str(p) for p in path[2:])] = loc
            self._by_service = index
        return self._by_service

    def where(self, *path: Any) -> Location:
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path[:-1]
        return Location(self.name, 1)


def normalize_name(name: str) -> str:
    """Project names as docker-compose normalizes them: lowercase [a-z0-9_-], alnum first."""
    cleaned = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return cleaned.lstrip("_-")


def _read_stdin() -> str:
    """Standard input as text: bytes decoded like a file's (a wrapped text stream as is)."""
    import sys

    raw = getattr(sys.stdin, "buffer", None)
    return inputs.decode(raw.read(), "<stdin>") if raw is not None else sys.stdin.read()


def _read(name: str, path: Path | None, stdin: str | None) -> _File:
    if path is None:
        text = stdin if stdin is not None else _read_stdin()
        directory = Path.cwd()
        name = "<stdin>"
    else:
        text = inputs.read_text(path)
        directory = absolute(path).parent
    data, locations = yamlnodes.load(text, name)
    if data is None:
        raise InputError(
            "empty Compose file",
            location=Location(name),
            hint="a Compose file needs at least a `services:` mapping",
        )
    if not isinstance(data, dict):
        raise InputError("a Compose file must be a mapping", location=Location(name, 1))
    for key in data:
        if not isinstance(key, str) or (key not in TOP_LEVEL_KEYS and not key.startswith("x-")):
            raise _unknown(
                key,
                TOP_LEVEL_KEYS,
                Location(name, 1)
                if not isinstance(key, str)
                else locations.get((key,), Location(name)),
                "top-level key",
            )
    return _File(name, directory, data, locations)


def _unknown(key: Any, known: set[str], where: Location, what: str) -> InputError:
    close = difflib.get_close_matches(str(key), sorted(known), n=1)
    return InputError(
        f"unknown {what} {key!r}",
        location=where,
        hint=f"did you mean {close[0]!r}?" if close else None,
    )


class Variables(dict[str, str]):
    """The variables of interpolation, and those read but not set (with where first read)."""

    def __init__(self, values: Mapping[str, str], unset: dict[str, Location]) -> None:
        super().__init__(values)
        self.unset = unset


def _interpolate(value: Any, env: Mapping[str, str], file: _File, path: tuple[Any, ...]) -> Any:
    if isinstance(value, str):
        if "$" not in value and casts.cast_for(path) is None:
            return value  # nothing to substitute or cast: spare the location look-up
        where = file.where(*path)
        unset = env.unset if isinstance(env, Variables) else None
        return casts.cast(interpolate(value, env, where, unset), path, where)
    if isinstance(value, dict):
        return {k: _interpolate(v, env, file, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, env, file, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, yamlnodes.Reset):
        return yamlnodes.Reset(_interpolate(value.value, env, file, path))
    if isinstance(value, yamlnodes.Override):
        return yamlnodes.Override(_interpolate(value.value, env, file, path))
    return value


def _environment(opts: LoadOptions, project_dir: Path) -> Variables:
    """Variables for interpolation: the shell wins over .env / --env-file values."""
    env: dict[str, str] = {}
    unset: dict[str, Location] = {}
    files = opts.env_files or ([project_dir / ".env"] if (project_dir / ".env").is_file() else [])
    for env_file in files:
        if not env_file.is_file():
            raise InputError("env file not found", location=Location(str(env_file)))
        for key, value in parse_env_file(env_file, {**env, **opts.environ}, unset).items():
            if value is not None:
                env[key] = value
    env.update(opts.environ)
    return Variables(env, unset)


def _with_dotenv_settings(opts: LoadOptions) -> LoadOptions:
    """COMPOSE_FILE, COMPOSE_PROFILES, COMPOSE_PROJECT_NAME, COMPOSE_PATH_SEPARATOR... set in
    the `.env` (or --env-file) count as if set in the shell, which still wins. As compose-go,
    `.env` is read from --project-directory, else the first -f file's folder, else the
    working folder (before COMPOSE_FILE is known)."""
    first = next((f for f in opts.files if f != "-"), None)
    if opts.project_directory is not None:
        directory = opts.project_directory
    elif opts.files and first == opts.files[0] and first is not None:
        directory = absolute(Path(first)).parent
    else:
        directory = Path.cwd()
    files = opts.env_files or [directory / ".env"]
    settings: dict[str, str] = {}
    for env_file in files:
        if not env_file.is_file():
            continue  # a missing --env-file is reported with the interpolation variables
        for key, value in parse_env_file(env_file, {**settings, **opts.environ}).items():
            if key.startswith("COMPOSE_") and value is not None and key not in opts.environ:
                settings[key] = value
    return replace(opts, environ={**settings, **opts.environ}) if settings else opts


def absolute(path: Path) -> Path:
    """path made absolute lexically, as compose-go's filepath.Abs: symlinks are kept as
    written (a loop is reported by whatever reads the file, never a crash here)."""
    return Path(os.path.abspath(path))


def load_project(opts: LoadOptions) -> Project:
    """Read, interpolate, merge and normalize a Compose project."""
    warnings: list[ComposeWarning] = []
    opts = _with_dotenv_settings(opts)
    targets = discover(opts, warnings)
    first = next((p for _, p in targets if p is not None), None)
    project_dir = opts.project_directory or (absolute(first).parent if first else Path.cwd())
    project_dir = absolute(project_dir)
    env = _environment(opts, project_dir)
    files = [_read(name, path, opts.stdin) for name, path in targets]
    for file in files:  # relative paths of every -f file name places in the project directory
        file.directory = project_dir
    if opts.interpolate:
        for file in files:
            file.data = _interpolate(file.data, env, file, ())
    merged = _Merged()
    for file in files:
        imported: _Imported = {}
        _include(file, env, opts, merged, (), imported)
        own = _services(file, env)
        _refuse_conflicts(file, own, imported)
        merged.add_services(own)
        merged.add_top_level(file)
    name = _project_name(opts, merged, project_dir, files)
    warnings.extend(
        ComposeWarning(f'The "{var}" variable is not set. Defaulting to a blank string.', where)
        for var, where in env.unset.items()
    )
    disabled = apply_profiles(merged.services, opts)
    for service in merged.services.values():
        warnings.extend(unique.enforce(service))
    check_references(merged.services, merged.top, disabled)
    for section in ("volumes", "secrets", "configs"):
        for key, spec in merged.top[section].items():
            # an external entry is named by its key, as docker compose names it
            spec.setdefault("name", key if spec.get("external") else f"{name}_{key}")
    return Project(
        name=name,
        working_dir=project_dir,
        services=merged.services,
        volumes=merged.top["volumes"],
        networks=merged.top["networks"],
        secrets=merged.top["secrets"],
        configs=merged.top["configs"],
        extensions=merged.extensions,
        locations=merged.locations,
        environment=env,
        files=[p for _, p in targets if p is not None],
        warnings=warnings,
    )


@dataclass
class _Merged:
    """The project as the files read so far define it (later files merge over earlier)."""

    services: dict[str, Service] = field(default_factory=dict)
    top: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"volumes": {}, "networks": {}, "secrets": {}, "configs": {}}
    )
    locations: dict[str, Location] = field(default_factory=dict)  # "<section>.<name>[.<attr>]"
    extensions: dict[str, Any] = field(default_factory=dict)
    name: str | None = None  # `name:` of the last file that sets one, and where
    name_location: Location | None = None

    def add_services(self, loaded: dict[str, Service]) -> None:
        for service_name, service in loaded.items():
            if service_name in self.services:
                merge_service(self.services[service_name], service, service.overrides)
                for key in service.resets:
                    self.services[service_name].config.pop(key, None)
            else:
                self.services[service_name] = service

    def add_top_level(self, file: _File) -> None:
        for section in self.top:
            section_value = file.data.get(section) or {}
            if not isinstance(section_value, dict):
                raise InputError(f"{section} must be a mapping", location=file.where(section))
            for key, spec in section_value.items():
                self.add_entry(file, section, key, spec)
        self.extensions.update({k: v for k, v in file.data.items() if str(k).startswith("x-")})
        if isinstance(file.data.get("name"), str):
            self.name, self.name_location = file.data["name"], file.where("name")

    def add_entry(self, file: _File, section: str, key: Any, spec: Any) -> None:
        if not isinstance(key, str) or not isinstance(spec, (dict, type(None))):
            raise InputError(
                f"{section}.{key} must be a mapping", location=file.where(section, key)
            )
        schema.check(spec, schema.TOP_LEVEL[section], (section, key), lambda p: file.where(*p))
        merged = dict(self.top[section].get(key) or {})
        merged.update(spec or {})
        try:
            self.top[section][key] = _top_level(section, merged, file, key)
        except ValueError as exc:
            raise InputError(f"{section}.{key}: {exc}", location=file.where(section, key)) from None
        self.locations[f"{section}.{key}"] = file.where(section, key)
        for attr in spec or {}:
            self.locations[f"{section}.{key}.{attr}"] = file.where(section, key, attr)


def _project_name(opts: LoadOptions, merged: _Merged, project_dir: Path, files: list[_File]) -> str:
    """-p, else COMPOSE_PROJECT_NAME, else `name:`, else the folder; refused with its origin."""
    sources = (
        (opts.project_name, "-p/--project-name", None),
        (opts.environ.get("COMPOSE_PROJECT_NAME"), "COMPOSE_PROJECT_NAME", None),
        (merged.name, "name:", merged.name_location),
        (project_dir.name, f"the folder name of {project_dir}", None),
    )
    raw_name, origin, where = next((s for s in sources if s[0]), sources[-1])
    name = normalize_name(str(raw_name))
    if not name:
        raise InputError(
            f"invalid project name {raw_name!r} (from {origin})",
            location=where or (Location(str(files[0].name)) if files else None),
            hint="use lowercase letters, digits, dashes or underscores (-p NAME)",
        )
    return name


def _top_level(section: str, spec: dict[str, Any], file: _File, key: str) -> dict[str, Any]:
    if section in ("secrets", "configs") and spec.get("file"):
        spec["file"] = norm.resolve(file.directory, str(spec["file"]))
    if spec.get("labels") is not None:  # a list of KEY=VALUE or a mapping, as a service's
        spec["labels"] = norm.labels(spec["labels"], file.where(section, key, "labels"))
    return spec


MAX_INCLUDE_DEPTH = 64  # files including files: deeper is refused (no Compose file needs it)


# what a file's includes brought in, {section: {name: definition}}: a file may not define
# differently what it imports (docker compose: "conflicts with imported resource")
_Imported = dict[str, dict[str, Any]]


def _import(imported: _Imported, section: str, name: str, definition: Any, where: Location) -> bool:
    """Record an imported definition; whether it is new (the same one twice is no conflict)."""
    known = imported.setdefault(section, {})
    if name not in known:
        known[name] = definition
        return True
    if known[name] != definition:
        raise InputError(
            f"{section}.{name} conflicts with the {section[:-1]} another included file defines",
            location=where,
            hint="define it in one place (docker compose refuses this too)",
        )
    return False


def _refuse_conflicts(file: _File, own: Mapping[str, Service], imported: _Imported) -> None:
    """A file's own services and top-level entries must equal what its includes import."""
    for name, service in own.items():
        prior = imported.get("services", {}).get(name)
        if prior is not None and prior != service.config:
            raise InputError(
                f"service {name!r} conflicts with the one an included file defines",
                location=service.location(""),
                hint="define it in one place, or override it from a later -f file",
            )
    for section, known in imported.items():
        entries = file.data.get(section) if section != "services" else None
        for key, spec in entries.items() if isinstance(entries, dict) else ():
            if key in known and known[key] != (spec or {}):
                raise InputError(
                    f"{section}.{key} conflicts with the one an included file defines",
                    location=file.where(section, key),
                )


def _include(
    file: _File,
    env: Mapping[str, str],
    opts: LoadOptions,
    merged: _Merged,
    seen: tuple[Path, ...],
    imported: _Imported,
) -> None:
    """Load every file `include:` names (recursively) into merged, recording it in imported."""
    entries = file.data.get("include") or []
    if not isinstance(entries, list):
        raise InputError("include must be a list", location=file.where("include"))
    for index, entry in enumerate(entries):
        spec, paths = _include_entry(file, index, entry)
        for rel in paths:
            path = absolute(file.directory / rel)
            where = file.where("include", index)
            if path in seen:
                raise InputError(f"include cycle through {path}", location=where)
            if len(seen) >= MAX_INCLUDE_DEPTH:
                raise InputError(f"includes nest deeper than {MAX_INCLUDE_DEPTH}", location=where)
            if not path.exists():
                raise InputError(f"included file {path} not found", location=where)
            included = _read(str(path), path, None)
            included.directory = absolute(Path(spec.get("project_directory") or path.parent))
            inc_env = _include_env(file, spec, env, opts.environ)
            if opts.interpolate:
                included.data = _interpolate(included.data, inc_env, included, ())
            nested: _Imported = {}
            _include(included, inc_env, opts, merged, (*seen, path), nested)
            services = _services(included, inc_env)
            _refuse_conflicts(included, services, nested)
            for section, known in nested.items():
                for key, value in known.items():
                    _import(imported, section, key, value, where)
            for service_name, service in services.items():
                if _import(imported, "services", service_name, service.config, where):
                    merged.add_services({service_name: service})
            merged.add_top_level(included)  # checks each section is a mapping
            for section in merged.top:
                for key, definition in (included.data.get(section) or {}).items():
                    _import(imported, section, key, definition or {}, where)


def _include_entry(file: _File, index: int, entry: Any) -> tuple[dict[str, Any], list[str]]:
    """(the entry as a mapping, the paths it names) of one `include:` entry."""
    if not isinstance(entry, (str, dict)):
        raise InputError(
            f"include entry {entry!r} is not a path or a mapping",
            location=file.where("include", index),
        )
    spec = {"path": entry} if isinstance(entry, str) else dict(entry)
    paths = spec.get("path")
    paths = [paths] if isinstance(paths, str) else paths or []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise InputError(
            "include path must be a path or a list of paths", location=file.where("include", index)
        )
    return spec, paths


def _include_env(
    file: _File, spec: dict[str, Any], env: Mapping[str, str], shell: Mapping[str, str]
) -> dict[str, str]:
    """The variables an included file is interpolated with (its env_file under the shell's)."""
    inc_env = Variables(env, env.unset if isinstance(env, Variables) else {})
    env_files = spec.get("env_file")
    for env_file in [env_files] if isinstance(env_files, str) else env_files or []:
        path = file.directory / str(env_file)
        for key, value in parse_env_file(path, env, inc_env.unset).items():
            if value is not None and key not in shell:
                inc_env[key] = value
    return inc_env


def _services(file: _File, env: Mapping[str, str]) -> dict[str, Service]:
    raw = file.data.get("services") or {}
    if not isinstance(raw, dict):
        raise InputError("services must be a mapping", location=file.where("services"))
    for name in raw:
        if not isinstance(name, str):  # as docker-compose: `1:` is not a service name
            raise InputError(
                f"non-string key in services: {name!r}", location=file.where("services", name)
            )
    resolver = _Extends(env)
    return {str(name): resolver.service(file, str(name)) for name in raw}


class _Extends:
    """Resolves services with their `extends` chains: iteratively (a chain of any length
    cannot exhaust Python's stack), each service and each extended file once per load."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.files: dict[Path, _File] = {}
        self.done: dict[str, Service] = {}

    def service(self, file: _File, name: str) -> Service:
        links: list[tuple[_File, str]] = []
        seen: set[str] = set()
        current: tuple[_File, str] | None = (file, name)
        base: Service | None = None
        while current is not None:
            link_file, link_name = current
            key = f"{link_file.name}:{link_name}"
            if key in self.done:
                base = self.done[key]
                break
            if key in seen:
                raise InputError(
                    f"extends cycle through service {link_name!r}",
                    location=link_file.where("services", link_name, "extends"),
                )
            seen.add(key)
            links.append(current)
            current = self.target(link_file, link_name)
        for link_file, link_name in reversed(links):
            base = _build_service(link_file, link_name, self.env, base)
            self.done[f"{link_file.name}:{link_name}"] = base
        assert base is not None
        return _copy_service(base)

    def target(self, file: _File, name: str) -> tuple[_File, str] | None:
        """The (file, service) that `name` extends, None when it extends nothing."""
        raw = _raw_service(file, name)
        if "extends" not in raw:
            return None
        ext = raw["extends"]
        ext = {"service": ext} if isinstance(ext, str) else ext
        if (
            not isinstance(ext, dict)
            or not isinstance(ext.get("service"), str)
            or ("file" in ext and not isinstance(ext["file"], str))
        ):
            raise InputError(
                "extends must be a service name or {service, file}",
                location=file.where("services", name, "extends"),
            )
        other = file
        if "file" in ext:
            path = absolute(file.directory / str(ext["file"]))
            if not path.exists():
                raise InputError(
                    f"extends: file {path} not found",
                    location=file.where("services", name, "extends"),
                )
            if path not in self.files:
                read = _read(str(path), path, None)
                read.data = _interpolate(read.data, self.env, read, ())
                self.files[path] = read
            other = self.files[path]
        target = str(ext["service"])
        if target not in (other.data.get("services") or {}):
            raise InputError(
                f"extends: service {target!r} not found in {other.name}",
                location=file.where("services", name, "extends"),
            )
        return other, target


def _raw_service(file: _File, name: str) -> dict[Any, Any]:
    raw = file.data["services"][name]
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(
            f"service {name!r} must be a mapping", location=file.where("services", name)
        )
    return raw


def _copy_service(service: Service) -> Service:
    """A copy later merges can change without touching the resolved original."""
    copied = Service(
        service.name,
        clone(service.config),
        dict(service.locations),
        dict(service.env_file_environment),
        service.file,
    )
    copied.env_files = list(service.env_files)
    copied.env_file_origin = dict(service.env_file_origin)
    copied.resets, copied.overrides = set(service.resets), set(service.overrides)
    copied.layer_starts = {k: list(v) for k, v in service.layer_starts.items()}
    return copied


def _locator(file: _File, name: str) -> schema.Locate:
    def locate(path: tuple[Any, ...]) -> Location:
        return file.where("services", name, *path)

    return locate


def _build_service(file: _File, name: str, env: Mapping[str, str], base: Service | None) -> Service:
    """A service's own keys, normalized and merged over what it extends (base)."""
    raw = _raw_service(file, name)
    locations = dict(file.service_locations().get(name, {}))
    locations[""] = file.where("services", name)
    service = Service(name, {}, locations, file=file.name)
    resets: set[str] = set()
    overrides: set[str] = set()
    plain: dict[str, Any] = {}
    for k, value in raw.items():
        if not isinstance(k, str) or (k not in SERVICE_KEYS and not k.startswith("x-")):
            raise _unknown(k, SERVICE_KEYS, file.where("services", name, k), "service key")
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
        merged = _copy_service(base)
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
    raw: dict[str, Any], file: _File, name: str, env: Mapping[str, str]
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
    file: _File,
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


def _env_files(
    value: Any, file: _File, name: str, env: Mapping[str, str]
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
        values = parse_env_file(path, env, env.unset if isinstance(env, Variables) else None)
        result.update(values)
        origin.update(dict.fromkeys(values, str(path)))
    return result, read, origin
