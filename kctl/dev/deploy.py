"""What deploy targets share: the Deployed result and the state `kctl down` reads.

Targets: `helm` (kctl/dev/helm_target.py, the cluster in KUBECONFIG) and `local`
(kctl/dev/local_target.py, `podman kube play`). Both take the same Release (a chart plus values
pinning the pushed digests). What was deployed is recorded under `.kctl/<env>/`.
"""

from __future__ import annotations

import json
from pathlib import Path

from msgspec import Struct, field
from msgspec.structs import asdict

from kctl.dev.config import TARGETS
from kctl.dev.source import Release
from kctl.errors import OperationError
from kctl.inputs import json_object

STATE_FILE = "deployed.json"


class Deployed(Struct):
    """What a deploy produced, for the user: endpoints, notes, skipped objects."""

    target: str
    endpoints: list[str] = field(default_factory=list)
    notes: str = ""
    manifest: str = ""
    skipped: list[str] = field(default_factory=list)
    services: dict[str, str] = field(default_factory=dict)  # endpoint -> the service it reaches
    instance: str = ""  # local: the label of its containers (for --logs)
    units: int = 0  # local: how many pods (services) run


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


class DeployState(Struct, frozen=True):
    """What `kctl up` last deployed for an environment (`.kctl/<env>/deployed.json`)."""

    target: str  # "local" or "helm": the target that can remove it
    release: str
    namespace: str = "default"
    manifest: str = ""  # local: the manifest podman kube play ran
    endpoints: tuple[str, ...] = ()
    running: tuple[str, ...] = ()  # images seen running after the deploy
    instance: str = ""  # local: release[-env], the label and prefix of its pods and network
    run_once: tuple[str, ...] = ()  # local: services whose container may have finished

    @property
    def instance_name(self) -> str:
        return self.instance or self.release

    def to_json(self) -> str:
        data = {
            **asdict(self),
            "endpoints": list(self.endpoints),
            "running": list(self.running),
            "run_once": list(self.run_once),
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> DeployState | None:
        """The state in text, or None when it is not a state kctl wrote (then nothing is known)."""
        data = json_object(text)
        if data is None:
            return None
        strings = ("target", "release", "namespace", "manifest", "instance")
        lists = ("endpoints", "running", "run_once")
        if not all(isinstance(data.get(k, ""), str) for k in strings) or not all(
            isinstance(data.get(k, []), list) for k in lists
        ):
            return None
        if data.get("target") not in TARGETS or not data.get("release"):
            return None
        return cls(
            target=data["target"],
            release=data["release"],
            namespace=data.get("namespace", "default"),
            manifest=data.get("manifest", ""),
            endpoints=tuple(str(e) for e in data.get("endpoints", [])),
            running=tuple(str(i) for i in data.get("running", [])),
            instance=data.get("instance", ""),
            run_once=tuple(str(s) for s in data.get("run_once", [])),
        )


def save_state(state_dir: Path, state: DeployState) -> None:
    from kctl.fsio import write_file

    state_dir.mkdir(parents=True, exist_ok=True)
    state_dir.chmod(0o700)  # the chart and manifests may carry secrets: the owner's alone
    gitignore = state_dir.parent / ".gitignore"
    if not gitignore.exists():
        write_file(gitignore, "# kctl up state\n*\n")
    write_file(state_dir / STATE_FILE, state.to_json())


def load_state(state_dir: Path) -> DeployState | None:
    """What `kctl up` last deployed for an environment, or None."""
    try:
        return DeployState.from_json((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def forget_state(state_dir: Path) -> None:
    """After `kctl down`: nothing is deployed any more."""
    (state_dir / STATE_FILE).unlink(missing_ok=True)


def notes_of(output: str) -> str:
    _, found, notes = output.partition("NOTES:\n")
    return notes.strip() if found else ""
