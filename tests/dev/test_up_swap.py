"""A rebuild that changes only an image's files swaps the container inside its pod (the pod, its
network and ports stay); one that changes how the image runs plays the pod again.

Real Podman service, real registry, real helm, real `podman kube play` / `container clone`.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from kctl.dev.deploy import by_digest
from kctl.dev.local_target import LocalTarget
from kctl.dev.loop import Session
from kctl.dev.source import open_source
from kctl.errors import OperationError
from kctl.progress import Progress
from tests.dev.test_up import hello_environment, namespace, release_pods, wait_for_page
from tests.support.kctl_cli import fetch, kctl
from tests.support.services import Podman, Registry


def hello_container(podman: Podman) -> dict[str, object]:
    found = podman.run("ps", "-a", "--format", "json", "--filter", "label=kctl.dev/release=hello")
    [app] = [c for c in json.loads(found.stdout) if not c.get("IsInfra")]
    return dict(app)


@pytest.mark.e2e
def test_new_files_swap_the_container_and_a_new_entrypoint_plays_the_pod_again(
    tmp_path: Path,
    docker_host: str,
    helm: Path,
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    # no sync rules: every edit is a rebuild
    app, port, env = hello_environment(
        tmp_path, namespace(registry, request), busybox_base, sync=False
    )
    steps: list[str] = []
    session = Session(
        open_source(env, ordered=True),
        LocalTarget(60, env.port_forward),
        Progress(step=steps.append),
    )
    assert session.cycle().ok
    page = app / "www" / "index.html"
    wait_for_page(port, page.read_text())
    [pod] = release_pods(podman, "hello")

    # only the files changed: the container is swapped for one of the new image, same pod
    steps.clear()
    page.write_text("<h1>swapped</h1>\n")
    cycle = session.cycle([str(page)])
    assert cycle.ok, cycle.error
    assert "swap hello-pod-0-hello to the new image" in steps
    assert not any(s.startswith("podman kube play") for s in steps), steps
    assert fetch(port) == "<h1>swapped</h1>\n"
    assert release_pods(podman, "hello") == [pod]  # its infra kept the network and the port
    running = hello_container(podman)
    assert running["Names"] == ["hello-pod-0-hello"] and running["State"] == "running"
    [built] = cycle.built  # it runs exactly what was pushed: the digest's image
    podman.run("pull", "-q", "--tls-verify=false", built.pinned)
    pushed = podman.run("image", "inspect", "--format", "{{.Id}}", built.pinned).stdout.strip()
    assert running["ImageID"] == pushed
    serving = session.target.running(env.state_dir)  # and says so by the pinned name
    assert serving is not None and by_digest(built.pinned) in {by_digest(i) for i in serving}
    # the same bytes again: nothing to build, nothing to deploy (what runs is known)
    page.write_text(page.read_text())
    again = session.cycle([str(page)])
    assert again.ok and again.deployed is None, steps

    # a new entrypoint changes how the image runs: a clone would keep the old command
    dockerfile = app / "Dockerfile"
    text = dockerfile.read_text().replace('"-h", "/www"', '"-h", "/site"')
    dockerfile.write_text(text.replace("COPY www/ /www/", "COPY www/ /site/"))
    steps.clear()
    cycle = session.cycle([str(dockerfile)])
    assert cycle.ok, cycle.error
    assert any(s.startswith("podman kube play") for s in steps), steps
    assert not any(s.startswith("swap ") for s in steps)
    assert fetch(port) == "<h1>swapped</h1>\n"
    process = podman.run("inspect", "--format", "{{.Path}} {{json .Args}}", "hello-pod-0-hello")
    assert "/site" in process.stdout, process.stdout

    assert kctl(["down"], dict(os.environ, NO_COLOR="1"), app).returncode == 0
    assert release_pods(podman, "hello") == []
    left = podman.run("ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert not [name for name in left if name.startswith("hello-pod-0")]


@pytest.mark.e2e
def test_a_failed_push_undoes_the_swap_made_while_pushing(
    tmp_path: Path,
    docker_host: str,
    helm: Path,
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, port, env = hello_environment(
        tmp_path, namespace(registry, request), busybox_base, sync=False
    )
    session = Session(open_source(env, ordered=True), LocalTarget(60, env.port_forward))
    assert session.cycle().ok
    page = app / "www" / "index.html"
    served = page.read_text()
    wait_for_page(port, served)
    before = hello_container(podman)

    seen: list[str | None] = []

    def refused(*args: object, **kwargs: object) -> None:
        deadline = time.monotonic() + 20  # the new image is swapped in while it is pushed
        while time.monotonic() < deadline and fetch(port) != "<h1>never pushed</h1>\n":
            time.sleep(0.1)
        seen.append(fetch(port))
        raise OperationError("push refused")

    monkeypatch.setattr("kctl.dev.loop.push_planned", refused)
    page.write_text("<h1>never pushed</h1>\n")
    cycle = session.cycle([str(page)])
    assert cycle.error is not None and "push refused" in str(cycle.error)
    assert seen == ["<h1>never pushed</h1>\n"]
    assert fetch(port) == served  # what served before serves again, under its own name
    after = hello_container(podman)
    assert after["Names"] == ["hello-pod-0-hello"] and after["ImageID"] == before["ImageID"]
    names = podman.run("ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert not [n for n in names if n.endswith("-kctl-old")]
    assert session.target.running(env.state_dir) is not None
    assert kctl(["down"], dict(os.environ, NO_COLOR="1"), app).returncode == 0
