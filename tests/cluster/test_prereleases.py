"""kubeadm's --allow-release-candidate-upgrades and --allow-experimental-upgrades: a pre-release
target (in a catalog that lists it) is refused without the flag that allows it, and rendered
with its own tags with it; plan's defaults stay on stable releases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kctl.app.upgrade import UpgradeRequest, prepare, resolve
from kctl.cluster.catalog import Version, load_catalog
from kctl.errors import PreconditionError
from kctl.progress import Progress
from tests.cluster.nodes import NodeSpec, make_node

pytestmark = pytest.mark.unit

BUILTIN = Path(__file__).resolve().parents[2] / "kctl" / "cluster" / "catalog.yaml"


def catalog_with_prereleases(tmp_path: Path) -> Path:
    """The shipped catalog plus v1.31.0-alpha.3 and v1.31.0-rc.1 (images as v1.31.0's)."""
    text = BUILTIN.read_text()
    line = next(row for row in text.splitlines() if "{version: v1.31.0," in row)
    extra = [
        line.replace("v1.31.0,", "v1.31.0-alpha.3,"),
        line.replace("v1.31.0,", "v1.31.0-rc.1,"),
    ]
    path = tmp_path / "catalog.yaml"
    path.write_text(text.replace(line, "\n".join([*extra, line])))
    return path


def test_versions_order_prereleases_below_their_release() -> None:
    rc, alpha, final = (Version.parse(v) for v in ("v1.31.0-rc.1", "v1.31.0-alpha.3", "v1.31.0"))
    assert alpha < rc < final < Version.parse("v1.31.1")
    assert str(rc) == "v1.31.0-rc.1" and rc.stability == "rc" and alpha.stability == "experimental"


@pytest.mark.parametrize(
    ("target", "allow", "refused_for"),
    [
        ("v1.31.0-rc.1", {}, "--allow-release-candidate-upgrades"),
        ("v1.31.0-rc.1", {"allow_release_candidate_upgrades": True}, None),
        ("v1.31.0-rc.1", {"allow_experimental_upgrades": True}, None),
        ("v1.31.0-alpha.3", {"allow_release_candidate_upgrades": True}, "--allow-experimental"),
        ("v1.31.0-alpha.3", {"allow_experimental_upgrades": True}, None),
    ],
)
def test_unstable_targets_need_their_flag(
    tmp_path: Path, target: str, allow: dict[str, bool], refused_for: str | None
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    catalog = catalog_with_prereleases(tmp_path)
    request = resolve(UpgradeRequest(root, target, catalog_file=catalog, **allow))
    if refused_for:
        with pytest.raises(PreconditionError) as refused:
            prepare(request, Progress())
        assert refused_for in str(refused.value) and "unstable" in str(refused.value)
        return
    upgrader = prepare(request, Progress())
    apiserver = next(r for r in upgrader.rendered if r.rel.endswith("kube-apiserver.yaml"))
    assert re.search(rf"kube-apiserver:{re.escape(target)}\n", apiserver.new.decode())


def test_plan_defaults_stay_on_stable_releases(tmp_path: Path) -> None:
    catalog = load_catalog(catalog_with_prereleases(tmp_path))
    release = catalog.release("1.31")
    assert release is not None and release.latest.version.pre is None


def test_cli_flags_allow_a_release_candidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kctl.cli.main import main

    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    catalog = catalog_with_prereleases(tmp_path)
    argv = ["upgrade", "apply", "v1.31.0-rc.1", "--root", str(root), "--catalog", str(catalog)]
    argv += ["--dry-run", "--no-etcd-backup", "--force"]
    assert main(argv) == 3
    assert "--allow-release-candidate-upgrades" in capsys.readouterr().err
    assert main([*argv, "--allow-release-candidate-upgrades"]) == 0
    assert "kube-apiserver:v1.31.0-rc.1" in capsys.readouterr().out
