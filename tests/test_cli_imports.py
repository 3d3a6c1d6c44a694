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
# `kctl up`/`kctl down` are next: kctl/cli/up.py still reaches into kctl/dev (its loop, hooks
# and kctl.toml saving move to kctl/app/up.py in the next change).
NOT_YET = {
    "kctl.cli.up": {
        "kctl.dev",
        "kctl.dev.config",
        "kctl.dev.logs",
        "kctl.dev.loop",
        "kctl.dev.source",
    }
}


def _allowed(module: str, imported: str) -> bool:
    if imported in ALLOWED or imported in NOT_YET.get(module, set()):
        return True
    return any(imported == p or imported.startswith(p + ".") for p in ALLOWED_PREFIXES)


CLI = sorted(name for name in GRAPH if name == "kctl.cli" or name.startswith("kctl.cli."))


def test_the_cli_modules_are_found() -> None:
    assert {"kctl.cli.convert", "kctl.cli.upgrade", "kctl.cli.pack", "kctl.cli.up"} <= set(CLI)


@pytest.mark.parametrize("module", CLI)
def test_cli_imports_only_the_commands_layer(module: str) -> None:
    outside = sorted(m for m in GRAPH[module] if not _allowed(module, m))
    assert outside == [], f"{module} imports {outside}: go through a use case in kctl/app"


def test_the_allow_list_for_up_is_still_needed() -> None:
    """When up.py stops importing kctl/dev, this fails: drop NOT_YET."""
    for module, allowed in NOT_YET.items():
        assert GRAPH[module] & allowed, f"{module} no longer needs its exception"
