"""Build and push an artifact only when its content is new to the registry."""

from __future__ import annotations

from msgspec import Struct
from msgspec.structs import replace

from kctl.dev.context import ContextFile, collect, digest, tag_for
from kctl.dev.image import PushRef, build, push
from kctl.dev.registry import remote_digest
from kctl.dev.source import Artifact, Built, check_dockerfile
from kctl.progress import Progress


class Planned(Struct, frozen=True):
    """An artifact's context, its content tag, and the registry's digest if it has it."""

    artifact: Artifact
    files: list[ContextFile]
    ref: PushRef
    existing: str | None


def plan(artifact: Artifact, check_registry: bool = True) -> Planned:
    """Read the context, compute its tag, ask the registry whether it already has it."""
    check_dockerfile(artifact)
    files = collect(artifact.context, artifact.dockerfile)
    tag = tag_for(digest(files, artifact.dockerfile, artifact.build_args, artifact.target))
    ref = PushRef(artifact.registry, artifact.path, tag)
    return Planned(artifact, files, ref, remote_digest(ref) if check_registry else None)


def build_planned(planned: Planned, progress: Progress) -> None:
    """Build a planned artifact through the engine, streaming its output."""
    artifact = planned.artifact
    progress.step(f"build {artifact.component} -> {planned.ref.name}")
    build(
        planned.files,
        planned.ref,
        dockerfile=artifact.dockerfile,
        build_args=artifact.build_args,
        target=artifact.target,
        on_output=progress.output,
    )


def push_planned(planned: Planned, progress: Progress) -> Built:
    """Push a built artifact; the result is pinned to the registry's digest."""
    progress.step(f"push {planned.ref.name}")
    pushed = push(planned.ref, on_progress=progress.output)
    progress.step(f"pushed {planned.ref.pinned(pushed)}")
    return Built(planned.artifact, planned.ref, pushed, built=True)


def unchanged(planned: Planned, progress: Progress) -> Built:
    """The registry already has this content: no build, no push."""
    assert planned.existing is not None
    progress.step(f"unchanged {planned.artifact.component}: {planned.ref.name} is in the registry")
    return Built(planned.artifact, planned.ref, planned.existing, built=False)


def ensure_image(
    artifact: Artifact,
    *,
    push_image: bool = True,
    progress: Progress,
) -> Built:
    """Build (and push) an artifact unless the registry already holds its content tag."""
    planned = plan(artifact, check_registry=push_image)
    if planned.existing is not None:
        return unchanged(planned, progress)
    build_planned(planned, progress)
    if not push_image:
        return Built(artifact, planned.ref, "", built=True)
    return push_planned(planned, replace(progress, output=lambda line: None))  # no layer log
