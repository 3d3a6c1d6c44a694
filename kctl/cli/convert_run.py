"""`kctl convert`'s use case called and its result rendered (kept apart from the Typer
signature so `kctl --help` imports nothing heavy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kctl.console import Console
from kctl.errors import ExitCode

if TYPE_CHECKING:
    from kctl.app.convert_flags import ConvertFlags


def run_convert(console: Console, flags: ConvertFlags, suppress_warnings: bool = False) -> int:
    from kctl.app.convert import run
    from kctl.app.convert_flags import to_request
    from kctl.progress import Progress

    request = to_request(flags)
    warn = (lambda text: None) if suppress_warnings else console.warn
    progress = Progress(step=console.info, output=console.print_raw, warn=warn)
    result = run(request, progress)
    if result.warnings and not suppress_warnings:
        for warning in result.warnings:
            console.warn(str(warning))
        console.warn(
            f"{len(result.warnings)} Compose setting(s) not fully translated (listed above)"
        )
    if result.text is not None:
        console.result(result.text)
    if result.written:
        console.success(result.written)
    return ExitCode.OK
