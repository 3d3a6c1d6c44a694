"""`kctl convert`: Compose files → Kubernetes manifests or a Helm chart."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kctl.cli import completers
from kctl.cli.context import command_line, console_of
from kctl.cli.options import shared
from kctl.cli.panels import PanelCommand

EXAMPLES = """\b
Examples:
  kctl convert -f compose.yaml                     manifests on stdout
  kctl convert -f compose.yaml -o k8s/ -n shop     one file per object, namespace shop
  kctl convert -f compose.yaml --chart -o chart/   a parameterized Helm chart
  kctl convert --list-labels                       the kompose.* labels kctl honours

\b
Kompose users: the kompose.* labels and kompose's flags (--volumes persistentVolumeClaim,
--error-on-warning, --multiple-container-mode, -f before convert ...) work as in Kompose;
differences are listed in docs/kompose.md."""


def register(app: typer.Typer) -> None:
    app.command(
        "convert",
        help="Convert Compose files to Kubernetes manifests or a Helm chart.",
        epilog=EXAMPLES,
        cls=PanelCommand,
    )(convert)


def _print_labels(value: bool) -> None:
    if not value:
        return
    from kctl.app.convert import labels

    rows = labels()
    width = max(len(name) for name, *_ in rows)
    for name, expected, where, effect in rows:
        sys.stdout.write(f"{name:<{width}}  {expected}  [{where}]\n{'':<{width}}  {effect}\n")
    raise typer.Exit(0)


def convert(
    ctx: typer.Context,
    file: list[str] = shared("--file", rich_help_panel="Input"),
    list_labels: bool = typer.Option(
        False,
        "--list-labels",
        callback=_print_labels,
        is_eager=True,
        expose_value=False,
        help="Print the kompose.* labels kctl honours, with their values, and exit.",
        rich_help_panel="Output",
    ),
    project_directory: Path | None = typer.Option(
        None,
        "--project-directory",
        metavar="<dir>",
        help="Project folder.",
        rich_help_panel="Input",
    ),
    project_name: str | None = typer.Option(
        None,
        "-p",
        "--project-name",
        metavar="<name>",
        help="Project name.",
        rich_help_panel="Input",
    ),
    env_file: list[Path] = typer.Option(
        [],
        "--env-file",
        metavar="<file>",
        help="Variables file (repeatable).",
        rich_help_panel="Input",
    ),
    profile: list[str] = typer.Option(
        [],
        "--profile",
        metavar="<name>",
        help="Enable a profile (repeatable).",
        rich_help_panel="Input",
    ),
    no_interpolate: bool = typer.Option(
        False, "--no-interpolate", help="Keep ${VARS} as written.", rich_help_panel="Input"
    ),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--out",
        metavar="<file|dir>",
        help="Output file or directory.",
        rich_help_panel="Output",
    ),
    stdout: bool = typer.Option(
        False,
        "--stdout",
        help="Print to stdout (the default without -o).",
        rich_help_panel="Output",
    ),
    json_output: bool = typer.Option(
        False, "-j", "--json", help="JSON instead of YAML.", rich_help_panel="Output"
    ),
    indent: int = typer.Option(
        2, "--indent", min=1, max=8, metavar="<n>", help="Indentation.", rich_help_panel="Output"
    ),
    chart: bool = shared("--chart", rich_help_panel="Output"),
    controller: str | None = typer.Option(
        None,
        "--controller",
        metavar="<kind>",
        help="deployment|statefulset|daemonset|job|cronjob",
        autocompletion=completers.CONTROLLERS,
        rich_help_panel="Kubernetes",
    ),
    replicas: int | None = typer.Option(
        None,
        "--replicas",
        min=0,
        metavar="<n>",
        help="Replicas per service.",
        rich_help_panel="Kubernetes",
    ),
    volumes: str = typer.Option(
        "pvc",
        "--volumes",
        metavar="<mode>",
        help="persistentVolumeClaim (pvc)|emptyDir|hostPath|configMap",
        autocompletion=completers.VOLUMES,
        rich_help_panel="Kubernetes",
    ),
    pvc_request_size: str = typer.Option(
        "100Mi",
        "--pvc-request-size",
        metavar="<size>",
        help="Default PVC size.",
        rich_help_panel="Kubernetes",
    ),
    namespace: str | None = shared("--namespace", rich_help_panel="Kubernetes"),
    create_namespace: bool = typer.Option(
        False, "--create-namespace", help="Emit the Namespace.", rich_help_panel="Kubernetes"
    ),
    kube_version: str | None = shared("--kube-version", rich_help_panel="Kubernetes"),
    network_policies: bool = typer.Option(
        False,
        "--generate-network-policies",
        help="NetworkPolicy per Compose network.",
        rich_help_panel="Kubernetes",
    ),
    no_wait_for_deps: bool = typer.Option(
        False,
        "--no-wait-for-deps",
        help="No init containers for depends_on.",
        rich_help_panel="Kubernetes",
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Warnings are errors (exit 3).", rich_help_panel="Behaviour"
    ),
    force: bool = shared("--force", help="Overwrite existing output.", rich_help_panel="Output"),
    build: bool = typer.Option(
        False, "--build", help="Build images of `build:` services.", rich_help_panel="Build"
    ),
    push: bool = typer.Option(
        False, "--push", help="Build and push them; pin their digests.", rich_help_panel="Build"
    ),
    registry: str | None = shared("--registry", rich_help_panel="Build"),
    inspect_images: bool = typer.Option(
        False,
        "--inspect-images",
        help="Services without ports: read their image's EXPOSE from its registry (cached).",
        rich_help_panel="Build",
    ),
    service_group_mode: str | None = typer.Option(
        None,
        "--service-group-mode",
        metavar="<mode>",
        help="Merge services into one pod: label (kompose.service.group) or volume (same volumes).",
        autocompletion=completers.GROUP_MODES,
        rich_help_panel="Kubernetes",
    ),
    service_group_name: str | None = typer.Option(
        None,
        "--service-group-name",
        metavar="<name>",
        help="Name of the merged workload (--service-group-mode volume).",
        rich_help_panel="Kubernetes",
    ),
    kompose_annotation: bool = typer.Option(
        False,
        "--with-kompose-annotation",
        help="Add kompose.cmd/kompose.version annotations.",
        rich_help_panel="Kubernetes",
    ),
    suppress_warnings: bool = typer.Option(
        False,
        "--suppress-warnings",
        help="Do not print warnings (--strict still counts them).",
        rich_help_panel="Behaviour",
    ),
    # Kompose's own spellings, so scripts written for `kompose convert` keep working.
    error_on_warning: bool = typer.Option(
        False, "--error-on-warning", help="Same as --strict.", rich_help_panel="Behaviour"
    ),
    yaml_output: bool = typer.Option(False, "-y", "--yaml", hidden=True),
    emptyvols: bool = typer.Option(False, "--emptyvols", hidden=True),
    deployment: bool = typer.Option(False, "-d", "--deployment", hidden=True),
    daemon_set: bool = typer.Option(False, "--daemon-set", hidden=True),
    replication_controller: bool = typer.Option(False, "--replication-controller", hidden=True),
    multiple_container_mode: bool = typer.Option(False, "--multiple-container-mode", hidden=True),
    secrets_as_files: bool = typer.Option(False, "--secrets-as-files", hidden=True),
    push_image: bool = typer.Option(False, "--push-image", hidden=True),
    push_image_registry: str | None = typer.Option(None, "--push-image-registry", hidden=True),
    build_command: str | None = typer.Option(None, "--build-command", hidden=True),
    push_command: str | None = typer.Option(None, "--push-command", hidden=True),
) -> int:
    from kctl.app.convert_flags import ConvertFlags, KomposeFlags
    from kctl.cli.convert_run import run_convert

    aliases = KomposeFlags(
        yaml_output, emptyvols, deployment, daemon_set, replication_controller,
        multiple_container_mode, push_image, push_image_registry, build_command, push_command,
        error_on_warning,
    )  # fmt: skip
    flags = ConvertFlags(
        file=file,
        project_directory=project_directory,
        project_name=project_name,
        env_file=env_file,
        profile=profile,
        no_interpolate=no_interpolate,
        output=output,
        stdout=stdout,
        json_output=json_output,
        indent=indent,
        chart=chart,
        controller=controller,
        replicas=replicas,
        volumes=volumes,
        pvc_request_size=pvc_request_size,
        namespace=namespace,
        create_namespace=create_namespace,
        kube_version=kube_version,
        network_policies=network_policies,
        no_wait_for_deps=no_wait_for_deps,
        strict=strict,
        force=force,
        build=build,
        push=push,
        registry=registry,
        inspect_images=inspect_images,
        service_group_mode=service_group_mode,
        service_group_name=service_group_name,
        kompose_command=command_line(ctx) if kompose_annotation else None,
        kompose=aliases,
    )
    return run_convert(console_of(ctx), flags, suppress_warnings)


def kompose_argv(args: list[str]) -> list[str]:
    """Kompose's argument shapes kctl's parser cannot take directly: global `-f FILE`,
    `--suppress-warnings`/`--error-on-warning` before `convert`, and `--build local|none`."""
    if "convert" not in args:
        return args
    at = args.index("convert")
    before, after = args[:at], args[at + 1 :]
    moved: list[str] = []
    kept: list[str] = []
    i = 0
    while i < len(before):
        arg = before[i]
        if arg in ("-f", "--file") and i + 1 < len(before):
            moved += [arg, before[i + 1]]
            i += 2
            continue
        if arg.startswith("--file=") or arg in ("--suppress-warnings", "--error-on-warning"):
            moved.append(arg)
        elif arg.startswith("-"):
            kept.append(arg)
        else:
            return args  # `convert` is not the command here (e.g. a value of another option)
        i += 1
    rest: list[str] = []
    i = 0
    while i < len(after):
        arg = after[i]
        value = arg.partition("=")[2] if arg.startswith("--build=") else None
        if arg == "--build" and i + 1 < len(after) and after[i + 1] in _BUILD_VALUES:
            value = after[i + 1]
            i += 1
        flag, _, setting = arg.partition("=")
        if flag in _BOOL_FLAGS and setting.lower() in ("true", "false"):  # pflag's --flag=false
            rest += [flag] if setting.lower() == "true" else []
        elif value is None:
            rest.append(arg)
        elif value == "local":
            rest.append("--build")
        elif value != "none":
            rest.append(f"--build={value}")  # refused by the parser: --build takes no value
        i += 1
    return [*kept, "convert", *moved, *rest]


_BUILD_VALUES = ("local", "none", "build-config")
_BOOL_FLAGS = (
    "--with-kompose-annotation",
    "--stdout",
    "--generate-network-policies",
    "--emptyvols",
)
