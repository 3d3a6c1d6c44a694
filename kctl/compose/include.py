"""`include:` — files loaded (recursively) into the project, each with its own project
directory and env_file; what a file imports it may not define differently."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kctl.compose.envfile import parse_env_file
from kctl.compose.extends import services_of
from kctl.compose.files import ComposeFile, Variables, absolute, interpolate_data, read_file
from kctl.compose.model import LoadOptions, Service
from kctl.errors import InputError, Location

if TYPE_CHECKING:
    from kctl.compose.loader import Merged

MAX_INCLUDE_DEPTH = 64  # files including files: deeper is refused (no Compose file needs it)


# what a file's includes brought in, {section: {name: definition}}: a file may not define
# differently what it imports (docker compose: "conflicts with imported resource")
Imported = dict[str, dict[str, Any]]


def _import(imported: Imported, section: str, name: str, definition: Any, where: Location) -> bool:
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


def refuse_conflicts(file: ComposeFile, own: Mapping[str, Service], imported: Imported) -> None:
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


def include(
    file: ComposeFile,
    env: Mapping[str, str],
    opts: LoadOptions,
    merged: Merged,
    seen: tuple[Path, ...],
    imported: Imported,
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
            included = read_file(str(path), path, None)
            included.directory = absolute(Path(spec.get("project_directory") or path.parent))
            inc_env = _include_env(file, spec, env, opts.environ)
            if opts.interpolate:
                included.data = interpolate_data(included.data, inc_env, included, ())
            nested: Imported = {}
            include(included, inc_env, opts, merged, (*seen, path), nested)
            services = services_of(included, inc_env)
            refuse_conflicts(included, services, nested)
            for section, known in nested.items():
                for key, value in known.items():
                    _import(imported, section, key, value, where)
            for service_name, service in services.items():
                if _import(imported, "services", service_name, service.config, where):
                    merged.addservices_of({service_name: service})
            merged.add_top_level(included)  # checks each section is a mapping
            for section in merged.top:
                for key, definition in (included.data.get(section) or {}).items():
                    _import(imported, section, key, definition or {}, where)


def _include_entry(file: ComposeFile, index: int, entry: Any) -> tuple[dict[str, Any], list[str]]:
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
    file: ComposeFile, spec: dict[str, Any], env: Mapping[str, str], shell: Mapping[str, str]
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
