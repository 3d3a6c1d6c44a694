"""kubeadm's `--patches DIR`: patch files applied to what an upgrade writes.

kubeadm's rules (cmd/kubeadm/app/util/patches/patches.go): a file is named
`target[suffix][+patchtype].{json,yaml,yml}`; targets are etcd, kube-apiserver,
kube-controller-manager, kube-scheduler, kubeletconfiguration (and corednsdeployment); the patch
type is strategic (the default), merge (RFC 7386) or json (RFC 6902); files apply in the order of
their names; a file whose name matches no target is ignored (kubeadm logs it). A patch that does
not parse or does not apply is exit 2 naming its file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.errors import InputError, Location
from kctl.progress import Progress

TARGETS = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubeletconfiguration",
    "corednsdeployment",
)
_NAME = re.compile(
    r"^(?P<target>" + "|".join(map(re.escape, TARGETS)) + r")"
    r"(?P<suffix>[^+]*?)(?:\+(?P<type>strategic|merge|json))?\.(?:json|ya?ml)$"
)
# Kubernetes' patchMergeKey of the list fields a static pod or kubelet config holds: a
# strategic patch merges their items by that key and replaces every other list
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "env": "name",
    "ports": "containerPort",
    "hostAliases": "ip",
    "imagePullSecrets": "name",
}


class PatchFile(Struct, frozen=True):
    path: Path
    target: str
    kind: str  # strategic | merge | json
    body: Any


def load_patches(folder: Path) -> tuple[list[PatchFile], list[str]]:
    """(patches in kubeadm's order, names of the files it ignores)."""
    from kctl import yamlio
    from kctl.inputs import read_text

    if not folder.is_dir():
        raise InputError("--patches must name a folder", location=Location.of(folder))
    patches, ignored = [], []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        match = _NAME.match(path.name)
        if match is None:
            ignored.append(path.name)
            continue
        kind = match["type"] or "strategic"
        documents = yamlio.load_all_fast(read_text(path), str(path))
        if len(documents) != 1:
            raise InputError("a patch file holds exactly one document", location=Location.of(path))
        body = documents[0]
        expected = list if kind == "json" else dict
        if not isinstance(body, expected):
            what = "a list of operations" if kind == "json" else "a mapping"
            raise InputError(f"a {kind} patch must be {what}", location=Location.of(path, 1))
        patches.append(PatchFile(path, match["target"], kind, body))
    return patches, ignored


def node_patches(folder: Path | None, pods: Iterable[str], progress: Progress) -> list[PatchFile]:
    """The patch files of --patches for this node: static-pod targets kept, names that are no
    target ignored (said), targets kctl does not patch refused (never silently left out)."""
    if folder is None:
        return []
    patches, ignored = load_patches(folder)
    pods = sorted(pods)
    for name in ignored:
        progress.warn(f"[patches] ignored {folder / name}: not a kubeadm patch target")
    for patch in patches:
        if patch.target not in pods:
            raise InputError(
                f"patches for {patch.target} are not applied by kctl (it patches the static"
                f" pods this node runs: {', '.join(pods)})",
                location=Location.of(patch.path),
            )
        progress.step(f"[patches] {patch.target}: {patch.kind} patch {patch.path}")
    return patches


def apply_patches(document: Any, patches: list[PatchFile], target: str) -> Any:
    """document with every patch for target applied, in order (a new object)."""
    for patch in (p for p in patches if p.target == target):
        document = _apply(document, patch)
    return document


def _apply(document: Any, patch: PatchFile) -> Any:
    if patch.kind == "json":
        import jsonpatch

        try:
            return jsonpatch.apply_patch(document, patch.body)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
            raise InputError(
                f"json patch does not apply: {exc}", location=Location.of(patch.path, 1)
            ) from None
    if patch.kind == "merge":
        return merge_patch(document, patch.body)
    return strategic_merge(document, patch.body)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: maps merge, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _same(old: Any, new: Any, key: str) -> bool:
    return isinstance(old, dict) and isinstance(new, dict) and old.get(key) == new.get(key)


def strategic_merge(target: Any, patch: Any, field: str = "") -> Any:
    """Kubernetes' strategic merge for the fields static pods hold: maps merge, null deletes,
    lists of objects with a merge key (MERGE_KEYS) merge item by item, other lists replace."""
    if isinstance(patch, dict) and isinstance(target, dict):
        result = dict(target)
        for key, value in patch.items():
            if value is None:
                result.pop(key, None)
            else:
                result[key] = strategic_merge(result.get(key), value, key)
        return result
    key = MERGE_KEYS.get(field)
    if key and isinstance(patch, list) and isinstance(target, list):
        merged = list(target)
        for item in patch:
            at = next((i for i, old in enumerate(merged) if _same(old, item, key)), None)
            if at is None:
                merged.append(item)
            else:
                merged[at] = strategic_merge(merged[at], item)
        return merged
    return patch
