"""What the local target needs to know of each Compose service to start it as `docker compose up`
does: the names it answers to, whom it waits for and how, its restart policy, its healthcheck.

The chart (kctl/convert) says what runs; these facts say in which order and when it counts as
started. A chart without a Compose file (kctl.toml apps) has no facts: its workloads start
together and each must keep running.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from msgspec import Struct, field

from kctl.errors import InputError

CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")
# Compose restart policy -> the pod restartPolicy Podman applies to the container
RESTART = {"no": "Never", "always": "Always", "unless-stopped": "Always", "on-failure": "OnFailure"}


class Healthcheck(Struct, frozen=True):
    """A Compose healthcheck as Docker runs it (seconds)."""

    argv: tuple[str, ...]
    interval: float = 30.0
    timeout: float = 30.0
    retries: int = 3
    start_period: float = 0.0


class Dependency(Struct, frozen=True):
    service: str
    condition: str = "service_started"
    required: bool = True


class ServiceFacts(Struct, frozen=True):
    name: str
    aliases: tuple[str, ...] = ()  # network aliases on any of the service's networks
    depends_on: tuple[Dependency, ...] = ()
    restart: str = "no"  # the Compose policy: no, always, unless-stopped, on-failure[:N]
    healthcheck: Healthcheck | None = None

    @property
    def restart_policy(self) -> str:
        return RESTART[self.restart.partition(":")[0]]


class Services(Struct, frozen=True):
    """The facts of every service of a project, by name."""

    by_name: Mapping[str, ServiceFacts] = field(default_factory=dict)

    def get(self, name: str) -> ServiceFacts | None:
        return self.by_name.get(name)


def healthcheck_argv(test: Any) -> tuple[str, ...] | None:
    """The command Docker runs for a healthcheck `test` (None: disabled or none)."""
    if isinstance(test, str):
        return ("/bin/sh", "-c", test) if test.strip() else None
    if not isinstance(test, list) or not test or test[0] == "NONE":
        return None
    kind, rest = str(test[0]), [str(t) for t in test[1:]]
    if kind == "CMD-SHELL":
        return ("/bin/sh", "-c", " ".join(rest)) if rest else None
    if kind == "CMD":
        return tuple(rest) if rest else None
    return tuple(str(t) for t in test)  # no CMD prefix: Docker runs it as CMD


def _healthcheck(service: Any) -> Healthcheck | None:
    from kctl.compose import parse_duration

    check = service.get("healthcheck") or {}
    if not isinstance(check, dict) or check.get("disable"):
        return None
    argv = healthcheck_argv(check.get("test"))
    if argv is None:
        return None

    def seconds(key: str, default: float) -> float:
        value = check.get(key)
        if value is None:
            return default
        return parse_duration(value, service.location(f"healthcheck.{key}"))

    retries = check.get("retries")
    return Healthcheck(
        argv,
        interval=seconds("interval", 30.0),
        timeout=seconds("timeout", 30.0),
        retries=int(retries) if retries is not None else 3,
        start_period=seconds("start_period", 0.0),
    )


def _aliases(service: Any) -> tuple[str, ...]:
    networks = service.get("networks") or {}
    found: list[str] = []
    if isinstance(networks, dict):
        for config in networks.values():
            for alias in (config or {}).get("aliases") or [] if isinstance(config, dict) else []:
                if str(alias) not in found:
                    found.append(str(alias))
    return tuple(found)


def facts_of(project: Any) -> Services:
    """The facts of a loaded Compose project's services."""
    found: dict[str, ServiceFacts] = {}
    for name, service in project.services.items():
        depends = service.get("depends_on") or {}
        restart = str(service.get("restart") or "no")
        if restart.partition(":")[0] not in RESTART:
            raise InputError(
                f"service {name!r}: restart {restart!r} is not no, always, unless-stopped"
                " or on-failure[:N]",
                location=service.location("restart"),
            )
        found[name] = ServiceFacts(
            name=name,
            aliases=_aliases(service),
            depends_on=tuple(
                Dependency(
                    dep,
                    str((spec or {}).get("condition") or "service_started"),
                    bool((spec or {}).get("required", True)),
                )
                for dep, spec in sorted(depends.items())
            ),
            restart=restart,
            healthcheck=_healthcheck(service),
        )
    return Services(found)


def start_order(names: Sequence[str], services: Services) -> list[str]:
    """names with every service after the ones it depends on (Compose's order); a name
    without facts keeps its place among the independent ones."""
    order: list[str] = []
    done: set[str] = set()
    entered: set[str] = set()  # a cycle (refused by the loader) cannot loop here either
    wanted = set(names)

    for root in names:
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            name, expanded = stack.pop()
            if name in done or (not expanded and name in entered):
                continue
            if expanded:
                done.add(name)
                order.append(name)
                continue
            entered.add(name)
            stack.append((name, True))
            facts = services.get(name)
            for dep in reversed(facts.depends_on if facts else ()):
                if dep.service in wanted and dep.service not in done:
                    stack.append((dep.service, False))
    return order
