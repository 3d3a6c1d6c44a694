"""`kctl convert` of a 500-service project vs `docker-compose config`, and `--chart` vs plain.

Targets: convert <= 1.0x of docker-compose config; chart generation reported as a ratio to
plain convert (issue: report it).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from _compose500 import make_project
from _timing import interleaved, report
from bench_compose import oracle

RUNS = 5


def main() -> None:
    kctl = shutil.which("kctl")
    base = [kctl] if kctl else [sys.executable, "-m", "kctl"]
    with tempfile.TemporaryDirectory() as tmp:
        path = make_project(Path(tmp) / "p")
        times = interleaved(
            {
                "oracle": [oracle(), "-f", str(path), "config", "--format", "json"],
                "convert": [
                    *base,
                    "-q",
                    "convert",
                    "-f",
                    str(path),
                    "-o",
                    str(Path(tmp) / "out.yaml"),
                    "--force",
                ],
                "chart": [
                    *base,
                    "-q",
                    "convert",
                    "-f",
                    str(path),
                    "--chart",
                    "-o",
                    str(Path(tmp) / "chart"),
                    "--force",
                ],
            },
            RUNS,
        )
    report(
        "kctl convert (500 services)",
        times["convert"],
        times["oracle"],
        1.0,
        "docker-compose config",
    )
    report(
        "kctl convert --chart (500 services)", times["chart"], times["convert"], 2.0, "kctl convert"
    )


if __name__ == "__main__":
    main()
