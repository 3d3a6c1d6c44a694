"""kctl up's and kctl down's use cases called directly (kctl.app.up): flags over kctl.toml,
--save, and one real cycle on the local target (Podman, registry, helm) reported through a
recording Progress, then removed by down."""

from __future__ import annotations

import shutil
import tomllib
import urllib.request
from pathlib import Path

import pytest

from kctl.app import up as use_case
from kctl.errors import InputError
from tests.commands.recording import Recorder
from tests.support.services import Registry, free_port, wait_until

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "up"


def _hello(tmp_path: Path) -> Path:
    app = tmp_path / "hello"
    shutil.copytree(EXAMPLES / "hello", app, ignore=shutil.ignore_patterns(".kctl"))
    return app


@pytest.mark.unit
def test_flags_override_the_file_and_build_args_must_be_key_value(tmp_path: Path) -> None:
    app = _hello(tmp_path)
    request = use_case.UpRequest(app, registry="127.0.0.1:5999/me", build_args=("A=1",))
    environment = use_case.open_environment(request)
    assert (environment.registry, environment.build_args) == ("127.0.0.1:5999/me", {"A": "1"})
    assert environment.target == "local" and environment.watch  # the file's values
    assert not use_case.single_cycle(request, environment)
    assert use_case.single_cycle(use_case.UpRequest(app, dry_run=True), environment)
    with pytest.raises(InputError, match="--build-arg 'A' is not KEY=VALUE"):
        use_case.UpRequest(app, build_args=("A",)).overrides()


@pytest.mark.unit
def test_save_writes_a_new_environment_as_a_copy_keeping_comments(tmp_path: Path) -> None:
    app = _hello(tmp_path)
    request = use_case.UpRequest(app, env="staging", namespace="stage", save=True)
    environment = use_case.open_environment(request)
    saved = use_case.save(environment, request)
    assert saved.config == app / "kctl.toml"
    assert saved.table == "[environments.staging] (new, a copy of development)"
    text = saved.config.read_text()
    assert text.startswith("# kctl configuration")  # the user's comments stay
    tables = tomllib.loads(text)["environments"]
    assert tables["staging"]["namespace"] == "stage"
    assert tables["staging"]["image"] == tables["development"]["image"]
    assert tables["development"]["namespace"] == "default"  # the default one is untouched


@pytest.mark.unit
def test_save_refuses_a_folder_configured_by_draft_toml(tmp_path: Path) -> None:
    app = _hello(tmp_path)
    (app / "kctl.toml").rename(app / "draft.toml")
    request = use_case.UpRequest(app, namespace="x", save=True)
    with pytest.raises(InputError, match=r"configured by draft\.toml"):
        use_case.save(use_case.open_environment(request), request)
    assert not (app / "kctl.toml").exists()


@pytest.mark.unit
def test_down_with_nothing_deployed_removes_nothing(tmp_path: Path) -> None:
    removed = use_case.down(use_case.DownRequest(_hello(tmp_path)))
    assert removed.state is None and not removed.anything and removed.kept == []


def _page(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return str(response.read().decode())
    except OSError:
        return None


@pytest.mark.e2e
def test_one_cycle_deploys_reports_through_progress_and_down_removes_it(
    tmp_path: Path, registry: Registry, busybox_base: str, docker_host: str, helm: Path
) -> None:
    app = _hello(tmp_path)
    port = free_port()
    request = use_case.UpRequest(
        app,
        registry=f"{registry.host}/commands-up",
        build_args=(f"BASE={busybox_base}",),
        port_forward=(f"{port}:8080",),
        once=True,
    )
    environment = use_case.open_environment(request)
    recorder = Recorder()
    session = use_case.open_session(environment, (), recorder.progress(), dry_run=False)
    try:
        use_case.run(session, use_case.single_cycle(request, environment), 0.3)
        [cycle] = recorder.results
        assert cycle.ok and cycle.deployed is not None
        assert cycle.deployed.endpoints == [f"http://127.0.0.1:{port}"]
        page = (app / "www" / "index.html").read_text()
        wait_until(lambda: _page(port) == page, 30, "the page")
        steps = recorder.of("step")
        assert any(s.startswith("build ") for s in steps), steps
        assert any(s.startswith("push ") for s in steps), steps
        assert any(s.startswith("podman kube play") for s in steps), steps
        assert use_case.cycle_summary(cycle)["endpoints"] == [f"http://127.0.0.1:{port}"]
        left = use_case.leftover(environment, session)
        assert left is not None and left.running
    finally:
        removed = use_case.down(use_case.DownRequest(app))
    assert removed.anything and removed.state is not None
    assert removed.pods and removed.state.release == "hello"
    assert _page(port) is None
    again = use_case.down(use_case.DownRequest(app))
    assert again.state is None  # idempotent: nothing left to remove


@pytest.mark.unit
def test_a_compose_release_is_named_as_docker_compose_names_the_project(tmp_path: Path) -> None:
    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "compose.yaml").write_text("name: shop\nservices:\n  web:\n    image: nginx\n")
    request = use_case.UpRequest(folder, target="local")
    environment = use_case.open_environment(request)
    session = use_case.open_session(environment, (), Recorder().progress(), dry_run=True)
    assert (environment.name, session.source.release_name()) == ("checkout", "shop")
    (folder / "compose.yaml").write_text("name: shop\nservices: [\n")  # being edited
    session = use_case.open_session(environment, (), Recorder().progress(), dry_run=True)
    assert session.source.release_name() == "checkout"  # the first cycle reports the error
