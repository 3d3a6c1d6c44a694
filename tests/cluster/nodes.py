"""Fixture nodes: copies of examples/kubeadm-node (kctl's offline layout, with a local
kubeadm-config.yaml and addons/) or examples/kubeadm-node-real (what kubeadm leaves: the config
lives in the cluster) rewritten to other versions and ports; workers made from the real one."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "kubeadm-node"
REAL_EXAMPLE = REPO / "examples" / "kubeadm-node-real"
GOLDEN = Path(__file__).resolve().parent / "golden"
MANIFESTS = "etc/kubernetes/manifests"
PROBE_PORTS = {
    "etcd": 2381,
    "kube-apiserver": 6443,
    "kube-controller-manager": 10257,
    "kube-scheduler": 10259,
}


@dataclass
class NodeSpec:
    """How a fixture node differs from the example (a v1.30.4 kubeadm node)."""

    version: str = "v1.30.4"
    etcd: str = "3.5.12-0"
    coredns: str = "v1.11.1"
    kubelet: str | None = None  # what --kubelet-version tests pass; default: version

    @property
    def kubelet_version(self) -> str:
        return self.kubelet or self.version

    repository: str = "registry.k8s.io"
    ports: dict[str, int] = field(default_factory=dict)
    http_probes: bool = False
    extra_flags: dict[str, list[str]] = field(default_factory=dict)
    pki: bool = True
    real: bool = False  # the layout kubeadm leaves (no local kubeadm-config.yaml, no addons/)
    external_etcd: bool = False  # no etcd manifest, no pki/etcd (etcd.external in the cluster)


def make_node(dest: Path, spec: NodeSpec) -> Path:
    """Copy the example node to `dest` and rewrite it to `spec`."""
    shutil.copytree(REAL_EXAMPLE if spec.real else EXAMPLE, dest, symlinks=True)
    if spec.external_etcd:
        (dest / MANIFESTS / "etcd.yaml").unlink()
        shutil.rmtree(dest / "etc/kubernetes/pki/etcd", ignore_errors=True)
    if not spec.pki:
        shutil.rmtree(dest / "etc/kubernetes/pki")
    subs = {
        "v1.30.4": spec.version,
        "etcd:3.5.12-0": f"etcd:{spec.etcd}",
        "coredns:v1.11.1": f"coredns:{spec.coredns}",
        "registry.k8s.io/coredns/coredns": (
            "registry.k8s.io/coredns/coredns"
            if spec.repository == "registry.k8s.io"
            else f"{spec.repository}/coredns"
        ),
        "registry.k8s.io": spec.repository,
    }
    for path in sorted(dest.rglob("*")):
        if not path.is_file() or path.suffix == ".crt":
            continue
        text = path.read_text()
        new = text
        for old, value in subs.items():
            new = new.replace(old, value)
        if path.parent.name == "manifests":
            component = path.stem
            if component in spec.ports:
                new = new.replace(
                    f"port: {PROBE_PORTS[component]}", f"port: {spec.ports[component]}"
                )
            if spec.http_probes:
                new = new.replace("scheme: HTTPS", "scheme: HTTP")
            for flag in spec.extra_flags.get(component, []):
                new = new.replace(f"    - {component}\n", f"    - {component}\n    - {flag}\n", 1)
        if new != text:
            path.write_text(new)
    return dest


def make_worker(dest: Path, name: str = "w1") -> Path:
    """A kubeadm worker: kubelet.conf, pki/ca.crt, an empty manifests/ and the kubelet files."""
    make_node(dest, NodeSpec(real=True))
    for manifest in (dest / MANIFESTS).glob("*.yaml"):
        manifest.unlink()
    pki = dest / "etc/kubernetes/pki"
    for path in sorted(pki.rglob("*"), reverse=True):
        if path.name != "ca.crt" or path.parent != pki:
            path.rmdir() if path.is_dir() else path.unlink()
    if name != "cp1":
        set_node_name(dest, name)
    return dest


def set_node_name(root: Path, name: str) -> None:
    """Make kubelet.conf's client certificate say system:node:NAME (how kubeadm names it)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:nodes"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"system:node:{name}"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(78)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem = root / "var/lib/kubelet/pki/kubelet-client-current.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def snapshot_files(root: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime of every file under root (to prove nothing was written)."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def contents(root: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot_files(root).items()}
