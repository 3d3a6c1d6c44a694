"""One policy on every path: plan, diff, dry-run, apply, phase and rollback refuse alike."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest

from kctl.cli.main import main
from kctl.cluster.catalog import Version, load_catalog
from kctl.cluster.health import kubelet_from_read_only_api
from kctl.cluster.node import load_node
from kctl.cluster.policy import skew_findings, skew_verdict
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files

pytestmark = pytest.mark.unit

# nothing answers the probes of these nodes; --force overrides exactly that (health) and
# --no-etcd-backup skips the etcd reachability check
FORCED = ["-y", "--force", "--no-etcd-backup", "--probe-timeout", "0.2"]


@pytest.fixture
def node(tmp_path: Path) -> Path:
    return make_node(tmp_path / "n", NodeSpec(pki=False))


@pytest.mark.parametrize(
    ("phase", "target", "reason"),
    [
        ("upload-config", "v1.32.10", "one minor at a time"),
        ("kube-apiserver", "v1.32.10", "one minor at a time"),
        ("etcd", "v1.32.10", "one minor at a time"),
        ("kube-apiserver", "v1.28.15", "more than one minor"),
    ],
)
def test_phase_never_jumps_or_drops_two_minors_even_forced(
    node: Path, phase: str, target: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot_files(node)
    rc = main(["upgrade", "phase", phase, target, "--root", str(node), *FORCED])
    err = capsys.readouterr().err
    assert rc == 3, err
    assert reason in err
    assert "--force cannot override this" in err
    assert snapshot_files(node) == before


def test_phase_refuses_a_downgrade_without_force(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot_files(node)
    args = ["upgrade", "phase", "kube-apiserver", "v1.29.0", "--root", str(node), "-y"]
    assert main([*args, "--no-etcd-backup", "--probe-timeout", "0.2"]) == 3
    assert "does not downgrade" in capsys.readouterr().err
    assert snapshot_files(node) == before


def test_forced_apply_never_jumps_two_minors(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot_files(node)
    assert main(["upgrade", "apply", "v1.32.10", "--root", str(node), *FORCED]) == 3
    err = capsys.readouterr().err
    assert "one minor at a time" in err
    assert "ok: skew policy" not in err
    assert f"choose a target from `kctl upgrade plan --root {node}`" in " ".join(err.split())
    assert snapshot_files(node) == before


def test_diff_and_dry_run_exit_3_when_apply_would_be_refused(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # two minors: refused even with --force, but the diff is still shown
    assert main(["upgrade", "diff", "v1.32.10", "--root", str(node), "--force"]) == 3
    captured = capsys.readouterr()
    assert "+    image: registry.k8s.io/kube-apiserver:v1.32.10" in captured.out
    assert "one minor at a time" in captured.err
    dry = ["upgrade", "apply", "v1.32.10", "--root", str(node), "--dry-run", *FORCED[1:]]
    assert main(dry) == 3
    # health: nothing runs, so apply without --force would stop; diff says so with exit 3
    assert main(["upgrade", "diff", "v1.31.14", "--root", str(node)]) == 3
    assert "kube-apiserver is not healthy" in capsys.readouterr().err
    assert main(["upgrade", "diff", "v1.31.14", "--root", str(node), "--force"]) == 0


@pytest.mark.parametrize(
    ("version", "kubelet", "target", "allowed"),
    [
        ("v1.27.16", "v1.26.15", "v1.28.15", False),  # before 1.29: kubelets at most 1 behind
        ("v1.27.16", "v1.27.16", "v1.28.15", True),
        ("v1.28.15", "v1.26.15", "v1.29.15", True),  # from 1.29 on: 3 behind
        ("v1.28.15", "v1.25.16", "v1.29.15", False),
    ],
)
def test_kubelet_skew_follows_the_target_minor(
    tmp_path: Path, version: str, kubelet: str, target: str, allowed: bool
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(version=version, pki=False))
    node = load_node(root, kubelet_version=kubelet)
    verdict = skew_verdict(node, Version.parse(target), load_catalog())
    assert verdict.allowed is allowed, verdict.reasons
    if not allowed:
        assert any("at most" in r for r in verdict.reasons)


def test_phases_one_at_a_time_across_a_minor_are_allowed(node: Path) -> None:
    """After `phase kube-apiserver v1.31.14` the next phases of that upgrade pass the policy."""
    path = node / "etc/kubernetes/manifests/kube-apiserver.yaml"
    path.write_text(path.read_text().replace("v1.30.4", "v1.31.14"))
    loaded = load_node(node, kubelet_version="v1.30.4")
    target = Version.parse("v1.31.14")
    assert skew_findings(loaded, target, load_catalog(), ["kube-controller-manager"]) == []
    assert skew_findings(loaded, target, load_catalog(), ["upload-config"]) == []
    # ... but not a second minor for the component already moved, nor two back
    ahead = skew_findings(loaded, Version.parse("v1.32.10"), load_catalog(), ["kube-apiserver"])
    assert any(not f.overridable for f in ahead)
    back = skew_findings(loaded, Version.parse("v1.29.15"), load_catalog(), ["kube-apiserver"])
    assert any(not f.overridable and "2 minors back" in f.message for f in back)


def test_rollback_refuses_a_backup_two_minors_back(
    node: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "old-backup"
    rel = "etc/kubernetes/manifests/kube-apiserver.yaml"
    (backup / rel).parent.mkdir(parents=True)
    old = (node / rel).read_text().replace("v1.30.4", "v1.28.15")
    (backup / rel).write_text(old)
    (backup / "backup.json").write_text(json.dumps({"files": []}))
    before = snapshot_files(node)
    rc = main(["upgrade", "rollback", "--root", str(node), "--backup-dir", str(backup)])
    assert rc == 3
    assert "more than one minor" in capsys.readouterr().err
    assert snapshot_files(node) == before


# never run what you inspect ------------------------------------------------------------------


def test_plan_never_executes_a_kubelet_under_root(
    node: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "kubelet-ran"
    kubelet = node / "usr/bin/kubelet"
    kubelet.parent.mkdir(parents=True, exist_ok=True)
    kubelet.write_text(f"#!/bin/sh\ntouch {marker}\necho Kubernetes v1.30.4\n")
    kubelet.chmod(0o755)
    assert main(["upgrade", "plan", "--root", str(node), "--no-health", "-o", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert not marker.exists()
    rows = [c for c in plan["availableUpgrades"][0]["components"] if c["name"] == "kubelet"]
    assert [r["currentVersion"] for r in rows] == ["unknown"]
    assert any("--kubelet-version" in n for n in plan["notes"])
    dry = ["upgrade", "apply", "v1.30.14", "--root", str(node), "--dry-run", *FORCED[1:]]
    assert main(dry) == 0
    assert main(["upgrade", "diff", "v1.30.14", "--root", str(node), "--force"]) == 0
    assert not marker.exists()


class _Metrics(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        body = (
            b"# TYPE kubernetes_build_info gauge\n"
            b'kubernetes_build_info{git_version="v1.29.7",major="1",minor="29"} 1\n'
        )
        self.send_response(200 if self.path == "/metrics" else 404)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_kubelet_version_from_its_read_only_api(node: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Metrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = node / "var/lib/kubelet/config.yaml"
    config.write_text(config.read_text() + f"readOnlyPort: {server.server_port}\n")
    try:
        loaded = load_node(node)
        assert _Metrics.hits == 0  # reading a node never touches the network (health does)
        assert loaded.kubelet_version is None
        assert kubelet_from_read_only_api(loaded) == "v1.29.7"
        assert _Metrics.hits == 1
    finally:
        server.shutdown()
        server.server_close()
    assert load_node(node, kubelet_version="v1.30.4").kubelet_version == "v1.30.4"
