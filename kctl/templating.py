"""The one Jinja environment kctl renders its template files with.

Templates write Helm charts and Dockerfiles, whose own syntax uses `{{ }}`, so kctl's Jinja
uses `[[ ]]` for expressions, `[% %]` for statements and `[# #]` for comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def environment(folder: Path) -> Any:
    """A strict, sandboxed Jinja environment loading templates from folder (packs come from
    user folders: a template may not reach Python objects' internals)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
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
