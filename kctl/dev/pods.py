"""What Podman runs for a release of the local target: its pods, their containers, readiness.

A release's pods and containers carry the `kctl.dev/release` label (kube play copies the pod
template's labels onto both). A container is healthy only while `running`: Podman reports a
crash-looping container (restart policy Always) as `stopped` between restarts, an exited one
as `exited`, so any other settled state fails the wait at once, with the container's logs.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from kctl.dev import proc
from kctl.dev.local_plan import COMPONENT_LABEL, RELEASE_LABEL
from kctl.errors import OperationError

# states a container passes through on its way to `running`; any other one is a failure
STARTING = ("created", "configured", "initialized", "running")
LOG_LINES = 20


def release_pods(podman: str, release: str, running: bool = False) -> list[str]:
    argv = [podman, "pod", "ps", "-q", "--filter", f"label={RELEASE_LABEL}={release}"]
    if running:
        argv += ["--filter", "status=running"]
    result = proc.run(argv, timeout=60, what="podman pod ps")
    proc.check(result, "podman pod ps")
    return result.stdout.split()


def stop_pods(podman: str, release: str) -> list[str]:
    """Stop a release's pods at once (-t 0): kube play --replace would wait for each grace."""
    pods = release_pods(podman, release, running=True)
    if pods:
        proc.run([podman, "pod", "stop", "-t", "0", *pods], timeout=60, what="podman pod stop")
    return pods


def stop_containers(
    podman: str,
    release: str,
    first: Future[Any] | None = None,
    names: Sequence[str] | None = None,
) -> list[str]:
    """Stop a release's running app containers at once (-t 0), once `first` is done (what
    keeps the pods' infra containers running meanwhile); their names. names: the ones known
    to run (saves asking Podman)."""
    if names is None:
        names = [_name(c) for c in containers(podman, release) if c.get("State") == "running"]
    names = list(names)
    if first is not None:
        first.result()
    if names:
        argv = [podman, "stop", "-t", "0", *names]
        proc.check(proc.run(argv, timeout=60, what="podman stop"), "podman stop")
    return names


def containers(podman: str, release: str) -> list[dict[str, Any]]:
    """The release's app containers (infra containers left out), as `podman ps` reports them."""
    argv = [podman, "ps", "-a", "--format", "json", "--filter", f"label={RELEASE_LABEL}={release}"]
    result = proc.run(argv, timeout=60, what="podman ps")
    try:
        found = json.loads(result.stdout or "[]")
    except ValueError:
        return []
    return [c for c in found if isinstance(c, dict) and not c.get("IsInfra")]


def port_open(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=0.2):
            return True
    except OSError:
        return False


def endpoint_ports(endpoints: Sequence[str]) -> list[tuple[str, int]]:
    """(host, port) of each http://HOST:PORT endpoint."""
    found = []
    for endpoint in endpoints:
        host, _, port = endpoint.partition("://")[2].rpartition(":")
        found.append((host.strip("[]") or "127.0.0.1", int(port)))
    return found


def finished(container: dict[str, Any], run_once: Sequence[str]) -> bool:
    """A container of a run-once service (restart no/on-failure, no published port) that
    exited 0: done, as `docker compose up` leaves it."""
    service = (container.get("Labels") or {}).get(COMPONENT_LABEL)
    return (
        service in run_once
        and container.get("State") in ("exited", "stopped")
        and container.get("ExitCode") == 0
    )


def ready_containers(
    podman: str, release: str, endpoints: Sequence[str], run_once: Sequence[str] = ()
) -> list[dict[str, Any]] | None:
    """The release's containers when every one runs (or finished, for a run-once service)
    and every endpoint answers, else None."""
    found = containers(podman, release)
    if not found or any(c.get("State") != "running" and not finished(c, run_once) for c in found):
        return None
    if not all(port_open(p) for p in endpoint_ports(endpoints)):
        return None
    return found


def running_images(
    podman: str, release: str, endpoints: Sequence[str], run_once: Sequence[str] = ()
) -> list[str] | None:
    """Images of the release when it is ready (ready_containers), else None."""
    found = ready_containers(podman, release, endpoints, run_once)
    return None if found is None else sorted({str(c.get("Image", "")) for c in found})


def running_names(found: Sequence[dict[str, Any]]) -> list[str]:
    """Names of the running ones of these containers."""
    return [_name(c) for c in found if c.get("State") == "running"]


def _name(container: dict[str, Any]) -> str:
    names = container.get("Names") or ["?"]
    return str(names[0] if isinstance(names, list) else names)


def logs(podman: str, name: str, restarts: bool = False) -> list[str]:
    """The container's last lines, stdout and stderr as Podman recorded them (one stream, in
    its order); restarts: a crash loop's output, which repeats on every run, shown once."""
    argv = [podman, "logs", "--tail", str(LOG_LINES * 2 if restarts else LOG_LINES), name]
    result = proc.run(argv, timeout=30, what="podman logs", merged=True)
    lines = result.stdout.strip().splitlines()
    if restarts:
        run = last_run(lines)
        if run is not None:
            return ["(the same output on every restart; the last run:)", *run]
    return lines[-LOG_LINES:]


def last_run(lines: list[str]) -> list[str] | None:
    """The last of the runs that make up lines, when the tail repeats one run's output (the
    order of stdout against stderr lines may differ from run to run); else None."""
    for period in range(1, len(lines) // 2 + 1):
        tail, before = lines[-period:], lines[-2 * period : -period]
        if sorted(tail) == sorted(before):
            return tail
    return None


def failure(podman: str, container: dict[str, Any]) -> OperationError:
    """The error for a container that stopped running: its state, exit code and last logs."""
    name, state = _name(container), str(container.get("State"))
    code = container.get("ExitCode")
    why = f"exited (code {code})" if state in ("exited", "stopped") else f"is {state}"
    if state == "stopped":
        why += ", Podman restarts it again and again (crash loop)"
    return OperationError(
        f"container {name} {why}",
        details=logs(podman, name, restarts=state == "stopped") or ["(no log output)"],
        hint="fix the app or its command; kctl keeps watching",
    )


def wait_ready(
    podman: str,
    release: str,
    endpoints: Sequence[str],
    timeout: float,
    run_once: Sequence[str] = (),
) -> None:
    """Wait until every container runs (a run-once one may have finished) and every published
    port accepts connections; fail at once if a container stops."""
    ports = endpoint_ports(endpoints)
    deadline = time.monotonic() + timeout
    while True:
        answering = all(port_open(p) for p in ports)
        found = containers(podman, release)
        settled = [c.get("State") == "running" or finished(c, run_once) for c in found]
        if answering and found and all(settled):
            return
        failed = [c for c in found if c.get("State") not in STARTING and not finished(c, run_once)]
        if failed:
            raise failure(podman, failed[0])
        if time.monotonic() > deadline:
            details = [line for c in found for line in logs(podman, _name(c))]
            raise OperationError(
                f"not ready within {timeout:g} s: {', '.join(endpoints)} not accepting connections",
                details=details[-LOG_LINES:],
                hint="check the ports the app listens on (--port-forward LOCAL:CONTAINER)",
            )
        time.sleep(0.1)
