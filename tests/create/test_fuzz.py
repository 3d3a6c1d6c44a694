"""Random source trees through the whole CLI: exit 0, 2 or 3, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl.cli.main import main

pytestmark = pytest.mark.unit

NAMES = [
    "go.mod",
    "main.go",
    "package.json",
    "vite.config.js",
    "angular.json",
    "svelte.config.js",
    ".nvmrc",
    ".python-version",
    ".tool-versions",
    ".ruby-version",
    "pyproject.toml",
    "requirements.txt",
    "app.py",
    "index.php",
    "composer.json",
    "index.html",
    "App.csproj",
    "App.sln",
    "src/Web/Web.csproj",
    "pom.xml",
    "build.gradle.kts",
    "Cargo.toml",
    "Gemfile",
    "mix.exs",
    ".gitignore",
    "sub/.gitignore",
    "sub/main.go",
    "web/package.json",
    "node_modules/x/index.js",
]
SNIPPETS = [
    '{"dependencies": {"react-dom": "18", "vite": "5"}, "engines": {"node": "^20 || >=99"}}',
    '{"dependencies": {"@angular/core": "18"}}',
    '{"projects": {"a": {"architect": {"build": {"options": {"outputPath": {"base": 1}}}}}}}',
    '[project]\nrequires-python = "!=3.0.*,>=2.7"\n',
    '[project]\nrequires-python = ">=4"\n',
    "module x\n\ngo 1.99\n",
    '<Project Sdk="Microsoft.NET.Sdk.Web"><TargetFramework>net7.0</TargetFramework></Project>',
    "lts/*\n",
    "nodejs ref:abc\npython system\n",
    "!keep\n*.go\n/sub\n[z\n",
    "export default { build: { outDir: '' }, preview: { port: 99999 } }",
    "<?php echo 1;",
    "package main\n",
]
content = st.sampled_from(SNIPPETS) | st.text(max_size=80) | st.binary(max_size=80)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", errors="surrogatepass")
    return root


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    files=st.dictionaries(st.sampled_from(NAMES), content, max_size=7),
    flags=st.sampled_from(
        [
            ["--explain", "-o", "json"],
            ["--dry-run", "-o", "json"],
            ["--dry-run", "--deploy-type", "manifests", "-o", "json"],
            ["--dry-run", "--variable", "port=8081"],
        ]
    ),
)
def test_any_tree_exits_0_2_or_3(tmp_path_factory, capsys, files, flags) -> None:
    root = write(tmp_path_factory.mktemp("fuzz"), files)
    code = main(["create", *flags, str(root)])
    out, err = capsys.readouterr()
    assert code in (0, 2, 3), err
    assert "Traceback" not in err
    if code == 0 and "-o" in flags:
        json.loads(out)
    if code != 0:
        assert err.startswith("error: ") or "\nerror: " in err or "error:" in err
