"""Deploy files that are no Helm chart, as `kctl create --deploy-type manifests|kustomize`
writes them: a folder of plain Kubernetes YAML, or a kustomization rendered by
`kubectl kustomize` (kustomize's own binary if there is no kubectl). The app's image in them
(the one kctl.toml names, any tag) is replaced by the pushed digest; the local target plays the
result as it plays a rendered chart.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kctl.dev import proc
from kctl.errors import InputError, Location, PreconditionError
from kctl.images import ImageRef

RENDERERS = ("manifests", "kustomize")  # besides helm (a chart)
KUSTOMIZATION = ("kustomization.yaml", "kustomization.yml", "Kustomization")
WORKLOAD_KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet")


def manifest_files(folder: Path) -> list[Path]:
    """The YAML files of a manifests folder, in name order (subfolders too)."""
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def check_folder(kind: str, folder: Path, where: Location | None) -> None:
    """The folder exists and holds what its kind needs (exit 2 otherwise)."""
    if not folder.is_dir():
        raise InputError(f"{kind} folder {folder} does not exist", location=where, hint=_hint(kind))
    if kind == "kustomize" and not any((folder / name).is_file() for name in KUSTOMIZATION):
        raise InputError(f"{folder} has no kustomization.yaml", location=where, hint=_hint(kind))
    if kind == "manifests" and not manifest_files(folder):
        raise InputError(f"{folder} has no .yaml files", location=where, hint=_hint(kind))


def _hint(kind: str) -> str:
    folder = "base" if kind == "kustomize" else "manifests"
    return f'`kctl create --deploy-type {kind}` writes {folder}/; set {kind} = "{folder}"'


def kustomize_argv(folder: Path) -> list[str]:
    """kubectl kustomize DIR, else kustomize build DIR; exit 3 when neither is installed."""
    import os

    kubectl = os.environ.get("KCTL_KUBECTL") or shutil.which("kubectl")
    if kubectl:
        return [kubectl, "kustomize", str(folder)]
    kustomize = shutil.which("kustomize")
    if kustomize:
        return [kustomize, "build", str(folder)]
    raise PreconditionError(
        "neither kubectl nor kustomize is installed: a kustomization cannot be rendered",
        hint="install kubectl (it has `kubectl kustomize`) or kustomize, or put it on PATH",
    )


def render(kind: str, folder: Path) -> list[Any]:
    """The objects of a manifests folder or a kustomization, as YAML documents."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if kind == "kustomize":
        result = proc.run(kustomize_argv(folder), timeout=120, what="kustomize")
        text = proc.check(result, "kubectl kustomize").stdout
        return [d for d in yaml.load_all(text, Loader=loader) if d]
    documents: list[Any] = []
    for path in manifest_files(folder):
        try:
            documents += [d for d in yaml.load_all(path.read_text("utf-8"), Loader=loader) if d]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise InputError(
                f"not valid YAML: {getattr(exc, 'problem', exc)}",
                location=Location.of(path, line),
            ) from None
    return documents


def _containers(obj: Any) -> list[dict[str, Any]]:
    if not isinstance(obj, dict) or obj.get("kind") not in WORKLOAD_KINDS:
        return []
    spec = obj.get("spec") or {}
    if obj["kind"] != "Pod":
        spec = (spec.get("template") or {}).get("spec") or {}
    found = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    return [c for c in found if isinstance(c, dict)]


def _repository(image: str) -> str:
    return ImageRef.parse(image).repository


def app_containers(documents: Sequence[Any], image: str) -> list[dict[str, Any]]:
    """The containers that run the app's image (that repository, any tag or digest)."""
    wanted = _repository(image)
    found = []
    for obj in documents:
        for container in _containers(obj):
            if _repository(str(container.get("image", ""))) == wanted:
                found.append(container)
    return found


def pin(documents: Sequence[Any], image: str, pinned: str) -> list[Any]:
    """The documents with the app's image replaced by the pushed, digest-pinned one."""
    for container in app_containers(documents, image):
        container["image"] = pinned
    return list(documents)
