"""`kctl up` never lies about what runs: failed deploys roll back, crashes are reported fast.

Real Podman service, real registry, real `podman kube play`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kctl.dev.local_target import LocalTarget
from kctl.dev.loop import Session
from kctl.dev.source import open_source
from kctl.errors import OperationError
from tests.dev.test_up import (
    hello_args,
    hello_environment,
    namespace,
    release_pods,
    wait_for_page,
    watching_hello,
)
from tests.support.kctl_cli import UpProcess, copy_example, fetch, kctl
from tests.support.services import Podman, Registry, free_port

CRASH = 'ENTRYPOINT ["/bin/busybox", "sh", "-c", "echo boom-{n} >&2; exit 3"]\n'


@pytest.mark.e2e
def test_a_crash_looping_deploy_fails_fast_with_logs_and_the_old_release_serves(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    up_process: list[UpProcess],
    request: pytest.FixtureRequest,
) -> None:
    ns = namespace(registry, request)
    app, port, up = watching_hello(tmp_path, up_env, up_process, ns, busybox_base)
    page = (app / "www" / "index.html").read_text()

    # an entrypoint that exits: Podman restarts it again and again (state `stopped`); the
    # cycle fails within seconds, not after the 300 s timeout, and shows the app's last words
    dockerfile = (app / "Dockerfile").read_text()
    (app / "Dockerfile").write_text(dockerfile + CRASH.format(n=1))
    cycles = up.wait_cycles(2, timeout=90)
    assert not cycles[1]["ok"]
    assert "exited (code 3)" in cycles[1]["error"], cycles[1]["error"]
    assert "boom-1" in "".join(up.stderr)
    assert "not ready within" not in "".join(up.stderr)
    # the previous release was played again: it serves
    wait_for_page(port, page, timeout=30)
    assert "rolled back" in "".join(up.stderr)

    # restoring the file: what runs is what was built from it, and it serves
    (app / "Dockerfile").write_text(dockerfile)
    cycles = up.wait_cycles(3)
    assert cycles[2]["ok"], up.stderr
    assert fetch(port) == page
    assert up.interrupt() == 130
    assert kctl(["down"], up_env, app).returncode == 0


@pytest.mark.e2e
def test_nothing_changed_is_only_said_when_the_release_still_runs(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    up_process: list[UpProcess],
    request: pytest.FixtureRequest,
) -> None:
    ns = namespace(registry, request)
    app, port, up = watching_hello(tmp_path, up_env, up_process, ns, busybox_base)
    index = app / "www" / "index.html"

    # same bytes, the release runs: nothing to do
    index.write_text(index.read_text())
    cycles = up.wait_cycles(2)
    assert cycles[1]["ok"] and not cycles[1]["deployed"]

    # the pod is stopped behind kctl's back: the same no-op edit now redeploys
    podman.run("pod", "stop", "-t", "0", *release_pods(podman, "hello"))
    assert fetch(port) is None
    index.write_text(index.read_text())
    cycles = up.wait_cycles(3)
    assert cycles[2]["ok"] and cycles[2]["deployed"], up.stderr
    assert fetch(port) == index.read_text()
    assert up.interrupt() == 130
    assert kctl(["down"], up_env, app).returncode == 0


@pytest.mark.e2e
def test_once_reports_a_crash_with_its_logs_and_exit_1(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    (app / "Dockerfile").write_text((app / "Dockerfile").read_text() + CRASH.format(n=2))
    args = ["up", "--once", *hello_args(namespace(registry, request), busybox_base, free_port())]
    result = kctl(args, up_env, app, timeout=90)
    assert result.returncode == 1
    assert "exited (code 3)" in result.stderr and "boom-2" in result.stderr
    assert "Traceback" not in result.stderr
    assert kctl(["down"], up_env, app).returncode == 0
    assert release_pods(podman, "hello") == []


@pytest.mark.e2e
def test_a_failed_push_starts_again_what_was_stopped_ahead_of_the_deploy(
    tmp_path: Path,
    docker_host: str,
    helm: Path,
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, port, env = hello_environment(tmp_path, namespace(registry, request), busybox_base)
    session = Session(open_source(env, ordered=True), LocalTarget(60, env.port_forward))
    assert session.cycle().ok
    page = (app / "www" / "index.html").read_text()
    wait_for_page(port, page)

    def refused(*args: object, **kwargs: object) -> None:
        raise OperationError("push refused")

    monkeypatch.setattr("kctl.dev.loop.push_planned", refused)
    dockerfile = app / "Dockerfile"  # a rebuild file: a build, then a push
    dockerfile.write_text(dockerfile.read_text() + "LABEL never=pushed\n")
    cycle = session.cycle([str(dockerfile)])
    assert cycle.error is not None and "push refused" in str(cycle.error)
    assert fetch(port) == page  # the pods stopped while pushing were started again
    assert session.target.running(env.state_dir) is not None
    assert kctl(["down"], dict(os.environ, NO_COLOR="1"), app).returncode == 0
