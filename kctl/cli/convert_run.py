"""`kctl convert`'s flags -> a ConvertRequest; the result rendered (kept apart from the Typer
signature so `kctl --help` imports nothing heavy)."""

from __future__ import annotations

from pathlib import Path

from kctl.console import Console
from kctl.errors import ExitCode, InputError


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
    kompose_command: str | None = None,
    suppress_warnings: bool = False,
) -> int:
    from kctl.app.convert import ConvertRequest, run
    from kctl.compose import LoadOptions
    from kctl.convert import ConvertOptions
    from kctl.kube import DEFAULT_KUBE_VERSION
    from kctl.progress import Progress

    volumes = _check_flags(
        controller, volumes, service_group_mode, service_group_name, output, chart, stdout
    )
    request = ConvertRequest(
        load=LoadOptions(
            files=file,
            project_directory=project_directory,
            project_name=project_name,
            env_files=env_file,
            profiles=profile,
            interpolate=not no_interpolate,
        ),
        options=ConvertOptions(
            controller=controller.lower() if controller else None,
            replicas=replicas,
            volumes=volumes,
            pvc_request_size=pvc_request_size,
            namespace=namespace,
            create_namespace=create_namespace,
            kube_version=kube_version or DEFAULT_KUBE_VERSION,
            network_policies=network_policies,
            wait_for_deps=not no_wait_for_deps,
            service_group_mode=service_group_mode,
            service_group_name=service_group_name,
            kompose_command=kompose_command,
        ),
        output=output,
        as_json=json_output,
        indent=indent,
        chart=chart,
        force=force,
        strict=strict,
        build=build,
        push=push,
        registry=registry,
    )
    warn = (lambda text: None) if suppress_warnings else console.warn
    progress = Progress(step=console.info, output=console.print_raw, warn=warn)
    result = run(request, progress)
    if result.warnings and not suppress_warnings:
        for warning in result.warnings:
            console.warn(str(warning))
        console.warn(
            f"{len(result.warnings)} Compose setting(s) not fully translated (listed above)"
        )
    if result.text is not None:
        console.result(result.text)
    if result.written:
        console.success(result.written)
    return ExitCode.OK


def _check_flags(
    controller: str | None,
    volumes: str,
    group_mode: str | None,
    group_name: str | None,
    output: Path | None,
    chart: bool,
    stdout: bool,
) -> str:
    """Flag values and combinations kctl refuses before reading anything; the volume mode."""
    from kctl.convert.options import CONTROLLERS, VOLUME_MODES

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
    if group_mode not in (None, "label", "volume"):
        raise InputError(f"unknown --service-group-mode {group_mode!r}", hint="label or volume")
    if group_name and group_mode != "volume":
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
    return volumes
