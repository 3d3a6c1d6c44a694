"""The one Jinja environment kctl renders its template files with.

Templates write Helm charts and Dockerfiles, whose own syntax uses `{{ }}`, so kctl's Jinja
uses `[[ ]]` for expressions, `[% %]` for statements and `[# #]` for comments.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any


def environment(folder: Path, *, sandboxed: bool = True, compiled_cache: Path | None = None) -> Any:
    """A strict Jinja environment loading templates from folder: sandboxed unless the folder is
    kctl's own (packs come from user folders: a template may not reach Python objects'
    internals; kctl's chart templates are trusted and the sandbox's checks on every attribute
    cost ~20% of writing a 500-service chart)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    kind = SandboxedEnvironment if sandboxed else jinja2.Environment
    return kind(
        loader=jinja2.FileSystemLoader(str(folder)),
        bytecode_cache=_bytecode_cache(compiled_cache) if compiled_cache is not None else None,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        block_start_string="[%",
        block_end_string="%]",
        variable_start_string="[[",
        variable_end_string="]]",
        comment_start_string="[#",
        comment_end_string="#]",
    )


def _bytecode_cache(folder: Path) -> Any:
    """Jinja's compiled templates kept in folder (keyed by each template's source checksum):
    compiling the chart templates was ~38 ms of every `kctl convert --chart`. A cache that
    cannot be read or written is not used: the template is compiled as without one."""
    import jinja2

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # a damaged entry: compile instead (and write it again)
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                folder.mkdir(parents=True, exist_ok=True)
                super().dump_bytecode(bucket)

    return QuietCache(str(folder))
