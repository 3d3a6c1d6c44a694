"""Loading a generated 500-service project: kctl vs `docker-compose config`, one run each side.

Both sides are whole processes (interpreter start-up counted like the Go binary's). Target <= 1.0x.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _compose500 import make_project
from _timing import interleaved, report

RUNS = 7


def oracle() -> str:
    import compose  # type: ignore[import-not-found]

    return str(Path(compose.__file__).parent / "docker-compose")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = make_project(Path(tmp) / "p")
        code = (
            "from kctl.compose import LoadOptions, load_project; "
            f"load_project(LoadOptions(files=[{str(path)!r}]))"
        )
        times = interleaved(
            {
                "oracle": [oracle(), "-f", str(path), "config", "--format", "json"],
                "kctl": [sys.executable, "-c", code],
            },
            RUNS,
        )
    report(
        "compose load (500 services)", times["kctl"], times["oracle"], 1.0, "docker-compose config"
    )


if __name__ == "__main__":
    main()
