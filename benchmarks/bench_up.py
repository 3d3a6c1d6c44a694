"""`kctl up` inner loop on examples/up/hello with a real Podman API service and registry.

Measures, in one run:
- edit -> new content served: a file is rewritten under `kctl up` (watch mode, default
  300 ms debounce, local target) and the page is polled until it serves the new text;
  median of 10 edits. Target <= 2 s.
- no-change decision: a file is rewritten with identical bytes; the cycle that follows must
  decide "nothing to build, nothing to deploy" (digest + registry HEAD); median of 10 cycle
  times as kctl reports them. Target <= 0.2 s.
Side by side, as a baseline: `podman build` + `podman push` of the same change run by hand
(what the loop cannot avoid), so the ratio shows kctl's own overhead on top of the engine.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import REPO, report, report_absolute

from tests.support import services
from tests.support.kctl_cli import UpProcess, copy_example, fetch

EDITS = 10


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
        app = copy_example("hello", workdir)
        port = services.free_port()
        args = ["--target", "local", "--registry", f"{registry.host}/bench"]
        args += ["--build-arg", f"BASE={base}", "-p", f"{port}:8080"]
        up = UpProcess(args, env, app)
        up.wait_cycles(1, timeout=180)
        page = app / "www" / "index.html"

        served: list[float] = []
        cycle_seconds: list[float] = []
        for n in range(EDITS):
            text = f"<h1>edit {n}</h1>\n"
            count = len(up.cycles)
            start = time.perf_counter()
            page.write_text(text)
            # a short timeout: a connect that hangs while the pod restarts is not latency
            while fetch(port, timeout=0.25) != text:
                if time.perf_counter() - start > 60:
                    raise SystemExit(f"edit {n} not served in 60 s:\n{''.join(up.stderr)[-2000:]}")
                time.sleep(0.01)
            served.append(time.perf_counter() - start)
            cycle_seconds.append(up.wait_cycles(count + 1)[count]["seconds"])

        decisions = []
        for _ in range(EDITS):
            count = len(up.cycles)
            page.write_text(page.read_text())  # same bytes: an event, but nothing new
            cycle = up.wait_cycles(count + 1)[-1]
            assert cycle["ok"] and not any(i["built"] for i in cycle["images"]), cycle
            decisions.append(cycle["seconds"])

        baseline = []
        for n in range(EDITS):
            page.write_text(f"<h1>by hand {n}</h1>\n")
            tag = f"{registry.host}/bench/byhand:{n}"
            start = time.perf_counter()
            podman.run("build", "-q", "--build-arg", f"BASE={base}", "-t", tag, str(app))
            podman.run("push", "--tls-verify=false", tag)
            baseline.append(time.perf_counter() - start)

        edit = statistics.median(served)
        report_absolute("up edit -> served (median of 10)", edit, 2.0)
        report_absolute("up no-change decision (median of 10)", statistics.median(decisions), 0.2)
        report(
            "up edit -> served vs podman build+push by hand",
            edit,
            statistics.median(baseline),
            3.0,
            "build+push",
        )
        print(
            f"  edit->served samples: {', '.join(f'{s:.2f}' for s in served)}; "
            f"debounce 0.3 s included; kctl's cycle (build, push, deploy, ready): median "
            f"{statistics.median(cycle_seconds):.2f} s",
            flush=True,
        )
    finally:
        if up is not None:
            up.popen.send_signal(2)
            try:
                up.popen.wait(30)
            except subprocess.TimeoutExpired:
                up.stop()
        services.stop_podman(podman)
        registry.process.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
