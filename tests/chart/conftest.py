from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def helm_bin(helm: Path) -> Path:
    return helm
