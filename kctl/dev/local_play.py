"""Carry out a LocalPlan with Podman, as `docker compose up` starts a project: the network and
named volumes first, the private files, then each pod in dependency order, waiting for what a
`depends_on` condition asks (healthy: the Compose healthcheck passes; completed: exit 0).

Also the undo (`kctl down`): everything labelled with the instance, whatever is left of it.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.dev import proc
from kctl.dev.local_plan import (
    COMPONENT_LABEL,
    RELEASE_LABEL,
    LocalFile,
    LocalPlan,
    Unit,
    unit_argv,
)
from kctl.dev.pods import containers, failure, logs
from kctl.dev.services import Healthcheck, Services
from kctl.errors import OperationError
from kctl.progress import Progress


def _exists(podman: str, kind: str, name: str) -> bool:
    return proc.run([podman, kind, "exists", name], timeout=60, what=f"podman {kind} exists").ok


def ensure_network(podman: str, name: str, instance: str) -> None:
    """The release's network (DNS on: aardvark answers with the pods' aliases)."""
    if _exists(podman, "network", name):
        return
    argv = [podman, "network", "create", "--label", f"{RELEASE_LABEL}={instance}", name]
    result = proc.run(argv, timeout=60, what="podman network create")
    if not result.ok and not _exists(podman, "network", name):  # created meanwhile: fine
        proc.check(result, "podman network create")


def ensure_volumes(podman: str, names: Sequence[str], instance: str) -> None:
    """Named volumes are created once and kept (like Compose) until `kctl down --volumes`."""
    for name in names:
        if _exists(podman, "volume", name):
            continue
        argv = [podman, "volume", "create", "--label", f"{RELEASE_LABEL}={instance}", name]
        proc.check(proc.run(argv, timeout=60, what="podman volume create"), "podman volume create")


def write_files(folder: Path, files: Sequence[LocalFile]) -> None:
    """Secrets and configs as files in a folder only their owner can enter (0700)."""
    shutil.rmtree(folder, ignore_errors=True)
    if not files:
        return
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    for item in files:
        item.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(item.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, item.data)
            os.fchmod(fd, item.mode & 0o777)
        finally:
            os.close(fd)


def pod_names(podman: str, instance: str) -> list[str]:
    argv = [
        podman,
        "pod",
        "ps",
        "--format",
        "{{.Name}}",
        "--filter",
        f"label={RELEASE_LABEL}={instance}",
    ]
    result = proc.check(proc.run(argv, timeout=60, what="podman pod ps"), "podman pod ps")
    return result.stdout.split()


def remove_pods(podman: str, pods: Sequence[str]) -> None:
    if pods:
        argv = [podman, "pod", "rm", "-f", "-t", "0", *pods]
        proc.check(proc.run(argv, timeout=120, what="podman pod rm"), "podman pod rm")


def container_of(podman: str, instance: str, service: str) -> dict[str, Any] | None:
    for container in containers(podman, instance):
        if (container.get("Labels") or {}).get(COMPONENT_LABEL) == service:
            return container
    return None


def wait_completed(podman: str, instance: str, service: str, timeout: float) -> None:
    """service_completed_successfully: the service's container exits with code 0."""
    deadline = time.monotonic() + timeout
    while True:
        found = container_of(podman, instance, service)
        if found is not None and found.get("State") in ("exited", "stopped"):
            if found.get("ExitCode") == 0:
                return
            err = failure(podman, found)
            err.message = f"{service} did not complete successfully: {err.message}"
            raise err
        if time.monotonic() > deadline:
            raise OperationError(f"{service} did not complete within {timeout:g} s")
        time.sleep(0.1)


def _probe(podman: str, container: str, check: Healthcheck) -> tuple[bool, list[str]]:
    argv = [podman, "exec", container, *check.argv]
    try:
        result = proc.run(argv, timeout=max(check.timeout, 1.0), what="healthcheck")
    except OperationError as err:  # the probe timed out: a failed check, as in Docker
        return False, [err.message]
    return result.ok, (result.stdout + result.stderr).strip().splitlines()[-5:]


def wait_healthy(
    podman: str, instance: str, service: str, check: Healthcheck, timeout: float
) -> None:
    """service_healthy: the Compose healthcheck passes in the service's container.

    Probed at most 0.25 s apart (healthy as soon as it is); unhealthy (as Docker decides it)
    once `retries` probes in a row failed after the start period and at least
    start_period + retries x interval passed.
    """
    started = time.monotonic()
    failures, output = 0, list[str]()
    while True:
        found = container_of(podman, instance, service)
        if found is not None and found.get("State") not in (
            "created",
            "configured",
            "initialized",
            "running",
        ):
            err = failure(podman, found)
            err.message = f"{service} stopped before it was healthy: {err.message}"
            raise err
        if found is not None and found.get("State") == "running":
            ok, output = _probe(podman, str(found["Id"]), check)
            if ok:
                return
            elapsed = time.monotonic() - started
            failures = failures + 1 if elapsed >= check.start_period else 0
            patience = check.start_period + check.retries * check.interval
            if failures >= check.retries and elapsed >= patience:
                name = str((found.get("Names") or [service])[0])
                raise OperationError(
                    f"{service} is unhealthy: its healthcheck failed {failures} times",
                    details=[f"$ {' '.join(check.argv)}", *output, *logs(podman, name)[-10:]],
                    hint="fix the service or its healthcheck; kctl keeps watching",
                )
        if time.monotonic() - started > timeout:
            raise OperationError(f"{service} was not healthy within {timeout:g} s", details=output)
        time.sleep(min(max(check.interval, 0.1), 0.25))  # healthy as soon as it is


def write_manifests(plan: LocalPlan, folder: Path) -> None:
    """Each unit's objects as played (or swapped into), one manifest per service."""
    for unit in plan.units:
        write_manifest(unit, folder)


def write_manifest(unit: Unit, folder: Path) -> Path:
    from kctl.fsio import write_file
    from kctl.yamlio import dump_all

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{unit.service}.yaml"
    write_file(path, dump_all(unit.objects))
    return path


class Player(Struct):
    """Plays a plan's units in order; `played` lists the pods it started (for a clean-up)."""

    podman: str
    timeout: float
    progress: Progress
    play: Callable[[list[str], Path], None]  # (extra kube play flags, manifest) -> plays it
    played: list[str] = field(default_factory=list)

    def start(self, plan: LocalPlan, folder: Path, services: Services, manifests: Path) -> None:
        if plan.network:
            ensure_network(self.podman, plan.network, plan.instance)
        ensure_volumes(self.podman, plan.volumes, plan.instance)
        stale = set(pod_names(self.podman, plan.instance)) - {u.pod for u in plan.units}
        remove_pods(self.podman, sorted(stale))
        deadline = time.monotonic() + self.timeout
        for unit in plan.units:
            facts = services.get(unit.service)
            for dep in facts.depends_on if facts else ():
                self.wait(plan.instance, dep.service, dep.condition, services, deadline)
            path = write_manifest(unit, manifests)
            if len(plan.units) > 1:
                self.progress.step(f"start {unit.service} (as {', '.join(unit.aliases)})")
            self.played.append(unit.pod)
            self.play(unit_argv(unit, plan.network), path)

    def wait(
        self, instance: str, service: str, condition: str, services: Services, deadline: float
    ) -> None:
        left = max(deadline - time.monotonic(), 1.0)
        if condition == "service_completed_successfully":
            self.progress.step(f"wait for {service} to complete")
            wait_completed(self.podman, instance, service, left)
        elif condition == "service_healthy":
            facts = services.get(service)
            if facts is None or facts.healthcheck is None:
                raise OperationError(
                    f"depends_on {service}: service_healthy, but {service} has no healthcheck"
                )
            self.progress.step(f"wait for {service} to be healthy")
            wait_healthy(self.podman, instance, service, facts.healthcheck, left)


class Removal(Struct, frozen=True):
    pods: list[str]
    network: str | None = None
    volumes: list[str] = field(default_factory=list)
    files: bool = False
    kept: list[str] = field(default_factory=list)  # named volumes left (without --volumes)

    @property
    def anything(self) -> bool:
        return bool(self.pods or self.network or self.volumes or self.files)


def remove_instance(podman: str, instance: str, folder: Path, volumes: bool) -> Removal:
    """Everything labelled with the instance: pods, its network, its private files and (with
    volumes) its named volumes. Whatever is already gone is not an error."""
    pods = pod_names(podman, instance)
    remove_pods(podman, pods)
    network = f"kctl-{instance}"
    removed_network = None
    if _exists(podman, "network", network):
        result = proc.run(
            [podman, "network", "rm", "-f", network], timeout=60, what="podman network rm"
        )
        proc.check(result, "podman network rm")
        removed_network = network
    files = folder.exists()
    shutil.rmtree(folder, ignore_errors=True)
    argv = [podman, "volume", "ls", "-q", "--filter", f"label={RELEASE_LABEL}={instance}"]
    result = proc.check(proc.run(argv, timeout=60, what="podman volume ls"), "podman volume ls")
    found = result.stdout.split()
    if not volumes:
        return Removal(pods, removed_network, [], files, kept=found)
    if found:
        argv = [podman, "volume", "rm", "-f", *found]
        proc.check(proc.run(argv, timeout=60, what="podman volume rm"), "podman volume rm")
    return Removal(pods, removed_network, found, files)
