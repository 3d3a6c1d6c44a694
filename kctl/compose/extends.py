"""`extends:` chains resolved into services: iteratively (a chain of any length cannot
exhaust the stack), each service and each extended file once per load."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kctl.compose.files import ComposeFile, absolute, interpolate_data, read_file
from kctl.compose.model import Service
from kctl.compose.services import build_service, raw_service
from kctl.errors import InputError


def services_of(file: ComposeFile, env: Mapping[str, str]) -> dict[str, Service]:
    """Every service a file defines, built with its extends chain."""
    raw = file.data.get("services") or {}
    if not isinstance(raw, dict):
        raise InputError("services must be a mapping", location=file.where("services"))
    for name in raw:
        if not isinstance(name, str):  # as docker-compose: `1:` is not a service name
            raise InputError(
                f"non-string key in services: {name!r}", location=file.where("services", name)
            )
    # every name is resolved once and the resolver is dropped after this loop: the services it
    # returns are its own (a base is copied before anything is merged over it), so none needs
    # another copy to be changed by later files
    resolver = Extends(env)
    return {str(name): resolver.service(file, str(name)) for name in raw}


class Extends:
    """Resolves services with their `extends` chains: iteratively (a chain of any length
    cannot exhaust Python's stack), each service and each extended file once per load."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.files: dict[Path, ComposeFile] = {}
        self.done: dict[str, Service] = {}

    def service(self, file: ComposeFile, name: str) -> Service:
        """The service `name` of file, merged over everything it extends: the resolver's own
        object, which services extending it are built from copies of (never changed here)."""
        links: list[tuple[ComposeFile, str]] = []
        seen: set[str] = set()
        current: tuple[ComposeFile, str] | None = (file, name)
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
            base = build_service(link_file, link_name, self.env, base)
            self.done[f"{link_file.name}:{link_name}"] = base
        assert base is not None
        return base

    def target(self, file: ComposeFile, name: str) -> tuple[ComposeFile, str] | None:
        """The (file, service) that `name` extends, None when it extends nothing."""
        raw = raw_service(file, name)
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
                read = read_file(str(path), path, None)
                read.data = interpolate_data(read.data, self.env, read, ())
                self.files[path] = read
            other = self.files[path]
        target = str(ext["service"])
        if target not in (other.data.get("services") or {}):
            raise InputError(
                f"extends: service {target!r} not found in {other.name}",
                location=file.where("services", name, "extends"),
            )
        return other, target
