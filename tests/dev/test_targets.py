"""The deploy-target registry: the one place targets are chosen (issue 23)."""

from __future__ import annotations

import pytest

from kctl.dev.config import TARGETS as NAMES
from kctl.dev.targets import TARGETS, target_kind

pytestmark = pytest.mark.unit


def test_every_target_name_kctl_toml_accepts_has_a_registered_target() -> None:
    assert set(NAMES) == set(TARGETS)


def test_only_the_registry_chooses_between_targets() -> None:
    """No if-statement on a target's name outside kctl/dev/targets.py (and its own module)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "kctl"
    pattern = re.compile(r"\.target\s*[!=]=\s*\"(local|helm)\"")
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_each_target_opens_the_kind_of_target_it_names(tmp_path: object) -> None:
    assert target_kind("local").streams_logs and not target_kind("helm").streams_logs
