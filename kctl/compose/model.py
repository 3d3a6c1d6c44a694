"""The Compose project after loading: canonical values (as `docker-compose config` prints them)
with the file:line of every key, so later stages can say where a problem comes from."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from msgspec import Struct, field

from kctl.compose.spec import (
    FileObject,
    ServicePort,
    ServiceSpec,
    ServiceVolume,
    VolumeSpec,
    file_object,
    service_spec,
    volume_spec,
)
from kctl.errors import Location

_NO_LABELS: Mapping[str, str] = MappingProxyType({})


class Service(Struct, dict=True):
    """One service: `config` is its canonical dict, `locations` maps dotted keys to file:line."""

    name: str
    config: dict[str, Any]
    locations: dict[str, Location] = field(default_factory=dict)
    env_file_environment: dict[str, str | None] = field(default_factory=dict)
    file: str = ""
    resets: set[str] = field(default_factory=set)  # keys a later file cleared with !reset
    overrides: set[str] = field(default_factory=set)  # keys a later file replaced (!override)
    env_files: list[str] = field(default_factory=list)  # the env files read, in order
    env_file_origin: dict[str, str] = field(default_factory=dict)  # variable -> its env file
    # list key -> indices where a later file's entries start (merge concatenates lists)
    layer_starts: dict[str, list[int]] = field(default_factory=dict)

    def location(self, path: str) -> Location:
        """Where a dotted key was written; falls back to the nearest parent key."""
        parts = path.split(".")
        while parts:
            found = self.locations.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return self.locations.get("", Location(self.file))

    def get(self, key: str, default: Any = None) -> Any:
        return self.config.get(key, default)

    @cached_property
    def spec(self) -> ServiceSpec:
        """The typed keys (healthcheck, deploy, sizes, durations), built once after loading."""
        return service_spec(self.config, self.location)

    @property
    def image(self) -> str | None:
        image = self.config.get("image")
        return str(image) if image is not None else None

    @property
    def environment(self) -> dict[str, str | None]:
        return dict(self.config.get("environment") or {})

    @property
    def labels(self) -> Mapping[str, str]:
        """The service's labels as loaded (normalize.labels made every key and value a string);
        read-only: converting reads them several times per object, so they are not copied."""
        return self.config.get("labels") or _NO_LABELS

    @property
    def ports(self) -> list[ServicePort]:
        return list(self.spec.ports)

    @property
    def volumes(self) -> list[ServiceVolume]:
        return list(self.spec.volumes)


class ComposeWarning(Struct):
    """Something kctl read but will not honour, with where it was written."""

    message: str
    location: Location
    service: str | None = None
    key: str = ""


class Project(Struct, dict=True):
    """A loaded, interpolated, merged Compose project."""

    name: str
    working_dir: Path
    services: dict[str, Service]
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    warnings: list[ComposeWarning] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)  # for interpolation

    @cached_property
    def secret_specs(self) -> dict[str, FileObject]:
        """The top-level secrets, typed (built once, after loading)."""
        return {name: file_object(spec) for name, spec in self.secrets.items()}

    @cached_property
    def config_specs(self) -> dict[str, FileObject]:
        """The top-level configs, typed (built once, after loading)."""
        return {name: file_object(spec) for name, spec in self.configs.items()}

    @cached_property
    def volume_specs(self) -> dict[str, VolumeSpec]:
        """The top-level volumes, typed (built once, after loading)."""
        return {name: volume_spec(spec) for name, spec in self.volumes.items()}

    def to_canonical(self) -> dict[str, Any]:
        """The project as `docker-compose config --format json` shapes it (consumed fields)."""
        return {
            "name": self.name,
            "services": {name: s.config for name, s in self.services.items()},
            "volumes": self.volumes,
            "secrets": self.secrets,
            "configs": self.configs,
        }


class LoadOptions(Struct, frozen=True):
    """What `-f`, `--project-directory`, `-p`, `--env-file`, `--profile` and friends say."""

    files: list[str] = field(default_factory=list)
    project_directory: Path | None = None
    project_name: str | None = None
    env_files: list[Path] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    interpolate: bool = True
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stdin: str | None = None
