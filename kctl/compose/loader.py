"""Load a Compose project the way docker-compose does: discover, interpolate, extend, merge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from kctl.compose import normalize as norm
from kctl.compose import schema, unique
from kctl.compose.checks import apply_profiles, check_references
from kctl.compose.discover import discover
from kctl.compose.envfile import parse_env_file
from kctl.compose.extends import services_of
from kctl.compose.files import (
    ComposeFile,
    Variables,
    absolute,
    interpolate_data,
    normalize_name,
    read_file,
)
from kctl.compose.include import Imported, include, refuse_conflicts
from kctl.compose.merge import merge_service
from kctl.compose.model import ComposeWarning, LoadOptions, Project, Service
from kctl.errors import InputError, Location


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


def load_project(opts: LoadOptions) -> Project:
    """Read, interpolate, merge and normalize a Compose project."""
    warnings: list[ComposeWarning] = []
    opts = _with_dotenv_settings(opts)
    targets = discover(opts, warnings)
    first = next((p for _, p in targets if p is not None), None)
    project_dir = opts.project_directory or (absolute(first).parent if first else Path.cwd())
    project_dir = absolute(project_dir)
    env = _environment(opts, project_dir)
    files = [read_file(name, path, opts.stdin) for name, path in targets]
    for file in files:  # relative paths of every -f file name places in the project directory
        file.directory = project_dir
    if opts.interpolate:
        for file in files:
            file.data = interpolate_data(file.data, env, file, ())
    merged = Merged()
    for file in files:
        imported: Imported = {}
        include(file, env, opts, merged, (), imported)
        own = services_of(file, env)
        refuse_conflicts(file, own, imported)
        merged.addservices_of(own)
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


class Merged(Struct):
    """The project as the files read so far define it (later files merge over earlier)."""

    services: dict[str, Service] = field(default_factory=dict)
    top: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"volumes": {}, "networks": {}, "secrets": {}, "configs": {}}
    )
    locations: dict[str, Location] = field(default_factory=dict)  # "<section>.<name>[.<attr>]"
    extensions: dict[str, Any] = field(default_factory=dict)
    name: str | None = None  # `name:` of the last file that sets one, and where
    name_location: Location | None = None

    def addservices_of(self, loaded: dict[str, Service]) -> None:
        for service_name, service in loaded.items():
            if service_name in self.services:
                merge_service(self.services[service_name], service, service.overrides)
                for key in service.resets:
                    self.services[service_name].config.pop(key, None)
            else:
                self.services[service_name] = service

    def add_top_level(self, file: ComposeFile) -> None:
        for section in self.top:
            section_value = file.data.get(section) or {}
            if not isinstance(section_value, dict):
                raise InputError(f"{section} must be a mapping", location=file.where(section))
            for key, spec in section_value.items():
                self.add_entry(file, section, key, spec)
        self.extensions.update({k: v for k, v in file.data.items() if str(k).startswith("x-")})
        if isinstance(file.data.get("name"), str):
            self.name, self.name_location = file.data["name"], file.where("name")

    def add_entry(self, file: ComposeFile, section: str, key: Any, spec: Any) -> None:
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


def _project_name(
    opts: LoadOptions, merged: Merged, project_dir: Path, files: list[ComposeFile]
) -> str:
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


def _top_level(section: str, spec: dict[str, Any], file: ComposeFile, key: str) -> dict[str, Any]:
    if section in ("secrets", "configs") and spec.get("file"):
        spec["file"] = norm.resolve(file.directory, str(spec["file"]))
    if spec.get("labels") is not None:  # a list of KEY=VALUE or a mapping, as a service's
        spec["labels"] = norm.labels(spec["labels"], file.where(section, key, "labels"))
    return spec
