"""The walk stays cheap: simple .gitignore files are read without the pathspec library."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctl.detect.walk import simple_ignore

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]


def imports_pathspec(root: Path) -> bool:
    code = (
        "import sys; from pathlib import Path; from kctl.detect import scan; "
        f"scan(Path({str(root)!r})); print('pathspec' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    return out.strip() == "True"


def test_simple_gitignore_needs_no_pathspec(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("# deps\nnode_modules/\n/dist\n*.log\n.env\n\n")
    (tmp_path / "main.go").write_text("package main\n")
    assert not imports_pathspec(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("*.tmp\n!keep.tmp\n")
    assert imports_pathspec(tmp_path)


SIMPLE = ["node_modules/", "/dist", "*.log", ".env", "build", "/out/", "*.min.*", "tmp*", "a b"]
PATHS = [
    "node_modules/",
    "node_modules",
    "src/node_modules/",
    "dist/",
    "dist",
    "src/dist/",
    "src/dist",
    "app.log",
    "logs/app.log",
    ".env",
    "config/.env",
    "build/",
    "build",
    "x/build",
    "out/",
    "out",
    "x/out/",
    "a.min.js",
    "tmpfile",
    "x/tmp/",
    "a b",
    "main.go",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SIMPLE), min_size=1, max_size=4), st.sampled_from(PATHS))
def test_simple_matcher_agrees_with_pathspec(lines: list[str], path: str) -> None:
    matcher = simple_ignore(lines)
    assert matcher is not None
    expected = pathspec.GitIgnoreSpec.from_lines(lines).match_file(path)
    assert matcher.match_file(path) == expected, (lines, path)


@pytest.mark.parametrize(
    "line", ["!keep.log", "docs/*.md", "a/b", "**/x", "[ab].txt", "x\\ y", "foo?"]
)
def test_other_patterns_are_not_simple(line: str) -> None:
    assert simple_ignore([line]) is None


def test_builtin_pack_patterns_compile() -> None:
    """Built-in packs skip regex compilation at load (speed); their patterns are checked here."""
    from kctl.packs import load_packs

    for pack in load_packs().values():
        patterns = [p for _, p in pack.rules.contains]
        for pattern in patterns:
            re.compile(pattern)
        valued = [s.pattern for s in pack.port_sources]
        valued += [s.pattern for v in pack.versions.values() for s in v.sources]
        for pattern in valued:  # the value is group 1
            assert re.compile(pattern).groups >= 1, (pack.name, pattern)


def test_user_pack_bad_regex_is_exit_2_naming_the_file(tmp_path: Path, capsys) -> None:
    from kctl.cli.main import main

    user = tmp_path / "packs" / "go"
    shutil.copytree(REPO / "packs" / "go", user)
    toml = user / "pack.toml"
    toml.write_text(toml.read_text().replace("pattern = '^go\\s+(\\S+)'", "pattern = '^go(('"))
    assert main(["pack", "list", "--pack-dir", str(tmp_path / "packs")]) == 2
    assert f"{toml}" in capsys.readouterr().err


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SIMPLE), min_size=1, max_size=4), st.sampled_from(PATHS))
def test_entry_check_agrees_once_the_folders_passed(lines: list[str], path: str) -> None:
    matcher = simple_ignore(lines)
    assert matcher is not None
    folders = path.rstrip("/").split("/")[:-1]
    if any(matcher.match_file("/".join(folders[: i + 1]) + "/") for i in range(len(folders))):
        return  # the walk never gets here: it pruned a folder above
    expected = matcher.match_file(path)
    assert matcher.match_entry(path.rstrip("/"), path.endswith("/")) == expected
