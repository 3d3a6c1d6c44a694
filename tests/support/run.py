"""Run the kctl CLI in the test process, as a user's shell would run it, and get back what a
subprocess would have given: the exit code, stdout and stderr.

Modelled on httpie's test helper (`tests/utils/__init__.py`: `http()` + `MockEnvironment`):
the terminal is swapped for captured streams, `main()` runs in-process, and everything the run
could change in the process is put back afterwards, so runs never leak into each other.

    result = run_kctl("convert", "-f", "compose.yaml", cwd=tmp_path)
    assert result.exit_code == 2 and "compose.yaml:3" in result.stderr

What is swapped for the run and restored after it, whatever happens:
- sys.stdin/stdout/stderr: in-memory text streams (with `.buffer`, as a real stream has) that
  answer `isatty()` with `tty` (False: piped, as in CI; True: an interactive terminal, which
  turns on colour unless NO_COLOR is set, spinners and prompts); stdin holds `stdin` (empty:
  at its end, as `stdin=subprocess.DEVNULL` is);
- os.environ (`env`: changes for the run; a None value unsets a variable), the working folder
  (`cwd`), sys.argv;
- signal handlers (`kctl up` and `kctl upgrade apply` install their own), the garbage
  collector's state (`kctl up` turns it on), the warning filters, the root logger's handlers;
- atexit: what the run registers runs when the run ends, as at the process's exit; a thread
  the run leaves running fails it (the console script's process would wait for it).

`main()` is called, never the console script's `run()`, which ends the process (os._exit) and
turns the collector off; a SystemExit (shell completion exits through one) becomes the exit
code. What only a real process shows (signal delivery, the console script's exit, installation,
a real terminal, processes contending for a lock, a process killed mid-run) stays in tests
marked `e2e`, the only tests allowed to start kctl as a subprocess (tests/test_test_seams.py).
"""

from __future__ import annotations

import atexit
import gc
import io
import json
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# Test hooks that make kctl signal or SIGKILL its own process: in-process, the test process.
PROCESS_HOOKS = ("KCTL_UPGRADE_CRASH_AFTER", "KCTL_UPGRADE_SIGNAL_AFTER")


class Hung(BaseException):
    """A run outlived its timeout (a BaseException: kctl's own `except Exception` lets it
    through, so the test fails here instead of reporting an internal error)."""


@dataclass(frozen=True)
class Result:
    """What a run of kctl gave: its exit code and everything it wrote."""

    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        """stdout parsed as JSON (`-o json` results)."""
        return json.loads(self.stdout)


class _TerminalBytes(io.BytesIO):
    """The bytes under a swapped stream; says whether it is a terminal as told."""

    def __init__(self, data: bytes = b"", *, tty: bool) -> None:
        super().__init__(data)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def _stream(data: str, tty: bool) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        _TerminalBytes(data.encode(), tty=tty), encoding="utf-8", write_through=True
    )


def _written(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


def run_kctl(
    *args: str | os.PathLike[str],
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
    stdin: str = "",
    tty: bool = False,
    timeout: float | None = 300,
) -> Result:
    """Run `kctl ARGS...` in this process and return its exit code and output.

    `timeout` (seconds, None: none) stops a run that hangs (a FIFO opened for reading blocks
    forever) by raising `Hung` in it, so a regression fails instead of hanging the suite.
    """
    argv = tuple(os.fspath(a) for a in args)
    changes = dict(env or {})
    if hooked := [h for h in PROCESS_HOOKS if {**os.environ, **changes}.get(h)]:
        raise ValueError(f"{hooked[0]} acts on the whole process: run kctl in an e2e subprocess")
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("run_kctl() swaps signal handlers: call it from the main thread")
    from kctl.cli.main import main

    out, err = _stream("", tty), _stream("", tty)
    threads = set(threading.enumerate())
    with _process_state_restored(), _hang_guard(timeout), _exit_handlers_run():
        _apply(changes)
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = ["kctl", *argv]
        sys.stdin, sys.stdout, sys.stderr = _stream(stdin, tty), out, err
        try:
            code = main(list(argv))
        except SystemExit as exc:  # click's shell completion exits; so would the console script
            code = _exit_code(exc, err)
        except Hung as exc:
            raise Hung(f"{exc}: kctl {' '.join(argv)}\n--- stderr\n{_written(err)}") from None
    _no_thread_left_running(threads, argv)
    return Result(argv, int(code), _written(out), _written(err))


def _exit_code(exc: SystemExit, err: io.TextIOWrapper) -> int:
    """The status the interpreter would exit with (a message goes to stderr, status 1)."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    err.write(f"{exc.code}\n")
    return 1


def _apply(changes: Mapping[str, str | None]) -> None:
    for key, value in changes.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@contextmanager
def _process_state_restored() -> Iterator[None]:
    """Put back what a run may change in the process, however the run ends."""
    environ, cwd, argv = dict(os.environ), os.getcwd(), sys.argv
    streams = (sys.stdin, sys.stdout, sys.stderr)
    handlers = _signal_handlers()
    collecting = gc.isenabled()
    root = logging.getLogger()
    log_handlers, log_level = list(root.handlers), root.level
    try:
        with warnings.catch_warnings():
            yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams
        sys.argv = argv
        os.chdir(cwd)
        for key in set(os.environ) - set(environ):
            del os.environ[key]
        for key, value in environ.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
        for signum, handler in handlers.items():
            if signal.getsignal(signum) is not handler:
                signal.signal(signum, handler)
        (gc.enable if collecting else gc.disable)()
        root.handlers[:] = log_handlers
        root.setLevel(log_level)


@contextmanager
def _exit_handlers_run() -> Iterator[None]:
    """What a run registers with atexit runs when the run ends, as it would at the process's
    exit (and not at the end of the whole test session, after other tests)."""
    handlers: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []
    register, unregister = atexit.register, atexit.unregister

    def add(func: Any, *args: Any, **kwargs: Any) -> Any:
        handlers.append((func, args, kwargs))
        return func

    def remove(func: Any) -> None:
        handlers[:] = [h for h in handlers if h[0] != func]

    atexit.register, atexit.unregister = add, remove  # type: ignore[assignment]
    try:
        yield
    finally:
        atexit.register, atexit.unregister = register, unregister  # type: ignore[assignment]
        for func, args, kwargs in reversed(handlers):
            func(*args, **kwargs)


def _signal_handlers() -> dict[signal.Signals, Any]:
    handlers: dict[signal.Signals, Any] = {}
    for signum in signal.valid_signals():
        if signum in (signal.SIGKILL, signal.SIGSTOP) or not isinstance(signum, signal.Signals):
            continue
        handler = signal.getsignal(signum)
        if handler is not None:  # None: installed outside Python, cannot be put back
            handlers[signum] = handler
    return handlers


@contextmanager
def _hang_guard(timeout: float | None) -> Iterator[None]:
    if timeout is None:
        yield
        return

    def hung(signum: int, frame: object) -> None:
        raise Hung(f"kctl still running after {timeout} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _no_thread_left_running(before: set[threading.Thread], argv: tuple[str, ...]) -> None:
    """A thread a run leaves behind keeps the console script's process alive (it waits for
    it), and would leak into the next test here."""
    left = [t for t in set(threading.enumerate()) - before if not t.daemon]
    for thread in left:
        thread.join(timeout=30)
    if alive := [t.name for t in left if t.is_alive()]:
        raise AssertionError(f"kctl {' '.join(argv)} left threads running: {alive}")
