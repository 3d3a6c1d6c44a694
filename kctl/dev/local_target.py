"""The `local` target: the chart rendered by `helm template`, run by `podman kube play`.

Host ports are published on 127.0.0.1 only; the deploy is ready when every published port
accepts connections, and fails fast (with the container's last log lines) if one exits.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kctl.dev import proc
from kctl.dev.deploy import Deployed, helm_values, load_state, save_state
from kctl.dev.registry import is_loopback, split_registry
from kctl.dev.source import Release
from kctl.errors import KctlError, OperationError

# What `podman kube play` (4.x) runs or accepts; everything else is not run locally.
PLAYABLE = {"Pod", "Deployment", "ConfigMap", "Secret", "PersistentVolumeClaim"}
RELEASE_LABEL = "kctl.dev/release"


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj.get("kind") == "Pod":
        spec = obj.setdefault("spec", {})
    else:
        template = obj.setdefault("spec", {}).setdefault("template", {})
        spec = template.setdefault("spec", {})
    return spec if isinstance(spec, dict) else None


def _pod_labels(obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("kind") == "Pod":
        meta = obj.setdefault("metadata", {})
    else:
        meta = obj["spec"]["template"].setdefault("metadata", {})
    labels: dict[str, Any] = meta.setdefault("labels", {})
    return labels


def local_manifest(
    documents: Sequence[Any], release: str, ports: Sequence[tuple[int, int]]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Objects Podman can play, with host ports published on 127.0.0.1; plus endpoints, skipped.

    A container port is published on the host port `port-forward` maps it to, else on the
    same number (Podman publishes nothing without a hostPort).
    """
    forward = {remote: local for local, remote in ports}
    played, skipped, endpoints = [], [], []
    used: set[int] = set()
    for obj in documents:
        if not isinstance(obj, dict) or "kind" not in obj:
            continue
        kind = obj["kind"]
        if kind not in PLAYABLE:
            if kind != "Service":  # Services are what host ports replace locally
                skipped.append(f"{kind}/{obj.get('metadata', {}).get('name', '?')}")
            continue
        if kind in ("Pod", "Deployment"):
            spec = _pod_spec(obj)
            _pod_labels(obj)[RELEASE_LABEL] = release
            for container in (spec or {}).get("containers", []):
                for port in container.get("ports", []) or []:
                    number = int(port.get("containerPort", 0))
                    host = int(port.get("hostPort") or forward.get(number, number))
                    if host in used:
                        continue
                    used.add(host)
                    port["hostPort"] = host
                    port["hostIP"] = "127.0.0.1"
                    endpoints.append(f"http://127.0.0.1:{host}")
        played.append(obj)
    return played, endpoints, skipped


class LocalTarget:
    """Render the chart with `helm template`, run it with `podman kube play --replace`."""

    name = "local"

    def __init__(
        self, timeout: float = 120.0, ports: Sequence[tuple[int, int]] = (), dry_run: bool = False
    ) -> None:
        self.timeout = timeout
        self.ports = list(ports)
        self.dry_run = dry_run
        self._stopping: threading.Thread | None = None
        self._stopped: str | None = None  # the release prepare() stopped

    def prepare(self, state_dir: Path) -> None:
        """Stop the running pods while the new image is pushed: the ports must be free anyway.

        Only called once a build succeeded, so a broken build leaves the old version serving.
        """
        state = load_state(state_dir)
        if self.dry_run or self._stopping is not None or not state or "release" not in state:
            return
        podman, release = proc.binary("podman"), str(state["release"])

        def stop_ahead() -> None:
            with contextlib.suppress(KctlError):  # deploy() then stops them itself, and reports
                stop_pods(podman, release)
                self._stopped = release

        self._stopping = threading.Thread(target=stop_ahead, daemon=True)
        self._stopping.start()

    def render(self, release: Release) -> list[Any]:
        import yaml

        argv = [
            proc.binary("helm"),
            "template",
            release.name,
            str(release.chart),
            "--namespace",
            release.namespace,
            *helm_values(release),
        ]
        result = proc.check(proc.run(argv, timeout=120, what="helm template"), "helm template")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return [d for d in yaml.load_all(result.stdout, Loader=loader) if d]

    def deploy(self, release: Release, state_dir: Path, on_step: Callable[[str], None]) -> Deployed:
        from kctl.fsio import write_file
        from kctl.yamlio import dump_all

        objects, endpoints, skipped = local_manifest(self.render(release), release.name, self.ports)
        if not any(o["kind"] in ("Pod", "Deployment") for o in objects):
            raise OperationError(
                "the chart renders nothing the local target can run (Pod or Deployment)",
                hint="deploy it to a cluster with --target helm",
            )
        manifest = dump_all(objects)
        deployed = Deployed("local", endpoints=endpoints, manifest=manifest, skipped=skipped)
        if self.dry_run:
            return deployed
        path = state_dir / "manifest.yaml"
        save_state(state_dir, {"target": "local", "release": release.name, "manifest": str(path)})
        write_file(path, manifest)
        podman = proc.binary("podman")
        on_step(f"podman kube play {release.name}")
        if self._stopping is not None:
            self._stopping.join()
            self._stopping = None
        if self._stopped != release.name:
            stop_pods(podman, release.name)
        self._stopped = None
        argv = [podman, "kube", "play", "--replace"]
        images = [
            c.get("image", "")
            for o in objects
            for c in (_pod_spec(o) or {}).get("containers", [])
            if o["kind"] in ("Pod", "Deployment")
        ]
        if images and all(is_loopback(split_registry(i)[0] or "") for i in images):
            argv.append("--tls-verify=false")  # a registry on this machine speaks plain HTTP
        result = proc.run([*argv, str(path)], timeout=self.timeout, what="podman kube play")
        proc.check(result, "podman kube play")
        wait_ready(podman, release.name, endpoints, self.timeout)
        return deployed

    @staticmethod
    def remove(state: dict[str, Any], timeout: float, volumes: bool = False) -> list[str]:
        """Stop and remove the pods (and, with volumes, the claims' volumes) kctl up played."""
        podman = proc.binary("podman")
        stop_pods(podman, state["release"])
        manifest = Path(state["manifest"])
        removed = []
        if manifest.is_file():
            result = proc.run(
                [podman, "kube", "down", str(manifest)], timeout=timeout, what="podman kube down"
            )
            proc.check(result, "podman kube down")
            removed = [line for line in result.stdout.splitlines() if line and ":" not in line]
            if volumes:
                import yaml

                for doc in yaml.safe_load_all(manifest.read_text(encoding="utf-8")):
                    if isinstance(doc, dict) and doc.get("kind") == "PersistentVolumeClaim":
                        name = doc["metadata"]["name"]
                        proc.run([podman, "volume", "rm", "-f", name], timeout=60, what="rm")
        return removed


def _release_pods(podman: str, release: str, running: bool = False) -> list[str]:
    argv = [podman, "pod", "ps", "-q", "--filter", f"label={RELEASE_LABEL}={release}"]
    if running:
        argv += ["--filter", "status=running"]
    result = proc.run(argv, timeout=60, what="podman pod ps")
    proc.check(result, "podman pod ps")
    return result.stdout.split()


def stop_pods(podman: str, release: str) -> None:
    """Stop a release's pods at once (-t 0): kube play --replace would wait for each grace."""
    pods = _release_pods(podman, release, running=True)
    if pods:
        proc.run([podman, "pod", "stop", "-t", "0", *pods], timeout=60, what="podman pod stop")


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _failed_containers(podman: str, release: str) -> list[dict[str, Any]]:
    pods = _release_pods(podman, release)
    if not pods:
        return []
    argv = [podman, "ps", "-a", "--format", "json"]
    for pod in pods:
        argv += ["--filter", f"pod={pod}"]
    result = proc.run(argv, timeout=60, what="podman ps")
    try:
        containers = json.loads(result.stdout or "[]")
    except ValueError:
        return []
    return [c for c in containers if not c.get("IsInfra") and c.get("State") in ("exited", "dead")]


def wait_ready(podman: str, release: str, endpoints: Sequence[str], timeout: float) -> None:
    """Wait until every published port accepts connections; fail fast if a container exits."""
    ports = [int(e.rsplit(":", 1)[1]) for e in endpoints]
    deadline = time.monotonic() + timeout
    while True:
        if all(_port_open(p) for p in ports):
            return
        failed = _failed_containers(podman, release)
        if failed:
            name = failed[0].get("Names", ["?"])[0]
            logs = proc.run([podman, "logs", "--tail", "20", name], timeout=30, what="logs")
            raise OperationError(
                f"container {name} exited (code {failed[0].get('ExitCode')})",
                details=(logs.stdout + logs.stderr).strip().splitlines()[-20:],
                hint="fix the app or its command; kctl keeps watching",
            )
        if time.monotonic() > deadline:
            raise OperationError(
                f"not ready within {timeout:g} s: {', '.join(endpoints)} not accepting connections"
            )
        time.sleep(0.1)
