"""The watch loop keeps the changes of a failed cycle pending until a cycle succeeds, and says
what triggered each cycle (no engine needed: a source that fails like a stopped engine)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from kctl.dev.config import Environment
from kctl.dev.deploy import Deployed
from kctl.dev.loop import Session
from kctl.dev.source import Artifact, Built, Release
from kctl.errors import OperationError
from kctl.progress import Progress


class FlakySource:
    """Fails (as a stopped engine would) while `broken`; otherwise has nothing to build."""

    def __init__(self, root: Path) -> None:
        self.env = Environment(env="development", root=root, name="app")
        self.broken = True

    def artifacts(self) -> list[Artifact]:
        if self.broken:
            raise OperationError("cannot reach the container engine")
        return []

    def release(self, built: Sequence[Built]) -> Release:
        return Release("app", "default", self.env.root)

    def deploy_inputs(self) -> list[Path]:
        return []

    def declared_ports(self) -> set[int] | None:
        return None

    def check(self) -> None:
        return None


class RecordingTarget:
    name = "local"
    dry_run = False

    def __init__(self) -> None:
        self.deploys = 0

    def deploy(self, release: Release, state_dir: Path, progress: Progress) -> Deployed:
        self.deploys += 1
        return Deployed("local")

    def prepare(self, state_dir: Path) -> None: ...

    def built(self, state_dir: Path, images: list[str]) -> None: ...

    def restore(self, state_dir: Path) -> None: ...

    def running(self, state_dir: Path) -> list[str] | None:
        return None

    def containers(self, state_dir: Path, images: list[str]) -> list[str]:
        return []


@pytest.mark.unit
def test_changes_of_a_failed_cycle_stay_pending_until_one_succeeds(tmp_path: Path) -> None:
    steps: list[str] = []
    source, target = FlakySource(tmp_path), RecordingTarget()
    session = Session(source, target, Progress(step=steps.append))
    dockerfile, page = str(tmp_path / "Dockerfile"), str(tmp_path / "www" / "index.html")

    first = session.cycle([dockerfile])
    assert not first.ok and first.trigger == [dockerfile]
    second = session.cycle([page])  # the Dockerfile change is not forgotten
    assert not second.ok and second.trigger == [dockerfile, page]
    source.broken = False
    third = session.cycle([page])
    assert third.ok and third.trigger == [dockerfile, page] and target.deploys == 1
    fourth = session.cycle([page])
    assert fourth.trigger == [page]  # what succeeded is no longer pending
    assert "cycle 2: changed Dockerfile, www/index.html" in steps
