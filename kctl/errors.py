"""Errors users can act on, each carrying its exit code and, where known, a file:line."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from msgspec import Struct


class ExitCode(IntEnum):
    """The process exit status contract shared by every command."""

    OK = 0
    FAILURE = 1  # the operation failed: build, push, deploy, health
    USAGE = 2  # bad input or usage: invalid file, unknown pack, bad flag
    PRECONDITION = 3  # a precondition blocks the action: preflight, skew, dirty target
    INTERRUPTED = 130


class Location(Struct, frozen=True):
    """A place in an input file. Lines and columns are 1-based."""

    file: str
    line: int | None = None
    column: int | None = None

    @classmethod
    def of(cls, file: str | Path, line: int | None = None, column: int | None = None) -> Location:
        return cls(str(file), line, column)

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class KctlError(Exception):
    """Base of every error kctl renders for a user instead of a traceback."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        hint: str | None = None,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint
        self.details = details or []

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        return prefix + self.message


class OperationError(KctlError):
    """An operation kctl attempted did not succeed (exit 1)."""

    exit_code = ExitCode.FAILURE


class InputError(KctlError):
    """The user's input or invocation is invalid (exit 2)."""

    exit_code = ExitCode.USAGE


class PreconditionError(KctlError):
    """Something in the environment blocks the action (exit 3)."""

    exit_code = ExitCode.PRECONDITION


class TargetExistsError(PreconditionError):
    """Refusing to overwrite files the user already has."""
