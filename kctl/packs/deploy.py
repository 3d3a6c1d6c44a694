"""--deploy-type: the app's Deployment and Service as a Helm chart, kustomize base + overlay, or
plain manifests. Plain objects are validated against the Kubernetes schema, as convert's are."""

from __future__ import annotations

from typing import Any

from kctl.errors import InputError
from kctl.packs.model import Pack

DEPLOY_TYPES = ("helm", "kustomize", "manifests")
KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


def _helm(pack: Pack, name: str, objects: list[dict[str, Any]]) -> dict[str, str]:
    from kctl.chart import ChartSpec, render_chart

    chart = render_chart(
        ChartSpec(
            name=name,
            components={name: objects},
            app_version="latest",
            description=f"{pack.description} ({name})",
            values_overrides={name: dict(pack.values)} if pack.values else {},
        )
    )
    return {f"charts/{name}/{rel}": content for rel, content in chart.items()}


def _plain(objects: list[dict[str, Any]], folder: str) -> dict[str, str]:
    from kctl import yamlio
    from kctl.kube.validate import validate

    files = {}
    for obj in objects:
        validate(obj)
        files[f"{folder}/{obj['kind'].lower()}.yaml"] = yamlio.dump(obj)
    return files


def _kustomize(objects: list[dict[str, Any]], namespace: str) -> dict[str, str]:
    """base/ with the objects, overlays/production/ setting the namespace (Draft's layout)."""
    from kctl import yamlio

    files = _plain(objects, "base")
    resources = sorted(path.removeprefix("base/") for path in files)
    files["base/kustomization.yaml"] = yamlio.dump({**KUSTOMIZATION, "resources": resources})
    overlay = {**KUSTOMIZATION, "namespace": namespace, "resources": ["../../base"]}
    files["overlays/production/kustomization.yaml"] = yamlio.dump(overlay)
    return files


def deployment_files(
    pack: Pack, name: str, objects: list[dict[str, Any]], deploy_type: str, namespace: str
) -> dict[str, str]:
    """The deployment files of one deploy type, by path relative to the project."""
    if deploy_type == "helm":
        return _helm(pack, name, objects)
    if deploy_type == "kustomize":
        return _kustomize(objects, namespace)
    if deploy_type == "manifests":
        return _plain(objects, "manifests")
    raise InputError(
        f"unknown deploy type {deploy_type!r}", hint=f"choose one of {', '.join(DEPLOY_TYPES)}"
    )
