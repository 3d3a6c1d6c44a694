"""`kctl up` on a Compose project deploys the chart `kctl convert --chart` would write, with the
images it built pinned in: through the same validated pipeline, without changing the project."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kctl import yamlio
from kctl.dev.config import load_environment
from kctl.dev.image import PushRef
from kctl.dev.source import Built, ComposeSource
from tests.support.kctl_cli import copy_example


@pytest.mark.integration
def test_release_pins_built_images_and_leaves_the_project_alone(tmp_path: Path, helm: Path) -> None:
    app = copy_example("two-services", tmp_path)
    env = load_environment(app, overrides={"target": "local"})
    source = ComposeSource(env, ordered=True)
    artifacts = {a.component: a for a in source.artifacts()}
    assert set(artifacts) == {"web", "api"}
    digest = "sha256:" + "ab" * 32
    web = artifacts["web"]
    repository = web.repository.split("/", 1)[1]
    built = Built(web, PushRef(web.registry, repository, "dev1"), digest, built=True)
    loaded = source.project()  # the project this cycle's release is made from
    before = {name: dict(s.config) for name, s in loaded.services.items()}

    release = source.release([built])

    after = {name: dict(s.config) for name, s in loaded.services.items()}
    assert after == before  # the loaded project is the user's file, not a scratch pad
    rendered = subprocess.run(
        [str(helm), "template", release.name, str(release.chart)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    images = {
        doc["metadata"]["name"]: doc["spec"]["template"]["spec"]["containers"][0]["image"]
        for doc in yamlio.loads_all(rendered)
        if doc and doc["kind"] == "Deployment"
    }
    assert images["web"] == f"{web.repository}:dev1@{digest}"
    assert "@" not in images["api"]  # not built this cycle: not pinned to web's digest
