"""A built wheel contains templates/ and packs/ and finds them when installed (not editable)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# e2e: a built wheel installed into a fresh venv, run through its own console script
pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
    )
    return next(out.glob("kctl-*.whl"))


def shipped(folder: str) -> set[str]:
    root = REPO / folder
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_wheel_contains_templates_and_packs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "packs"):
        expected = {f"kctl/_data/{folder}/{rel}" for rel in shipped(folder)}
        assert expected <= names, sorted(expected - names)[:5]


def test_installed_wheel_finds_its_data(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # system site-packages provide the dependencies; the venv's own kctl (the wheel) wins
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
    )
    # the venv's own kctl, not a checkout that PYTHONPATH (as the README runs tests) puts first
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import kctl, kctl.resources as r; "
        "print(kctl.__file__); print(r.templates_dir()); print(r.packs_dir())"
    )
    out = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path, env=env
    ).stdout.splitlines()
    site = str(env_dir)
    assert all(line.startswith(site) for line in out), out
    templates, packs = Path(out[1]), Path(out[2])
    assert {str(p.relative_to(templates)) for p in templates.rglob("*") if p.is_file()} == shipped(
        "templates"
    )
    assert {str(p.relative_to(packs)) for p in packs.rglob("*") if p.is_file()} == shipped("packs")
    version = subprocess.run(
        [str(env_dir / "bin" / "kctl"), "--version"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
    )
    assert version.stdout.startswith("kctl ")
