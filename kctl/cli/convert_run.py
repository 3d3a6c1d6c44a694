"""The work behind `kctl convert`'s flags (kept apart so `kctl --help` imports nothing heavy)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kctl.console import Console
from kctl.errors import ExitCode, InputError, PreconditionError

if TYPE_CHECKING:
    from kctl.compose.model import Project


def run_convert(
    console: Console,
    *,
    file: list[str],
    project_directory: Path | None,
    project_name: str | None,
    env_file: list[Path],
    profile: list[str],
    no_interpolate: bool,
    output: Path | None,
    stdout: bool,
    json_output: bool,
    indent: int,
    chart: bool,
    controller: str | None,
    replicas: int | None,
    volumes: str,
    pvc_request_size: str,
    namespace: str | None,
    create_namespace: bool,
    kube_version: str | None,
    network_policies: bool,
    no_wait_for_deps: bool,
    strict: bool,
    force: bool,
    build: bool = False,
    push: bool = False,
    registry: str | None = None,
    service_group_mode: str | None = None,
    service_group_name: str | None = None,
    kompose_annotation: bool = False,
    suppress_warnings: bool = False,
) -> int:
    from kctl.compose import LoadOptions, load_project
    from kctl.convert import ConvertOptions, convert_project
    from kctl.convert.options import CONTROLLERS, VOLUME_MODES
    from kctl.kube import DEFAULT_KUBE_VERSION, validate
    from kctl.kube import write as writer

    if controller and controller.lower() not in CONTROLLERS:
        raise InputError(
            f"unknown --controller {controller!r}", hint=f"choose one of {', '.join(CONTROLLERS)}"
        )
    volumes = {"persistentVolumeClaim": "pvc"}.get(volumes, volumes)
    if volumes not in VOLUME_MODES:
        raise InputError(
            f"unknown --volumes {volumes!r}",
            hint="choose one of persistentVolumeClaim (pvc), emptyDir, hostPath, configMap",
        )
    if service_group_mode not in (None, "label", "volume"):
        raise InputError(
            f"unknown --service-group-mode {service_group_mode!r}", hint="choose label or volume"
        )
    if service_group_name and service_group_mode != "volume":
        raise InputError("--service-group-name needs --service-group-mode volume")
    if output is not None and str(output) in ("json", "yaml", "yml") and not output.exists():
        raise InputError(
            f"-o {output} would write a folder named '{output}'",
            hint="did you mean -j/--json? (-o names the output file or folder; YAML is the "
            "default)",
        )
    if chart and output is None:
        raise InputError("--chart needs -o DIR for the chart folder")
    if stdout and output is not None:
        raise InputError("--stdout and -o exclude each other")
    project = load_project(
        LoadOptions(
            files=file,
            project_directory=project_directory,
            project_name=project_name,
            env_files=env_file,
            profiles=profile,
            interpolate=not no_interpolate,
        )
    )
    if build or push:
        build_images(console, project, registry, push)
    version = kube_version or DEFAULT_KUBE_VERSION
    conversion = convert_project(
        project,
        ConvertOptions(
            controller=controller.lower() if controller else None,
            replicas=replicas,
            volumes=volumes,
            pvc_request_size=pvc_request_size,
            namespace=namespace,
            create_namespace=create_namespace,
            kube_version=version,
            network_policies=network_policies,
            wait_for_deps=not no_wait_for_deps,
            service_group_mode=service_group_mode,
            service_group_name=service_group_name,
            kompose_command=_command_line() if kompose_annotation else None,
        ),
    )
    for obj in conversion.objects:  # nothing is written unless every object is valid
        validate(obj, version)
    for warning in [] if suppress_warnings else conversion.warnings:
        console.warn(str(warning))
    if conversion.warnings and not suppress_warnings:
        console.warn(
            f"{len(conversion.warnings)} Compose setting(s) not fully translated (listed above)"
        )
    if conversion.warnings and strict:
        raise PreconditionError(
            "--strict: Compose settings were not translated",
            hint="fix or remove them, or drop --strict",
        )
    if chart:
        from kctl import fsio
        from kctl.chart import ChartSpec, render_chart

        assert output is not None
        files = render_chart(
            ChartSpec(
                name=project.name,
                components=conversion.components,
                shared=conversion.shared,
                description=f"Kubernetes deployment of the {project.name} Compose project",
            )
        )
        fsio.write_tree(output, files, force=force)
        console.success(f"wrote Helm chart {output} ({len(files)} files)")
        return ExitCode.OK
    if output is None:
        console.result(writer.render(conversion.objects, as_json=json_output, indent=indent))
        return ExitCode.OK
    written = writer.write(
        conversion.objects, output, as_json=json_output, indent=indent, force=force
    )
    console.success(
        f"wrote {len(conversion.objects)} objects to {output}"
        + (f" ({len(written)} files)" if len(written) > 1 else "")
    )
    return ExitCode.OK


def build_images(console: Console, project: Project, registry: str | None, push: bool) -> None:
    """Build (and push) every `build:` service with kctl up's builder; point it at the result."""
    from kctl.dev.builder import ensure_image
    from kctl.dev.source import compose_artifacts

    artifacts = compose_artifacts(project, registry)
    if not artifacts:
        console.warn("--build: no service has `build:`; nothing to build")
    for artifact in artifacts:
        if push and artifact.registry == "localhost":
            raise InputError(
                f"--push: service {artifact.component!r} has no registry to push to",
                location=project.services[artifact.component].location("build"),
                hint="pass --registry HOST[:PORT][/PATH] or give the service an `image:` with one",
            )
    for artifact in artifacts:
        built = ensure_image(
            artifact,
            push_image=push,
            on_output=console.print_raw,
            on_step=lambda text: console.info(f"  {text}"),
        )
        project.services[artifact.component].config["image"] = built.pinned


def _command_line() -> str:
    """The command as typed, for the kompose.cmd annotation (program name without its path)."""
    import sys

    return " ".join(["kctl", *sys.argv[1:]])
