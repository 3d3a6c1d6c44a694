"""The inner loop: one cycle is build → push → deploy; watch mode repeats it on changes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from msgspec import Struct, field

from kctl.dev.builder import build_planned, plan, push_planned, unchanged
from kctl.dev.deploy import Deployed, RolledBackError, by_digest
from kctl.dev.source import Artifact, Built, Release, Source
from kctl.errors import KctlError
from kctl.progress import Progress

if TYPE_CHECKING:
    from kctl.dev.sync import Synced
    from kctl.dev.watch import ChangeFilter


class Target(Protocol):
    name: str

    def deploy(self, release: Release, state_dir: Path, progress: Progress) -> Deployed: ...

    def prepare(self, state_dir: Path) -> None:
        """A new image is built: start what can run before it is pushed (non-blocking)."""

    def built(self, state_dir: Path, images: list[str]) -> None:
        """After prepare(): the images just built (their content tags, not pushed yet); a
        target may start running them while they are pushed (non-blocking). deploy() then
        confirms or replaces that; restore() undoes it."""

    def restore(self, state_dir: Path) -> None:
        """The cycle failed after prepare() and before deploy(): undo what prepare() did."""

    def running(self, state_dir: Path) -> list[str] | None:
        """Images of the deployed release if it runs and is ready now, else None."""

    def containers(self, state_dir: Path, images: list[str]) -> list[str]:
        """Ids of the running containers of these images files can be synced into (or none)."""


class Cycle(Struct):
    """The outcome of one build → push → deploy pass."""

    number: int
    trigger: list[str] = field(default_factory=list)
    built: list[Built] = field(default_factory=list)
    deployed: Deployed | None = None
    synced: list[str] = field(default_factory=list)  # files copied into running containers
    error: KctlError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class Session:
    """Runs cycles for a source and target, remembering what is deployed. It reports through
    a Progress: steps, build output, warnings (a source setting not fully translated) and each
    finished Cycle as a result."""

    def __init__(self, source: Source, target: Target, progress: Progress | None = None) -> None:
        self.source = source
        self.target = target
        self.progress = progress or Progress()
        self.count = 0
        self.deployed_images: list[str] | None = None
        self.artifacts: list[Artifact] = []
        self.drifted = False  # files were synced into what runs since its image was deployed
        self.warned: set[str] = set()
        self.pending: list[str] = []  # changes of failed cycles: still to be built/deployed

    @property
    def pushes(self) -> bool:
        """--dry-run builds but pushes nothing (and deploys nothing)."""
        return not getattr(self.target, "dry_run", False)

    def cycle(self, trigger: list[str] | None = None) -> Cycle:
        """One pass. Errors kctl can explain are returned in the Cycle, never raised.

        A failed cycle's changes stay pending: the next cycle handles them with its own."""
        self.count += 1
        if trigger is not None:
            trigger = sorted({*self.pending, *trigger})
            shown = ", ".join(_short(p, self.source.env.root) for p in trigger[:5])
            more = f" (+{len(trigger) - 5})" if len(trigger) > 5 else ""
            self.progress.step(f"cycle {self.count}: changed {shown}{more}")
        cycle = Cycle(self.count, trigger or [])
        started = time.monotonic()
        try:
            self._run(cycle, trigger)
        except KctlError as err:
            cycle.error = err
        if trigger is not None:
            self.pending = trigger if cycle.error is not None else []
        return self._done(cycle, started)

    def _run(self, cycle: Cycle, trigger: list[str] | None) -> None:
        if trigger and self._sync(cycle, trigger):
            return
        self.artifacts = self.source.artifacts()
        planned = [plan(a, check_registry=self.pushes) for a in self.artifacts]
        for item in planned:
            if item.existing is None:
                build_planned(item, self.progress)
        if not self.pushes:
            cycle.built = [Built(p.artifact, p.ref, p.existing or "", True) for p in planned]
            rendered = self._warned(self.source.release(cycle.built))
            cycle.deployed = self.target.deploy(rendered, self.source.env.state_dir, self.progress)
            return
        if any(p.existing is None for p in planned):  # every build succeeded
            self.target.prepare(self.source.env.state_dir)
            new = [p.ref.name for p in planned if p.existing is None]
            self.target.built(self.source.env.state_dir, new)
        try:
            for item in planned:
                cycle.built.append(
                    unchanged(item, self.progress)
                    if item.existing is not None
                    else push_planned(item, self.progress)
                )
            release = self._release(cycle, trigger)
        except BaseException:  # a failed push, or Ctrl-C: what was stopped runs again
            self.target.restore(self.source.env.state_dir)
            raise
        if release is not None:
            self._deploy(cycle, release)

    def _done(self, cycle: Cycle, started: float) -> Cycle:
        cycle.seconds = time.monotonic() - started
        self.progress.result(cycle)
        return cycle

    def _sync(self, cycle: Cycle, trigger: list[str]) -> bool:
        """Copy the changed files into the running containers when sync rules cover them all.

        False (a full cycle follows) when a change needs a build, nothing runs, or copying fails.
        """
        from kctl.dev.sync import copy_into

        rules = self.source.env.sync
        images = self.deployed_images or []
        if rules is None or len(images) != len(self.artifacts) or not images:
            return False
        build_files = [
            a.context / name for a in self.artifacts for name in (a.dockerfile, ".dockerignore")
        ]
        files = rules.plan(trigger, [*build_files, *self.source.deploy_inputs()])
        batches = self._sync_batches(files or [], images)
        if not files or batches is None:
            return False
        count = sum(len(containers) for containers, _ in batches)
        self.progress.step(f"sync {len(files)} file(s) into {count} container(s)")
        try:
            for containers, batch in batches:
                copy_into(containers, batch, rules.run, self.progress)
        except KctlError as err:
            self.progress.step(f"sync failed ({err.message}): rebuilding")
            return False
        cycle.synced, self.drifted = [str(f.source) for f in files], True
        return True

    def _sync_batches(
        self, files: list[Synced], images: list[str]
    ) -> list[tuple[list[str], list[Synced]]] | None:
        """Files grouped by the artifact whose context holds them, with its running containers.

        None when a file is in no context, or an artifact with files has no running container.
        """
        batches = []
        left = list(files)
        for artifact, image in zip(self.artifacts, images, strict=True):
            context = artifact.context.resolve()
            mine = [f for f in left if f.source.is_relative_to(context)]
            if not mine:
                continue
            containers = self.target.containers(self.source.env.state_dir, [image])
            if not containers:
                return None
            batches.append((containers, mine))
            left = [f for f in left if f not in mine]
        return None if left else batches

    def _release(self, cycle: Cycle, trigger: list[str] | None) -> Release | None:
        """What to deploy; None when the same images and chart are deployed and running."""
        images = [b.pinned for b in cycle.built]
        if (
            images == self.deployed_images
            and trigger is not None
            and not self.drifted
            and not _touches(self.source.deploy_inputs(), trigger)
            and self._serving(images)
        ):
            self.progress.step("nothing changed: images and chart as deployed, and running")
            return None
        return self._warned(self.source.release(cycle.built))

    def _warned(self, release: Release) -> Release:
        for warning in release.warnings:  # each once per session, not on every cycle
            if warning not in self.warned:
                self.warned.add(warning)
                self.progress.warn(warning)
        return release

    def _deploy(self, cycle: Cycle, release: Release) -> None:
        try:
            cycle.deployed = self.target.deploy(release, self.source.env.state_dir, self.progress)
        except RolledBackError:
            # what ran before runs again, in containers the rollback recreated from its image:
            # files synced into the old ones are gone, so the next change is built in
            if self.drifted:
                self.deployed_images, self.drifted = None, False
            raise
        except KctlError:
            self.deployed_images = None  # unknown: the next cycle deploys whatever it builds
            raise
        self.deployed_images, self.drifted = [b.pinned for b in cycle.built], False

    def _serving(self, images: list[str]) -> bool:
        running = self.target.running(self.source.env.state_dir)
        return running is not None and {by_digest(i) for i in images} <= {
            by_digest(r) for r in running
        }


def _short(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _touches(inputs: list[Path], paths: list[str]) -> bool:
    """Whether a changed path is (under) one of the deploy inputs (chart, Compose files)."""
    roots = [i.resolve() for i in inputs]
    return any(Path(p).resolve().is_relative_to(r) for p in paths for r in roots)


def _watch_config(session: Session) -> tuple[list[Path], ChangeFilter]:
    """Folders to watch and the filter, from the last artifacts and the deploy inputs."""
    from kctl.dev.watch import ChangeFilter, WatchedContext, watch_dirs

    env = session.source.env
    try:
        inputs = session.source.deploy_inputs()
        contexts = [WatchedContext.of(a.context, a.dockerfile) for a in session.artifacts]
    except KctlError:  # e.g. a Compose file being edited into shape: watch the whole folder
        return [env.root], ChangeFilter([], [env.root])
    if not contexts:
        return [env.root], ChangeFilter([], [env.root])
    roots = [c.root for c in contexts] + inputs
    return watch_dirs(roots), ChangeFilter(contexts, inputs)


def watch(session: Session, delay: float) -> None:
    """Run a first cycle, then one per debounced batch of relevant changes, until Ctrl-C."""
    from kctl.dev.watch import ChangeQueue, Watcher

    queue = ChangeQueue()
    watcher = Watcher(queue)
    try:
        watcher.update(*_watch_config(session))  # changes during the first cycle count too
        session.cycle()
        while True:
            watcher.update(*_watch_config(session))
            session.cycle(sorted(queue.wait(delay)))
    finally:
        watcher.stop()
