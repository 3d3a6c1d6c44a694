"""kctl version's use case (kctl.app.version.run): the versions it reports are the ones running."""

from __future__ import annotations

import platform

import pytest

import kctl
from kctl.app.version import run

pytestmark = pytest.mark.unit


def test_versions_are_those_of_this_process() -> None:
    info = run()
    assert info["kctl"] == kctl.__version__
    assert info["python"] == platform.python_version()
