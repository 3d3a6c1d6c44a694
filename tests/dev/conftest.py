"""Fixtures for `kctl up`: a pullable busybox base image, app copies, a driven kctl process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import services

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "up"


@pytest.fixture(scope="session")
def busybox_base(
    services_dir: Path, registry: services.Registry, podman: services.Podman, docker_host: str
) -> str:
    """A FROM-scratch busybox image in the test registry (nothing can be pulled from outside)."""
    import docker

    ref = f"{registry.host}/kctl-test/busybox:1"
    services.build_busybox_image(podman.env, ref, services_dir / "busybox", ["/bin/busybox", "sh"])
    client = docker.APIClient(base_url=docker_host, version="1.41")
    try:
        for chunk in client.push(
            f"{registry.host}/kctl-test/busybox", tag="1", stream=True, decode=True
        ):
            assert "error" not in chunk, chunk
    finally:
        client.close()
    return ref


@pytest.fixture
def up_env(docker_host: str, helm: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a kctl process: the test Podman and helm, a private TMPDIR."""
    env = dict(os.environ)
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    env["NO_COLOR"] = "1"
    env.pop("KUBECONFIG", None)
    return env


def copy_example(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns(".kctl"))
    return target


def kctl(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI to completion."""
    return subprocess.run(
        [sys.executable, "-m", "kctl", *args],
        check=False,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class UpProcess:
    """`kctl up -o json` in watch mode, driven from a test: one JSON document per cycle."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "kctl", "up", "-o", "json", *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.cycles: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.popen.stdout is not None
        decoder, buffer = json.JSONDecoder(), ""
        for line in self.popen.stdout:
            buffer += line
            try:
                doc, end = decoder.raw_decode(buffer.lstrip())
            except ValueError:
                continue
            with self._lock:
                self.cycles.append(doc)
            buffer = buffer.lstrip()[end:]

    def _read_stderr(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr.append(line)

    def wait_cycles(self, count: int, timeout: float = 120) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.cycles) >= count:
                    return list(self.cycles)
            if self.popen.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(
            f"expected {count} cycles, got {len(self.cycles)}; stderr:\n"
            + "".join(self.stderr)[-3000:]
        )

    def interrupt(self, timeout: float = 30) -> int:
        self.popen.send_signal(signal.SIGINT)
        return self.popen.wait(timeout)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)


@pytest.fixture
def up_process() -> Iterator[list[UpProcess]]:
    started: list[UpProcess] = []
    yield started
    for process in started:
        process.stop()
