"""`kctl up` end to end: real Podman API service, real registry, real helm, real kube play."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kctl.dev.config import Environment, load_environment
from kctl.dev.image import PushRef
from kctl.dev.registry import remote_digest
from tests.conftest import REGISTRY_LOGIN
from tests.support.kctl_cli import UpProcess, copy_example, fetch, kctl
from tests.support.services import Podman, Registry, free_port, wait_until


def wait_for_page(port: int, text: str, timeout: float = 60) -> None:
    wait_until(lambda: fetch(port) == text, timeout, f"page {text!r} on port {port}")


def engine_images(podman: Podman) -> set[str]:
    return set(podman.run("images", "-q", "--no-trunc").stdout.split())


def release_pods(podman: Podman, release: str) -> list[str]:
    found = podman.run("pod", "ps", "-q", "--filter", f"label=kctl.dev/release={release}")
    return found.stdout.split()


def namespace(registry: Registry, request: pytest.FixtureRequest) -> str:
    """A registry path of the test's own, so tests never see each other's tags."""
    return f"{registry.host}/{request.node.name.replace('_', '-')[:40].strip('-')}"


def watching_hello(
    tmp_path: Path,
    up_env: dict[str, str],
    up_process: list[UpProcess],
    registry_path: str,
    base: str,
) -> tuple[Path, int, UpProcess]:
    """examples/up/hello under `kctl up` in watch mode, its first cycle deployed and serving."""
    app = copy_example("hello", tmp_path)
    port = free_port()
    args = [*hello_args(registry_path, base, port), "--watch-delay", "0.3"]
    up = UpProcess(args, up_env, app)
    up_process.append(up)
    [first] = up.wait_cycles(1)
    assert first["ok"], up.stderr
    wait_for_page(port, (app / "www" / "index.html").read_text())
    return app, port, up


def hello_environment(
    tmp_path: Path, registry_path: str, base: str, *, sync: bool = True
) -> tuple[Path, int, Environment]:
    """examples/up/hello's development environment for an in-process session: its registry,
    base image and a free forwarded port (sync=False: no sync rules, every edit a rebuild)."""
    app = copy_example("hello", tmp_path)
    if not sync:
        config = app / "kctl.toml"
        config.write_text(config.read_text().split("[environments.development.sync]")[0])
    port = free_port()
    overrides = {
        "registry": registry_path,
        "build-args": {"BASE": base},
        "port-forward": [f"{port}:8080"],
    }
    return app, port, load_environment(app, None, overrides)


def hello_args(registry: str, base: str, port: int) -> list[str]:
    return [
        "--target",
        "local",
        "--registry",
        registry,
        "--build-arg",
        f"BASE={base}",
        "--port-forward",
        f"{port}:8080",
    ]


def no_temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".kctl-tmp")]


@pytest.mark.e2e
def test_up_once_serves_the_page_skips_unchanged_and_down_removes_it(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    port = free_port()
    ns = namespace(registry, request)
    repo = ns.split("/", 1)[1] + "/hello"
    args = ["up", "--once", *hello_args(ns, busybox_base, port)]

    first = kctl(args, up_env, app)
    assert first.returncode == 0, first.stderr
    page = (app / "www" / "index.html").read_text()
    assert fetch(port) == page
    tags = registry.tags(repo)
    assert len(tags) == 1 and tags[0].startswith("kctl-")
    running = json.loads(podman.run("ps", "--format", "json").stdout)
    images = [c["Image"] for c in running if c["Names"][0].startswith("hello-pod")]
    pushed = remote_digest(PushRef(registry.host, repo, tags[0]))
    assert images and all(i.endswith(f"@{pushed}") for i in images)  # pinned by digest
    assert "Traceback" not in first.stderr

    # an unchanged tree: nothing built (engine), nothing pushed (registry), still served
    images_before, writes_before = engine_images(podman), registry.writes(repo)
    again = kctl(args, up_env, app)
    assert again.returncode == 0, again.stderr
    assert engine_images(podman) == images_before
    assert registry.writes(repo) == writes_before
    assert registry.tags(repo) == tags
    assert fetch(port) == page

    # a content change is a new tag; an ignored file (.dockerignore: *.log) is not
    (app / "debug.log").write_text("noise")
    assert kctl(args, up_env, app).returncode == 0
    assert registry.tags(repo) == tags
    (app / "www" / "index.html").write_text("<h1>second</h1>\n")
    assert kctl(args, up_env, app).returncode == 0
    assert fetch(port) == "<h1>second</h1>\n"
    assert len(registry.tags(repo)) == 2

    down = kctl(["down"], up_env, app)
    assert down.returncode == 0, down.stderr
    assert fetch(port) is None
    assert release_pods(podman, "hello") == []
    assert no_temp_files(app) == [] and os.listdir(up_env["TMPDIR"]) == []


@pytest.mark.e2e
def test_watch_mode_edit_broken_dockerfile_recovery_and_ctrl_c(
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

    # an edit is served within the watch cycle
    (app / "www" / "index.html").write_text("<h1>edited</h1>\n")
    cycles = up.wait_cycles(2)
    assert cycles[1]["ok"] and cycles[1]["trigger"] == [str((app / "www" / "index.html").resolve())]
    assert fetch(port) == "<h1>edited</h1>\n"

    # editor noise and ignored files trigger nothing
    (app / "www" / ".index.html.swp").write_text("swap")
    (app / "www" / "index.html~").write_text("backup")
    (app / "notes.log").write_text("ignored by .dockerignore")
    time.sleep(1.5)
    assert len(up.cycles) == 2

    # a broken Dockerfile is reported, the loop lives on, the old version keeps serving
    dockerfile = (app / "Dockerfile").read_text()
    (app / "Dockerfile").write_text(dockerfile + "COPY no-such-file /x\n")
    cycles = up.wait_cycles(3)
    assert not cycles[2]["ok"] and "build failed" in cycles[2]["error"]
    assert up.popen.poll() is None
    assert fetch(port) == "<h1>edited</h1>\n"

    # fixing it recovers
    (app / "Dockerfile").write_text(dockerfile)
    (app / "www" / "index.html").write_text("<h1>fixed</h1>\n")
    cycles = up.wait_cycles(4)
    assert cycles[3]["ok"], up.stderr
    assert fetch(port) == "<h1>fixed</h1>\n"

    # Ctrl-C: exit 130, no temp files left behind
    assert up.interrupt() == 130
    assert "Traceback" not in "".join(up.stderr)
    assert no_temp_files(app) == [] and os.listdir(up_env["TMPDIR"]) == []
    assert kctl(["down"], up_env, app).returncode == 0


@pytest.mark.e2e
def test_once_fails_with_exit_1_on_a_broken_build_and_pushes_nothing(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    (app / "Dockerfile").write_text((app / "Dockerfile").read_text() + "RUN exit 3\n")
    ns = namespace(registry, request)
    result = kctl(["up", "--once", *hello_args(ns, busybox_base, free_port())], up_env, app)
    assert result.returncode == 1
    assert "build failed" in result.stderr and "Traceback" not in result.stderr
    repo = ns.split("/", 1)[1] + "/hello"
    assert registry.tags(repo) == [] and registry.writes(repo) == 0
    assert not (app / ".kctl").exists()  # nothing was deployed, so nothing recorded


@pytest.mark.e2e
def test_compose_project_is_a_source(
    tmp_path: Path, up_env: dict[str, str], registry: Registry, podman: Podman, busybox_base: str
) -> None:
    app = copy_example("two-services", tmp_path)
    web, api = free_port(), free_port()
    env = dict(up_env, BASE_IMAGE=busybox_base)
    args = [
        "--registry",
        registry.host,
        "--target",
        "local",
        "--port-forward",
        f"{web}:8080",
        "--port-forward",
        f"{api}:8081",
    ]
    result = kctl(["up", "--once", *args], env, app)
    assert result.returncode == 0, result.stderr
    assert fetch(web) == "<h1>web</h1>\n"
    assert fetch(api) == '{"service": "api"}\n'
    assert len(registry.tags("two-services-web")) == 1
    assert len(registry.tags("two-services-api")) == 1
    # the generated chart is a real chart: helm lint passes on it
    chart = app / ".kctl" / "development" / "chart"
    helm = shutil.which("helm", path=up_env["PATH"])
    assert helm is not None
    lint = subprocess.run(
        [helm, "lint", "--strict", str(chart)], check=False, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr

    # only the service whose context changed is rebuilt and pushed
    web_writes, api_writes = (
        registry.writes("two-services-web"),
        registry.writes("two-services-api"),
    )
    (app / "api" / "data" / "index.html").write_text('{"service": "api", "v": 2}\n')
    result = kctl(["up", "--once", *args], env, app)
    assert result.returncode == 0, result.stderr
    assert registry.writes("two-services-web") == web_writes
    assert registry.writes("two-services-api") > api_writes
    assert fetch(api) == '{"service": "api", "v": 2}\n'
    assert kctl(["down"], env, app).returncode == 0
    assert release_pods(podman, "two-services") == []


@pytest.mark.e2e
def test_helm_target_dry_run_without_a_cluster(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: none\n"
        f"clusters: [{{name: none, cluster: {{server: 'https://127.0.0.1:{free_port()}'}}}}]\n"
        "contexts: [{name: none, context: {cluster: none, user: none}}]\n"
        "users: [{name: none, user: {}}]\n"
    )
    ns = namespace(registry, request)
    # KCTL_* variables override kctl.toml (target = "local", registry = "localhost:5000")
    env = dict(up_env, KUBECONFIG=str(kubeconfig), KCTL_TARGET="helm", KCTL_REGISTRY=ns)
    args = ["up", "--build-arg", f"BASE={busybox_base}"]
    result = kctl([*args, "--dry-run"], env, app)
    assert result.returncode == 0, result.stderr
    # a dry run builds (the tag is the content's) but pushes nothing
    assert registry.tags(ns.split("/", 1)[1] + "/hello") == []
    assert f'image: "{ns}/hello:kctl-' in result.stdout
    assert "kind: Deployment" in result.stdout

    # for real, the unreachable cluster is a clear failure (exit 3) before anything is built
    failed = kctl([*args, "--once", "--timeout", "5"], env, app)
    assert failed.returncode == 3, failed.stderr
    assert "no cluster reachable" in failed.stderr and "hint:" in failed.stderr
    assert "build " not in failed.stderr and "push " not in failed.stderr
    assert "Traceback" not in failed.stderr


@pytest.mark.e2e
def test_ctrl_c_during_a_build_stops_it_and_exits_130(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    dockerfile = app / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + 'RUN ["/bin/busybox", "sleep", "60"]\n')
    ns = namespace(registry, request)
    args = [sys.executable, "-m", "kctl", "up", "--once"]
    args += hello_args(ns, busybox_base, free_port())
    process = subprocess.Popen(
        args, env=up_env, cwd=app, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(4)  # well into the 60 s build step
    assert process.poll() is None
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert time.monotonic() - started < 10  # the build step was abandoned, not waited for
    assert "interrupted" in err and "Traceback" not in err
    assert no_temp_files(app) == [] and os.listdir(up_env["TMPDIR"]) == []
    assert registry.tags(ns.split("/", 1)[1] + "/hello") == []


@pytest.mark.e2e
def test_unreachable_registry_is_a_clear_failure(
    tmp_path: Path, up_env: dict[str, str], busybox_base: str
) -> None:
    app = copy_example("hello", tmp_path)
    nowhere = f"127.0.0.1:{free_port()}"
    result = kctl(["up", "--once", *hello_args(nowhere, busybox_base, free_port())], up_env, app)
    assert result.returncode == 1
    assert f"registry {nowhere} unreachable" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_compose_project_of_ready_made_images_is_deployed_without_builds(
    tmp_path: Path, up_env: dict[str, str], podman: Podman, busybox_base: str
) -> None:
    app = tmp_path / "images-only"
    app.mkdir()
    (app / "compose.yaml").write_text(
        "services:\n"
        "  shell:\n"
        f"    image: {busybox_base}\n"
        '    entrypoint: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"]\n'
        "    ports: ['8080:8080']\n"
    )
    port = free_port()
    result = kctl(
        ["up", "--once", "--target", "local", "--port-forward", f"{port}:8080"], up_env, app
    )
    assert result.returncode == 0, result.stderr
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    assert release_pods(podman, "images-only") != []
    assert kctl(["down"], up_env, app).returncode == 0
    assert release_pods(podman, "images-only") == []


@pytest.mark.e2e
def test_build_target_stage_from_kctl_toml(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    busybox_base: str,
    request: pytest.FixtureRequest,
) -> None:
    app = copy_example("hello", tmp_path)
    dockerfile = app / "Dockerfile"
    # the stage after `site` fails: the build only succeeds if the target stage is honoured
    dockerfile.write_text(
        dockerfile.read_text().replace("FROM ${BASE}", "FROM ${BASE} AS site")
        + 'FROM site AS broken\nRUN ["/bin/busybox", "false"]\n'
    )
    config = app / "kctl.toml"
    config.write_text(  # into [environments.development], above the sync table
        config.read_text().replace("watch = true\n", 'watch = true\nbuild-target = "site"\n')
    )
    port = free_port()
    ns = namespace(registry, request)
    result = kctl(["up", "--once", *hello_args(ns, busybox_base, port)], up_env, app)
    assert result.returncode == 0, result.stderr
    assert fetch(port) == (app / "www" / "index.html").read_text()
    assert kctl(["down"], up_env, app).returncode == 0


@pytest.mark.e2e
def test_registry_login_is_used_and_a_missing_one_is_a_clear_error(
    tmp_path: Path, up_env: dict[str, str], auth_registry: Registry, busybox_base: str
) -> None:
    app = copy_example("hello", tmp_path)
    port = free_port()
    args = ["up", "--once", *hello_args(f"{auth_registry.host}/login", busybox_base, port)]
    refused = kctl(args, up_env, app)
    assert refused.returncode == 1
    assert f"registry {auth_registry.host} refused access (401)" in refused.stderr
    assert "podman login" in refused.stderr and "Traceback" not in refused.stderr

    # what `podman login` writes: the same run now checks, pushes and pulls as that user
    user, password = REGISTRY_LOGIN
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    authfile = tmp_path / "auth.json"
    authfile.write_text(json.dumps({"auths": {auth_registry.host: {"auth": token}}}))
    logged_in = dict(up_env, REGISTRY_AUTH_FILE=str(authfile))
    result = kctl(args, logged_in, app)
    assert result.returncode == 0, result.stderr
    assert fetch(port) == (app / "www" / "index.html").read_text()
    again = kctl(args, logged_in, app)  # the tag is found with the login: nothing pushed
    assert again.returncode == 0 and auth_registry.writes("login/hello") > 0
    writes = auth_registry.writes("login/hello")
    assert kctl(args, logged_in, app).returncode == 0
    assert auth_registry.writes("login/hello") == writes
    assert kctl(["down"], logged_in, app).returncode == 0
