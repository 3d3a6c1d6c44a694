"""`kctl convert`: Compose files → Kubernetes manifests or a Helm chart."""

from __future__ import annotations

from pathlib import Path

import typer

from kctl.cli.context import console_of


def register(app: typer.Typer) -> None:
    app.command("convert", help="Convert Compose files to Kubernetes manifests or a Helm chart.")(
        convert
    )


def convert(
    ctx: typer.Context,
    file: list[str] = typer.Option(
        [], "-f", "--file", help="Compose file (repeatable, - for stdin)."
    ),
    project_directory: Path | None = typer.Option(
        None, "--project-directory", help="Project folder."
    ),
    project_name: str | None = typer.Option(None, "-p", "--project-name", help="Project name."),
    env_file: list[Path] = typer.Option([], "--env-file", help="Variables file (repeatable)."),
    profile: list[str] = typer.Option([], "--profile", help="Enable a profile (repeatable)."),
    no_interpolate: bool = typer.Option(False, "--no-interpolate", help="Keep ${VARS} as written."),
    output: Path | None = typer.Option(None, "-o", "--out", help="Output file or directory."),
    stdout: bool = typer.Option(
        False, "--stdout", help="Print to stdout (the default without -o)."
    ),
    json_output: bool = typer.Option(False, "-j", "--json", help="JSON instead of YAML."),
    indent: int = typer.Option(2, "--indent", min=1, max=8, help="Indentation."),
    chart: bool = typer.Option(False, "-c", "--chart", help="Write a Helm chart to -o DIR."),
    controller: str | None = typer.Option(
        None, "--controller", help="deployment|statefulset|daemonset|job|cronjob"
    ),
    replicas: int | None = typer.Option(None, "--replicas", min=0, help="Replicas per service."),
    volumes: str = typer.Option("pvc", "--volumes", help="pvc|emptyDir|hostPath|configMap"),
    pvc_request_size: str = typer.Option("100Mi", "--pvc-request-size", help="Default PVC size."),
    namespace: str | None = typer.Option(None, "-n", "--namespace", help="Namespace of objects."),
    create_namespace: bool = typer.Option(False, "--create-namespace", help="Emit the Namespace."),
    kube_version: str | None = typer.Option(None, "--kube-version", help="Target Kubernetes."),
    network_policies: bool = typer.Option(
        False, "--generate-network-policies", help="NetworkPolicy per Compose network."
    ),
    no_wait_for_deps: bool = typer.Option(
        False, "--no-wait-for-deps", help="No init containers for depends_on."
    ),
    strict: bool = typer.Option(False, "--strict", help="Warnings are errors (exit 3)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing output."),
    build: bool = typer.Option(False, "--build", help="Build images of `build:` services."),
    push: bool = typer.Option(False, "--push", help="Build and push them; pin their digests."),
    registry: str | None = typer.Option(
        None, "--registry", envvar="KCTL_REGISTRY", help="Registry for built images."
    ),
) -> int:
    options = {k: v for k, v in locals().items() if k != "ctx"}
    from kctl.cli.convert_run import run_convert

    return run_convert(console_of(ctx), **options)
