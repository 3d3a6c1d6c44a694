"""Certificate expiry under etc/kubernetes/pki (like `kubeadm certs check-expiration`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from msgspec import Struct

from kctl import yamlio
from kctl.cluster.pem import MAX_PEM_BYTES, parse_certificate, read_certificate
from kctl.errors import InputError, Location
from kctl.inputs import read_input


class CertInfo(Struct, frozen=True):
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
        cert = read_certificate(path)
        expires = cert.not_valid_after_utc
        try:
            basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
            is_ca = bool(basic.ca)
        except x509.ExtensionNotFound:
            is_ca = False
        name = str(path.relative_to(pki).with_suffix(""))
        out.append(CertInfo(name, expires, (expires - now).days, is_ca))
    return out


# kubeadm's leaf certificates by its names -> (path under pki/ without .crt, issuing CA, the
# control-plane component whose upgrade phase renews it), in the order apply renews them
LEAVES: dict[str, tuple[str, str, str]] = {
    "apiserver": ("apiserver", "ca", "kube-apiserver"),
    "apiserver-kubelet-client": ("apiserver-kubelet-client", "ca", "kube-apiserver"),
    "apiserver-etcd-client": ("apiserver-etcd-client", "etcd-ca", "kube-apiserver"),
    "front-proxy-client": ("front-proxy-client", "front-proxy-ca", "kube-apiserver"),
    "etcd-server": ("etcd/server", "etcd-ca", "etcd"),
    "etcd-peer": ("etcd/peer", "etcd-ca", "etcd"),
    "etcd-healthcheck-client": ("etcd/healthcheck-client", "etcd-ca", "etcd"),
}
# kubeconfig files under etc/kubernetes whose embedded client certificate pki/ca signs
KUBECONFIGS = {
    "admin.conf": "kube-apiserver",
    "super-admin.conf": "kube-apiserver",
    "controller-manager.conf": "kube-controller-manager",
    "scheduler.conf": "kube-scheduler",
}
# kubeadm's CA names -> path under pki/ without .crt/.key
CAS = {"ca": "ca", "etcd-ca": "etcd/ca", "front-proxy-ca": "front-proxy-ca"}
LEAF_NAMES = tuple(sorted({*LEAVES, *KUBECONFIGS}))  # as check-expiration lists them


class Expiration(Struct, frozen=True):
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


def embedded_client_cert(text: str, name: str) -> str | None:
    """The base64 client-certificate-data of a kubeconfig's first user, if it has one."""
    try:
        data = yamlio.load_all_fast(text, name)[0]
        value = data["users"][0]["user"]["client-certificate-data"]
    except (KeyError, IndexError, TypeError, InputError):
        return None
    return value if isinstance(value, str) else None


def _kubeconfig_cert(path: Path) -> bytes | None:
    import base64

    try:
        encoded = embedded_client_cert(path.read_text(), str(path))
        return base64.b64decode(encoded) if encoded is not None else None
    except (OSError, ValueError):
        return None


def check_expiration(
    etc: Path, now: dt.datetime | None = None
) -> tuple[list[Expiration], list[Expiration]]:
    """(leaves, CAs) like `kubeadm certs check-expiration`; etc = <root>/etc/kubernetes."""

    now = now or dt.datetime.now(dt.UTC)

    def row(name: str, pem: bytes | None, ca: str, external: bool, rel: str) -> Expiration:
        if pem is None:
            return Expiration(name, None, None, ca, external)
        expires = parse_certificate(pem, Location.of(etc / rel, 1)).not_valid_after_utc
        return Expiration(name, expires, expires - now, ca, external)

    def read(rel: str) -> bytes | None:
        path = etc / rel
        return read_input(path, MAX_PEM_BYTES) if path.is_file() else None

    external = {ca: not (etc / f"pki/{stem}.key").is_file() for ca, stem in CAS.items()}
    leaves = []
    for name in LEAF_NAMES:
        if name.endswith(".conf"):
            path = etc / name
            pem = _kubeconfig_cert(path) if path.is_file() else None
            leaves.append(row(name, pem, "ca", external["ca"], name))
        else:
            stem, ca, _ = LEAVES[name]
            rel = f"pki/{stem}.crt"
            leaves.append(row(name, read(rel), ca, external[ca], rel))
    cas = [
        row(ca, read(f"pki/{stem}.crt"), "", external[ca], f"pki/{stem}.crt")
        for ca, stem in CAS.items()
    ]
    return leaves, cas
