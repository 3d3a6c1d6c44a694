"""`kompose convert` command lines keep working with kctl (the flags under Kompose's names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kctl import yamlio
from kctl.cli.convert import kompose_argv
from kctl.cli.main import main

pytestmark = pytest.mark.unit

COMPOSE = """\
services:
  web:
    image: nginx
    ports: ['80']
    volumes: [data:/data]
    labels: {kompose.service.group: shop}
  php:
    image: php
    cgroup_parent: x
    labels: {kompose.service.group: shop}
volumes:
  data: {}
"""


@pytest.fixture
def compose(tmp_path: Path) -> Path:
    path = tmp_path / "compose.yaml"
    path.write_text(COMPOSE)
    return path


def run(capsys: Any, *argv: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    docs = [d for d in yamlio.loads_all(captured.out) if d] if code == 0 else []
    return code, docs, captured.err


def kinds(docs: list[dict[str, Any]]) -> list[str]:
    return sorted(d["kind"] for d in docs)


def test_global_file_flag_and_build_values(compose: Path, capsys: Any) -> None:
    code, docs, _ = run(capsys, "-f", str(compose), "convert", "--build", "none", "-y")
    assert code == 0 and "Deployment" in kinds(docs)
    assert kompose_argv(["-v", "-f", "c.yml", "convert", "--build", "local"]) == [
        "-v", "convert", "-f", "c.yml", "--build",
    ]  # fmt: skip
    assert kompose_argv(["up", "-f", "convert"]) == ["up", "-f", "convert"]


@pytest.mark.parametrize(
    ("flags", "claims", "empty_dirs"),
    [
        (["--volumes", "persistentVolumeClaim"], 1, 0),
        (["--emptyvols"], 0, 1),
        (["--volumes", "emptyDir"], 0, 1),
    ],
)
def test_volume_flags(
    compose: Path, capsys: Any, flags: list[str], claims: int, empty_dirs: int
) -> None:
    code, docs, _ = run(capsys, "convert", "-f", str(compose), *flags)
    assert code == 0
    assert kinds(docs).count("PersistentVolumeClaim") == claims
    web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "web")
    volumes = web["spec"]["template"]["spec"]["volumes"]
    assert sum("emptyDir" in v for v in volumes) == empty_dirs


@pytest.mark.parametrize(("flag", "kind"), [("-d", "Deployment"), ("--daemon-set", "DaemonSet")])
def test_controller_flags(compose: Path, capsys: Any, flag: str, kind: str) -> None:
    code, docs, _ = run(capsys, "convert", "-f", str(compose), flag)
    assert code == 0 and kinds(docs).count(kind) == 2


def test_multiple_container_mode_groups_by_label(compose: Path, capsys: Any) -> None:
    code, docs, _ = run(capsys, "convert", "-f", str(compose), "--multiple-container-mode")
    assert code == 0
    (shop,) = [d for d in docs if d["kind"] == "Deployment"]
    assert shop["metadata"]["name"] == "shop"
    assert len(shop["spec"]["template"]["spec"]["containers"]) == 2


def test_error_on_warning_and_suppress_warnings(compose: Path, capsys: Any) -> None:
    code, _, err = run(capsys, "convert", "-f", str(compose), "--error-on-warning")
    assert code == 3 and "cgroup_parent" in err
    code, _, err = run(capsys, "--suppress-warnings", "-f", str(compose), "convert")
    assert code == 0 and "cgroup_parent" not in err
    code, _, err = run(capsys, "convert", "-f", str(compose), "--suppress-warnings", "--strict")
    assert code == 3  # suppressed from the screen, still counted


def test_kompose_annotations_on_request(compose: Path, capsys: Any) -> None:
    _, plain, _ = run(capsys, "convert", "-f", str(compose))
    assert all("kompose.cmd" not in d["metadata"].get("annotations", {}) for d in plain)
    _, docs, _ = run(capsys, "convert", "-f", str(compose), "--with-kompose-annotation")
    web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "web")
    expected = f"kctl convert -f {compose} --with-kompose-annotation"
    assert web["metadata"]["annotations"]["kompose.cmd"] == expected  # as typed, not pytest's
    assert web["metadata"]["annotations"]["kompose.version"].startswith("kctl ")


@pytest.mark.parametrize(
    "flags",
    [
        ["--replication-controller"],
        ["--build-command", "docker build ."],
        ["--build", "build-config"],
        ["-y", "-j"],
        ["-d", "--controller", "job"],
        ["--service-group-mode", "pods"],
        ["--service-group-name", "x"],
        ["--volumes", "nfs"],
    ],
)
def test_flags_kctl_cannot_honour_are_refused(compose: Path, capsys: Any, flags: list[str]) -> None:
    code, _, err = run(capsys, "convert", "-f", str(compose), *flags)
    assert code == 2 and "Traceback" not in err and "internal error" not in err


def test_readme_label_table_is_the_label_table() -> None:
    """README.md's table is generated (python scripts/update_label_table.py), never hand-kept."""
    from kctl.convert.labels import markdown_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"<!-- kompose-labels:begin -->\n{markdown_table()}<!-- kompose-labels:end -->" in readme


def test_list_labels_prints_every_label(capsys: Any) -> None:
    from kctl.convert.labels import LABELS

    assert main(["convert", "--list-labels"]) == 0
    out = capsys.readouterr().out
    assert all(spec.name in out for spec in LABELS)
