"""kctl convert's use case called directly (kctl.app.convert.run): request in, result and
reports out — no CLI, no terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl import yamlio
from kctl.app.convert import ConvertRequest, run
from kctl.compose import LoadOptions
from kctl.errors import PreconditionError
from tests.commands.recording import Recorder

pytestmark = pytest.mark.unit

COMPOSE = """services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    environment: {DATABASE_URL: "postgres://db:5432/app"}
    stop_signal: SIGUSR1
  db:
    image: postgres:16
"""


def _request(tmp_path: Path, **fields: object) -> ConvertRequest:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    load = LoadOptions(files=[str(tmp_path / "compose.yaml")], environ={})
    return ConvertRequest(load=load, **fields)  # type: ignore[arg-type]


def test_manifests_are_the_result_and_every_name_resolves(tmp_path: Path) -> None:
    result = run(_request(tmp_path))
    assert result.text is not None and result.written is None
    objects = yamlio.loads_all(result.text)
    services = {o["metadata"]["name"] for o in objects if o["kind"] == "Service"}
    assert services == {"web", "db"}  # db has no ports: a headless Service all the same
    assert [w.key for w in result.warnings] == ["stop_signal"]


def test_strict_reports_each_warning_then_refuses_before_writing(tmp_path: Path) -> None:
    recorder = Recorder()
    out = tmp_path / "out"
    with pytest.raises(PreconditionError):
        run(_request(tmp_path, strict=True, output=out), recorder.progress())
    assert len(recorder.of("warn")) == 1 and "stop_signal" in recorder.of("warn")[0]
    assert not out.exists()


def test_output_folder_is_written_and_summarised(tmp_path: Path) -> None:
    out = tmp_path / "k8s"
    result = run(_request(tmp_path, output=out))
    assert result.text is None and result.written is not None
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["db-deployment.yaml", "db-service.yaml", "web-deployment.yaml", "web-service.yaml"]
    )


def test_bad_input_is_reported_before_any_build(tmp_path: Path, monkeypatch) -> None:
    """--build with a label kctl refuses: exit 2 at the label's line, and the engine (here,
    none at all) is never contacted — it was 'cannot reach the container engine' before."""
    from kctl.errors import InputError

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/kctl-test.sock")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    build: ./app\n    labels:\n      kompose.service.type: nonsense\n"
    )
    load = LoadOptions(files=[str(tmp_path / "compose.yaml")], environ={})
    with pytest.raises(InputError) as refused:
        run(ConvertRequest(load=load, build=True, registry="127.0.0.1:5999"))
    assert refused.value.location is not None and refused.value.location.line == 5
