"""The one small protocol use cases report progress through (the CLI renders it with rich;
tests record it). The same shape as kctl up's Hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Progress:
    """Callbacks a use case calls while it works; every one is optional."""

    step: Callable[[str], None] = lambda text: None  # a stage started or finished
    output: Callable[[str], None] = lambda text: None  # raw output of a tool (a build log)
    warn: Callable[[str], None] = lambda text: None  # something read but not honoured
