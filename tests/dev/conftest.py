"""Fixtures for `kctl up` tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.kctl_cli import UpProcess


@pytest.fixture
def up_process() -> Iterator[list[UpProcess]]:
    started: list[UpProcess] = []
    yield started
    for process in started:
        process.stop()
