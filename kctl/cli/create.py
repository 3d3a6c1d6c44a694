"""`kctl create`: detect the app in a folder and scaffold Dockerfile, chart and kctl.toml."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kctl.cli import completers
from kctl.cli.context import console_of
from kctl.cli.examples import epilog
from kctl.cli.options import shared
from kctl.console import Console, OutputFormat

if TYPE_CHECKING:
    from kctl.fsio import PlannedWrite


def register(app: typer.Typer) -> None:
    app.command(
        "create",
        help="Detect the language of PATH and scaffold a deployable app.",
        epilog=epilog("create"),
    )(create)


def create(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), help="Project folder."),
    explain: bool = typer.Option(False, "--explain", help="Print the detection and its evidence."),
    output: OutputFormat = shared("--output"),
    pack: str | None = typer.Option(
        None,
        "--pack",
        metavar="<name>",
        help="Use this pack instead of detecting.",
        autocompletion=completers.pack_names,
    ),
    pack_dir: list[Path] = shared("--pack-dir"),
    app_name: str | None = typer.Option(
        None, "--app", metavar="<name>", help="App name (default: folder name)."
    ),
    dry_run: bool = shared("--dry-run", help="Show what would be written."),
    force: bool = shared("--force"),
    variable: list[str] = typer.Option(
        [],
        "--variable",
        metavar="<key=value>",
        help="KEY=VALUE for the pack's templates (see `kctl pack show`).",
    ),
    dockerfile_only: bool = typer.Option(
        False, "--dockerfile-only", help="Write only the Dockerfile and its companions."
    ),
    deployment_only: bool = typer.Option(
        False, "--deployment-only", help="Write only the deployment files."
    ),
    deploy_type: str = typer.Option(
        "helm",
        "--deploy-type",
        metavar="<type>",
        help="helm (charts/APP), kustomize (base, overlays) or manifests.",
        autocompletion=completers.DEPLOY_TYPES,
    ),
) -> None:
    from kctl.app.create import CreateRequest, check_flags, detect_only, project_root, run

    check_flags(dockerfile_only, deployment_only, deploy_type)
    console = console_of(ctx)
    request = CreateRequest(
        root=project_root(path),
        pack_dirs=list(pack_dir),
        pack=pack,
        app=app_name,
        assignments=list(variable),
        deploy_type=deploy_type,
        parts="dockerfile" if dockerfile_only else "deployment" if deployment_only else "all",
        dry_run=dry_run,
        force=force,
    )
    if explain:
        _explain(console, detect_only(request).as_dict(), output)
        return
    result = run(request)
    for problem in result.detection.problems:
        console.warn(problem)
    if dry_run and output is OutputFormat.TABLE:
        _show_plan(console, result.planned)
        return
    if output is not OutputFormat.TABLE:
        console.emit(result.report, output)
    if dry_run:
        return
    for item in result.planned:
        if item.change.value != "unchanged":
            console.info(f"{item.change.value:7} {item.path.relative_to(request.root)}")
    pack_name = result.detection.pack.name
    console.success(f"scaffolded {result.report['app']} with the {pack_name} pack; next: kctl up")


def _explain(console: Console, data: dict[str, Any], output: OutputFormat) -> None:
    if output is not OutputFormat.TABLE:
        console.emit(data, output)
        return
    lines = [
        f"path:       {data['path']}",
        f"pack:       {data['pack']}",
        f"language:   {data['language']}",
        f"framework:  {data['framework'] or '-'}",
        f"versions:   {', '.join(f'{k} {v}' for k, v in data['versions'].items()) or '-'}",
        f"port:       {data['port']}",
        f"entrypoint: {data['entrypoint'] or '-'}",
        "evidence:",
    ]
    for item in data["evidence"]:
        lines.append(f"  {item['kind']:10} {item['path']}: {item['detail']}")
    for problem in data["problems"]:
        lines.append(f"  problem    {problem}")
    console.result("\n".join(lines))


def _show_plan(console: Console, planned: list[PlannedWrite]) -> None:
    import difflib

    out = []
    for item in planned:
        out.append(f"{item.change.value:9} {item.path}")
        if item.change.value == "update" and item.old_content is not None:
            out.extend(
                line.rstrip("\n")
                for line in difflib.unified_diff(
                    item.old_content.decode(errors="replace").splitlines(True),
                    item.content.decode(errors="replace").splitlines(True),
                    f"a/{item.path.name}",
                    f"b/{item.path.name}",
                )
            )
    console.result("\n".join(out))
