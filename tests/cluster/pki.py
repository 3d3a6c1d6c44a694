"""A kubeadm-like pki/ for fixture nodes: CAs with keys and leaves signed by them."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _write(pki: Path, name: str, cert: x509.Certificate, key: Any | None) -> None:
    (pki / f"{name}.crt").parent.mkdir(parents=True, exist_ok=True)
    (pki / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        (pki / f"{name}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def make_ca(pki: Path, name: str, cn: str, with_key: bool = True) -> tuple[Any, Any]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=400))
        .not_valid_after(NOW + dt.timedelta(days=3000))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    _write(pki, name, cert, key if with_key else None)
    return cert, key


def make_leaf(
    pki: Path,
    name: str,
    ca: tuple[Any, Any],
    *,
    cn: str,
    days_left: float,
    server: bool = False,
    org: str | None = None,
) -> x509.Certificate:
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, org))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=352))
        .not_valid_after(NOW + dt.timedelta(days=days_left))
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), True
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
    )
    if server:
        sans = [x509.DNSName("kubernetes"), x509.DNSName("kubernetes.default.svc")]
        sans.append(x509.IPAddress(ipaddress.ip_address("10.96.0.1")))
        sans.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), False)
    cert = builder.sign(ca_key, hashes.SHA256())
    _write(pki, name, cert, key)
    return cert


def make_pki(root: Path, apiserver_days: float = 13, etcd_ca_key: bool = True) -> Path:
    """Replace the node's pki/ with CAs (keys present unless asked) and kubeadm's leaves."""
    import shutil

    pki = root / "etc/kubernetes/pki"
    shutil.rmtree(pki, ignore_errors=True)
    ca = make_ca(pki, "ca", "kubernetes")
    etcd_ca = make_ca(pki, "etcd/ca", "etcd-ca", with_key=etcd_ca_key)
    proxy_ca = make_ca(pki, "front-proxy-ca", "front-proxy-ca")
    make_leaf(pki, "apiserver", ca, cn="kube-apiserver", days_left=apiserver_days, server=True)
    make_leaf(
        pki,
        "apiserver-kubelet-client",
        ca,
        cn="kube-apiserver-kubelet-client",
        days_left=200,
        org="kubeadm:cluster-admins",
    )
    make_leaf(pki, "apiserver-etcd-client", etcd_ca, cn="kube-apiserver-etcd-client", days_left=200)
    make_leaf(pki, "front-proxy-client", proxy_ca, cn="front-proxy-client", days_left=200)
    make_leaf(pki, "etcd/server", etcd_ca, cn="cp1", days_left=200, server=True)
    return pki


def make_kubeconfig(root: Path, name: str, ca: tuple[Any, Any], cn: str, org: str | None) -> Path:
    """etc/kubernetes/<name> with an embedded client certificate signed by `ca`, as kubeadm
    writes admin.conf, controller-manager.conf, scheduler.conf."""
    import base64

    workdir = root / "etc/kubernetes/.kubeconfig-material"
    cert = make_leaf(workdir, "client", ca, cn=cn, days_left=20, org=org)
    key = (workdir / "client.key").read_bytes()
    ca_pem = ca[0].public_bytes(serialization.Encoding.PEM)

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    path = root / "etc/kubernetes" / name
    path.write_text(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
        f"    certificate-authority-data: {b64(ca_pem)}\n"
        "    server: https://127.0.0.1:6443\n  name: kubernetes\n"
        "contexts:\n- context:\n    cluster: kubernetes\n    user: u\n  name: u@kubernetes\n"
        "current-context: u@kubernetes\npreferences: {}\nusers:\n- name: u\n  user:\n"
        f"    client-certificate-data: {b64(cert.public_bytes(serialization.Encoding.PEM))}\n"
        f"    client-key-data: {b64(key)}\n"
    )
    import shutil

    shutil.rmtree(workdir)
    return path
