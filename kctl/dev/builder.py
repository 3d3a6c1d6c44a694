"""Build and push an artifact only when its content is new to the registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kctl.dev.context import ContextFile, collect, digest, tag_for
from kctl.dev.image import ImageRef, build, push, remote_digest
from kctl.dev.source import Artifact, Built
from kctl.errors import InputError, Location


def image_ref(artifact: Artifact) -> ImageRef:
    """The content-addressed reference of an artifact's current build context."""
    return _plan(artifact)[1]


def _plan(artifact: Artifact) -> tuple[list[ContextFile], ImageRef]:
    dockerfile = artifact.context / artifact.dockerfile
    if not dockerfile.is_file():
        raise InputError(
            f"no Dockerfile {artifact.dockerfile} in the build context of {artifact.component}",
            location=Location.of(Path(artifact.context) / artifact.dockerfile),
            hint="set `dockerfile` (kctl.toml) or build.dockerfile (Compose)",
        )
    files = collect(artifact.context, artifact.dockerfile)
    tag = tag_for(digest(files, artifact.dockerfile, artifact.build_args, artifact.target))
    return files, ImageRef(artifact.registry, artifact.path, tag)


def ensure_image(
    artifact: Artifact,
    *,
    push_image: bool = True,
    on_output: Callable[[str], None] = lambda line: None,
    on_step: Callable[[str], None] = lambda text: None,
) -> Built:
    """Build (and push) an artifact unless the registry already holds its content tag."""
    files, ref = _plan(artifact)
    if push_image:
        existing = remote_digest(ref)
        if existing is not None:
            on_step(f"unchanged {artifact.component}: {ref.name} is in the registry")
            return Built(artifact, ref, existing, built=False)
    on_step(f"build {artifact.component} -> {ref.name}")
    build(
        files,
        ref,
        dockerfile=artifact.dockerfile,
        build_args=artifact.build_args,
        target=artifact.target,
        on_output=on_output,
    )
    if not push_image:
        return Built(artifact, ref, "", built=True)
    on_step(f"push {ref.name}")
    pushed = push(ref, on_progress=lambda status: None)
    on_step(f"pushed {ref.pinned(pushed)}")
    return Built(artifact, ref, pushed, built=True)
