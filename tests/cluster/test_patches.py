"""kubeadm's --patches DIR on the static pods an upgrade writes: file names, the three patch
types, the order, what is ignored and what is refused (cmd/kubeadm/app/util/patches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl import yamlio
from kctl.app.upgrade import UpgradeRequest, prepare, resolve
from kctl.errors import InputError
from tests.cluster.nodes import NodeSpec, make_node
from tests.commands.recording import Recorder

pytestmark = pytest.mark.unit

TARGET = "v1.30.14"


def _rendered(root: Path, patches: Path, recorder: Recorder | None = None) -> dict[str, object]:
    request = resolve(UpgradeRequest(root, TARGET, patches=patches))
    upgrader = prepare(request, (recorder or Recorder()).progress())
    return {
        r.rel.rsplit("/", 1)[-1].removesuffix(".yaml"): yamlio.loads_all(r.new.decode())[0]
        for r in upgrader.rendered
        if "/manifests/" in r.rel
    }


def _container(pods: dict[str, object], name: str) -> dict[str, object]:
    return pods[name]["spec"]["containers"][0]  # type: ignore[index,no-any-return]


def test_three_patch_types_in_name_order(tmp_path: Path) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    patches = tmp_path / "patches"
    patches.mkdir()
    (patches / "kube-apiserver0+strategic.yaml").write_text(
        "spec:\n  containers:\n  - name: kube-apiserver\n"
        "    resources: {requests: {cpu: 400m}}\n    env: [{name: GOMAXPROCS, value: '2'}]\n"
    )
    (patches / "kube-apiserver1.yaml").write_text(  # strategic by default, applied second
        "spec:\n  containers:\n  - name: kube-apiserver\n    resources: {requests: {cpu: 500m}}\n"
    )
    (patches / "kube-scheduler+json.json").write_text(
        '[{"op": "add", "path": "/spec/containers/0/command/-", "value": "--v=4"}]'
    )
    (patches / "etcd+merge.yaml").write_text("metadata:\n  annotations: {patched: 'yes'}\n")
    pods = _rendered(root, patches)
    apiserver = _container(pods, "kube-apiserver")
    assert apiserver["resources"]["requests"]["cpu"] == "500m"  # type: ignore[index]
    assert apiserver["env"] == [{"name": "GOMAXPROCS", "value": "2"}]
    assert str(apiserver["image"]).endswith(f"kube-apiserver:{TARGET}")  # still upgraded
    assert _container(pods, "kube-scheduler")["command"][-1] == "--v=4"  # type: ignore[index]
    annotations = pods["etcd"]["metadata"]["annotations"]  # type: ignore[index]
    assert annotations["patched"] == "yes" and len(annotations) == 2  # merged, not replaced
    assert "patched" not in str(pods["kube-controller-manager"])


def test_other_files_are_ignored_out_loud_and_other_targets_refused(tmp_path: Path) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    patches = tmp_path / "patches"
    patches.mkdir()
    (patches / "README.md").write_text("notes\n")
    recorder = Recorder()
    _rendered(root, patches, recorder)
    assert any("README.md" in w for w in recorder.of("warn"))
    (patches / "kubeletconfiguration+merge.yaml").write_text("maxPods: 200\n")
    with pytest.raises(InputError) as refused:
        _rendered(root, patches)
    assert "kubeletconfiguration" in str(refused.value)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("kube-apiserver+json.json", '[{"op": "remove", "path": "/nope"}]', "does not apply"),
        ("kube-apiserver+json.yaml", "spec: {}\n", "list of operations"),
        ("kube-apiserver.yaml", "- a\n- b\n", "a mapping"),
    ],
)
def test_bad_patch_names_its_file(tmp_path: Path, name: str, text: str, problem: str) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    patches = tmp_path / "patches"
    patches.mkdir()
    (patches / name).write_text(text)
    with pytest.raises(InputError) as refused:
        _rendered(root, patches)
    assert problem in str(refused.value)
    assert refused.value.location is not None and name in refused.value.location.file


def test_cli_diff_and_upgrade_configuration_take_the_patches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kctl upgrade diff --patches DIR` shows the patched manifest; an UpgradeConfiguration's
    `patches.directory` (relative to the file, as kubeadm reads it) does the same for apply."""
    from kctl.cli.main import main

    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    patches = tmp_path / "patches"
    patches.mkdir()
    (patches / "kube-scheduler+json.json").write_text(
        '[{"op": "add", "path": "/spec/containers/0/command/-", "value": "--v=4"}]'
    )
    assert main(["upgrade", "diff", TARGET, "--root", str(root), "--patches", str(patches)]) in (
        0,
        3,
    )
    assert "+    - --v=4" in capsys.readouterr().out
    config = tmp_path / "upgrade.yaml"
    config.write_text(
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\n"
        "apply:\n  patches: {directory: patches}\n"
    )
    argv = ["upgrade", "apply", TARGET, "--root", str(root), "--dry-run", "--config", str(config)]
    assert main([*argv, "--no-etcd-backup", "--force"]) == 0
    assert "+    - --v=4" in capsys.readouterr().out
