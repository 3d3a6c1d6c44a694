"""What `kctl up` prints: -o yaml cycles as separate documents, -q keeps the endpoint, Ctrl-C
says what still runs and how to remove it. Real Podman service and registry."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.dev.test_up import hello_args, namespace, wait_for_page
from tests.support.kctl_cli import UpProcess, copy_example, kctl
from tests.support.services import Registry, free_port, wait_until


@pytest.mark.e2e
def test_yaml_cycles_are_documents_and_ctrl_c_says_what_still_runs(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    port = free_port()
    args = [*hello_args(namespace(registry, request), busybox_base, port), "--watch-delay", "0.2"]
    out, err = tmp_path / "out.yaml", tmp_path / "err.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "kctl", "up", "-o", "yaml", *args],
            env=up_env,
            cwd=app,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            wait_for_page(port, (app / "www" / "index.html").read_text())
            (app / "www" / "index.html").write_text("<h1>two</h1>\n")
            wait_for_page(port, "<h1>two</h1>\n")
            wait_until(lambda: "cycle: 2" in out.read_text(), 30, "second cycle")
            time.sleep(0.2)
            process.send_signal(signal.SIGINT)
            assert process.wait(30) == 130
        finally:
            if process.poll() is None:
                process.kill()
    docs = list(yaml.safe_load_all(out.read_text()))
    assert [d["cycle"] for d in docs] == [1, 2] and all(d["ok"] for d in docs)
    text = err.read_text()
    assert f"hello still runs (local): http://127.0.0.1:{port}" in text
    assert "`kctl down` removes it" in text and text.endswith("\n")
    assert "Traceback" not in text
    assert kctl(["down"], up_env, app).returncode == 0


@pytest.mark.e2e
def test_quiet_still_prints_the_endpoint(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    port = free_port()
    args = ["-q", "up", "--once", *hello_args(namespace(registry, request), busybox_base, port)]
    result = kctl(args, up_env, app)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"http://127.0.0.1:{port}\n"
    assert "build" not in result.stderr
    assert kctl(["down"], up_env, app).returncode == 0


@pytest.mark.e2e
def test_ctrl_c_after_a_failed_first_deploy_does_not_claim_it_runs(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    busybox_base: str,
    up_process: list[UpProcess],
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    dockerfile = app / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + 'ENTRYPOINT ["/bin/busybox", "false"]\n')
    up = UpProcess(hello_args(namespace(registry, request), busybox_base, free_port()), up_env, app)
    up_process.append(up)
    [first] = up.wait_cycles(1)
    assert not first["ok"]
    assert up.interrupt() == 130
    text = "".join(up.stderr)
    assert "hello is deployed but not running (local); `kctl down` removes it" in text
    assert "still runs" not in text
    assert kctl(["down"], up_env, app).returncode == 0
