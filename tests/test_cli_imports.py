"""kctl/cli is the thin edge (issue 23): its modules import only the use cases (kctl.app), the
CLI itself, the console, errors, progress and constant modules — never the core (compose,
convert, cluster, packs, dev, ...). Checked on the same import graph as
tests/test_architecture.py (imports under `if TYPE_CHECKING:` are annotations, not
dependencies)."""

from __future__ import annotations

import pytest

from tests.test_architecture import GRAPH

pytestmark = pytest.mark.unit

ALLOWED_PREFIXES = ("kctl.app", "kctl.cli")
ALLOWED = {
    "kctl.console",
    "kctl.errors",
    "kctl.progress",
    # constant modules: names and versions, no behaviour
    "kctl",  # __version__
    "kctl.cluster.names",  # upgrade's phase names, for help and completion
}


def _allowed(module: str, imported: str) -> bool:
    if imported in ALLOWED:
        return True
    return any(imported == p or imported.startswith(p + ".") for p in ALLOWED_PREFIXES)


CLI = sorted(name for name in GRAPH if name == "kctl.cli" or name.startswith("kctl.cli."))


def test_the_cli_modules_are_found() -> None:
    assert {"kctl.cli.convert", "kctl.cli.upgrade", "kctl.cli.pack", "kctl.cli.up"} <= set(CLI)


@pytest.mark.parametrize("module", CLI)
def test_cli_imports_only_the_commands_layer(module: str) -> None:
    outside = sorted(m for m in GRAPH[module] if not _allowed(module, m))
    assert outside == [], f"{module} imports {outside}: go through a use case in kctl/app"
