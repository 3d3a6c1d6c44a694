"""`kctl create` as a use case: detect the pack of a folder, render its files, write them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.detect import Detection
from kctl.errors import InputError
from kctl.fsio import PlannedWrite
from kctl.packs.model import Pack


class CreateRequest(Struct, frozen=True):
    """Everything `kctl create` was asked for."""

    root: Path  # the project folder, resolved
    pack_dirs: list[Path] = field(default_factory=list)
    pack: str | None = None  # a chosen pack instead of detection
    app: str | None = None
    assignments: list[str] = field(default_factory=list)  # --variable NAME=VALUE
    deploy_type: str = "helm"
    parts: str = "all"  # all | dockerfile | deployment
    dry_run: bool = False
    force: bool = False


class CreateResult(Struct):
    """The detection, the files (planned or written) and what the run reports."""

    detection: Detection[Pack]
    planned: list[PlannedWrite]
    report: dict[str, Any]  # for -o json|yaml


def detect_only(request: CreateRequest) -> Detection[Pack]:
    """What `--explain` shows: the detection and its evidence, nothing rendered; a root with
    several apps (a Node workspace, a multi-module JVM build) is refused here as it is when
    files are rendered."""
    from kctl.detect import detect
    from kctl.packs import load_packs
    from kctl.packs.recipes import refuse_multi_app_root

    detection = detect(request.root, load_packs(request.pack_dirs), request.pack)
    refuse_multi_app_root(request.root, detection.pack.name, detection.pack.language)
    return detection


def run(request: CreateRequest) -> CreateResult:
    """Detect, scaffold, and (unless dry_run) write atomically, refusing to overwrite files
    that would change unless force."""
    from kctl import fsio
    from kctl.packs.scaffold import ScaffoldOptions, scaffold
    from kctl.packs.variables import parse_assignments, resolve

    detection = detect_only(request)
    options = ScaffoldOptions(
        variables=resolve(detection.pack, parse_assignments(request.assignments)),
        deploy_type=request.deploy_type,
        parts=request.parts,
    )
    result = scaffold(detection, request.app or request.root.name, options=options)
    planned = fsio.plan_writes(request.root, result.files)
    if not request.dry_run:
        fsio.write_files(request.root, result.files, force=request.force)
    report = {
        "path": str(request.root),
        "app": result.app,
        "pack": detection.pack.name,
        "language": detection.language,
        "framework": detection.framework,
        "image": result.image,
        "variables": result.variables,
        "dry_run": request.dry_run,
        "files": [
            {"path": str(p.path.relative_to(request.root)), "change": p.change.value}
            for p in planned
        ],
        "problems": detection.problems,
    }
    return CreateResult(detection, planned, report)


def check_flags(dockerfile_only: bool, deployment_only: bool, deploy_type: str) -> None:
    """Flag values and combinations kctl create refuses before reading anything."""
    from kctl.packs.deploy import DEPLOY_TYPES

    if dockerfile_only and deployment_only:
        raise InputError("--dockerfile-only and --deployment-only exclude each other")
    if deploy_type not in DEPLOY_TYPES:
        raise InputError(
            f"unknown --deploy-type {deploy_type!r}", hint=f"choose {', '.join(DEPLOY_TYPES)}"
        )


def project_root(path: Path) -> Path:
    """The folder DIR names, resolved; symlink loops, dangling links, too-long names and
    files are exit 2 naming DIR as given."""
    from kctl.errors import Location

    try:
        root = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a symlink loop this way
        raise InputError("symlink loop", location=Location(str(path))) from None
    except FileNotFoundError:
        try:
            what = "a dangling symlink" if path.is_symlink() else "no such folder"
        except OSError:
            what = "no such folder"
        raise InputError(what, location=Location(str(path))) from None
    except OSError as exc:
        from kctl.inputs import os_message

        raise InputError(os_message(exc), location=Location(str(path))) from None
    if not root.is_dir():
        raise InputError("not a folder", location=Location(str(path)))
    return root
