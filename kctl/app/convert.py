"""`kctl convert` as a use case: Compose files -> validated objects -> manifests or a chart."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from kctl.compose import LoadOptions
from kctl.convert.options import Conversion, ConversionWarning, ConvertOptions
from kctl.errors import InputError, PreconditionError
from kctl.progress import Progress

if TYPE_CHECKING:
    from kctl.compose.model import Project
    from kctl.dev.source import Built


class ConvertRequest(Struct, frozen=True):
    """Everything `kctl convert` was asked for."""

    load: LoadOptions
    options: ConvertOptions = field(default_factory=ConvertOptions)
    output: Path | None = None  # None: the manifests are the result (stdout)
    as_json: bool = False
    indent: int = 2
    chart: bool = False
    force: bool = False
    strict: bool = False
    build: bool = False
    push: bool = False
    registry: str | None = None
    inspect_images: bool = False  # read the EXPOSE of portless services' images from registries


class ConvertResult(Struct):
    """What a conversion produced: text for stdout, or what it wrote, and its warnings."""

    warnings: list[ConversionWarning]
    text: str | None = None
    written: str | None = None  # a one-line summary of what was written


def run(request: ConvertRequest, progress: Progress | None = None) -> ConvertResult:
    """Load, (build), convert, validate every object, then write or render; nothing is written
    unless every object is valid, and --strict refuses before writing when anything was not
    translated."""
    from kctl.compose import load_project
    from kctl.convert.pipeline import validated

    progress = progress or Progress()
    project = load_project(request.load)
    conversion = validated(project, request.options)  # every input judged before any build
    options = request.options
    built = build_images(project, request, progress) if request.build or request.push else {}
    if built:
        options = replace(options, images={name: b.pinned for name, b in built.items()})
    if built or request.inspect_images:
        from kctl.app.convert_images import image_ports

        ports = image_ports(project, built, request.inspect_images, progress)
        if ports:
            options = replace(options, image_ports=ports)
    if options is not request.options:
        conversion = validated(project, options)
    if conversion.warnings and request.strict:
        for warning in conversion.warnings:
            progress.warn(str(warning))
        raise PreconditionError(
            f"--strict: {len(conversion.warnings)} Compose setting(s) were not translated",
            hint="fix or remove them, or drop --strict",
        )
    result = ConvertResult(conversion.warnings)
    if request.chart:
        result.written = _write_chart(project, conversion, request)
    elif request.output is None:
        from kctl.kube import write as writer

        result.text = writer.render(
            conversion.objects, as_json=request.as_json, indent=request.indent
        )
    else:
        result.written = _write_manifests(conversion.objects, request)
    return result


def _write_chart(project: Project, conversion: Conversion, request: ConvertRequest) -> str:
    from kctl import fsio
    from kctl.convert.pipeline import chart_files

    assert request.output is not None
    description = f"Kubernetes deployment of the {project.name} Compose project"
    files = chart_files(conversion, project.name, description)
    fsio.write_tree(request.output, files, force=request.force)
    return f"wrote Helm chart {request.output} ({len(files)} files)"


def _write_manifests(objects: list[dict[str, object]], request: ConvertRequest) -> str:
    from kctl.kube import write as writer

    assert request.output is not None
    written = writer.write(
        objects, request.output, as_json=request.as_json, indent=request.indent, force=request.force
    )
    files = f" ({len(written)} files)" if len(written) > 1 else ""
    return f"wrote {len(objects)} objects to {request.output}{files}"


def labels() -> list[tuple[str, str, str, str]]:
    """The kompose.* labels kctl honours: (name, expected value, where, effect)."""
    from kctl.convert.labels import reference

    return list(reference())


def build_images(
    project: Project, request: ConvertRequest, progress: Progress
) -> Mapping[str, Built]:
    """Build (and push) every `build:` service with kctl up's builder: {service: what was
    built, its pinned image}. The loaded project is not changed; the conversion uses these
    images instead."""
    from kctl.dev.builder import ensure_image
    from kctl.dev.source import compose_artifacts

    artifacts = compose_artifacts(project, request.registry)
    if not artifacts:
        progress.warn("--build: no service has `build:`; nothing to build")
    for artifact in artifacts:
        if request.push and artifact.registry == "localhost":
            raise InputError(
                f"--push: service {artifact.component!r} has no registry to push to",
                location=project.services[artifact.component].location("build"),
                hint="pass --registry HOST[:PORT][/PATH] or give the service an `image:` with one",
            )
    images = {}
    for artifact in artifacts:
        built = ensure_image(
            artifact,
            push_image=request.push,
            progress=replace(progress, step=lambda text: progress.step(f"  {text}")),
        )
        images[artifact.component] = built
    return images
