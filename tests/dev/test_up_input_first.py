"""`kctl up` refuses bad input (exit 2, file:line) before it touches the engine, a registry or
the network, and stops cleanly on SIGINT/SIGTERM/SIGHUP whatever disposition it inherited."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.kctl_cli import copy_example
from tests.support.run import run_kctl
from tests.support.services import free_port

# an engine and a registry that nothing answers on: any contact fails with exit 1 or 3
NOWHERE = {"DOCKER_HOST": "unix:///nonexistent/kctl-test.sock"}

BAD_VALUES = [
    ('registry = "localhost:5000\\u0007"', "registry"),
    ('image = "localhost:5000/app\\u0007x"', "image"),
    ('image = "localhost:5000/my app"', "image"),
    ('image = "App"', "image"),
    ('name = "Bad Name"', "name"),
    ('namespace = "bad_ns"', "namespace"),
    ('chart = "no-such-chart"', "no Helm chart"),
    ('build-target = "no-such-stage"', "has no such stage"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("line", "said"), BAD_VALUES)
def test_a_bad_kctl_toml_value_is_exit_2_before_any_engine_or_registry(
    tmp_path: Path, line: str, said: str
) -> None:
    app = copy_example("hello", tmp_path)
    config = app / "kctl.toml"
    key = line.split(" = ", maxsplit=1)[0]
    table = [
        line if text.startswith(f"{key} = ") else text
        for text in config.read_text().splitlines()
        if key not in ("name", "namespace") or not text.startswith(f"{key} = ")
    ]
    if line not in table:
        table.insert(table.index("[environments.development]") + 1, line)
    config.write_text("\n".join(table) + "\n")
    number = table.index(line) + 1
    env = {**NOWHERE, "NO_COLOR": "1", "KCTL_REGISTRY": None}
    result = run_kctl("up", "--once", "--target", "local", cwd=app, env=env)
    assert result.exit_code == 2, result.stderr
    assert said in result.stderr, result.stderr
    if said not in ("no Helm chart", "has no such stage"):  # said of the chart, the Dockerfile
        assert f"kctl.toml:{number}" in result.stderr, result.stderr
    for contact in ("engine", "unreachable", "internal error", "Traceback", "  build "):
        assert contact not in result.stderr, result.stderr


@pytest.mark.integration
def test_a_compose_image_that_cannot_be_pushed_to_is_exit_2_at_its_line(tmp_path: Path) -> None:
    app = copy_example("two-services", tmp_path)
    compose = app / "compose.yaml"
    compose.write_text(
        compose.read_text().replace("  web:\n", "  web:\n    image: localhost:5000/my web\n", 1)
    )
    env = {**NOWHERE, "NO_COLOR": "1"}
    result = run_kctl("up", "--once", "--target", "local", cwd=app, env=env)
    assert result.exit_code == 2, result.stderr
    assert "compose.yaml:" in result.stderr and "my web" in result.stderr, result.stderr
    assert "internal error" not in result.stderr and "unreachable" not in result.stderr


def ignoring_sigint() -> None:
    """What a POSIX shell does for a background job: SIGINT ignored from the start."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.e2e  # signals delivered to a real process, with the disposition it inherited
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_up_stops_on_a_signal_even_when_started_with_sigint_ignored(
    tmp_path: Path, up_env: dict[str, str], signum: signal.Signals
) -> None:
    app = copy_example("hello", tmp_path)
    # a registry that accepts the connection and never answers: kctl is blocked in a request
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen(8)
    host = f"127.0.0.1:{listener.getsockname()[1]}"
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "kctl", "up", "--target", "local", "--registry", host],
            cwd=app,
            env=up_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=ignoring_sigint,  # noqa: PLW1509 - the point of the test
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                listener.settimeout(0.5)
                try:
                    conn, _ = listener.accept()  # kctl asked the registry: it is mid-cycle
                    break
                except OSError:
                    continue
            else:
                pytest.fail("kctl never contacted the registry")
            process.send_signal(signum)
            _, stderr = process.communicate(timeout=30)
            conn.close()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    finally:
        listener.close()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
