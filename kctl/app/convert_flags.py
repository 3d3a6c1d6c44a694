"""`kctl convert`'s flags as given -> a ConvertRequest: Kompose's alias flags resolved, values
and combinations kctl refuses (exit 2) judged before anything is read."""

from __future__ import annotations

from pathlib import Path

from msgspec import Struct, field

from kctl.app.convert import ConvertRequest
from kctl.errors import InputError


class KomposeFlags(Struct, frozen=True):
    """`kompose convert` flags kctl takes under their Kompose names (most deprecated there)."""

    yaml: bool = False
    emptyvols: bool = False
    deployment: bool = False
    daemon_set: bool = False
    replication_controller: bool = False
    multiple_container_mode: bool = False
    push_image: bool = False
    push_image_registry: str | None = None
    build_command: str | None = None
    push_command: str | None = None
    error_on_warning: bool = False

    def resolve(
        self, controller: str | None, volumes: str, group_mode: str | None, json_output: bool
    ) -> tuple[str | None, str, str | None]:
        """(controller, volumes, service group mode) after the aliases; conflicts are exit 2."""
        if self.replication_controller:
            raise InputError(
                "--replication-controller: kctl does not generate ReplicationControllers",
                hint="use --controller deployment (what Kompose recommends too)",
            )
        if self.build_command or self.push_command:
            raise InputError(
                "--build-command/--push-command are not supported: kctl builds and pushes "
                "through the container engine's API",
                hint="use --build/--push, with DOCKER_HOST pointing at Docker or Podman",
            )
        if self.yaml and json_output:
            raise InputError("-y/--yaml and -j/--json exclude each other")
        wanted = [c for c, on in (("deployment", self.deployment), ("daemonset", self.daemon_set))
                  if on]  # fmt: skip
        if len(wanted) > 1 or (wanted and controller and controller.lower() != wanted[0]):
            raise InputError("--deployment, --daemon-set and --controller exclude each other")
        if self.emptyvols:
            if volumes not in ("pvc", "persistentVolumeClaim", "emptyDir"):
                raise InputError("--emptyvols and --volumes exclude each other")
            volumes = "emptyDir"
        if self.multiple_container_mode:
            if group_mode not in (None, "label"):
                raise InputError("--multiple-container-mode means --service-group-mode label")
            group_mode = "label"
        return (wanted[0] if wanted else controller), volumes, group_mode


class ConvertFlags(Struct, frozen=True):
    """What `kctl convert`'s command line said, before the flag rules."""

    file: list[str] = field(default_factory=list)
    project_directory: Path | None = None
    project_name: str | None = None
    env_file: list[Path] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    no_interpolate: bool = False
    output: Path | None = None
    stdout: bool = False
    json_output: bool = False
    indent: int = 2
    chart: bool = False
    controller: str | None = None
    replicas: int | None = None
    volumes: str = "pvc"
    pvc_request_size: str = "100Mi"
    namespace: str | None = None
    create_namespace: bool = False
    kube_version: str | None = None
    network_policies: bool = False
    no_wait_for_deps: bool = False
    strict: bool = False
    force: bool = False
    build: bool = False
    push: bool = False
    registry: str | None = None
    inspect_images: bool = False
    service_group_mode: str | None = None
    service_group_name: str | None = None
    kompose_command: str | None = None  # the command line, for --with-kompose-annotation
    kompose: KomposeFlags = field(default_factory=KomposeFlags)


def to_request(flags: ConvertFlags) -> ConvertRequest:
    """The request the flags mean; a refused value or combination is exit 2."""
    from kctl.compose import LoadOptions
    from kctl.convert import ConvertOptions
    from kctl.kube import DEFAULT_KUBE_VERSION

    controller, volumes, group_mode = flags.kompose.resolve(
        flags.controller, flags.volumes, flags.service_group_mode, flags.json_output
    )
    volumes = check_flags(
        controller, volumes, group_mode, flags.service_group_name, flags.output, flags.chart,
        flags.stdout,
    )  # fmt: skip
    return ConvertRequest(
        load=LoadOptions(
            files=flags.file,
            project_directory=flags.project_directory,
            project_name=flags.project_name,
            env_files=flags.env_file,
            profiles=flags.profile,
            interpolate=not flags.no_interpolate,
        ),
        options=ConvertOptions(
            controller=controller.lower() if controller else None,
            replicas=flags.replicas,
            volumes=volumes,
            pvc_request_size=flags.pvc_request_size,
            namespace=flags.namespace,
            create_namespace=flags.create_namespace,
            kube_version=flags.kube_version or DEFAULT_KUBE_VERSION,
            network_policies=flags.network_policies,
            wait_for_deps=not flags.no_wait_for_deps,
            service_group_mode=group_mode,
            service_group_name=flags.service_group_name,
            kompose_command=flags.kompose_command,
        ),
        output=flags.output,
        as_json=flags.json_output,
        indent=flags.indent,
        chart=flags.chart,
        force=flags.force,
        strict=flags.strict or flags.kompose.error_on_warning,
        build=flags.build,
        push=flags.push or flags.kompose.push_image,
        registry=flags.kompose.push_image_registry or flags.registry,
        inspect_images=flags.inspect_images,
    )


def check_flags(
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
