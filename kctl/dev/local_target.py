"""The `local` target: the chart rendered by `helm template`, run by `podman kube play`.

Each workload is a pod of its own on the release's network, started in Compose order
(kctl/dev/local_plan.py says what, kctl/dev/local_play.py does it). Host ports are published on
127.0.0.1 unless Compose names an IP; the deploy is ready when every long-running container runs
and every published port accepts connections, and fails fast (with the container's last log
lines) if a container stops. A failed deploy plays the last release that served again (like
helm's rollback); when nothing served before, it removes the pods it started (named volumes
stay). What runs is recorded in the state file.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from kctl.dev import proc
from kctl.dev.deploy import (
    Deployed,
    DeployState,
    RolledBackError,
    by_digest,
    helm_values,
    load_state,
    save_state,
)
from kctl.dev.local_manifest import check_forwards, endpoint_services, images_of, local_manifest
from kctl.dev.local_plan import (
    RELEASE_LABEL,
    LocalPlan,
    instance_name,
    plan_from_json,
    plan_local,
    plan_to_json,
)
from kctl.dev.local_play import Player, Removal, remove_instance, write_files, write_manifests
from kctl.dev.local_swap import (
    Ahead,
    PodHolder,
    Swap,
    as_pinned,
    content_tag,
    files_unchanged,
    finish,
    plan_swaps,
    release_pods_held,
    swap_ahead,
    unswap,
)
from kctl.dev.pods import (
    containers,
    ready_containers,
    running_images,
    running_names,
    stop_containers,
    stop_pods,
    wait_ready,
)
from kctl.dev.registry import is_loopback
from kctl.dev.services import Services
from kctl.dev.source import Release
from kctl.errors import KctlError, OperationError
from kctl.images import ImageRef
from kctl.progress import Progress

MANIFEST = "manifest.yaml"  # what was played last (every pod's objects), for the user
SERVING = "serving.json"  # the last plan that became ready: a failed deploy goes back to it
FILES = "files"  # secrets and configs as files (0700), removed by `kctl down`
PODS = "pods"  # one manifest per pod, as played
__all__ = ["RELEASE_LABEL", "LocalTarget", "check_forwards", "local_manifest"]


class LocalTarget:
    """Render the chart with `helm template`, run each pod with `podman kube play --replace`."""

    name = "local"

    def __init__(
        self,
        timeout: float = 120.0,
        ports: Sequence[tuple[int, int]] = (),
        dry_run: bool = False,
        env: str = "development",
    ) -> None:
        self.timeout = timeout
        self.ports = list(ports)
        self.dry_run = dry_run
        self.env = env
        self._stopping: threading.Thread | None = None
        self._stopped: str | None = None  # the instance prepare() stopped containers of
        self._stopped_containers: list[str] = []
        self._keepers: list[str] = []  # containers holding the stopped pods' infra up
        self._ahead: Future[Ahead | None] | None = None  # a swap built() started
        self._running: tuple[str | None, list[str]] = (None, [])  # containers the last deploy
        # left running (instance, names): prepare() stops them without asking Podman
        self._ordered = False  # the last release starts services in order: no swaps
        self._held: list[str] = []  # keepers still in the pods a swap left running, and
        self._held_for: str | None = None  # their instance: the next prepare() reuses them
        self._holder: PodHolder | None = None  # made by prepare(): it keeps what it looked up

    def prepare(self, state_dir: Path) -> None:
        """Stop the running app containers while the new image is pushed: the ports must be
        free anyway. The pods' infra containers keep the network and ports (a swap reuses
        them). Only called once a build succeeded: a broken build leaves the old one serving.
        """
        state = load_state(state_dir)
        if self.dry_run or self._stopping is not None or not state:
            return
        podman, instance = proc.binary("podman"), state.instance_name

        pods = _long_running_pods(state_dir)
        holder = self._holder = self._holder or PodHolder(podman)

        held, self._held = (self._held, []) if self._held_for == instance else ([], [])
        known = self._running[1] if self._running[0] == instance else None
        self._running = (None, [])

        def stop_ahead() -> None:
            with contextlib.suppress(KctlError):  # deploy() then stops them itself, and reports
                with ThreadPoolExecutor(max_workers=1) as pool:
                    keeping = pool.submit(lambda: held or holder.hold(pods))
                    try:
                        self._stopped_containers = stop_containers(podman, instance, keeping, known)
                    finally:
                        self._keepers = keeping.result()
                self._stopped = instance

        self._stopping = threading.Thread(target=stop_ahead, daemon=True)
        self._stopping.start()

    def _joined(self) -> tuple[str | None, list[str], list[str]]:
        """The instance prepare() stopped containers of, their names and the keepers holding
        their pods up; forgotten here."""
        if self._stopping is not None:
            self._stopping.join()
            self._stopping = None
        found = (self._stopped, self._stopped_containers, self._keepers)
        self._stopped, self._stopped_containers, self._keepers = None, [], []
        return found

    def restore(self, state_dir: Path) -> None:
        """The cycle failed after prepare() (e.g. the push): undo a swap built() made, and
        start the containers prepare() stopped."""
        ahead, self._ahead = self._ahead, None
        done = ahead.result() if ahead is not None else None
        podman, state = proc.binary("podman"), load_state(state_dir)
        instance: str | None
        if done is not None:
            instance, keepers = done.instance, done.keepers
            try:
                stopped = unswap(podman, done)
            except KctlError:
                stopped = []  # what runs then is what running() reports
        else:
            instance, stopped, keepers = self._joined()
        self._held, self._held_for = keepers, instance  # still in the pods: kept for next time
        if not stopped or instance is None:
            return
        endpoints = list(state.endpoints) if state else []
        run_once = list(state.run_once) if state else []
        with contextlib.suppress(KctlError):  # what runs then is what running() reports
            proc.run([podman, "start", *stopped], timeout=60, what="podman start")
            wait_ready(podman, instance, endpoints, min(self.timeout, 60.0), run_once)
            self._running = (instance, list(stopped))

    def render(self, release: Release) -> list[Any]:
        if release.renderer != "helm":  # manifests or a kustomization (kctl/dev/manifests.py)
            from kctl.dev import manifests

            documents = manifests.render(release.renderer, release.chart)
            if release.app_image and release.images:
                manifests.pin(documents, release.app_image, release.images[0])
            return documents
        import yaml

        argv = [
            proc.binary("helm"),
            "template",
            release.name,
            str(release.chart),
            "--namespace",
            release.namespace,
            *helm_values(release),
        ]
        result = proc.check(proc.run(argv, timeout=120, what="helm template"), "helm template")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return [d for d in yaml.load_all(result.stdout, Loader=loader) if d]

    def plan(self, release: Release, state_dir: Path) -> tuple[LocalPlan, list[str], list[str]]:
        """The pods to play for a release; its endpoints; what the local target does not run."""
        instance = instance_name(release.name, self.env)
        rendered = self.render(release)
        objects, endpoints, skipped = local_manifest(
            rendered, instance, self.ports, release.host_ports
        )
        names = [d for d in rendered if isinstance(d, dict) and d.get("kind") == "Service"]
        services = release.services or Services()
        plan = plan_local([*objects, *names], release.name, self.env, state_dir / FILES, services)
        if not plan.units:
            raise OperationError(
                "the chart renders nothing the local target can run (Pod or Deployment)",
                hint="deploy it to a cluster with --target helm",
            )
        return plan, endpoints, skipped

    def deploy(self, release: Release, state_dir: Path, progress: Progress) -> Deployed:
        from kctl.fsio import write_file
        from kctl.yamlio import dump_all

        ahead = self._swap_ahead(release, state_dir)
        self._ordered = release.services_ordered()  # depends_on: every pod plays in order
        try:
            plan, endpoints, skipped = self.plan(release, state_dir)  # helm template meanwhile
        except KctlError as err:
            self._undo_ahead(ahead, state_dir, err, progress)
            raise
        manifest = dump_all(plan.shown())
        deployed = Deployed("local", endpoints=endpoints, manifest=manifest, skipped=skipped)
        deployed.instance, deployed.units = plan.instance, len(plan.units)
        if len(plan.units) > 1:
            deployed.services = endpoint_services(plan)
        if self.dry_run:
            return deployed
        previous = load_state(state_dir) or DeployState("local", release.name)
        path = state_dir / MANIFEST
        state = DeployState(
            "local",
            release.name,
            manifest=str(path),
            instance=plan.instance,
            run_once=tuple(plan.run_once),
        )
        # until it serves, the state keeps what served before (kctl down still finds it)
        save_state(
            state_dir,
            replace(
                previous,
                target="local",
                release=release.name,
                manifest=str(path),
                instance=plan.instance,
            ),
        )
        write_file(path, manifest)
        podman = proc.binary("podman")
        try:
            self._start(podman, plan, state_dir, release, progress, ahead)
            wait_ready(podman, plan.instance, endpoints, self.timeout, plan.run_once)
        except OperationError as err:
            raise self._roll_back(podman, plan.instance, state_dir, err, progress) from None
        write_file(state_dir / SERVING, json.dumps(plan_to_json(plan), indent=1) + "\n")
        found = ready_containers(podman, plan.instance, endpoints, plan.run_once) or []
        self._running = (plan.instance, running_names(found))  # what prepare() stops next
        images = sorted({str(c.get("Image", "")) for c in found})
        running = as_pinned(images, release.images)
        save_state(state_dir, replace(state, endpoints=tuple(endpoints), running=tuple(running)))
        return deployed

    def _player(self, podman: str, progress: Progress) -> Player:
        return Player(
            podman, self.timeout, progress, lambda flags, path: self._play(podman, path, flags)
        )

    def built(self, state_dir: Path, images: list[str]) -> None:
        """The new images are built, not pushed yet: swap them in meanwhile (local storage
        has them), once prepare() stopped what they replace. deploy() confirms the swap
        against the rendered release (or plays it in full); restore() undoes it."""
        if self.dry_run or self._ordered or self._ahead is not None:
            return
        serving = _serving_plan(state_dir)
        if serving is not None:
            self._ahead = swap_ahead(proc.binary("podman"), serving, images, self._joined)

    def _swap_ahead(self, release: Release, state_dir: Path) -> Future[Ahead | None] | None:
        """What built() started; else (a deploy without a build) a swap while the chart
        renders."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None or self.dry_run or release.services_ordered():
            return ahead
        serving = _serving_plan(state_dir)
        if serving is None:
            return None
        return swap_ahead(proc.binary("podman"), serving, release.images, self._joined)

    def _undo_ahead(
        self,
        ahead: Future[Ahead | None] | None,
        state_dir: Path,
        err: KctlError,
        progress: Progress,
    ) -> None:
        """The release failed to render after containers were swapped ahead: what served
        runs again (the caller raises err)."""
        done = ahead.result() if ahead is not None else None
        if done is None:
            return
        failed = err if isinstance(err, OperationError) else OperationError(err.message)
        self._roll_back(proc.binary("podman"), done.instance, state_dir, failed, progress)

    def _start(
        self,
        podman: str,
        plan: LocalPlan,
        state_dir: Path,
        release: Release,
        progress: Progress,
        ahead: Future[Ahead | None] | None,
    ) -> None:
        """Keep the containers swapped ahead if the rendered release changed only their
        images, else play every pod again."""
        services = release.services or Services()
        done = ahead.result() if ahead is not None else None
        if done is None:
            self._joined()
        else:
            names = ", ".join(s.name for s in done.swaps)
            progress.step(f"swap {names} to the new image")
            if done.error is not None:
                release_pods_held(podman, done.keepers)
                raise done.error
            if self._confirmed(plan, state_dir, services, done.swaps):
                finish(podman, done.swaps)
                write_manifests(plan, state_dir / PODS)
                self._held, self._held_for = done.keepers, plan.instance  # for the next swap
                return
            progress.step("the release changed more than its images: playing it in full")
        progress.step(f"podman kube play {release.name}")
        stop_pods(podman, plan.instance)  # the keepers too: kube play --replace removes them
        write_files(state_dir / FILES, plan.files)
        self._player(podman, progress).start(plan, state_dir / FILES, services, state_dir / PODS)

    @staticmethod
    def _confirmed(
        plan: LocalPlan, state_dir: Path, services: Services, swapped: Sequence[Swap]
    ) -> bool:
        """Whether the rendered plan is the serving one with exactly these new images (and
        the same private files)."""
        serving = _serving_plan(state_dir)
        expected = plan_swaps(serving, plan, services) if serving is not None else None
        if expected is None or not files_unchanged(state_dir / FILES, plan.files):
            return False
        return {(s.name, content_tag(s.new_image)) for s in expected} == {
            (s.name, content_tag(s.new_image)) for s in swapped
        }

    def _play(self, podman: str, path: Path, flags: Sequence[str] = ()) -> None:
        import yaml

        argv = [podman, "kube", "play", "--replace", *flags]
        objects = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        images = images_of(objects)
        if images and all(is_loopback(ImageRef.parse(i).registry or "") for i in images):
            argv.append("--tls-verify=false")  # a registry on this machine speaks plain HTTP
        result = proc.run([*argv, str(path)], timeout=self.timeout, what="podman kube play")
        proc.check(result, "podman kube play")

    def _roll_back(
        self,
        podman: str,
        instance: str,
        state_dir: Path,
        err: OperationError,
        progress: Progress,
    ) -> OperationError:
        """Play the last release that served again; else remove what this deploy started.
        The error says which."""
        from kctl.fsio import write_file
        from kctl.yamlio import dump_all

        serving, state = state_dir / SERVING, load_state(state_dir)
        if not serving.is_file():
            with contextlib.suppress(KctlError):
                removed = remove_instance(podman, instance, state_dir / FILES, volumes=False)
                progress.step(f"deploy failed: removed the {len(removed.pods)} pod(s) it started")
            err.hint = (
                "nothing served before, so nothing runs now (named volumes are kept): fix the app"
                " (kctl keeps watching)"
            )
            return err
        with contextlib.suppress(KctlError):
            stop_pods(podman, instance)  # a crash loop is not left spinning
        progress.step("deploy failed: playing the previous release again")
        endpoints = list(state.endpoints) if state else []
        try:
            plan = plan_from_json(json.loads(serving.read_text(encoding="utf-8")))
            self._player(podman, progress).start(
                plan, state_dir / FILES, Services(), state_dir / PODS
            )
            wait_ready(podman, instance, endpoints, min(self.timeout, 60.0), plan.run_once)
        except (OperationError, ValueError, KeyError, TypeError) as again:
            why = again.message if isinstance(again, OperationError) else "unreadable record"
            err.hint = f"rolling back failed too ({why}): nothing serves"
            return err
        path = state_dir / MANIFEST
        write_file(path, dump_all([o for unit in plan.units for o in unit.objects]))
        running = running_images(podman, instance, endpoints, plan.run_once) or []
        base = state or DeployState("local", plan.instance)
        save_state(
            state_dir,
            replace(
                base, manifest=str(path), running=tuple(running), run_once=tuple(plan.run_once)
            ),
        )
        where = f" on {', '.join(endpoints)}" if endpoints else ""
        return RolledBackError(
            f"{err.message}; rolled back: the previous release serves again{where}",
            details=err.details,
            hint="fix the app and save; kctl keeps watching",
        )

    def running(self, state_dir: Path) -> list[str] | None:
        """Images of the release when all its containers run and its ports answer, else None."""
        state = load_state(state_dir)
        if self.dry_run or not state or state.target != self.name:
            return None
        found = running_images(
            proc.binary("podman"), state.instance_name, list(state.endpoints), state.run_once
        )
        return None if found is None else as_pinned(found, state.running)

    def containers(self, state_dir: Path, images: list[str]) -> list[str]:
        """Ids of the release's running containers of these images (for a sync)."""
        state = load_state(state_dir)
        if self.dry_run or not state or state.target != self.name:
            return []
        wanted = {by_digest(i) for i in images}
        return [
            str(c["Id"])
            for c in containers(proc.binary("podman"), state.instance_name)
            if c.get("State") == "running"
            and by_digest(as_pinned([str(c.get("Image", ""))], state.running)[0]) in wanted
        ]

    @staticmethod
    def remove(state: DeployState, state_dir: Path, volumes: bool = False) -> Removal:
        """Remove the pods, network and private files kctl up made for the release (and, with
        volumes, its named volumes): whatever of it is left."""
        podman = proc.binary("podman")
        for name in (SERVING, MANIFEST):
            (state_dir / name).unlink(missing_ok=True)
        shutil.rmtree(state_dir / PODS, ignore_errors=True)
        return remove_instance(podman, state.instance_name, state_dir / FILES, volumes)


def _serving_plan(state_dir: Path) -> LocalPlan | None:
    """The plan that last became ready (None: nothing served, or an unreadable record)."""
    try:
        return plan_from_json(json.loads((state_dir / SERVING).read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _long_running_pods(state_dir: Path) -> list[str]:
    """The pods of the serving release whose containers keep running (not run-once)."""
    plan = _serving_plan(state_dir)
    return [u.pod for u in plan.units if u.service not in plan.run_once] if plan else []
