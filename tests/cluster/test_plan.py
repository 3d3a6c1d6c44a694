"""kctl upgrade plan on fixture nodes of several releases: golden JSON, skew rules, health."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.cli.main import main
from kctl.cluster.catalog import Version, load_catalog
from kctl.cluster.node import load_node
from kctl.cluster.plan import plan_upgrade, skew_verdict
from tests.cluster.nodes import EXAMPLE, GOLDEN, NodeSpec, make_node
from tests.support.services import free_port

pytestmark = pytest.mark.unit


NODES = {
    "v1.26.15": NodeSpec(
        version="v1.26.15",
        etcd="3.5.10-0",
        coredns="v1.9.3",
        extra_flags={"kube-controller-manager": ["--pod-eviction-timeout=5m0s"]},
    ),
    "v1.30.4": NodeSpec(),
    "v1.33.2": NodeSpec(version="v1.33.2", etcd="3.5.21-0", coredns="v1.12.0", kubelet="v1.30.0"),
    "v1.35.1": NodeSpec(version="v1.35.1", etcd="3.6.6-0", coredns="v1.13.1"),
    "mirror": NodeSpec(version="v1.29.2", repository="127.0.0.1:5000/mirror", etcd="3.5.10-0"),
}


@pytest.fixture(params=sorted(NODES))
def fixture_node(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    name = request.param
    spec = NODES[name]
    spec.pki = False
    return name, make_node(tmp_path / name, spec)


def test_plan_json_matches_golden(
    fixture_node: tuple[str, Path], capsys: pytest.CaptureFixture[str], update_golden: bool
) -> None:
    """Regenerate with `pytest --update-golden tests/cluster/test_plan.py`."""
    name, root = fixture_node
    kubelet = NODES[name].kubelet_version
    args = ["--no-health", "--kubelet-version", kubelet, "--no-etcd-backup"]
    rc = main(["upgrade", "plan", "--root", str(root), "-o", "json", *args])
    out = capsys.readouterr().out.replace(str(root), "$ROOT")  # the suggested commands
    assert rc == 0
    golden = GOLDEN / f"plan-{name}.json"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(out)
    assert json.loads(out) == json.loads(golden.read_text())


def test_plan_targets_latest_patch_and_next_minor(tmp_path: Path) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    plan = plan_upgrade(load_node(root), load_catalog(), check_health=False).to_dict()
    targets = [u["targetVersion"] for u in plan["availableUpgrades"]]
    assert targets == ["v1.30.14", "v1.31.14"]
    [same, nxt] = plan["availableUpgrades"]
    rows = {c["name"]: c for c in same["components"]}
    # KUBEADM.md: 1.30.5 bumped CoreDNS to v1.11.3 and etcd to 3.5.15
    assert rows["CoreDNS"]["newVersion"] == "v1.11.3"
    assert rows["etcd"]["currentVersion"] == "3.5.12-0"
    assert rows["etcd"]["newVersion"] == "3.5.15-0"
    assert {c["name"]: c["newVersion"] for c in nxt["components"]}["etcd"] == "3.5.24-0"
    assert nxt["command"] == "kctl upgrade apply v1.31.14"
    assert plan["apiVersion"] == "kctl.dev/v1alpha1" and plan["kind"] == "UpgradePlan"


def test_plan_table_has_kubeadm_layout(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["upgrade", "plan", "--root", str(EXAMPLE), "--no-health", "--no-etcd-backup"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "COMPONENT                 NODE   CURRENT    TARGET" in out
    assert "        kctl upgrade apply v1.31.14" in out
    assert "MANUAL UPGRADE REQUIRED" in out


def test_plan_yaml_is_same_document(capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    main(["upgrade", "plan", "--root", str(EXAMPLE), "--no-health", "-o", "json"])
    as_json = json.loads(capsys.readouterr().out)
    main(["upgrade", "plan", "--root", str(EXAMPLE), "--no-health", "-o", "yaml"])
    assert yaml.safe_load(capsys.readouterr().out) == as_json


# skew -------------------------------------------------------------------------------------


def _node(tmp_path: Path, **kw: object) -> object:
    spec = NodeSpec(pki=False, **kw)  # type: ignore[arg-type]
    return load_node(make_node(tmp_path / "n", spec), kubelet_version=spec.kubelet_version)


@pytest.mark.parametrize(
    ("kubelet", "target", "allowed", "reason"),
    [
        ("v1.30.4", "v1.31.14", True, None),
        ("v1.28.0", "v1.31.14", True, None),  # 3 minors older: allowed
        ("v1.27.3", "v1.31.14", False, "at most 3"),  # 4 minors older
        ("v1.30.4", "v1.32.10", False, "one minor at a time"),
        ("v1.30.4", "v1.29.15", False, "does not downgrade"),
        ("v1.30.4", "v1.30.2", False, "does not downgrade"),
        ("v1.31.2", "v1.30.14", False, "newer than the target"),
    ],
)
def test_skew_policy(
    tmp_path: Path, kubelet: str, target: str, allowed: bool, reason: str | None
) -> None:
    node = _node(tmp_path, kubelet=kubelet)
    verdict = skew_verdict(node, Version.parse(target))  # type: ignore[arg-type]
    assert verdict.allowed is allowed
    if reason:
        assert any(reason in r for r in verdict.reasons), verdict.reasons


def test_skew_rejects_a_half_upgraded_control_plane(tmp_path: Path) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    path = root / "etc/kubernetes/manifests/kube-scheduler.yaml"
    path.write_text(path.read_text().replace("v1.30.4", "v1.29.9"))
    verdict = skew_verdict(load_node(root), Version.parse("v1.30.14"))
    assert not verdict.allowed
    assert any("kube-scheduler runs v1.29.9" in r for r in verdict.reasons)


def test_apply_refuses_skew_with_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    rc = main(["upgrade", "apply", "v1.32.10", "--root", str(root), "-y", "--no-etcd-backup"])
    assert rc == 3
    assert "one minor at a time" in capsys.readouterr().err


# health and certificates --------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/version"):
            body = json.dumps({"gitVersion": "v1.30.4"}).encode()
            status = 200
        elif self.server.server_port % 2 == 0 or "health" in self.path or "livez" in self.path:  # type: ignore[attr-defined]
            body, status = b"ok", 200
        else:
            body, status = b"no", 500
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoints() -> Iterator[dict[str, int]]:
    servers = []
    ports = {}
    for name in ("etcd", "kube-apiserver", "kube-controller-manager"):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        ports[name] = server.server_port
    ports["kube-scheduler"] = free_port()  # nothing listens: connection refused
    yield ports
    for server in servers:
        server.shutdown()
        server.server_close()


def test_plan_reports_health_of_each_probe(
    tmp_path: Path, endpoints: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(ports=endpoints, http_probes=True, pki=False))
    rc = main(["upgrade", "plan", "--root", str(root), "-o", "json", "--probe-timeout", "1"])
    assert rc == 0
    health = {h["component"]: h for h in json.loads(capsys.readouterr().out)["health"]}
    assert health["kube-apiserver"]["healthy"] is True
    assert health["kube-apiserver"]["reportedVersion"] == "v1.30.4"
    assert (
        health["kube-apiserver"]["endpoint"]
        == f"http://127.0.0.1:{endpoints['kube-apiserver']}/livez"
    )
    assert health["kube-scheduler"]["healthy"] is False
    assert "refused" in health["kube-scheduler"]["status"]


def test_certificates_expiring_within_30_days(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    root = make_node(tmp_path / "n", NodeSpec())
    now = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=300))
        .not_valid_after(now + dt.timedelta(days=12, hours=1))
        .sign(key, hashes.SHA256())
    )
    (root / "etc/kubernetes/pki/apiserver.crt").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
    )
    plan = plan_upgrade(load_node(root), load_catalog(), check_health=False, now=now).to_dict()
    assert plan["certificates"] == [
        {
            "name": "apiserver",
            "expirationDate": (now + dt.timedelta(days=12, hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "residualDays": 12,
            "certificateAuthority": False,
        }
    ]


def test_https_probe_does_not_verify_the_certificate(tmp_path: Path) -> None:
    """Like the kubelet: a self-signed serving certificate still answers healthy."""
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from kctl.cluster.health import check
    from kctl.cluster.node import Probe

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "tls.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "tls.crt", tmp_path / "tls.key")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        health = check("kube-apiserver", Probe("HTTPS", "127.0.0.1", server.server_port, "/livez"))
    finally:
        server.shutdown()
        server.server_close()
    assert health.healthy, health.status
    assert health.version == "v1.30.4"
    assert health.endpoint == f"https://127.0.0.1:{server.server_port}/livez"
