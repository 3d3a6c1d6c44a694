"""The `kctl` root command: global options, command registration and the exit-code contract."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from kctl import __version__


def _click_exception() -> type[Exception]:
    """Click's ClickException, wherever this Typer gets click from (newer Typer vendors it)."""
    import typer

    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _print_traceback(stream: TextIO) -> None:
    import traceback  # only with --debug: its import (linecache, tokenize) is ~4 ms per run

    traceback.print_exc(file=stream)


def _command_of(args: Sequence[str]) -> str | None:
    """The command a run names (global flags come first), or None when the whole command tree
    is needed: shell completion, root help, or no command at all."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return None
    return next((a for a in args if not a.startswith("-")), None)


def _wants_debug(args: Sequence[str]) -> bool:
    return "--debug" in args or os.environ.get("KCTL_DEBUG", "") not in ("", "0")


GLOBAL_FLAGS = ("--debug", "-q", "--quiet", "-v", "--verbose", "--no-color")


def global_flags_first(args: list[str]) -> list[str]:
    """kctl's global flags work before or after the command (`kctl convert --debug`), as
    kubectl's do: they are moved in front of it (never past a `--`)."""
    end = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:end] if a in GLOBAL_FLAGS]
    rest = [a for a in args[:end] if a not in GLOBAL_FLAGS]
    return [*flags, *rest, *args[end:]]


def main(argv: Sequence[str] | None = None) -> int:
    """Run kctl and return the exit code (the console script exits with it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # fast path: no typer (nor msgspec) for the most common probe
        sys.stdout.write(f"kctl {__version__}\n")
        return 0  # ExitCode.OK
    from kctl.errors import ExitCode

    if not args:  # bare `kctl`: its help and success, as cobra and git do (click says 2)
        args = ["--help"]

    import typer

    from kctl.cli.context import RunState
    from kctl.cli.convert import kompose_argv
    from kctl.errors import KctlError

    typed = list(args)
    args = global_flags_first(kompose_argv(args))
    state = RunState(argv=typed)
    state.console.debug = _wants_debug(args)
    from kctl.cli.app import build_app

    app = build_app(_command_of(args))
    try:
        result = app(args=args, prog_name="kctl", obj=state, standalone_mode=False)
    except KctlError as err:
        if state.console.debug:
            _print_traceback(state.console.stderr)
        state.console.error(err)
        return int(err.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except _click_exception() as exc:
        exc.show(file=state.console.stderr)  # type: ignore[attr-defined]
        code = int(exc.exit_code)  # type: ignore[attr-defined]
        return ExitCode.USAGE if code == 2 else code
    except typer.Abort as exc:
        if isinstance(exc.__cause__, EOFError):
            state.console.error("input needed but stdin is closed (pass -y to confirm)")
            return ExitCode.USAGE
        state.console.error("interrupted")
        return ExitCode.INTERRUPTED
    except KeyboardInterrupt:
        state.console.error("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as exc:  # a bug: say so plainly, traceback only with --debug
        if state.console.debug:
            _print_traceback(state.console.stderr)
        state.console.error(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"
        )
        return ExitCode.FAILURE
    code = int(result) if isinstance(result, int) else ExitCode.OK
    if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a returned 130
        state.console.error("interrupted")
    return code


def run() -> NoReturn:
    """The console script: run kctl, exit with its code, skip the interpreter's teardown.

    A one-shot command builds large trees of dicts and lists and then exits: the cyclic
    collector's passes over them and the teardown that frees them one by one cost ~35 ms of a
    ~200 ms `kctl convert` of 500 services and reclaim nothing the process still needs. The
    collector is off for the run (`kctl up`, which runs for hours, turns it back on); at exit the
    streams are flushed and atexit handlers run, then the process ends at once unless another
    thread is still running, which gets the normal exit that waits for it.
    """
    gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to deliver
            stream.flush()
    threading = sys.modules.get("threading")
    if threading is None or threading.active_count() == 1:
        import atexit

        atexit._run_exitfuncs()
        os._exit(code)
    sys.exit(code)
