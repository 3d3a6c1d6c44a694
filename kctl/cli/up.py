"""`kctl up` / `kctl down`: the edit → build → push → deploy loop, and its undo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kctl.cli.context import console_of
from kctl.cli.examples import epilog
from kctl.cli.options import shared
from kctl.console import QUIET, Console, OutputFormat
from kctl.progress import Progress

if TYPE_CHECKING:
    from kctl.dev.config import Environment
    from kctl.dev.loop import Cycle, Session


def register(app: typer.Typer) -> None:
    app.command(
        "up",
        help="Build, push and deploy PATH, then redeploy on every change.",
        epilog=epilog("up"),
    )(up)
    app.command(
        "down", help="Remove what `kctl up` deployed for an environment.", epilog=epilog("down")
    )(down)


def up(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), help="App folder (kctl.toml, draft.toml or Compose)."),
    env: str | None = shared("--env"),
    file: list[str] = shared("--file", help="Compose file (repeatable)."),
    target: str | None = typer.Option(
        None,
        "--target",
        envvar="KCTL_TARGET",
        metavar="<local|helm>",
        help="local (podman kube play) or helm.",
    ),
    registry: str | None = shared("--registry", help="Push to HOST[:PORT][/PATH]."),
    namespace: str | None = shared(
        "--namespace", envvar="KCTL_NAMESPACE", help="Kubernetes namespace."
    ),
    once: bool = typer.Option(False, "--once", help="One cycle; exit 0, or 1 when it fails."),
    watch: bool | None = typer.Option(None, "--watch/--no-watch", help="Override `watch`."),
    watch_delay: float | None = typer.Option(
        None,
        "--watch-delay",
        envvar="KCTL_WATCH_DELAY",
        metavar="<seconds>",
        help="Quiet seconds before a cycle.",
    ),
    port_forward: list[str] = typer.Option(
        [],
        "--port-forward",
        metavar="<local:container>",
        help="Publish a container port on the host, local target (repeatable).",
    ),
    set_values: list[str] = typer.Option(
        [], "--set", metavar="<key=value>", help="Helm value (repeatable)."
    ),
    build_arg: list[str] = typer.Option(
        [], "--build-arg", metavar="<key=value>", help="Docker build argument (repeatable)."
    ),
    timeout: float | None = shared(
        "--timeout", None, envvar="KCTL_TIMEOUT", help="Seconds to wait for a deploy."
    ),
    logs: bool | None = typer.Option(
        None,
        "--logs/--no-logs",
        help="Stream the containers' logs while watching (local; default: on for one service).",
    ),
    dry_run: bool = shared("--dry-run", help="Build, then print what would be deployed."),
    save: bool = typer.Option(False, "--save", help="Write the given flags into kctl.toml."),
    output: OutputFormat = shared("--output", help="table|json|yaml (one result per cycle)"),
) -> int:
    import gc

    from kctl.app import up as use_case

    gc.enable()  # the console script turns the collector off for one-shot commands; this loops
    console = console_of(ctx)
    request = use_case.UpRequest(
        path=path,
        env=env,
        compose_files=tuple(file),
        target=target,
        registry=registry,
        namespace=namespace,
        watch=watch,
        watch_delay=watch_delay,
        port_forward=tuple(port_forward),
        set_values=tuple(set_values),
        build_args=tuple(build_arg),
        timeout=timeout,
        once=once,
        dry_run=dry_run,
        save=save,
    )
    environment = use_case.open_environment(request)
    for warning in environment.warnings:
        console.warn(warning)
    if save:
        saved = use_case.save(environment, request)
        console.info(f"saved {', '.join(saved.keys) or 'nothing'} to {saved.config} {saved.table}")
    single = use_case.single_cycle(request, environment)
    progress, log = _progress(console, output, dry_run, report_errors=not single)
    if not single:
        raw = Progress(output=console.print_raw)
        progress = use_case.follow_logs(environment, progress, logs, raw)
    session = use_case.open_session(environment, request.compose_files, progress, dry_run)
    console.info(
        f"kctl up {session.source.release_name()} ({environment.env}) -> {environment.target}"
        f", registry {environment.registry}"
    )
    _interrupt_on_signals()
    try:
        if not single:
            console.info(
                f"watching for changes (quiet {environment.watch_delay:g} s); Ctrl-C stops"
            )
        use_case.run(session, single, environment.watch_delay)
        return 0
    except KeyboardInterrupt:
        # a live build log is erased (cursor at the start of a cleared line); otherwise the
        # terminal echoed ^C on the current line: end it, so nothing follows on it
        if not log.stop() and console.interactive:
            console.rich.line()
        if not dry_run:
            _still_running(console, environment, session)
        raise


def _still_running(console: Console, environment: Environment, session: Session) -> None:
    """After Ctrl-C: what kctl up leaves behind (as the target reports it), how to remove it."""
    from kctl.app.up import leftover

    left = leftover(environment, session)
    if left is None:
        return
    endpoints = ", ".join(left.state.endpoints)
    where = f": {endpoints}" if endpoints and left.running else ""
    what = "still runs" if left.running else "is deployed but not running"
    env = f" -e {environment.env}" if environment.env != "development" else ""
    console.warn(
        f"{left.state.release} {what} ({left.state.target}){where}; `kctl down{env}` removes it"
    )


def _interrupt_on_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP (the terminal closed) stop the current step and exit 130,
    whatever disposition kctl inherited (a shell starts `&` jobs with SIGINT ignored)."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)


class _BuildLog:
    """Build output: on a terminal, a live tail that collapses when the build ends (-v keeps
    it all); otherwise streamed as is. -q hides it; a failed build's error is shown anyway."""

    def __init__(self, console: Console) -> None:
        from collections import deque

        from kctl.console import NORMAL

        self.console = console
        self.live: Any = None
        self.tail: deque[str] = deque(maxlen=10)
        self.collapse = console.verbosity == NORMAL and console.interactive and console.use_color

    def start(self) -> None:
        if self.collapse and self.live is None:
            from rich.live import Live

            self.tail.clear()
            self.live = Live(console=self.console.rich, transient=True, refresh_per_second=8)
            self.live.start()

    def line(self, text: str) -> None:
        if self.live is None:
            self.console.print_raw(text)
            return
        from rich.text import Text

        self.tail.extend(part for part in text.splitlines() if part.strip())
        self.live.update(Text("\n".join(self.tail), style="dim"))

    def step(self, text: str) -> None:
        """A stage of the cycle; a build or push shows its output under it."""
        self.stop()
        self.console.info(f"  {text}")
        if text.startswith(("build ", "push ")):
            self.start()

    def warn(self, text: str) -> None:
        self.stop()
        self.console.warn(text)

    def stop(self, keep: bool = False) -> bool:
        """Remove the live tail (keep: print it, e.g. the build failed); whether there was one."""
        if self.live is None:
            return False
        self.live.stop()
        self.live = None
        if keep:
            for line in self.tail:
                self.console.print_raw(line + "\n")
        return True


def _progress(
    console: Console, output: OutputFormat, dry_run: bool, report_errors: bool
) -> tuple[Progress, _BuildLog]:
    """How a session's steps, build output, warnings and cycles show on the console."""
    from kctl.app.up import cycle_summary

    log = _BuildLog(console)

    def done(cycle: Cycle) -> None:
        log.stop(keep=cycle.error is not None)  # a failed step's own output stays on screen
        if output is OutputFormat.YAML:
            console.result("---")  # one YAML document per cycle
        if output is not OutputFormat.TABLE:
            console.emit(cycle_summary(cycle), output)
        if cycle.error is not None:
            if report_errors:  # a single cycle raises its error instead: reported once
                console.error(cycle.error)
                console.warn(f"cycle {cycle.number} failed after {cycle.seconds:.1f} s; watching")
            return
        deployed = cycle.deployed
        if cycle.synced:
            files = f"{len(cycle.synced)} file(s)"
            console.success(
                f"cycle {cycle.number}: synced {files}, no build ({cycle.seconds:.2f} s)"
            )
            return
        if deployed is None:
            console.success(f"cycle {cycle.number}: up to date ({cycle.seconds:.2f} s)")
            return
        for item in deployed.skipped:
            console.warn(f"{item} is not run by the {deployed.target} target")
        if dry_run and output is OutputFormat.TABLE:
            console.result(deployed.manifest.rstrip("\n"))
        if deployed.notes and cycle.number == 1:
            console.info(deployed.notes)
        shown = [
            f"{deployed.services[e]} {e}" if e in deployed.services else e
            for e in deployed.endpoints
        ]
        where = f": {', '.join(shown)}" if shown else ""
        verb = "rendered" if dry_run else "deployed"
        console.success(f"cycle {cycle.number}: {verb} in {cycle.seconds:.1f} s{where}")
        if console.verbosity == QUIET and output is OutputFormat.TABLE and not dry_run:
            for endpoint in deployed.endpoints:  # -q: the endpoint is the result
                console.result(endpoint)

    return Progress(step=log.step, warn=log.warn, output=log.line, result=done), log


def down(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), help="App folder."),
    env: str | None = shared("--env"),
    volumes: bool = typer.Option(False, "--volumes", help="Also remove the claims' volumes."),
    timeout: float | None = shared(
        "--timeout", None, envvar="KCTL_TIMEOUT", help="Seconds to wait for the removal."
    ),
) -> None:
    from kctl.app.up import DownRequest
    from kctl.app.up import down as remove_deployed

    console = console_of(ctx)
    removed = remove_deployed(DownRequest(path, env, timeout, volumes))
    environment = removed.environment
    if removed.state is None or not removed.anything:
        if removed.kept:
            kept = ", ".join(removed.kept)
            console.info(f"nothing to remove but volume(s) {kept}: kept (--volumes removes them)")
            return
        console.info(
            f"nothing to remove: nothing deployed by kctl up for {environment.env}"
            f" in {environment.root}"
        )
        return
    for pod in removed.pods:
        console.detail(f"removed pod {pod}")
    if removed.network:
        console.detail(f"removed network {removed.network}")
    for volume in removed.volumes:
        console.detail(f"removed volume {volume}")
    kept = (
        f"; kept volume(s) {', '.join(removed.kept)} (--volumes removes them)"
        if removed.kept
        else ""
    )
    state = removed.state
    console.success(f"removed {state.release} ({state.target}){kept}")
