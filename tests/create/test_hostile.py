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


# issue 22: what a broader bad-input generator still found in kctl create


def test_deeply_nested_package_json_is_exit_2_with_its_line(tmp_path: Path, capsys: Any) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    text = '{\n  "name": "x",\n  "dependencies": {"express": "4"},\n  "a": ' + deep + "\n}\n"
    (tmp_path / "package.json").write_text(text)
    (tmp_path / "index.js").write_text("console.log(1)\n")
    code, err = run(capsys, "create", str(tmp_path), "--explain")
    assert code == 2 and f"{tmp_path / 'package.json'}:4" in err and "nested deeper" in err


def test_deeply_nested_angular_json_is_exit_2(tmp_path: Path, capsys: Any) -> None:
    app = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "apps" / "angular", app)
    (app / "angular.json").write_text('{"projects": ' + "[" * 5000 + "]" * 5000 + "}")
    code, err = run(capsys, "create", str(app), "--dry-run")
    assert code == 2 and "angular.json:1" in err


def test_undecodable_folder_name_is_shown_with_escapes(tmp_path: Path, capsys: Any) -> None:
    import yaml

    app = Path(os.fsdecode(bytes(tmp_path) + b"/x\xffy"))
    shutil.copytree(PYTHON_APP, app)
    code = main(["create", str(app), "--explain", "-o", "yaml"])
    out, err = capsys.readouterr()
    assert code == 0 and "internal error" not in err, err
    assert yaml.safe_load(out)["path"].endswith("/x\\xffy")


def test_undecodable_file_names_in_a_dry_run_report(tmp_path: Path, capsys: Any) -> None:
    import yaml

    app = Path(os.fsdecode(bytes(tmp_path) + b"/\xfe\xff"))
    shutil.copytree(PYTHON_APP, app)
    code = main(["create", str(app), "--dry-run", "-o", "yaml", "--app", "a"])
    out, err = capsys.readouterr()
    assert code == 0 and "internal error" not in err, err
    assert yaml.safe_load(out)["path"].endswith("/\\xfe\\xff")


def test_unreadable_sub_folder_is_named_and_detection_goes_on(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """Root reads every folder, so the refusal is the OS's answer, injected (EACCES)."""
    app = tmp_path / "app"
    shutil.copytree(PYTHON_APP, app)
    (app / "secret").mkdir()
    (tmp_path / "mono").mkdir()
    (tmp_path / "mono" / "locked").mkdir()
    real_scandir, real_iterdir = os.scandir, Path.iterdir

    def refuse(path: Any) -> Any:
        if str(path).endswith(("secret", "locked")):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def refuse_iterdir(self: Path) -> Any:
        if self.name in ("secret", "locked"):
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(os, "scandir", refuse)
    monkeypatch.setattr(Path, "iterdir", refuse_iterdir)
    code, err = run(capsys, "create", str(app), "--dry-run")
    assert code == 0 and "secret: unreadable (Permission denied)" in err
    code, err = run(capsys, "create", str(tmp_path / "mono"), "--explain")
    assert code == 2 and "no language detected" in err


def _user_pack(tmp_path: Path, edit: Any) -> tuple[Path, Path]:
    return _pack(tmp_path, "p22", toml_edit=edit), tmp_path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("without-manifest = true", "contains = 5"), "detect.contains"),
        (lambda t: t.replace("extensions = [", "files = 7\nextensions = ["), "detect.files"),
        (lambda t: t.replace("without-manifest = true", "without-manifest = 1"), "without"),
        (lambda t: t.replace(r"'^\s*(\d\S*)'", "'x'"), "no group 1"),
        (lambda t: t.replace(r"'^\s*(\d\S*)'", "'(?P<v>x)|(y)'"), None),
        (lambda t: t.replace('rule = "line" },', "rule = 5 },", 1), "unknown rule"),
        (lambda t: t + '\n[files]\n"/etc/x" = "dockerignore.j2"\n', "inside the project"),
        (lambda t: t + '\n[files]\n"../x" = "dockerignore.j2"\n', "inside the project"),
        (lambda t: t + '\n[files]\n"." = "dockerignore.j2"\n', "inside the project"),
        (lambda t: t + '\n[files]\n"Dockerfile" = "dockerignore.j2"\n', "kctl writes"),
        (lambda t: t + '\n[files]\n"x" = "../../etc/hostname"\n', "inside the pack"),
        (lambda t: t + '\n[files]\n"x" = "sub"\n', "not a regular file"),
    ],
)
def test_pack_rules_of_the_wrong_type(
    tmp_path: Path, capsys: Any, edit: Any, message: str | None
) -> None:
    packs = _pack(tmp_path, "p22", toml_edit=edit)
    (packs / "p22" / "sub").mkdir()
    app = tmp_path / "app"
    shutil.copytree(PYTHON_APP, app)
    (app / ".python-version").write_text("3.12\n")
    code, err = run(capsys, "create", str(app), "--pack-dir", str(packs), "--pack", "p22")
    if message is None:  # a pattern whose group 1 may not take part: no statement, no crash
        assert code == 0
        return
    assert code == 2 and message in err and str(packs / "p22" / "pack.toml") in err, err
    assert not (app / "Dockerfile").exists()


@pytest.mark.parametrize("value", ['""', '["", "x"]', '["  "]'])
def test_pack_rule_with_an_empty_pattern_is_exit_2(tmp_path: Path, value: str, capsys) -> None:
    """An empty file pattern in detect.manifests (found by the fuzz suite: pathlib's 'empty
    pattern' ValueError) names the pack.toml."""
    import shutil

    from kctl.cli.main import main

    packs = tmp_path / "packs"
    shutil.copytree(Path(__file__).resolve().parents[2] / "packs" / "python", packs / "fz")
    toml = packs / "fz" / "pack.toml"
    text = toml.read_text().replace('name = "python"', 'name = "fz"', 1)
    old = 'manifests = ["pyproject.toml", "requirements*.txt", "Pipfile", "setup.py", "setup.cfg"]'
    assert old in text
    toml.write_text(text.replace(old, f"manifests = {value}", 1))
    app = Path(__file__).resolve().parents[2] / "examples" / "apps" / "python"
    assert main(["create", str(app), "--pack-dir", str(packs), "--pack", "fz", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert str(toml) in err and "detect.manifests" in err
