"""`kctl up` and `kctl down`: an environment opened into a source, a target and a session;
what was deployed, asked of or removed by the target that deployed it. The CLI renders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field
from msgspec.structs import replace

from kctl.dev.config import Environment, load_environment
from kctl.dev.deploy import DeployState, forget_state, load_state, save_state
from kctl.dev.targets import target_kind
from kctl.errors import InputError, KctlError
from kctl.progress import Progress

if TYPE_CHECKING:
    from kctl.dev.loop import Cycle, Session


class UpRequest(Struct, frozen=True):
    """`kctl up`'s flags; None (or empty) leaves the kctl.toml value as it is."""

    path: Path = Path(".")
    env: str | None = None
    compose_files: tuple[str, ...] = ()
    target: str | None = None
    registry: str | None = None
    namespace: str | None = None
    watch: bool | None = None
    watch_delay: float | None = None
    port_forward: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    build_args: tuple[str, ...] = ()  # KEY=VALUE
    timeout: float | None = None
    once: bool = False
    dry_run: bool = False
    save: bool = False

    def overrides(self) -> dict[str, Any]:
        """The flags as kctl.toml keys (what load_environment and --save take)."""
        args: dict[str, str] = {}
        for item in self.build_args:
            key, sep, value = item.partition("=")
            if not sep:
                raise InputError(f"--build-arg {item!r} is not KEY=VALUE")
            args[key] = value
        return {
            "target": self.target,
            "registry": self.registry,
            "namespace": self.namespace,
            "watch": self.watch,
            "watch-delay": self.watch_delay,
            "port-forward": list(self.port_forward),
            "set": list(self.set_values),
            "build-args": args,
            "timeout": self.timeout,
        }


def open_environment(request: UpRequest) -> Environment:
    """The environment the request runs: kctl.toml values under the flags (with --save, an
    environment the file lacks starts as a copy of the default one)."""
    return load_environment(request.path, request.env, request.overrides(), create=request.save)


def single_cycle(request: UpRequest, environment: Environment) -> bool:
    """One cycle (--once, --dry-run, or watch off), not the watch loop."""
    return request.once or request.dry_run or not environment.watch


class Saved(Struct, frozen=True):
    config: Path
    keys: list[str]
    table: str  # "[environments.<env>]", and where a new one was copied from


def save(environment: Environment, request: UpRequest) -> Saved:
    """Write the given flags into kctl.toml (build-args and set merged with the file's)."""
    from kctl.dev.config import save_environment

    source = environment.source
    if source is not None and source.name != "kctl.toml":
        raise InputError(
            f"--save writes kctl.toml, but this folder is configured by {source.name}",
            hint=f"copy {source.name} to kctl.toml first",
        )
    given = {k: v for k, v in request.overrides().items() if v not in (None, [], {})}
    if environment.created_from is not None and source is not None:
        import tomllib

        data = tomllib.loads(source.read_text(encoding="utf-8"))
        given = {**data["environments"][environment.created_from], **given}
    if "build-args" in given:
        given["build-args"] = dict(environment.build_args)
    if "set" in given:
        given["set"] = list(environment.set_values)
    config = environment.root / "kctl.toml"
    save_environment(config, environment.env, given)
    table = f"[environments.{environment.env}]"
    if environment.created_from is not None:
        table += f" (new, a copy of {environment.created_from})"
    return Saved(config, list(given), table)


def open_session(
    environment: Environment, compose: tuple[str, ...], progress: Progress, dry_run: bool
) -> Session:
    """Source and target for an environment, both checked before anything is built."""
    from kctl.dev.loop import Session
    from kctl.dev.source import open_source

    kind = target_kind(environment.target)
    source = open_source(environment, list(compose), ordered=kind.orders_dependencies)
    source.check()
    target = kind.open(environment, dry_run)
    kind.check(environment, source, target)
    return Session(source, target, progress)


def follow_logs(
    environment: Environment, progress: Progress, wanted: bool | None, logs: Progress
) -> Progress:
    """progress, which after each deploy also follows the new containers' logs (--logs; by
    default for one service) where the target can, each line to logs.output (apart from the
    build output, which a terminal may collapse)."""
    if not target_kind(environment.target).streams_logs or wanted is False:
        return progress
    import atexit

    from kctl.dev.logs import LogFollower

    follower = LogFollower(lambda line: logs.output(line + "\n"))
    atexit.register(follower.stop)

    def result(cycle: Cycle) -> None:
        progress.result(cycle)
        deployed = cycle.deployed
        streams = wanted or (deployed is not None and deployed.units == 1)
        if cycle.ok and deployed is not None and deployed.instance and streams:
            follower.follow(deployed.instance)

    return replace(progress, result=result)


def run(session: Session, single: bool, watch_delay: float) -> None:
    """One cycle (raising its error), or the watch loop until Ctrl-C."""
    from kctl.dev.loop import watch

    if single:
        cycle = session.cycle()
        if cycle.error is not None:
            raise cycle.error
        return
    watch(session, watch_delay)


def cycle_summary(cycle: Cycle) -> dict[str, Any]:
    """One cycle as plain data (-o json|yaml)."""
    from kctl.dev.source import as_dict

    deployed = cycle.deployed
    return {
        "cycle": cycle.number,
        "ok": cycle.ok,
        "error": str(cycle.error) if cycle.error else None,
        "seconds": round(cycle.seconds, 3),
        "trigger": cycle.trigger,
        "images": as_dict(cycle.built),
        "deployed": deployed is not None,
        "synced": cycle.synced,
        "endpoints": deployed.endpoints if deployed else [],
        "services": deployed.services if deployed else {},
    }


class Leftover(Struct, frozen=True):
    """What kctl up leaves behind after Ctrl-C, as its target reports it."""

    state: DeployState
    running: bool


def leftover(environment: Environment, session: Session) -> Leftover | None:
    """The release kctl up deployed for this environment, and whether it runs now."""
    state = load_state(environment.state_dir)
    if state is None:
        return None
    try:
        runs = session.target.running(environment.state_dir) is not None
    except KctlError:
        runs = False
    return Leftover(state, runs)


class DownRequest(Struct, frozen=True):
    path: Path = Path(".")
    env: str | None = None
    timeout: float | None = None  # None: the environment's (kctl.toml `timeout`)
    volumes: bool = False


class Removed(Struct, frozen=True):
    environment: Environment
    state: DeployState | None  # None: nothing was deployed
    pods: list[str] = field(default_factory=list)
    network: str | None = None
    volumes: list[str] = field(default_factory=list)
    anything: bool = False  # False: nothing deployed, or it was all gone already
    kept: list[str] = field(default_factory=list)  # named volumes kept


def down(request: DownRequest) -> Removed:
    """Remove what kctl up deployed for the environment, by the target that deployed it,
    whatever is left of it; the state is forgotten once the target removed it (kept named
    volumes stay recorded, for a later `kctl down --volumes`)."""
    environment = load_environment(request.path, request.env)
    state = load_state(environment.state_dir)
    if state is None:
        return Removed(environment, None)
    kind = target_kind(state.target)
    timeout = environment.timeout if request.timeout is None else request.timeout
    removal = kind.remove(state, environment.state_dir, timeout, request.volumes)
    if removal.kept:
        kept = DeployState(
            state.target, state.release, state.namespace, instance=state.instance_name
        )
        save_state(environment.state_dir, kept)
    else:
        forget_state(environment.state_dir)
    return Removed(
        environment,
        state,
        removal.pods,
        removal.network,
        removal.volumes,
        removal.anything,
        removal.kept,
    )
