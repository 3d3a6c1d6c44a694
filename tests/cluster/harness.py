"""A fake kubelet: runs a node's static pod manifests with the real Podman (`podman kube play`).

It watches etc/kubernetes/manifests and (re)plays a manifest whenever its bytes change, so a
component really restarts with its new image when kctl rewrites the manifest. The images are
FROM-scratch busybox httpd images that serve the probe paths and a /version document, baked
in at build time; the listening port comes from the PORT environment variable (the manifest's
livenessProbe port), with host networking so the probe reaches 127.0.0.1:PORT.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from tests.support.services import Podman, build_busybox_image

ENTRYPOINT = ["/bin/busybox", "sh", "-c", "exec /bin/busybox httpd -f -p 127.0.0.1:$PORT -h /www"]
HEALTH_PATHS = ("healthz", "livez", "readyz", "health")


def build_component_image(
    podman: Podman, tag: str, workdir: Path, version_doc: dict[str, str], healthy: bool = True
) -> None:
    files = {"www/version": json.dumps(version_doc)}
    if healthy:
        files.update({f"www/{p}": "ok" for p in HEALTH_PATHS})
    build_busybox_image(podman.env, tag, workdir, ENTRYPOINT, files)


def pod_for(manifest: dict[str, Any]) -> dict[str, Any]:
    """The pod the fake kubelet plays: the static pod's name, image and probe port only."""
    container = manifest["spec"]["containers"][0]
    port = container["livenessProbe"]["httpGet"]["port"]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"kctl-test-{manifest['metadata']['name']}-{port}"},
        "spec": {
            "hostNetwork": True,
            "restartPolicy": "Always",
            "containers": [
                {
                    "name": "main",
                    "image": container["image"],
                    "imagePullPolicy": "Never",
                    "env": [{"name": "PORT", "value": str(port)}],
                }
            ],
        },
    }


class FakeKubelet:
    """Plays every manifest in `manifests` and replays those that change, until stop()."""

    def __init__(self, podman: Podman, manifests: Path, workdir: Path) -> None:
        self.podman = podman
        self.manifests = manifests
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.seen: dict[str, bytes] = {}
        self.plays: list[tuple[str, str]] = []  # (component, image) in order
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> FakeKubelet:
        self.sync()
        self._thread.start()
        return self

    def sync(self) -> None:
        for path in sorted(self.manifests.glob("*.yaml")):
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            if self.seen.get(path.name) == raw:
                continue
            self.seen[path.name] = raw
            try:
                manifest = yaml.safe_load(raw)
                pod = pod_for(manifest)
            except Exception as exc:  # a malformed manifest: the kubelet would skip it too
                self.errors.append(f"{path.name}: {exc}")
                continue
            played = self.workdir / path.name
            played.write_text(yaml.safe_dump(pod))
            done = self.podman.run("kube", "play", "--replace", str(played), check=False)
            if done.returncode != 0:
                self.errors.append(f"{path.name}: {done.stderr.strip()}")
            self.plays.append((path.stem, pod["spec"]["containers"][0]["image"]))

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):
                self.sync()
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        for played in sorted(self.workdir.glob("*.yaml")):
            self.podman.run("kube", "down", str(played), check=False)
