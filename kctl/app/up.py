"""`kctl up` and `kctl down`: an environment opened into a source, a target and a session;
what was deployed, asked of or removed by the target that deployed it. The CLI renders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kctl.dev.config import Environment
from kctl.dev.deploy import DeployState, forget_state, load_state, save_state
from kctl.errors import KctlError

if TYPE_CHECKING:
    from kctl.dev.helm_target import HelmTarget
    from kctl.dev.local_target import LocalTarget
    from kctl.dev.loop import Hooks, Session


def open_target(environment: Environment, dry_run: bool) -> HelmTarget | LocalTarget:
    """The deploy target the environment names."""
    from kctl.dev.helm_target import HelmTarget
    from kctl.dev.local_target import LocalTarget

    if environment.target == "helm":
        return HelmTarget(environment.timeout, dry_run=dry_run)
    return LocalTarget(
        environment.timeout, environment.port_forward, dry_run=dry_run, env=environment.env
    )


def open_session(
    environment: Environment, compose: Sequence[str], hooks: Hooks, dry_run: bool
) -> Session:
    """Source and target for an environment; -p for a port the source does not declare is
    refused here, before anything is built."""
    from kctl.dev.loop import Session
    from kctl.dev.source import open_source

    source = open_source(environment, compose)
    source.check()
    if environment.target == "local":
        from kctl.dev.local_target import check_forwards

        try:
            declared = source.declared_ports()
        except KctlError:
            declared = None  # e.g. a Compose file being edited: the first cycle reports it
        if declared is not None:
            check_forwards(environment.port_forward, declared)
    target = open_target(environment, dry_run)
    if environment.target == "helm":
        from kctl.dev.helm_target import HelmTarget

        assert isinstance(target, HelmTarget)
        target.check_cluster(environment.namespace)
    return Session(source, target, hooks)


@dataclass(frozen=True)
class Leftover:
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


@dataclass(frozen=True)
class Removed:
    state: DeployState
    pods: list[str]
    network: str | None = None
    volumes: list[str] = field(default_factory=list)
    anything: bool = True  # False: it was all gone already
    kept: list[str] = field(default_factory=list)  # named volumes kept


def down(environment: Environment, timeout: float, volumes: bool) -> Removed | None:
    """Remove what kctl up deployed for the environment (None: nothing was), by the target that
    deployed it, whatever is left of it; the state is forgotten once the target removed it."""
    from kctl.dev.helm_target import HelmTarget
    from kctl.dev.local_target import LocalTarget

    state = load_state(environment.state_dir)
    if state is None:
        return None
    if state.target == "helm":
        HelmTarget.remove(state, timeout, volumes=volumes)
        forget_state(environment.state_dir)
        return Removed(state, [])
    removal = LocalTarget.remove(state, environment.state_dir, volumes=volumes)
    if removal.kept:  # what `kctl down --volumes` still has to find
        kept = DeployState("local", state.release, state.namespace, instance=state.instance_name)
        save_state(environment.state_dir, kept)
    else:
        forget_state(environment.state_dir)
    return Removed(
        state, removal.pods, removal.network, removal.volumes, removal.anything, removal.kept
    )
