"""`kctl create --explain` on a 50k-file git repository vs `python -c "import typer"`.

45,000 files live under a git-ignored node_modules/, 5,000 are sources. Target <= 2x the floor.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import interleaved, report

RUNS = 15


def make_repo(root: Path) -> None:
    (root / ".gitignore").write_text("node_modules/\n")
    (root / "package.json").write_text('{"name": "big", "dependencies": {"express": "^4"}}\n')
    for i in range(45_000):
        d = root / "node_modules" / f"pkg{i // 100}"
        if i % 100 == 0:
            d.mkdir(parents=True)
        (d / f"f{i}.js").write_text("module.exports = 1;\n")
    for i in range(5_000):
        d = root / "src" / f"mod{i // 50}"
        if i % 50 == 0:
            d.mkdir(parents=True)
        (d / f"file{i}.js").write_text(f"export const v{i} = {i};\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def main() -> None:
    kctl = shutil.which("kctl")
    base = [kctl] if kctl else [sys.executable, "-m", "kctl"]
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        make_repo(repo)
        times = interleaved(
            {
                "floor": [sys.executable, "-c", "import typer"],
                "explain": [*base, "create", "--explain", str(repo)],
            },
            RUNS,
        )
    report(
        "kctl create --explain (50k files)", times["explain"], times["floor"], 2.0, "import typer"
    )


if __name__ == "__main__":
    main()
