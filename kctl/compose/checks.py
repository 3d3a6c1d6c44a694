"""What docker compose checks once the files are merged: active profiles, dependency cycles,
and that every service has something to run and names only what exists."""

from __future__ import annotations

from typing import Any

from kctl.compose.model import LoadOptions, Service
from kctl.errors import InputError


def apply_profiles(services: dict[str, Service], opts: LoadOptions) -> set[str]:
    """Leave out the services whose profiles are not active (--profile, COMPOSE_PROFILES);
    the names left out."""
    active = set(opts.profiles)
    if not active and opts.environ.get("COMPOSE_PROFILES"):
        active = {p.strip() for p in opts.environ["COMPOSE_PROFILES"].split(",") if p.strip()}
    disabled: set[str] = set()
    for name in list(services):
        profiles = set(services[name].config.get("profiles") or [])
        if profiles and "*" not in active and not profiles & active:
            del services[name]
            disabled.add(name)
    return disabled


def _check_cycles(services: dict[str, Service]) -> None:
    """depends_on must not loop (docker-compose refuses a dependency cycle too). A walk with
    its own stack: a chain of any length cannot exhaust Python's."""
    done: set[str] = set()
    for start in services:
        if start in done:
            continue
        path = [start]  # the services being visited, in order
        on_path = {start}
        pending = [iter(_dependencies(services, start))]
        while pending:
            dependency = next(pending[-1], None)
            if dependency is None:
                pending.pop()
                on_path.discard(path[-1])
                done.add(path.pop())
                continue
            if dependency in on_path:
                cycle = [*path[path.index(dependency) :], dependency]
                raise InputError(
                    "dependency cycle: " + " -> ".join(cycle),
                    location=services[path[-1]].location("depends_on"),
                )
            if dependency not in done:
                path.append(dependency)
                on_path.add(dependency)
                pending.append(iter(_dependencies(services, dependency)))


def _dependencies(services: dict[str, Service], name: str) -> list[str]:
    """The services name depends on that exist (a missing one is check_references's to say)."""
    return [d for d in services[name].config.get("depends_on") or {} if d in services]


def check_references(
    services: dict[str, Service], top: dict[str, dict[str, Any]], disabled: set[str]
) -> None:
    """What docker compose checks once the files are merged: every service has something to
    run, and the services, volumes, secrets and configs it names exist."""
    _check_cycles(services)
    for service in services.values():
        if service.config.get("image") is None and not service.config.get("build"):
            raise InputError(
                f"service {service.name!r} has neither an image nor a build context",
                location=service.location(""),
                hint="give it `image:` or `build:` (docker compose refuses it too)",
            )
        for dependency, spec in (service.config.get("depends_on") or {}).items():
            if dependency in services or (
                dependency in disabled and not spec.get("required", True)
            ):
                continue  # `required: false` spares a service a profile left out, not a typo
            what = "disabled" if dependency in disabled else "undefined"
            raise InputError(
                f"service {service.name!r} depends on {what} service {dependency!r}",
                location=service.location("depends_on"),
                hint="enable its profile with --profile"
                if dependency in disabled
                else "define the service, or fix its name",
            )
        for volume in service.config.get("volumes") or []:
            if (
                volume["type"] == "volume"
                and volume.get("source")
                and (volume["source"] not in top["volumes"])
            ):
                raise InputError(
                    f"service {service.name!r} uses undefined volume {volume['source']!r}",
                    location=service.location("volumes"),
                    hint="declare it under the top-level `volumes:`",
                )
        for kind in ("secrets", "configs"):
            for mount in service.config.get(kind) or []:
                if mount["source"] not in top[kind]:
                    raise InputError(
                        f"service {service.name!r} refers to undefined {kind[:-1]} "
                        f"{mount['source']!r}",
                        location=service.location(kind),
                    )
