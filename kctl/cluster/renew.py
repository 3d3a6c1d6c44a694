"""Renewal of the leaf certificates kubeadm manages, as `kubeadm upgrade apply` does.

Each leaf is re-issued by the CA found in pki/ (its key must be there; without it the
certificate is externally managed and left alone): same subject, same public key (the private
key file is never touched), same extensions (SANs, key usages), a new serial number and one
year of validity (never past the CA's own expiry). CAs are never renewed. The renewed bytes are
`Rendered` files, so apply backs them up and rolls them back like every other file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster.certs import CAS, KUBECONFIGS, LEAVES, embedded_client_cert
from kctl.cluster.node import PKI_DIR
from kctl.cluster.pem import read_certificate, read_private_key
from kctl.cluster.render import Rendered

VALIDITY = dt.timedelta(days=365)
PHASE = "certificates"


class Renewal(Struct, frozen=True):
    """What apply does with one kubeadm-managed leaf certificate."""

    name: str  # path under pki/ without .crt
    component: str
    ca: str
    expires: dt.datetime
    new_expires: dt.datetime | None  # None when it is not renewed
    reason: str  # "renew", or why not
    rendered: Rendered | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "component": self.component,
            "certificateAuthority": self.ca,
            "expirationDate": _stamp(self.expires),
            "newExpirationDate": _stamp(self.new_expires) if self.new_expires else None,
            "renew": self.rendered is not None,
            "reason": self.reason,
        }


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def reissue(cert: Any, ca_cert: Any, ca_key: Any, now: dt.datetime) -> Any:
    """The same certificate (subject, public key, extensions) with a new serial and validity,
    signed by the CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    not_after = min(now + VALIDITY, ca_cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(cert.subject)
        .issuer_name(ca_cert.subject)
        .public_key(cert.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(not_after)
    )
    for ext in cert.extensions:
        if isinstance(ext.value, x509.AuthorityKeyIdentifier):
            continue
        builder = builder.add_extension(ext.value, ext.critical)
    try:
        ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    except x509.ExtensionNotFound:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
    builder = builder.add_extension(aki, critical=False)
    algorithm = None if _is_ed(ca_key) else hashes.SHA256()
    return builder.sign(ca_key, algorithm)


def _is_ed(key: Any) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

    return isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey)


def _renewal(pki: Path, name: str, component: str, ca: str, now: dt.datetime) -> Renewal:
    from cryptography.hazmat.primitives import serialization

    path = pki / f"{name}.crt"
    cert = read_certificate(path)
    expires = cert.not_valid_after_utc
    reason = None
    if not (pki / f"{ca}.crt").is_file():
        reason = f"no {ca}.crt in pki/"
    elif not (pki / f"{ca}.key").is_file():
        reason = f"externally managed: no {ca}.key in pki/"
    else:
        ca_cert = read_certificate(pki / f"{ca}.crt")
        if cert.issuer != ca_cert.subject:
            reason = f"not issued by {ca}.crt"
    if reason is not None:
        return Renewal(name, component, ca, expires, None, reason, None)
    new = reissue(cert, ca_cert, read_private_key(pki / f"{ca}.key"), now)
    pem = new.public_bytes(serialization.Encoding.PEM)
    rendered = Rendered(f"{PKI_DIR}/{name}.crt", path.read_bytes(), pem, PHASE)
    return Renewal(name, component, ca, expires, new.not_valid_after_utc, "renew", rendered)


def _kubeconfig_renewal(root: Path, name: str, component: str, now: dt.datetime) -> Renewal:
    """The client certificate embedded in a kubeconfig (client-certificate-data), re-issued by
    pki/ca; only that base64 value changes in the file."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    rel = f"etc/kubernetes/{name}"
    raw = (root / rel).read_bytes()
    try:
        encoded = embedded_client_cert(raw.decode(), rel)
        if encoded is None:
            raise ValueError("no client-certificate-data")
        cert = x509.load_pem_x509_certificate(base64.b64decode(encoded))
    except ValueError:
        epoch = dt.datetime.fromtimestamp(0, dt.UTC)
        return Renewal(name, component, "ca", epoch, None, "no embedded client certificate", None)
    pki = root / PKI_DIR
    expires = cert.not_valid_after_utc
    if not (pki / "ca.key").is_file() or not (pki / "ca.crt").is_file():
        reason = "externally managed: no ca.key in pki/"
        return Renewal(name, component, "ca", expires, None, reason, None)
    ca_cert = read_certificate(pki / "ca.crt")
    if cert.issuer != ca_cert.subject:
        return Renewal(name, component, "ca", expires, None, "not issued by ca.crt", None)
    new = reissue(cert, ca_cert, read_private_key(pki / "ca.key"), now)
    pem = base64.b64encode(new.public_bytes(serialization.Encoding.PEM))
    rendered = Rendered(rel, raw, raw.replace(encoded.encode(), pem), PHASE)
    return Renewal(name, component, "ca", expires, new.not_valid_after_utc, "renew", rendered)


def plan_renewals(root: Path, now: dt.datetime | None = None) -> list[Renewal]:
    """Every kubeadm-managed leaf present under pki/ (and client certificate embedded in
    etc/kubernetes/*.conf) and what apply will do with it."""
    now = now or dt.datetime.now(dt.UTC)
    pki = root / PKI_DIR
    out = [
        _renewal(pki, stem, component, CAS[ca], now)
        for stem, ca, component in LEAVES.values()
        if (pki / f"{stem}.crt").is_file()
    ]
    out += [
        _kubeconfig_renewal(root, name, component, now)
        for name, component in KUBECONFIGS.items()
        if (root / "etc/kubernetes" / name).is_file()
    ]
    return out
