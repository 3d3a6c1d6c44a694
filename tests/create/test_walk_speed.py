"""The walk stays cheap: simple .gitignore files are read without the pathspec library."""

from __future__ import annotations

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
