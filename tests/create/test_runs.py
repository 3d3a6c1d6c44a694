"""Issue 26: a generated Dockerfile that cannot be shown to start the app is not done.

For Python and Node packs, real sample apps (tests/create/apps, sources in SOURCES.md) are
scaffolded, and the Dockerfile's own dependency, build and start steps run on this host in a
temp folder standing for its WORKDIR, with its ENV and CMD (parsed with dockerfile-parse);
then the EXPOSEd port answers on 127.0.0.1. Only user/permission steps (useradd, chown) are
left to the image. pip installs from PyPI and npm from the npm registry.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.cli.main import main

pytestmark = pytest.mark.integration
APPS = Path(__file__).resolve().parent / "apps"
SKIPPED = ("groupadd", "useradd", "chown", "addgroup", "adduser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def steps(dockerfile: Path) -> tuple[list[str], dict[str, str], list[str], int]:
    """(RUN commands of every stage, ENV of the final stage, CMD, EXPOSE) of a Dockerfile."""
    from dockerfile_parse import DockerfileParser

    parsed = DockerfileParser(path=str(dockerfile)).structure
    runs, env, cmd, port = [], {}, [], 0
    for item in parsed:
        instruction, value = item["instruction"], item["value"]
        if instruction == "FROM":
            env = {}
        elif instruction == "RUN" and value.split()[0] not in SKIPPED:
            runs.append(value)
        elif instruction == "ENV":
            env.update(dict(word.split("=", 1) for word in shlex.split(value)))
        elif instruction == "CMD":
            cmd = json.loads(value)
        elif instruction == "EXPOSE":
            port = int(value.split("/")[0])
    return runs, env, cmd, port


@pytest.fixture
def python_env(tmp_path: Path) -> dict[str, str]:
    """PATH with a fresh virtualenv first: the image's pip, python and servers."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path)}


@pytest.fixture
def node_env(tmp_path: Path) -> dict[str, str]:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}


def serve(app: Path, base_env: dict[str, str]) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    assert main(["-q", "create", str(app), "--dockerfile-only", "--variable", f"port={port}"]) == 0
    runs, env, cmd, exposed = steps(app / "Dockerfile")
    assert exposed == port and cmd, (exposed, cmd)
    env = {**base_env, **env}
    for command in runs:  # the WORKDIR is the app folder: the COPY steps copied it there
        done = subprocess.run(
            ["sh", "-c", command], cwd=app, env=env, capture_output=True, check=False
        )
        assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
    server = subprocess.Popen(
        cmd, cwd=app, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(port: int, path: str, server: subprocess.Popen[bytes]) -> str:
    """The body at path once the server answers (it may take a while to start)."""
    deadline = time.monotonic() + 120  # a bound on waiting, not a timing assertion
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                return str(answer.read().decode())
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read().decode() if server.stdout else ""
                pytest.fail(f"the app never answered on {port}: {output[-3000:]}")
            time.sleep(0.5)


def copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(APPS / name, tmp_path / name))


def test_flask_app_factory_without_gunicorn_serves(tmp_path: Path, python_env) -> None:
    """flaskr: pyproject lists only flask, the app is create_app() in flaskr/__init__.py."""
    for port, server in serve(copy("flaskr", tmp_path), python_env):
        assert "Log In" in get(port, "/auth/login", server)


def test_fastapi_without_uvicorn_serves(tmp_path: Path, python_env) -> None:
    for port, server in serve(copy("fastapi-first-steps", tmp_path), python_env):
        assert json.loads(get(port, "/", server)) == {"message": "Hello World"}


def test_express_app_starts_with_its_start_script(tmp_path: Path, node_env) -> None:
    app = copy("express-hello", tmp_path)
    for port, server in serve(app, node_env):
        assert get(port, "/", server) == "Hello World!"
    assert 'CMD ["npm", "start"]' in (app / "Dockerfile").read_text()
