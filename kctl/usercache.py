"""kctl's cache in the user's home: what kctl derives from its own files and keeps between runs
(inlined Kubernetes schemas, compiled chart templates). Deleting it only costs time."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path | None:
    """$KCTL_CACHE_DIR, else $XDG_CACHE_HOME/kctl, else ~/.cache/kctl (joined with parts);
    None when there is no home to keep it in."""
    if os.environ.get("KCTL_CACHE_DIR"):
        base = Path(os.environ["KCTL_CACHE_DIR"])
    elif os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"]) / "kctl"
    elif os.environ.get("HOME"):
        base = Path(os.environ["HOME"]) / ".cache" / "kctl"
    else:
        return None
    return base.joinpath(*parts)
