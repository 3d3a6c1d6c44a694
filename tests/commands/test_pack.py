"""kctl pack's use cases called directly (kctl.app.pack): the packs kctl create uses, a user
pack overriding a built-in of the same name, one pack shown as written and as data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kctl.app.pack import PackRequest, list_packs, show
from kctl.errors import InputError

pytestmark = pytest.mark.unit
PACKS = Path(__file__).resolve().parents[2] / "packs"


def _user_python(tmp_path: Path) -> Path:
    """A copy of the built-in python pack with another description, in a user folder."""
    folder = tmp_path / "mine"
    shutil.copytree(PACKS / "python", folder / "python")
    toml = folder / "python/pack.toml"
    toml.write_text(toml.read_text().replace("Python application", "Our Python"))
    return folder


def test_every_builtin_pack_is_listed_once_sorted() -> None:
    rows = list_packs(PackRequest()).rows
    names = [r["name"] for r in rows]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert {p.name for p in PACKS.iterdir() if (p / "pack.toml").is_file()} <= set(names)
    python = next(r for r in rows if r["name"] == "python")
    assert (python["language"], python["port"], python["source"]) == ("python", 8000, "builtin")


def test_a_user_pack_overrides_the_builtin_of_its_name(tmp_path: Path) -> None:
    found = list_packs(PackRequest([_user_python(tmp_path)]))
    [python] = [r for r in found.rows if r["name"] == "python"]
    assert python["description"] == "Our Python"
    line = next(line for line in found.table().splitlines() if line.startswith("python "))
    assert "Our Python" in line


def test_show_gives_the_pack_as_written_and_as_data(tmp_path: Path) -> None:
    shown = show(PackRequest([_user_python(tmp_path)], "python"))
    assert shown.path == tmp_path / "mine/python/pack.toml"
    assert shown.table().splitlines()[0] == f"# {shown.path} ({shown.source})"
    document = shown.document()
    assert document["pack"]["description"] == "Our Python"
    assert document["pack"]["port"] == 8000


def test_an_unknown_pack_is_bad_input() -> None:
    with pytest.raises(InputError, match="unknown pack 'nope'"):
        show(PackRequest(name="nope"))
