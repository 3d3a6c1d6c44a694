"""After a deploy that was rolled back, the containers serving again were recreated from the
previous image: files synced into the old ones since that image are gone, so the next change
is built in, never synced on top of what is no longer there (no engine needed: the build,
push and copy steps are recorded, the target rolls back on demand)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from kctl.dev import loop
from kctl.dev.builder import Planned
from kctl.dev.config import Environment
from kctl.dev.deploy import Deployed, RolledBackError
from kctl.dev.image import PushRef
from kctl.dev.loop import Session
from kctl.dev.source import Artifact, Built, Release
from kctl.dev.sync import SyncRule, SyncRules
from kctl.errors import OperationError
from kctl.progress import Progress

pytestmark = pytest.mark.unit


class OneImageSource:
    def __init__(self, root: Path) -> None:
        rules = SyncRules((SyncRule("www/**", "/www"),), root=root)
        self.env = Environment(env="development", root=root, name="app", sync=rules)
        self.artifact = Artifact("app", root, "127.0.0.1:5000/app")

    def artifacts(self) -> list[Artifact]:
        return [self.artifact]

    def release(self, built: Sequence[Built]) -> Release:
        return Release("app", "default", self.env.root)

    def deploy_inputs(self) -> list[Path]:
        return []

    def declared_ports(self) -> set[int] | None:
        return None

    def check(self) -> None:
        return None


class RollingBackTarget:
    name = "local"
    dry_run = False

    def __init__(self) -> None:
        self.deploys = 0
        self.fail_next = False

    def deploy(self, release: Release, state_dir: Path, progress: Progress) -> Deployed:
        self.deploys += 1
        if self.fail_next:
            self.fail_next = False
            raise RolledBackError("the new release did not start: the previous one runs again")
        return Deployed("local")

    def prepare(self, state_dir: Path) -> None: ...

    def built(self, state_dir: Path, images: list[str]) -> None: ...

    def restore(self, state_dir: Path) -> None: ...

    def running(self, state_dir: Path) -> list[str] | None:
        return None

    def containers(self, state_dir: Path, images: list[str]) -> list[str]:
        return ["container-1"]


def test_a_rolled_back_deploy_makes_the_next_change_a_build_not_a_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []
    copies: list[list[str]] = []
    fail_copy = [False]

    def plan(artifact: Artifact, check_registry: bool = True) -> Planned:
        ref = PushRef("127.0.0.1:5000", "app", f"kctl-{len(builds)}")
        return Planned(artifact, [], ref, None)

    def build(planned: Planned, progress: Progress) -> None:
        builds.append(1)

    def push(planned: Planned, progress: Progress) -> Built:
        return Built(planned.artifact, planned.ref, "sha256:" + "a" * 64, built=True)

    def copy_into(containers: Any, files: Any, run: Any, progress: Progress) -> None:
        if fail_copy[0]:
            raise OperationError("the engine refused to copy files")
        copies.append([str(f.source.name) for f in files])

    monkeypatch.setattr(loop, "plan", plan)
    monkeypatch.setattr(loop, "build_planned", build)
    monkeypatch.setattr(loop, "push_planned", push)
    monkeypatch.setattr("kctl.dev.sync.copy_into", copy_into)
    (tmp_path / "www").mkdir()
    pages = {name: tmp_path / "www" / name for name in ("a.html", "b.html", "c.html")}
    for page in pages.values():
        page.write_text("<h1>v1</h1>\n")
    source, target = OneImageSource(tmp_path), RollingBackTarget()
    session = Session(source, target)

    assert session.cycle().ok and target.deploys == 1 and len(builds) == 1
    assert session.cycle([str(pages["a.html"])]).synced  # a.html lives in the container only
    fail_copy[0], target.fail_next = True, True  # b.html: the copy fails, the rebuild too
    failed = session.cycle([str(pages["b.html"])])
    assert not failed.ok and target.deploys == 2
    fail_copy[0] = False
    # the previous image runs again in new containers: a.html's sync is gone with the old ones
    after = session.cycle([str(pages["c.html"])])
    assert after.ok and not after.synced, "synced into containers that lost earlier syncs"
    assert target.deploys == 3 and len(builds) == 3  # built in (a, b and c), deployed
