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
    """depends_on must not loop (docker-compose refuses a dependency cycle too)."""
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dependency in services[name].config.get("depends_on") or {}:
            if dependency not in services:
                continue
            if state.get(dependency) == 1:
                cycle = [*path[path.index(dependency) :], dependency]
                raise InputError(
                    "dependency cycle: " + " -> ".join(cycle),
                    location=services[name].location("depends_on"),
                )
            if dependency not in state:
                visit(dependency, [*path, dependency])
        state[name] = 2

    for name in services:
        if name not in state:
            visit(name, [name])


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
