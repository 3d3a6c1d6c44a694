"""What deploy targets share: the Deployed result and the state `kctl down` reads.

Targets: `helm` (kctl/dev/helm_target.py, the cluster in KUBECONFIG) and `local`
(kctl/dev/local_target.py, `podman kube play`). Both take the same Release (a chart plus values
pinning the pushed digests). What was deployed is recorded under `.kctl/<env>/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kctl.dev.source import Release
from kctl.errors import OperationError

STATE_FILE = "deployed.json"


@dataclass
class Deployed:
    """What a deploy produced, for the user: endpoints, notes, skipped objects."""

    target: str
    endpoints: list[str] = field(default_factory=list)
    notes: str = ""
    manifest: str = ""
    skipped: list[str] = field(default_factory=list)


class RolledBackError(OperationError):
    """A deploy failed and the target went back to the release that served before it."""


def by_digest(image: str) -> str:
    """repo:tag@digest -> repo@digest (Podman reports a pinned image without its tag)."""
    name, at, digest = image.partition("@")
    slash, colon = name.rfind("/"), name.rfind(":")
    return f"{name[:colon]}@{digest}" if at and colon > slash else image


def helm_values(release: Release) -> list[str]:
    args: list[str] = []
    for item in release.set_strings:
        args += ["--set-string", item]
    for item in release.set_values:
        args += ["--set", item]
    return args


def save_state(state_dir: Path, data: dict[str, Any]) -> None:
    from kctl.fsio import write_file

    state_dir.mkdir(parents=True, exist_ok=True)
    gitignore = state_dir.parent / ".gitignore"
    if not gitignore.exists():
        write_file(gitignore, "# kctl up state\n*\n")
    write_file(state_dir / STATE_FILE, json.dumps(data, indent=2, sort_keys=True) + "\n")


def load_state(state_dir: Path) -> dict[str, Any] | None:
    """What `kctl up` last deployed for an environment, or None."""
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def notes_of(output: str) -> str:
    _, found, notes = output.partition("NOTES:\n")
    return notes.strip() if found else ""
