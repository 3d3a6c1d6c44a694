"""Live update on examples/up/hello: an edit under www/ is copied into the running container.

Real Podman service (put_archive, exec through the engine API), real registry (its access log
shows nothing is pushed), real `podman kube play`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.dev.sync import SyncRules, parse_rules
from tests.dev.test_up import engine_images, hello_args, namespace, wait_for_page
from tests.support.kctl_cli import UpProcess, copy_example, fetch, kctl
from tests.support.services import Podman, Registry, free_port


@pytest.mark.e2e
def test_a_synced_edit_is_served_without_build_push_or_deploy(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    up_process: list[UpProcess],
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    config = app / "kctl.toml"
    config.write_text(config.read_text() + 'run = ["/bin/busybox", "echo", "synced-and-ran"]\n')
    port = free_port()
    ns = namespace(registry, request)
    repo = ns.split("/", 1)[1] + "/hello"
    up = UpProcess([*hello_args(ns, busybox_base, port), "--watch-delay", "0.2"], up_env, app)
    up_process.append(up)
    assert up.wait_cycles(1)[0]["ok"], up.stderr
    index = app / "www" / "index.html"
    wait_for_page(port, index.read_text())
    writes, images = registry.writes(repo), engine_images(podman)

    # an edit under www/: copied in, served, nothing built, pushed or deployed
    index.write_text("<h1>live</h1>\n")
    cycles = up.wait_cycles(2)
    assert cycles[1]["ok"] and cycles[1]["synced"] == [str(index.resolve())], "".join(up.stderr)
    assert not cycles[1]["deployed"] and cycles[1]["images"] == []
    assert fetch(port) == "<h1>live</h1>\n"
    assert registry.writes(repo) == writes and engine_images(podman) == images
    assert "synced-and-ran" in "".join(up.stderr)  # the `run` command ran in the container

    # a new file under www/ too
    (app / "www" / "new.html").write_text("new\n")
    assert up.wait_cycles(3)[2]["synced"], up.stderr

    # the Dockerfile is a `rebuild` file: a full cycle, whose image holds the synced files
    dockerfile = app / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "LABEL kctl.test=rebuilt\n")
    cycles = up.wait_cycles(4)
    assert cycles[3]["ok"] and cycles[3]["deployed"] and cycles[3]["images"][0]["built"]
    assert registry.writes(repo) > writes
    assert fetch(port) == "<h1>live</h1>\n"  # from the new image, not a copy

    # restoring the page's original content after a sync is not "nothing changed"
    index.write_text("<h1>live again</h1>\n")
    assert up.wait_cycles(5)[4]["synced"]
    assert fetch(port) == "<h1>live again</h1>\n"
    assert up.interrupt() == 130
    assert kctl(["down"], up_env, app).returncode == 0


@pytest.mark.unit
def test_sync_rules_map_paths_and_send_anything_else_to_a_rebuild(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    for rel in ("src/pkg/a.py", "src/b.txt", "Dockerfile", "poetry.lock", "main.py"):
        (tmp_path / rel).write_text("x")
    rules = parse_rules(
        {"src/**/*.py": "/app/src", "main.py": "/app", "rebuild": ["*.lock"], "run": "true"},
        tmp_path,
    )
    assert isinstance(rules, SyncRules) and rules.run == ("/bin/sh", "-c", "true")

    def plan(*rels: str) -> list[tuple[str, str]] | None:
        found = rules.plan([str(tmp_path / r) for r in rels], [tmp_path / "Dockerfile"])
        return None if found is None else [(s.source.name, s.target) for s in found]

    assert plan("src/pkg/a.py", "main.py") == [
        ("a.py", "/app/src/pkg/a.py"),
        ("main.py", "/app/main.py"),
    ]
    assert plan("src/pkg") is None  # only a folder event: nothing to copy
    assert plan("src/pkg/a.py", "src/b.txt") is None  # b.txt matches no rule
    assert plan("poetry.lock") is None and plan("Dockerfile") is None
    assert plan("src/gone.py") is None  # a deletion cannot be copied
    with pytest.raises(ValueError, match="absolute"):
        parse_rules({"src/**": "app"}, tmp_path)


@pytest.mark.e2e
def test_compose_services_get_only_their_own_files(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    up_process: list[UpProcess],
) -> None:
    app = copy_example("two-services", tmp_path)
    (app / "kctl.toml").write_text(
        '[environments.development.sync]\n"web/www/**" = "/www"\n"api/data/**" = "/data"\n'
    )
    web, api = free_port(), free_port()
    env = dict(up_env, BASE_IMAGE=busybox_base)
    args = ["-f", "compose.yaml", "--registry", registry.host, "--target", "local"]
    args += [
        "--port-forward",
        f"{web}:8080",
        "--port-forward",
        f"{api}:8081",
        "--watch-delay",
        "0.2",
    ]
    up = UpProcess(args, env, app)
    up_process.append(up)
    assert up.wait_cycles(1)[0]["ok"], up.stderr
    wait_for_page(web, "<h1>web</h1>\n")
    writes = registry.writes("two-services-web") + registry.writes("two-services-api")

    (app / "web" / "www" / "index.html").write_text("<h1>web, live</h1>\n")
    cycles = up.wait_cycles(2)
    assert cycles[1]["synced"] and not cycles[1]["deployed"], "".join(up.stderr)
    assert fetch(web) == "<h1>web, live</h1>\n"
    assert fetch(api) == '{"service": "api"}\n'
    assert "1 container(s)" in "".join(up.stderr)  # the api container got nothing
    assert registry.writes("two-services-web") + registry.writes("two-services-api") == writes
    assert up.interrupt() == 130
    assert kctl(["down"], env, app).returncode == 0


@pytest.mark.e2e
def test_synced_files_survive_a_restart_of_the_container(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    up_process: list[UpProcess],
    request: pytest.FixtureRequest,
) -> None:
    """A synced file is in the container's own filesystem, not a mount: restarting the
    same container keeps it."""
    app = copy_example("hello", tmp_path)
    port = free_port()
    up = UpProcess(
        [*hello_args(namespace(registry, request), busybox_base, port), "--watch-delay", "0.2"],
        up_env,
        app,
    )
    up_process.append(up)
    assert up.wait_cycles(1)[0]["ok"], up.stderr
    index = app / "www" / "index.html"
    index.write_text("<h1>synced</h1>\n")
    cycles = up.wait_cycles(2)
    assert cycles[1]["ok"] and cycles[1]["synced"], "".join(up.stderr)
    wait_for_page(port, "<h1>synced</h1>\n")
    listed = podman.run(
        "ps", "--format", "{{.Names}}", "--filter", "label=kctl.dev/release=hello"
    ).stdout.split()
    [name] = [n for n in listed if not n.endswith("-kctl-keep")]

    # the container restarted (what a crash under restart policy Always does; Podman's own
    # restart of a container with a healthcheck needs systemd timers, absent here), then its
    # pod stopped and started again (what kctl does around a failed push)
    podman.run("restart", "-t", "0", name)
    wait_for_page(port, "<h1>synced</h1>\n")
    podman.run("pod", "stop", "-t", "0", "hello-pod-0")
    assert fetch(port) is None
    podman.run("pod", "start", "hello-pod-0")
    wait_for_page(port, "<h1>synced</h1>\n")
    assert up.interrupt() == 130
    assert kctl(["down"], up_env, app).returncode == 0
