"""Certificate expiry under etc/kubernetes/pki (like `kubeadm certs check-expiration`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kctl.errors import InputError, Location


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
            cert = x509.load_pem_x509_certificate(path.read_bytes())
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
