"""Packs whose server reads files as they change (static, php) give `kctl create`'s kctl.toml
live-update rules: each rule must put a file exactly where the generated Dockerfile copies it,
and files the image compiles in (composer) must rebuild instead."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kctl.cli.main import main
from kctl.dev.config import load_environment

APPS = Path(__file__).resolve().parents[2] / "examples" / "apps"


def created(tmp_path: Path, app: str) -> Path:
    root = tmp_path / app
    shutil.copytree(APPS / app, root)
    assert main(["create", str(root), "-q"]) == 0
    return root


def copy_destination(dockerfile: str) -> str:
    """Where the final stage's `COPY ... . DEST` puts the build context."""
    final = dockerfile.rsplit("\nFROM ", 1)[-1]
    workdir = re.findall(r"^WORKDIR (\S+)", final, re.MULTILINE)
    copies = re.findall(r"^COPY (?:--\S+ )*(?:\S+ )?\. (\S+)$", final, re.MULTILINE)
    dest = copies[-1]
    return dest if dest.startswith("/") else workdir[-1]


@pytest.mark.unit
@pytest.mark.parametrize("app", ["static", "php-plain"])
def test_sync_rules_land_files_where_the_image_has_them(tmp_path: Path, app: str) -> None:
    root = created(tmp_path, app)
    env = load_environment(root)
    assert env.sync is not None
    dest = copy_destination((root / "Dockerfile").read_text())
    sources = [p for p in (APPS / app).rglob("*") if p.is_file()]
    planned = env.sync.plan([str(root / p.relative_to(APPS / app)) for p in sources], [])
    assert planned is not None
    assert {s.target for s in planned} == {
        f"{dest}/{p.relative_to(APPS / app).as_posix()}" for p in sources
    }
    assert env.sync.plan([str(root / "Dockerfile")], []) is None  # rebuilds


@pytest.mark.unit
def test_composer_files_rebuild_in_a_php_app(tmp_path: Path) -> None:
    root = created(tmp_path, "php")
    env = load_environment(root)
    assert env.sync is not None
    assert env.sync.plan([str(root / "composer.json")], []) is None
    index = next(root.rglob("index.php"))
    assert env.sync.plan([str(index)], []) is not None


@pytest.mark.unit
def test_packs_without_a_live_reloading_server_get_no_sync_rules(tmp_path: Path) -> None:
    env = load_environment(created(tmp_path, "python-flask"))
    assert env.sync is None  # a Python process keeps its old code: every change rebuilds


@pytest.mark.unit
def test_a_bad_sync_table_in_a_pack_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "packs" / "mine"
    shutil.copytree(Path(__file__).resolve().parents[2] / "packs" / "static", pack)
    text = (pack / "pack.toml").read_text().replace('name = "static"', 'name = "mine"')
    (pack / "pack.toml").write_text(text.replace('"/usr/share/nginx/html"', '"relative/dir"'))
    argv = ["create", str(APPS / "static"), "--pack-dir", str(tmp_path / "packs")]
    code = main([*argv, "--pack", "mine", "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2 and f"{pack / 'pack.toml'}:" in err and "absolute container folder" in err
