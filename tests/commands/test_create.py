"""kctl create's use case called directly (kctl.app.create): detection and planned files for a
request, nothing written on a dry run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kctl.app.create import CreateRequest, detect_only, run
from kctl.errors import PreconditionError

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "apps"


def test_dry_run_plans_files_and_writes_nothing(tmp_path: Path) -> None:
    app = Path(shutil.copytree(EXAMPLES / "python-flask", tmp_path / "app"))
    before = sorted(p.name for p in app.iterdir())
    result = run(CreateRequest(root=app, dry_run=True))
    assert result.detection.pack.name == "python-flask"
    planned = {str(p.path.relative_to(app)) for p in result.planned}
    assert {"Dockerfile", ".dockerignore", "kctl.toml"} <= planned
    assert sorted(p.name for p in app.iterdir()) == before
    assert result.report["dry_run"] is True


def test_detection_alone_refuses_a_workspace_root(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "ws", "workspaces": ["apps/*"]}')
    for name in ("web", "api"):
        (tmp_path / "apps" / name).mkdir(parents=True)
        (tmp_path / "apps" / name / "package.json").write_text(
            f'{{"name": "{name}", "scripts": {{"start": "node index.js"}}}}'
        )
    with pytest.raises(PreconditionError) as refused:
        detect_only(CreateRequest(root=tmp_path))
    assert refused.value.details == ["apps/api/", "apps/web/"]
