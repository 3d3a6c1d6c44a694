"""A release whose only change is new images (of the same configuration) for running
containers: each such container is swapped inside its pod, as `docker compose up` recreates only
what changed, instead of every pod being replayed by `podman kube play --replace`.

The pod's infra container keeps the network namespace, the published ports and the network
aliases; `podman container clone` copies everything kube play set on the container (command,
env, mounts, labels, restart policy) onto the new image. That is only the same container when
the new image's configuration (entrypoint, cmd, env, user, workdir, ports, volumes, labels)
is the old one's: otherwise, or when anything else of the plan differs (objects, aliases,
files, volumes), or a service starts in an order (depends_on) or runs once, the release is
played in full. Readiness, failure and rollback are the caller's, as for a full play.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.dev import proc
from kctl.dev.local_plan import LocalFile, LocalPlan, Unit, pod_spec
from kctl.dev.services import Services
from kctl.errors import OperationError
from kctl.images import ImageRef

OLD_SUFFIX = "-kctl-old"  # the replaced container's name while its clone is made
KEEP_SUFFIX = "-kctl-keep"  # a container that keeps a pod's infra up while its apps are down


class Swap(Struct, frozen=True):
    """One container of a running pod to run from a new image."""

    pod: str
    name: str  # the container's name (kube play: <pod>-<container>)
    old_image: str
    new_image: str


class PodHolder:
    """Keepers for a release's pods: a container of the pod's own infra image (which does
    nothing) in each, so that stopping the pod's app containers leaves the infra, with the
    network and the ports, running (kube play's pods stop when their last container stops,
    and starting one again sets its network up again)."""

    def __init__(self, podman: str) -> None:
        self.podman = podman
        self.image: str | None = None  # the infra image, looked up once

    def hold(self, pods: Sequence[str]) -> list[str]:
        """Start a keeper in each pod; their names (none where that failed: that infra then
        stops, and starts again with the app)."""
        if not pods or (self.image is None and not self._look_up(pods[0])):
            return []

        def keep(pod: str) -> str | None:
            name = f"{pod}{KEEP_SUFFIX}"
            argv = [self.podman, "run", "-d", "--replace", "--pod", pod, "--name", name]
            ok = proc.run([*argv, str(self.image)], timeout=60, what="podman run").ok
            return name if ok else None

        with ThreadPoolExecutor(max_workers=min(len(pods), 4)) as pool:
            return [name for name in pool.map(keep, pods) if name]

    def _look_up(self, pod: str) -> bool:
        argv = [self.podman, "pod", "inspect", "--format", "{{.InfraContainerID}}", pod]
        infra = proc.run(argv, timeout=60, what="podman pod inspect").stdout.strip()
        if not infra:
            return False
        argv = [self.podman, "inspect", "--type", "container", "--format", "{{.ImageName}}"]
        image = proc.run([*argv, infra], timeout=60, what="podman inspect").stdout.strip()
        self.image = image or None
        return self.image is not None


def release_pods_held(podman: str, keepers: Sequence[str]) -> None:
    """Remove the keepers (the pods' apps run again, or the pods are gone)."""
    if keepers:
        argv = [podman, "rm", "-f", "-t", "0", "--ignore", *keepers]
        proc.run(argv, timeout=60, what="podman rm")


class Ahead(Struct):
    """Containers swapped while the chart rendered (or the error that stopped it)."""

    instance: str
    swaps: list[Swap]
    stopped: list[str]  # the release's containers prepare() stopped (started with the clones)
    keepers: list[str]
    error: OperationError | None = None


def plan_swaps(old: LocalPlan, new: LocalPlan, services: Services) -> list[Swap] | None:
    """The containers to swap when new differs from old by container images alone, else None
    (also None when nothing differs: the caller then plays the release again as it is)."""
    if (old.instance, old.network, old.volumes) != (new.instance, new.network, new.volumes):
        return None
    if len(old.units) != len(new.units) or new.run_once:
        return None
    if any(facts.depends_on for facts in services.by_name.values()):
        return None
    swaps: list[Swap] = []
    for before, after in zip(old.units, new.units, strict=True):
        found = _unit_swaps(before, after)
        if found is None:
            return None
        swaps += found
    return swaps or None


def _unit_swaps(before: Unit, after: Unit) -> list[Swap] | None:
    same = ("service", "pod", "aliases", "published", "restart")
    if any(getattr(before, key) != getattr(after, key) for key in same):
        return None
    if len(before.objects) != len(after.objects):
        return None
    swaps: list[Swap] = []
    for old_obj, new_obj in zip(before.objects, after.objects, strict=True):
        images = _images(old_obj)
        if images is None or _images(new_obj) is None:
            return None
        unified = copy.deepcopy(new_obj)
        containers = pod_spec(unified).get("containers") or []
        if len(containers) != len(images):
            return None
        for container, (name, image) in zip(containers, images, strict=True):
            if container.get("image") != image:
                swaps.append(Swap(after.pod, f"{after.pod}-{name}", image, container["image"]))
                container["image"] = image
        if unified != old_obj:
            return None
    return swaps


def _images(obj: dict[str, Any]) -> list[tuple[str, str]] | None:
    """(container name, image) of a pod's containers; None for a pod with init containers
    (kube play runs them before the others: a swap would not) or not a workload."""
    if obj.get("kind") not in ("Pod", "Deployment"):
        return [] if obj.get("kind") else None
    spec = copy.deepcopy(obj)
    found = pod_spec(spec)
    if found.get("initContainers"):
        return None
    return [(str(c.get("name")), str(c.get("image"))) for c in found.get("containers") or []]


def files_unchanged(folder: Path, files: Sequence[LocalFile]) -> bool:
    """Whether the private files on disk are exactly these (the running containers mount
    them: a swap keeps the mounts, so they must not change)."""
    wanted = {item.path: item for item in files}
    present = [Path(d, f) for d, _, names in os.walk(folder) for f in names]
    if set(present) != set(wanted):
        return False
    for path in present:
        item = wanted[path]
        if path.read_bytes() != item.data or path.stat().st_mode & 0o777 != item.mode & 0o777:
            return False
    return True


def content_tag(pinned: str) -> str:
    """registry/repo:tag@digest -> registry/repo:tag: the content-addressed tag kctl built
    here, in local storage without a pull (the digest-pinned name is only once pulled)."""
    return pinned.partition("@")[0]


def as_pinned(names: Sequence[str], pins: Sequence[str]) -> list[str]:
    """Images containers report, with a content tag kctl swapped in named by the pinned
    reference it was pushed as (the tag was pushed in the same cycle and got that digest)."""
    by_tag = {content_tag(p): p for p in pins if "@" in p}
    return sorted({by_tag.get(name, name) for name in names})


def candidate_swaps(serving: LocalPlan, images: Sequence[str], services: Services) -> list[Swap]:
    """Before the chart is rendered: the serving containers that one of the release's new
    images (same repository, new digest) replaces; the render later confirms nothing else
    changed (plan_swaps), or the release is played in full."""
    if serving.run_once or any(facts.depends_on for facts in services.by_name.values()):
        return []
    by_repository = {ImageRef.parse(image).repository: image for image in images}
    swaps = []
    for unit in serving.units:
        for obj in unit.objects:
            found = _images(obj)
            if found is None:
                return []
            for name, image in found:
                new = by_repository.get(ImageRef.parse(image).repository)
                if new is not None and content_tag(new) != content_tag(image):
                    swaps.append(Swap(unit.pod, f"{unit.pod}-{name}", image, new))
    return swaps


def same_configuration(podman: str, swaps: Sequence[Swap]) -> bool:
    """Whether each new image runs as the image it replaces does (same Config: entrypoint,
    cmd, env, user, workdir, ports, volumes, labels); both by their local content tags."""
    images = sorted({content_tag(i) for s in swaps for i in (s.old_image, s.new_image)})
    argv = [podman, "image", "inspect", "--format", "{{json .Config}}", *images]
    result = proc.run(argv, timeout=60, what="podman image inspect")
    lines = result.stdout.splitlines()
    if not result.ok or len(lines) != len(images):
        return False  # e.g. a tag not built here: the full play pulls what it needs
    configs = {image: json.loads(line) for image, line in zip(images, lines, strict=True)}
    return all(
        configs[content_tag(s.old_image)] == configs[content_tag(s.new_image)] for s in swaps
    )


def swap(podman: str, swaps: Sequence[Swap], stopped: Sequence[str]) -> None:
    """Replace each container by a clone on its new image (its local content tag), then
    start them and the release's containers stopped for the new version (`stopped`)."""
    for item in swaps:
        old = f"{item.name}{OLD_SUFFIX}"
        argv = [podman, "rename", item.name, old]
        proc.check(proc.run(argv, timeout=60, what="podman rename"), "podman rename")
        argv = [podman, "container", "clone", old, item.name, content_tag(item.new_image)]
        proc.check(proc.run(argv, timeout=120, what="podman container clone"), "podman clone")
    running = [f"{s.name}{OLD_SUFFIX}" for s in swaps if s.name not in stopped]
    if running:  # prepare() stopped none of them (a deploy without a build)
        argv = [podman, "stop", "-t", "0", *running]
        proc.check(proc.run(argv, timeout=60, what="podman stop"), "podman stop")
    names = dict.fromkeys([*stopped, *(s.name for s in swaps)])
    argv = [podman, "start", *names]
    proc.check(proc.run(argv, timeout=120, what="podman start"), "podman start")


def finish(podman: str, swaps: Sequence[Swap]) -> None:
    """Remove the replaced containers (the clones run). The keepers stay in their pods for
    the next swap (`kctl down`, or a full play, removes them with the pods)."""
    olds = [f"{item.name}{OLD_SUFFIX}" for item in swaps]
    argv = [podman, "rm", "-f", "-t", "0", "--ignore", *olds]
    proc.check(proc.run(argv, timeout=60, what="podman rm"), "podman rm")


def swap_ahead(
    podman: str,
    serving: LocalPlan,
    images: Sequence[str],
    joined: Callable[[], tuple[str | None, list[str], list[str]]],
) -> Future[Ahead | None] | None:
    """In a thread: swap the serving containers the new images replace, if those images run
    as the old ones do; joined() waits for prepare() and says what it stopped (instance,
    container names, keepers). None when no container would be swapped."""
    swaps = candidate_swaps(serving, images, Services())
    if not swaps:
        return None

    def run() -> Ahead | None:
        if not same_configuration(podman, swaps):
            return None
        instance, stopped, keepers = joined()
        mine = stopped if instance == serving.instance else []
        ahead = Ahead(serving.instance, swaps, mine, keepers)
        try:
            swap(podman, swaps, mine)
        except OperationError as err:
            ahead.error = err
        return ahead

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(run)
    finally:
        pool.shutdown(wait=False)


def unswap(podman: str, ahead: Ahead) -> list[str]:
    """Undo a swap (the cycle failed before its release was confirmed): the clones removed,
    the replaced containers back under their names; the names to start again."""
    for item in ahead.swaps:
        old = f"{item.name}{OLD_SUFFIX}"
        if not proc.run([podman, "container", "exists", old], timeout=60, what="podman").ok:
            continue  # not renamed: the original still has its name
        argv = [podman, "rm", "-f", "-t", "0", "--ignore", item.name]
        proc.check(proc.run(argv, timeout=60, what="podman rm"), "podman rm")
        argv = [podman, "rename", old, item.name]
        proc.check(proc.run(argv, timeout=60, what="podman rename"), "podman rename")
    return list(dict.fromkeys([*ahead.stopped, *(s.name for s in ahead.swaps)]))
