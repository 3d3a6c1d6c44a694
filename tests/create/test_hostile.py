"""kctl create on hostile or careless input (issue 17): exit 2 naming the file, never an
internal error. Packs are untrusted input: their settings are typed and their templates are
rendered sandboxed, failures naming the template."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from kctl.cli.main import main

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]
PYTHON_APP = REPO / "examples" / "apps" / "python"


def run(capsys: Any, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err, err
    return code, err


def test_symlink_loop_as_dir(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    code, err = run(capsys, "create", str(tmp_path / "loop"), "--explain")
    assert code == 2 and f"{tmp_path / 'loop'}: symlink loop" in err


def test_dangling_symlink_as_dir_names_the_link(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "dang").symlink_to(tmp_path / "missing")
    code, err = run(capsys, "create", str(tmp_path / "dang"), "--explain")
    assert code == 2 and f"{tmp_path / 'dang'}: a dangling symlink" in err


def test_too_long_dir(tmp_path: Path, capsys: Any) -> None:
    code, err = run(capsys, "create", str(tmp_path / ("d/" * 3000)), "--explain")
    assert code == 2 and ("too long" in err or "no such folder" in err)


def test_package_json_of_the_wrong_shape(tmp_path: Path, capsys: Any) -> None:
    package = {"name": "x", "scripts": 5, "dependencies": ["express"], "devDependencies": 1}
    (tmp_path / "package.json").write_text(json.dumps(package))
    (tmp_path / "index.js").write_text("console.log(1)\n")
    code, _ = run(capsys, "create", str(tmp_path), "--dry-run")
    assert code == 0


def test_gitignore_with_a_bad_range_keeps_the_other_patterns(tmp_path: Path, capsys) -> None:
    app = tmp_path / "app"
    shutil.copytree(PYTHON_APP, app)
    (app / ".gitignore").write_text("[z-a]\n")
    code, _ = run(capsys, "create", str(app), "--explain")
    assert code == 0


def test_manifest_symlinked_to_dev_zero(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "package.json").symlink_to("/dev/zero")
    code, _ = run(capsys, "create", str(tmp_path), "--explain")
    assert code in (2, 3)


def _pack(tmp_path: Path, name: str, toml_edit: Any = None, template_tail: bytes = b"") -> Path:
    pack = tmp_path / "packs" / name
    shutil.copytree(REPO / "packs" / "python", pack)
    toml = (pack / "pack.toml").read_text().replace('name = "python"', f'name = "{name}"', 1)
    (pack / "pack.toml").write_text(toml_edit(toml) if toml_edit else toml)
    with (pack / "Dockerfile.j2").open("ab") as handle:
        handle.write(template_tail)
    return tmp_path / "packs"


@pytest.mark.parametrize(
    ("edit", "line_text"),
    [
        (lambda t: t.replace("priority = 0", 'priority = "high"'), "`priority` must be"),
        (lambda t: t.replace("priority = 0", "priority = [1]"), "`priority` must be"),
        (lambda t: t.replace("priority = 0", "priority = inf"), "`priority` must be"),
        (lambda t: t.replace("port = 8000", "port = -1", 1), "`port` must be a port"),
        (lambda t: t.replace("port = 8000", "port = 99999", 1), "`port` must be a port"),
        (lambda t: t.replace("port = 8000", "port = 8000\nhealth = [1]", 1), "`health` must"),
        (lambda t: t.replace("sources = [", 'sources = "x"\nold = [', 1), "must be a list"),
    ],
)
def test_pack_settings_are_typed(tmp_path: Path, capsys: Any, edit: Any, line_text: str) -> None:
    packs = _pack(tmp_path, "bad", toml_edit=edit)
    code, err = run(
        capsys, "create", str(PYTHON_APP), "--pack-dir", str(packs), "--pack", "bad", "--dry-run"
    )
    assert code == 2 and line_text in err and str(packs / "bad" / "pack.toml") in err


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (b"[[ 1/0 ]]\n", "ZeroDivisionError"),
        (b"[[ not_a_variable ]]\n", "unknown value"),
        (b'[% include "Dockerfile.j2" %]\n', "includes itself"),
        (b"\xff\xfe\n", "not valid UTF-8"),
        (b"[[ ''.__class__.__mro__ ]]\n", "template failed"),  # the sandbox says no
    ],
)
def test_pack_templates_fail_naming_the_template(tmp_path, capsys, tail, message) -> None:
    packs = _pack(tmp_path, "tpl", template_tail=tail)
    code, err = run(
        capsys, "create", str(PYTHON_APP), "--pack-dir", str(packs), "--pack", "tpl", "--dry-run"
    )
    assert code == 2 and message in err and str(packs / "tpl" / "Dockerfile.j2") in err


def test_no_file_is_left_behind(tmp_path: Path, capsys: Any) -> None:
    app = tmp_path / "app"
    shutil.copytree(PYTHON_APP, app)
    before = sorted(os.listdir(app))
    packs = _pack(tmp_path, "tpl", template_tail=b"[[ 1/0 ]]\n")
    run(capsys, "create", str(app), "--pack-dir", str(packs), "--pack", "tpl")
    assert sorted(os.listdir(app)) == before
