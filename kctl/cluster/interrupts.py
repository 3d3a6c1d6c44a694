"""SIGINT, SIGTERM and SIGHUP while apply changes the node: interrupt, roll back, exit 130."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from kctl.errors import ExitCode, KctlError

INTERRUPTING = (signal.SIGTERM, signal.SIGHUP)


class UpgradeInterruptedError(KctlError):
    """The run was interrupted (SIGINT, SIGTERM, SIGHUP) and rolled back: exit 130."""

    exit_code = ExitCode.INTERRUPTED


class Signalled(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived while the node was being changed (an interrupt like Ctrl-C:
    whatever does not roll back, the CLI exits 130)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.name = signal.Signals(signum).name


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """While the node changes, SIGINT, SIGTERM and SIGHUP interrupt (then roll back) whatever
    disposition the process inherited: a shell starts a background job with SIGINT ignored, and
    kubeadm (Go's signal.Notify) handles it anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, _frame: object) -> None:
        raise Signalled(signum)

    saved = {sig: signal.signal(sig, interrupt) for sig in INTERRUPTING}
    saved[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def signals_ignored() -> Iterator[None]:
    """A second signal must not abort the rollback of the first."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    sigs = (signal.SIGINT, *INTERRUPTING)
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in sigs}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
