"""The one Jinja environment kctl renders its template files with.

Templates write Helm charts and Dockerfiles, whose own syntax uses `{{ }}`, so kctl's Jinja
uses `[[ ]]` for expressions, `[% %]` for statements and `[# #]` for comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def environment(folder: Path, *, sandboxed: bool = True) -> Any:
    """A strict Jinja environment loading templates from folder: sandboxed unless the folder is
    kctl's own (packs come from user folders: a template may not reach Python objects'
    internals; kctl's chart templates are trusted and the sandbox's checks on every attribute
    cost ~20% of writing a 500-service chart)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    kind = SandboxedEnvironment if sandboxed else jinja2.Environment
    return kind(
        loader=jinja2.FileSystemLoader(str(folder)),
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
