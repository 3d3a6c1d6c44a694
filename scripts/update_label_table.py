"""Rewrite the kompose.* label table in README.md from kctl/convert/labels.py (the one source).

Run after changing the label table:  python scripts/update_label_table.py
tests/convert/test_kompose_flags.py fails while README.md and the table disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kctl.convert.labels import markdown_table  # noqa: E402

BEGIN, END = "<!-- kompose-labels:begin -->\n", "<!-- kompose-labels:end -->"


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        sys.stderr.write(f"README.md has no {BEGIN.strip()} ... {END} block\n")
        return 1
    readme.write_text(pattern.sub(lambda _: BEGIN + markdown_table() + END, text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
