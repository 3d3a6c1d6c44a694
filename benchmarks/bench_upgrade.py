"""`kctl upgrade plan -o json` on the example kubeadm node, with its health endpoints running.

The example node (examples/kubeadm-node) is copied to a temp dir with its livenessProbe ports
moved to free loopback ports; small HTTP(S) servers (self-signed TLS where the probe says
HTTPS, like the real components) answer the probes and /version. Target: <= 0.3 s absolute;
also reported as a ratio to `python -c "import typer"`. Beside it, the same plan on the layout
kubeadm leaves (examples/kubeadm-node-real) with `--kubeconfig`: the ClusterConfiguration,
addons, Nodes and mirror pods read from the loopback API server the tests use
(tests/cluster/apiserver.py, a v1.30 cluster's objects over HTTPS).
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import shutil
import socket
import ssl
import sys
import tempfile
import threading
from pathlib import Path

from _timing import REPO, interleaved, report, report_absolute

RUNS = 15
PORTS = {
    "etcd": 2381,
    "kube-apiserver": 6443,
    "kube-controller-manager": 10257,
    "kube-scheduler": 10259,
}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real components

    def do_GET(self) -> None:
        body = json.dumps({"gitVersion": "v1.30.4"}).encode() if self.path == "/version" else b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _self_signed(workdir: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (workdir / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (workdir / "tls.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(workdir / "tls.crt", workdir / "tls.key")
    return context


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_probes(node: Path, tls: ssl.SSLContext) -> list[http.server.ThreadingHTTPServer]:
    servers = []
    for component, port in PORTS.items():
        manifest = node / "etc/kubernetes/manifests" / f"{component}.yaml"
        text = manifest.read_text()
        new_port = _free_port()
        manifest.write_text(text.replace(f"port: {port}", f"port: {new_port}"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", new_port), _Handler)
        if "scheme: HTTPS" in text:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def main() -> None:
    from tests.cluster.apiserver import FakeAPIServer, v130_cluster

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        node = work / "node"
        real = work / "real"
        shutil.copytree(REPO / "examples" / "kubeadm-node", node)
        shutil.copytree(REPO / "examples" / "kubeadm-node-real", real)
        tls = _self_signed(work)
        servers = _serve_probes(node, tls) + _serve_probes(real, tls)
        api = FakeAPIServer(work / "api", v130_cluster()).start()
        # this checkout's kctl (an installed `kctl` may be another checkout's)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        )
        base = [sys.executable, "-m", "kctl"]
        plan = [*base, "upgrade", "plan", "--root", str(node), "-o", "json"]
        plan += ["--kubelet-version", "v1.30.4"]
        cluster = [*base, "upgrade", "plan", "--root", str(real), "-o", "json"]
        cluster += ["--kubeconfig", str(api.kubeconfig)]
        commands = {"floor": [sys.executable, "-c", "import typer"], "plan": plan}
        times = interleaved({**commands, "cluster": cluster}, RUNS)
        for server in servers:
            server.shutdown()
            server.server_close()
        api.stop()
    report_absolute("kctl upgrade plan (4 live health checks)", times["plan"], 0.3)
    report("kctl upgrade plan", times["plan"], times["floor"], 3.0, "import typer")
    report_absolute(
        "kctl upgrade plan --kubeconfig (real layout, cluster API over HTTPS)",
        times["cluster"],
        0.3,
    )


if __name__ == "__main__":
    main()
