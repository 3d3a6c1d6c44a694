"""Values offered by shell completion (`kctl completion SHELL`): each completer returns the
choices that start with what was typed. Imports happen only when the shell asks."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def choices(values: Iterable[str]) -> Callable[[str], list[str]]:
    """A completer for a fixed list of values."""
    fixed = list(values)

    def complete(incomplete: str) -> list[str]:
        return [v for v in fixed if v.startswith(incomplete)]

    return complete


def pack_names(incomplete: str) -> list[str]:
    """Names of the packs kctl create can use (built-in and KCTL_PACKS_PATH)."""
    from kctl.app.pack import PackRequest, list_packs

    try:
        names = [row["name"] for row in list_packs(PackRequest()).rows]
    except Exception:  # a broken user pack must not break the shell
        return []
    return [n for n in names if n.startswith(incomplete)]


CONTROLLERS = choices(["deployment", "statefulset", "daemonset", "job", "cronjob"])
VOLUMES = choices(["persistentVolumeClaim", "pvc", "emptyDir", "hostPath", "configMap"])
GROUP_MODES = choices(["label", "volume"])
DEPLOY_TYPES = choices(["helm", "kustomize", "manifests"])
OUTPUT_FORMATS = choices(["table", "json", "yaml"])
