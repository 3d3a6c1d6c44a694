"""Deploy targets by name (pre-commit's all_languages shape): how `kctl up` opens one, checks it
before anything is built, and how `kctl down` removes what it deployed. A new target is one
entry in TARGETS; nothing else chooses between targets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from msgspec import Struct, field

from kctl.errors import InputError, KctlError, Location

if TYPE_CHECKING:
    from kctl.dev.config import Environment
    from kctl.dev.deploy import DeployState
    from kctl.dev.loop import Target
    from kctl.dev.source import Source


class Removal(Struct, frozen=True):
    """What a target removed (pods, network, volumes) and the named volumes it kept."""

    pods: list[str] = field(default_factory=list)
    network: str | None = None
    volumes: list[str] = field(default_factory=list)
    anything: bool = True  # False: it was all gone already
    kept: list[str] = field(default_factory=list)


class TargetKind(Protocol):
    """One deploy target: the Target a session deploys through, and its undo."""

    streams_logs: bool  # kctl up can follow its containers' logs
    orders_dependencies: bool  # starts services in depends_on order, waiting as Compose does

    def open(self, environment: Environment, dry_run: bool) -> Target:
        """The target, configured for the environment."""

    def check(self, environment: Environment, source: Source, target: Target) -> None:
        """Refuse (KctlError) what cannot deploy, before anything is built."""

    def remove(self, state: DeployState, state_dir: Path, timeout: float, volumes: bool) -> Removal:
        """Remove whatever is left of what the target deployed."""


class _Local:
    streams_logs = True
    orders_dependencies = True

    def open(self, environment: Environment, dry_run: bool) -> Target:
        from kctl.dev.local_target import LocalTarget

        return LocalTarget(
            environment.timeout, environment.port_forward, dry_run=dry_run, env=environment.env
        )

    def check(self, environment: Environment, source: Source, target: Target) -> None:
        """--port-forward for a port the source does not declare is refused."""
        from kctl.dev.local_target import check_forwards

        try:
            declared = source.declared_ports()
        except KctlError:
            return  # e.g. a Compose file being edited: the first cycle reports it
        if declared is not None:
            check_forwards(environment.port_forward, declared)

    def remove(self, state: DeployState, state_dir: Path, timeout: float, volumes: bool) -> Removal:
        from kctl.dev.local_target import LocalTarget

        removed = LocalTarget.remove(state, state_dir, volumes=volumes)
        return Removal(
            removed.pods, removed.network, removed.volumes, removed.anything, removed.kept
        )


class _Helm:
    streams_logs = False
    orders_dependencies = False  # the chart's init containers wait instead

    def open(self, environment: Environment, dry_run: bool) -> Target:
        from kctl.dev.helm_target import HelmTarget

        return HelmTarget(environment.timeout, dry_run=dry_run)

    def check(self, environment: Environment, source: Source, target: Target) -> None:
        """The app has a chart (plain manifests or a kustomization run on the local target
        only), and a cluster answers (a dry run needs none)."""
        from kctl.dev.helm_target import HelmTarget

        if environment.deploy_files is not None:
            kind = environment.deploy_files[0]
            config = environment.source
            raise InputError(
                f"the helm target deploys a Helm chart; `{kind}` runs on the local target",
                location=Location.of(config) if config is not None else None,
                hint="use --target local, or scaffold a chart: "
                "`kctl create --deployment-only --deploy-type helm`",
            )
        assert isinstance(target, HelmTarget)
        target.check_cluster(environment.namespace)

    def remove(self, state: DeployState, state_dir: Path, timeout: float, volumes: bool) -> Removal:
        from kctl.dev.helm_target import HelmTarget

        HelmTarget.remove(state, timeout, volumes=volumes)
        return Removal()


TARGETS: dict[str, TargetKind] = {"local": _Local(), "helm": _Helm()}


def target_kind(name: str) -> TargetKind:
    """The registered target called name (config.py has refused any other)."""
    return TARGETS[name]
