"""Compiled chart templates are kept in kctl's cache: a warm cache compiles nothing, and a
damaged or unusable cache changes nothing but the time it takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.chart import ChartSpec, render_chart
from kctl.chart.jinja import ChartJinja
from tests.chart.objects import demo_components

pytestmark = pytest.mark.unit


def chart() -> dict[str, str]:
    components, shared = demo_components()
    return render_chart(ChartSpec(name="demo", components=components, shared=shared))


def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Template names Jinja compiles from source from now on."""
    import jinja2

    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(str(name))
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_a_warm_cache_compiles_no_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCTL_CACHE_DIR", str(tmp_path / "cache"))
    compiled = compiles(monkeypatch)
    cold = chart()
    assert "values.yaml.j2" in compiled and list((tmp_path / "cache" / "jinja").iterdir())
    compiled.clear()
    assert chart() == cold
    assert compiled == []


def test_a_damaged_cache_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCTL_CACHE_DIR", str(tmp_path / "cache"))
    cold = chart()
    entries = list((tmp_path / "cache" / "jinja").iterdir())
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:20])  # cut short
    compiled = compiles(monkeypatch)
    assert chart() == cold
    assert "values.yaml.j2" in compiled


def test_an_unusable_cache_dir_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("KCTL_CACHE_DIR", str(blocker))
    assert ChartJinja().render("helmignore.j2")
    without_cache = chart()
    assert blocker.read_text() == "a file where the cache folder would go"
    monkeypatch.setenv("KCTL_CACHE_DIR", str(tmp_path / "fresh"))
    assert chart() == without_cache
