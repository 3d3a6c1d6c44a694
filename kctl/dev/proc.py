"""Run the external tools kctl drives (helm, podman): time-outs, Ctrl-C, clear errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence

from msgspec import Struct

from kctl.errors import OperationError, PreconditionError

INSTALL_HINTS = {
    "helm": "install helm (https://helm.sh/docs/intro/install/) or put it on PATH",
    "podman": "install podman (apt-get install podman) for the local target",
}


class Result(Struct, frozen=True):
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def binary(name: str) -> str:
    """The path of a tool, honouring KCTL_<NAME> (e.g. KCTL_HELM=/opt/helm)."""
    override = os.environ.get(f"KCTL_{name.upper()}")
    found = override or shutil.which(name)
    if not found:
        raise PreconditionError(f"{name} is not installed", hint=INSTALL_HINTS.get(name))
    return found


def run(argv: Sequence[str], *, timeout: float, what: str, merged: bool = False) -> Result:
    """Run a tool to completion; on Ctrl-C or time-out the tool is stopped, never left behind.

    merged: stderr goes to stdout, so the lines keep the order the tool wrote them in."""
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merged else subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise OperationError(
            f"{what} did not finish within {timeout:g} s",
            hint="raise `timeout` in kctl.toml or --timeout",
        ) from None
    except BaseException:
        _stop(process)
        raise
    return Result(list(argv), process.returncode, stdout, stderr or "")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def check(result: Result, what: str, hint: str | None = None) -> Result:
    """Raise an OperationError carrying the tool's own last words when it failed."""
    if not result.ok:
        lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
        # tools print progress before the cause (podman: pull logs); show the cause first
        causes = [line for line in lines if re.search(r"error|fail|cannot|denied", line, re.I)]
        lines = causes or lines
        raise OperationError(
            f"{what} failed (exit {result.returncode})", details=lines[-15:], hint=hint
        )
    return result
