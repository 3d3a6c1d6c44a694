"""The one small protocol the core and the use cases report progress through: callables the
CLI fills from its console (rich, stderr) and tests fill with recorders. The core never
prints; every command reports through this one shape."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from msgspec import Struct


def _quiet(text: str) -> AbstractContextManager[None]:
    return contextlib.nullcontext()


class Progress(Struct):
    """Callbacks a long operation calls while it works; every one is optional."""

    step: Callable[[str], None] = lambda text: None  # a stage started or finished
    warn: Callable[[str], None] = lambda text: None  # something read but not honoured
    done: Callable[[str], None] = lambda text: None  # an operation succeeded
    output: Callable[[str], None] = lambda text: None  # raw output of a tool (a build log)
    busy: Callable[[str], AbstractContextManager[None]] = _quiet  # a wait worth a spinner
    # a finished unit of a long-running command (kctl up: each Cycle), rendered as it comes
    result: Callable[[Any], None] = lambda outcome: None
