"""Stream the running release's container logs (`kctl up --logs`, like `skaffold dev`).

One `podman logs --follow --names` for the release's app containers, once a deploy is ready;
lines go to a callback (the CLI prints them prefixed with the container). It ends by
itself when the containers are replaced (the next cycle starts another one) and is stopped,
never left behind, when kctl exits.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable

from kctl.dev import proc
from kctl.dev.pods import containers


class LogFollower:
    def __init__(self, on_line: Callable[[str], None]) -> None:
        self.on_line = on_line
        self.process: subprocess.Popen[str] | None = None

    def follow(self, instance: str) -> None:
        """Follow the running containers of instance, from their start (they were just
        deployed), replacing what was followed."""
        self.stop()
        podman = proc.binary("podman")
        ids = [str(c["Id"]) for c in containers(podman, instance) if c.get("State") == "running"]
        if not ids:
            return
        argv = [podman, "logs", "--follow", "--names", *ids]
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()

    def _pump(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.on_line(line.rstrip("\n"))

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
