"""Certificate expiry under etc/kubernetes/pki (like `kubeadm certs check-expiration`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kctl import yamlio
from kctl.errors import InputError, Location
from kctl.inputs import read_input


@dataclass(frozen=True)
class CertInfo:
    """One certificate file and when it expires."""

    name: str  # path relative to the pki dir, without .crt
    expires: dt.datetime
    residual_days: int
    is_ca: bool

    def expiring(self, within_days: int) -> bool:
        return self.residual_days < within_days


def read_certificates(pki: Path, now: dt.datetime | None = None) -> list[CertInfo]:
    """Every *.crt under `pki` (sorted by name); an unparsable certificate is an input error."""
    if not pki.is_dir():
        return []
    from cryptography import x509

    now = now or dt.datetime.now(dt.UTC)
    out = []
    for path in sorted(pki.rglob("*.crt")):
        try:
            cert = x509.load_pem_x509_certificate(read_input(path, 1 << 20))
        except (ValueError, OSError) as exc:
            raise InputError(
                f"not a PEM certificate: {exc}", location=Location.of(path, 1)
            ) from None
        expires = cert.not_valid_after_utc
        try:
            basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
            is_ca = bool(basic.ca)
        except x509.ExtensionNotFound:
            is_ca = False
        name = str(path.relative_to(pki).with_suffix(""))
        out.append(CertInfo(name, expires, (expires - now).days, is_ca))
    return out


LEAF_NAMES = (
    "admin.conf",
    "apiserver",
    "apiserver-etcd-client",
    "apiserver-kubelet-client",
    "controller-manager.conf",
    "etcd-healthcheck-client",
    "etcd-peer",
    "etcd-server",
    "front-proxy-client",
    "scheduler.conf",
    "super-admin.conf",
)
# kubeadm's names -> (file under etc/kubernetes, CA name); CAs: ca, etcd-ca, front-proxy-ca
_FILES = {
    "apiserver": ("pki/apiserver.crt", "ca"),
    "apiserver-etcd-client": ("pki/apiserver-etcd-client.crt", "etcd-ca"),
    "apiserver-kubelet-client": ("pki/apiserver-kubelet-client.crt", "ca"),
    "etcd-healthcheck-client": ("pki/etcd/healthcheck-client.crt", "etcd-ca"),
    "etcd-peer": ("pki/etcd/peer.crt", "etcd-ca"),
    "etcd-server": ("pki/etcd/server.crt", "etcd-ca"),
    "front-proxy-client": ("pki/front-proxy-client.crt", "front-proxy-ca"),
}
_CAS = {"ca": "pki/ca", "etcd-ca": "pki/etcd/ca", "front-proxy-ca": "pki/front-proxy-ca"}


@dataclass(frozen=True)
class Expiration:
    """One row of `kctl upgrade certs check-expiration` (kubeadm's CertificateExpirationInfo)."""

    name: str
    expires: dt.datetime | None  # None: missing
    residual: dt.timedelta | None
    ca_name: str
    externally_managed: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "expirationDate": self.expires.strftime("%Y-%m-%dT%H:%M:%SZ") if self.expires else None,
            "residualTime": _residual(self.residual) if self.residual is not None else None,
            "caName": self.ca_name,
            "externallyManaged": self.externally_managed,
            "missing": self.expires is None,
        }


def _residual(delta: dt.timedelta) -> str:
    if delta.total_seconds() <= 0:
        return "<invalid>"
    if delta.days >= 365:
        return f"{delta.days // 365}y"
    if delta.days >= 1:
        return f"{delta.days}d"
    return f"{int(delta.total_seconds() // 3600)}h"


def _kubeconfig_cert(path: Path) -> bytes | None:
    import base64

    try:
        data = yamlio.load_all_fast(path.read_text(), str(path))[0]
        user = data["users"][0]["user"]
        return base64.b64decode(user["client-certificate-data"])
    except (OSError, ValueError, KeyError, IndexError, TypeError, InputError):
        return None


def check_expiration(
    etc: Path, now: dt.datetime | None = None
) -> tuple[list[Expiration], list[Expiration]]:
    """(leaves, CAs) like `kubeadm certs check-expiration`; etc = <root>/etc/kubernetes."""
    from cryptography import x509

    now = now or dt.datetime.now(dt.UTC)

    def row(name: str, pem: bytes | None, ca: str, external: bool) -> Expiration:
        if pem is None:
            return Expiration(name, None, None, ca, external)
        try:
            expires = x509.load_pem_x509_certificate(pem).not_valid_after_utc
        except ValueError:
            raise InputError(f"{name}: not a PEM certificate") from None
        return Expiration(name, expires, expires - now, ca, external)

    def read(rel: str) -> bytes | None:
        path = etc / rel
        return path.read_bytes() if path.is_file() else None

    external = {ca: not (etc / f"{rel}.key").is_file() for ca, rel in _CAS.items()}
    leaves = []
    for name in LEAF_NAMES:
        if name.endswith(".conf"):
            path = etc / name
            pem = _kubeconfig_cert(path) if path.is_file() else None
            leaves.append(row(name, pem, "ca", external["ca"]))
        else:
            rel, ca = _FILES[name]
            leaves.append(row(name, read(rel), ca, external[ca]))
    cas = [row(ca, read(f"{rel}.crt"), "", external[ca]) for ca, rel in _CAS.items()]
    return leaves, cas
