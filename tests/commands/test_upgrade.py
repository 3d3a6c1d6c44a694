"""kctl upgrade's use cases called directly (kctl.app.upgrade*, kctl.app.rollback,
kctl.app.catalog): plan, dry-run diff, a phase applied to a fixture node and rolled back —
no CLI, no terminal, no health probes (nothing answers them: --force overrides that)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.app import rollback, upgrade, upgrade_plan
from kctl.errors import InputError, PreconditionError
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files
from tests.commands.recording import Recorder

pytestmark = pytest.mark.unit

TARGET = "v1.30.14"


@pytest.fixture
def node(tmp_path: Path) -> Path:
    return make_node(tmp_path / "n", NodeSpec())


def _request(node: Path, **fields: object) -> upgrade.UpgradeRequest:
    given: dict[str, object] = {"force": True, "etcd_backup": False, "probe_timeout": 0.2}
    return upgrade.UpgradeRequest(node, TARGET, **{**given, **fields})  # type: ignore[arg-type]


def test_plan_offers_the_latest_patch_and_the_next_minor(node: Path) -> None:
    request = upgrade_plan.PlanRequest(node, health=False, etcd_backup=False)
    result = upgrade_plan.run(request, Recorder().progress())
    targets = [u["targetVersion"] for u in result.document["availableUpgrades"]]
    assert targets[0] == TARGET  # the shipped catalog's latest v1.30 patch
    assert targets[1].startswith("v1.31.")
    assert "--no-etcd-backup" in result.document["availableUpgrades"][0]["command"]
    assert result.allowed
    assert TARGET in result.table()


def test_plan_refuses_a_bad_version_before_reading_the_node(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="VERSION"):
        upgrade_plan.run(upgrade_plan.PlanRequest(tmp_path / "missing", version="1.x"))


def test_dry_run_shows_diffs_and_phases_and_writes_nothing(node: Path) -> None:
    before = snapshot_files(node)
    upgrader = upgrade.prepare(upgrade.resolve(_request(node)), Recorder().progress())
    shown = upgrade.dry_run(upgrader, ["preflight", "kube-apiserver"])
    assert f"+    image: registry.k8s.io/kube-apiserver:{TARGET}" in shown.diffs
    assert [line.split(" ", 1)[0] for line in shown.phases] == ["1.", "2."]
    assert upgrade.diffs(upgrader, context=0).count("@@") >= 1
    assert snapshot_files(node) == before


def test_config_file_sets_what_the_flags_left_at_their_defaults(node: Path) -> None:
    config = node / "upgrade.yaml"
    config.write_text(
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\n"
        "apply:\n  certificateRenewal: false\n  skipPhases: [addon/coredns]\n  dryRun: true\n"
    )
    resolved = upgrade.resolve(_request(node, config=config, skip_phases=()))
    assert resolved.request.certificate_renewal is False
    assert resolved.request.dry_run is True
    assert resolved.skips.addons == frozenset({"coredns"})


def test_a_phase_applied_then_rolled_back(node: Path) -> None:
    config = node / "etc/kubernetes/kubeadm-config.yaml"
    old = config.read_text()
    recorder = Recorder()
    upgrader = upgrade.prepare(upgrade.resolve(_request(node)), recorder.progress())
    asked: list[str] = []
    result = upgrade.execute(upgrader, ["upload-config"], asked.append)
    assert result.error is None, result.error
    assert asked == [f"[upgrade/confirm] Upgrade the control-plane node cp1 to {TARGET}?"]
    assert f"kubernetesVersion: {TARGET}" in config.read_text()
    assert result.document["result"] == "succeeded"
    assert [name for name, _ in result.phases] == ["preflight", "backup", "upload-config"]
    assert recorder.of("step") or recorder.of("done")

    backup = Path(str(result.document["backupDir"]))
    undone = rollback.run(rollback.RollbackRequest(node, backup), Recorder().progress())
    assert config.read_text() == old
    assert undone.unhealthy == []
    assert undone.document()["backupDir"] == str(undone.backup_dir)


def test_a_refused_run_is_part_of_the_result(node: Path) -> None:
    request = _request(node, force=False)
    upgrader = upgrade.prepare(upgrade.resolve(request), Recorder().progress())
    result = upgrade.execute(upgrader, ["preflight"])
    assert isinstance(result.error, PreconditionError)  # nothing answers the health probes
    assert result.document["result"] == "refused"
    assert result.document["error"] == result.error.message
