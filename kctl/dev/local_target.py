"""The `local` target: the chart rendered by `helm template`, run by `podman kube play`.

Host ports are published on 127.0.0.1 only; the deploy is ready when every published port
accepts connections, and fails fast (with the container's last log lines) if a container stops
running. A failed deploy plays the last manifest that served again (like helm's rollback), so
the previous release serves after a short gap; what runs is recorded in the state file.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kctl.dev import proc
from kctl.dev.deploy import (
    Deployed,
    DeployState,
    RolledBackError,
    by_digest,
    helm_values,
    load_state,
    save_state,
)
from kctl.dev.pods import RELEASE_LABEL, containers, running_images, stop_pods, wait_ready
from kctl.dev.registry import is_loopback
from kctl.dev.source import HostPort, Release
from kctl.errors import InputError, KctlError, Location, OperationError
from kctl.images import ImageRef

# What `podman kube play` (4.x) runs or accepts; everything else is not run locally.
PLAYABLE = {"Pod", "Deployment", "ConfigMap", "Secret", "PersistentVolumeClaim"}
COMPONENT_LABEL = "io.kompose.service"  # the Compose service a generated chart's pod runs
MANIFEST = "manifest.yaml"  # what was played last: `kctl down` removes it
SERVING = "serving.yaml"  # the last manifest that became ready: a failed deploy goes back to it
__all__ = ["RELEASE_LABEL", "LocalTarget", "local_manifest"]


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
    documents: Sequence[Any],
    release: str,
    ports: Sequence[tuple[int, int]],
    published: Sequence[HostPort] = (),
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Objects Podman can play, with host ports published; plus endpoints, skipped.

    A container port is published on the host port `port-forward` (-p) maps it to, else on the
    one the Compose file publishes for that service (and its host IP), else on the same number
    (Podman publishes nothing without a hostPort); on 127.0.0.1 unless Compose names an IP.
    A port-forward for a port no container declares is an input error.
    """
    forward = {remote: local for local, remote in ports}
    compose = {(p.component, p.container_port): p for p in published}
    played, skipped, endpoints = [], [], []
    used: set[int] = set()
    declared: set[int] = set()
    for obj in documents:
        if not isinstance(obj, dict) or "kind" not in obj:
            continue
        kind = obj["kind"]
        if kind not in PLAYABLE:
            if kind != "Service":  # Services are what host ports replace locally
                skipped.append(f"{kind}/{obj.get('metadata', {}).get('name', '?')}")
            continue
        if kind in ("Pod", "Deployment"):
            labels = _pod_labels(obj)
            labels[RELEASE_LABEL] = release
            component = str(labels.get(COMPONENT_LABEL) or obj.get("metadata", {}).get("name"))
            for container in (_pod_spec(obj) or {}).get("containers", []):
                for port in container.get("ports", []) or []:
                    number = int(port.get("containerPort", 0))
                    declared.add(number)
                    found = compose.get((component, number))
                    host = int(
                        port.get("hostPort")
                        or forward.get(number)
                        or (found.host_port if found else number)
                    )
                    if host in used:
                        continue
                    used.add(host)
                    ip = found.host_ip if found and number not in forward else "127.0.0.1"
                    port["hostPort"], port["hostIP"] = host, ip
                    endpoints.append(f"http://{_reachable(ip)}:{host}")
        played.append(obj)
    check_forwards(ports, declared)
    return played, endpoints, skipped


def _reachable(ip: str) -> str:
    """The address a client on this machine reaches a port published on ip with."""
    if ip in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{ip}]" if ":" in ip else ip


def check_forwards(ports: Sequence[tuple[int, int]], declared: set[int]) -> None:
    unknown = [f"{local}:{remote}" for local, remote in ports if remote not in declared]
    if unknown:
        known = ", ".join(str(p) for p in sorted(declared)) or "none"
        raise InputError(
            f"port-forward {', '.join(unknown)}: no container declares that port "
            f"(declared: {known})",
            location=Location("-p / port-forward"),
            hint="forward a declared port, or declare it (Compose `ports:`/`expose:`, the chart)",
        )


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
        self._stopped_pods: list[str] = []

    def prepare(self, state_dir: Path) -> None:
        """Stop the running pods while the new image is pushed: the ports must be free anyway.

        Only called once a build succeeded, so a broken build leaves the old version serving.
        """
        state = load_state(state_dir)
        if self.dry_run or self._stopping is not None or not state:
            return
        podman, release = proc.binary("podman"), state.release

        def stop_ahead() -> None:
            with contextlib.suppress(KctlError):  # deploy() then stops them itself, and reports
                self._stopped_pods = stop_pods(podman, release)
                self._stopped = release

        self._stopping = threading.Thread(target=stop_ahead, daemon=True)
        self._stopping.start()

    def restore(self, state_dir: Path) -> None:
        """The cycle failed after prepare() (e.g. the push): start the pods it stopped again."""
        if self._stopping is not None:
            self._stopping.join()
            self._stopping = None
        pods, release, self._stopped, self._stopped_pods = (
            self._stopped_pods,
            self._stopped,
            None,
            [],
        )
        if not pods or release is None:
            return
        podman, state = proc.binary("podman"), load_state(state_dir)
        endpoints = list(state.endpoints) if state else []
        with contextlib.suppress(KctlError):  # what runs then is what running() reports
            proc.run([podman, "pod", "start", *pods], timeout=60, what="podman pod start")
            wait_ready(podman, release, endpoints, min(self.timeout, 60.0))

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

        objects, endpoints, skipped = local_manifest(
            self.render(release), release.name, self.ports, release.host_ports
        )
        if not any(o["kind"] in ("Pod", "Deployment") for o in objects):
            raise OperationError(
                "the chart renders nothing the local target can run (Pod or Deployment)",
                hint="deploy it to a cluster with --target helm",
            )
        manifest = dump_all(objects)
        deployed = Deployed("local", endpoints=endpoints, manifest=manifest, skipped=skipped)
        if self.dry_run:
            return deployed
        previous = load_state(state_dir) or DeployState("local", release.name)
        path = state_dir / MANIFEST
        state = DeployState("local", release.name, manifest=str(path))
        # until it serves, the state keeps what served before (kctl down still finds it)
        save_state(
            state_dir, replace(previous, target="local", release=release.name, manifest=str(path))
        )
        write_file(path, manifest)
        podman = proc.binary("podman")
        on_step(f"podman kube play {release.name}")
        self._stop_previous(podman, release.name)
        try:
            self._play(podman, path, _images(objects))
            wait_ready(podman, release.name, endpoints, self.timeout)
        except OperationError as err:
            raise self._roll_back(podman, release.name, state_dir, err, on_step) from None
        write_file(state_dir / SERVING, manifest)
        running = running_images(podman, release.name, endpoints) or []
        save_state(state_dir, replace(state, endpoints=tuple(endpoints), running=tuple(running)))
        return deployed

    def _stop_previous(self, podman: str, release: str) -> None:
        if self._stopping is not None:
            self._stopping.join()
            self._stopping = None
        if self._stopped != release:
            stop_pods(podman, release)
        self._stopped, self._stopped_pods = None, []

    def _play(self, podman: str, path: Path, images: list[str]) -> None:
        argv = [podman, "kube", "play", "--replace"]
        if images and all(is_loopback(ImageRef.parse(i).registry or "") for i in images):
            argv.append("--tls-verify=false")  # a registry on this machine speaks plain HTTP
        result = proc.run([*argv, str(path)], timeout=self.timeout, what="podman kube play")
        proc.check(result, "podman kube play")

    def _roll_back(
        self,
        podman: str,
        release: str,
        state_dir: Path,
        err: OperationError,
        on_step: Callable[[str], None],
    ) -> OperationError:
        """Play the last manifest that served again; the error says what serves now."""
        import yaml

        from kctl.fsio import write_file

        with contextlib.suppress(KctlError):
            stop_pods(podman, release)  # a crash loop is not left spinning
        serving, state = state_dir / SERVING, load_state(state_dir)
        if not serving.is_file():
            err.hint = (
                "nothing served before: fix the app (kctl keeps watching); kctl down stops it"
            )
            return err
        on_step("deploy failed: playing the previous release again")
        endpoints = list(state.endpoints) if state else []
        try:
            objects = [d for d in yaml.safe_load_all(serving.read_text(encoding="utf-8")) if d]
            self._play(podman, serving, _images(objects))
            wait_ready(podman, release, endpoints, min(self.timeout, 60.0))
        except OperationError as again:
            err.hint = f"rolling back failed too ({again.message}): nothing serves"
            return err
        path = state_dir / MANIFEST
        write_file(path, serving.read_text(encoding="utf-8"))
        running = running_images(podman, release, endpoints) or []
        base = state or DeployState("local", release)
        save_state(state_dir, replace(base, manifest=str(path), running=tuple(running)))
        where = f" on {', '.join(endpoints)}" if endpoints else ""
        return RolledBackError(
            f"{err.message}; rolled back: the previous release serves again{where}",
            details=err.details,
            hint="fix the app and save; kctl keeps watching",
        )

    def running(self, state_dir: Path) -> list[str] | None:
        """Images of the release when all its containers run and its ports answer, else None."""
        state = load_state(state_dir)
        if self.dry_run or not state or state.target != "local":
            return None
        return running_images(proc.binary("podman"), state.release, list(state.endpoints))

    def containers(self, state_dir: Path, images: list[str]) -> list[str]:
        """Ids of the release's running containers of these images (for a sync)."""
        state = load_state(state_dir)
        if self.dry_run or not state or state.target != "local":
            return []
        wanted = {by_digest(i) for i in images}
        return [
            str(c["Id"])
            for c in containers(proc.binary("podman"), state.release)
            if c.get("State") == "running" and by_digest(str(c.get("Image", ""))) in wanted
        ]

    @staticmethod
    def remove(state: DeployState, timeout: float, volumes: bool = False) -> list[str]:
        """Stop and remove the pods (and, with volumes, the claims' volumes) kctl up played;
        the names of the pods removed."""
        podman = proc.binary("podman")
        stop_pods(podman, state.release)
        manifest = Path(state.manifest)
        (manifest.parent / SERVING).unlink(missing_ok=True)
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


def _images(objects: Sequence[Any]) -> list[str]:
    return [
        str(c.get("image", ""))
        for o in objects
        if isinstance(o, dict) and o.get("kind") in ("Pod", "Deployment")
        for c in (_pod_spec(o) or {}).get("containers", [])
    ]
