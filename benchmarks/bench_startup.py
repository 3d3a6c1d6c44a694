"""`kctl --version` and `kctl --help` wall time against `python -c "import typer"`.

Targets: --version <= 1.2x, --help <= 1.5x of the import-typer floor (median of 25 runs each).
"""

from __future__ import annotations

import shutil
import sys

from _timing import interleaved, report

RUNS = 25


def main() -> None:
    kctl = shutil.which("kctl")
    base = [kctl] if kctl else [sys.executable, "-m", "kctl"]
    times = interleaved(
        {
            "floor": [sys.executable, "-c", "import typer"],
            "version": [*base, "--version"],
            "help": [*base, "--help"],
        },
        RUNS,
    )
    report("kctl --version", times["version"], times["floor"], 1.2, "import typer")
    report("kctl --help", times["help"], times["floor"], 1.5, "import typer")


if __name__ == "__main__":
    main()
