"""Real-world Compose projects (tests/convert/corpus/<name>/, each with a SOURCE file naming
the repository and commit) converted and compared at meaning level with `docker-compose
config`, service by service (tests/convert/meaning.py). One docker-compose call per project.

The only differences allowed are the deliberate ones docs/kompose.md lists (ALLOWED below
says which entry of that page covers each)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kctl.compose import LoadOptions, load_project
from kctl.convert import ConvertOptions, convert_project
from kctl.kube import validate
from tests.compose.test_oracle import ENV
from tests.convert.meaning import compare

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parent / "corpus"
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if (p / "SOURCE").is_file())

# (project, start of the difference) -> the docs/kompose.md entry that explains it
ALLOWED: dict[tuple[str, str], str] = {}


def compose_files(project: Path) -> list[str]:
    for line in (project / "SOURCE").read_text().splitlines():
        if line.startswith("compose files:"):
            return line.split(":", 1)[1].split()
    raise AssertionError(f"{project}/SOURCE names no compose files")


def test_the_corpus_has_twenty_projects_with_their_sources() -> None:
    assert len(PROJECTS) >= 20
    for name in PROJECTS:
        source = (CORPUS / name / "SOURCE").read_text()
        assert "repository: https://github.com/" in source and "commit: " in source


@pytest.mark.parametrize("name", PROJECTS)
def test_project_means_what_docker_compose_says(compose_oracle: Path, name: str) -> None:
    root = CORPUS / name
    files = compose_files(root)
    argv = [str(compose_oracle)]
    for file in files:
        argv += ["-f", str(root / file)]
    argv += ["--project-directory", str(root), "config", "--format", "json"]
    result = subprocess.run(argv, capture_output=True, text=True, env=ENV, cwd=root, check=False)
    assert result.returncode == 0, result.stderr
    expected = json.loads(result.stdout)
    project = load_project(
        LoadOptions(files=[str(root / f) for f in files], project_directory=root, environ=ENV)
    )
    conversion = convert_project(project, ConvertOptions())
    for obj in conversion.objects:
        validate(obj)
    problems = compare(expected["name"], expected, conversion.objects)
    unexplained = [
        p for p in problems if not any(k[0] == name and p.startswith(k[1]) for k in ALLOWED)
    ]
    assert not unexplained, "\n".join(unexplained)
