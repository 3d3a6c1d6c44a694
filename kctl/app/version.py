"""`kctl version` as a use case: the version of kctl and of the Python it runs on."""

from __future__ import annotations

from kctl.progress import Progress


def run(progress: Progress | None = None) -> dict[str, str]:
    import platform

    from kctl import __version__

    return {
        "kctl": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
