"""--kubeconfig: kubeadm-config ConfigMap and kubelet versions read through a (fake) API server."""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.cluster.nodes import NodeSpec, make_node

pytestmark = pytest.mark.unit

TOKEN = "kctl-test-token"
CLUSTER_CONFIGURATION = (
    "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n"
    "kubernetesVersion: v1.30.4\nimageRepository: registry.k8s.io\n"
)


class _API(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.send_response(401)
            self.end_headers()
            return
        if self.path == "/api/v1/namespaces/kube-system/configmaps/kubeadm-config":
            body = {"data": {"ClusterConfiguration": CLUSTER_CONFIGURATION}}
        elif self.path == "/api/v1/nodes":
            body = {
                "items": [
                    {
                        "metadata": {"name": "cp1"},
                        "status": {"nodeInfo": {"kubeletVersion": "v1.30.4"}},
                    },
                    {
                        "metadata": {"name": "w1"},
                        "status": {"nodeInfo": {"kubeletVersion": "v1.27.9"}},
                    },
                ]
            }
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(9)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "api.crt").write_bytes(pem)
    (tmp_path / "api.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "api.crt", tmp_path / "api.key")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _API)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kubeconfig = tmp_path / "admin.conf"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "admin@kubernetes",
                "contexts": [
                    {
                        "name": "admin@kubernetes",
                        "context": {"cluster": "kubernetes", "user": "admin"},
                    }
                ],
                "clusters": [
                    {
                        "name": "kubernetes",
                        "cluster": {
                            "server": f"https://127.0.0.1:{server.server_port}",
                            "certificate-authority-data": base64.b64encode(pem).decode(),
                        },
                    }
                ],
                "users": [{"name": "admin", "user": {"token": TOKEN}}],
            }
        )
    )
    yield kubeconfig
    server.shutdown()
    server.server_close()


def test_plan_reads_configmap_and_every_kubelet(
    tmp_path: Path, api_server: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    (root / "etc/kubernetes/kubeadm-config.yaml").unlink()
    rc = main(
        [
            "upgrade",
            "plan",
            "--root",
            str(root),
            "--no-health",
            "-o",
            "json",
            "--kubeconfig",
            str(api_server),
        ]
    )
    out = capsys.readouterr()
    assert rc == 0, out.err
    plan = json.loads(out.out)
    [same, nxt] = plan["availableUpgrades"]
    kubelets = {
        c["nodeName"]: c["currentVersion"] for c in same["components"] if c["name"] == "kubelet"
    }
    assert kubelets == {"cp1": "v1.30.4", "w1": "v1.27.9"}
    assert same["skew"]["allowed"] is True  # 1.30.14 is 3 minors above w1's 1.27
    assert nxt["skew"]["allowed"] is False
    assert any("w1" in r and "at most 3" in r for r in nxt["skew"]["reasons"])
    # the ClusterConfiguration came from the ConfigMap (no local kubeadm-config.yaml)
    assert plan["clusterVersion"] == "v1.30.4"
    # the suggested command is pasteable: it reads the same cluster
    assert same["command"].endswith(f"--root {root} --kubeconfig {api_server}")


def test_bad_kubeconfig_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nkind: Config\nclusters: []\n")
    assert (
        main(["upgrade", "plan", "--root", str(root), "--no-health", "--kubeconfig", str(bad)]) == 2
    )
    assert "current-context" in capsys.readouterr().err
