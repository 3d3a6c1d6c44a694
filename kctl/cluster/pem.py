"""Certificates and private keys read from a node: the one place PEM bytes become objects.

Whatever a file holds (garbage, DER, a truncated block, a key where a certificate belongs), the
reader either returns the object or raises an InputError naming the file: no cryptography
exception crosses this boundary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kctl.errors import InputError, Location
from kctl.inputs import read_input

MAX_PEM_BYTES = 1 << 20  # a certificate chain or key is a few KiB


def _problem(exc: Exception) -> str:
    # cryptography's messages end with an FAQ link; the first sentence says what is wrong
    return str(exc).split(". See https://", 1)[0].rstrip(".") or type(exc).__name__


def parse_certificate(pem: bytes, where: Location) -> Any:
    """An x509 certificate from PEM bytes; InputError at `where` when they are not one."""
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(pem)
    except (ValueError, TypeError) as exc:
        raise InputError(f"not a PEM certificate: {_problem(exc)}", location=where) from None


def read_certificate(path: Path) -> Any:
    """The certificate in the PEM file `path`."""
    return parse_certificate(read_input(path, MAX_PEM_BYTES), Location.of(path, 1))


def read_private_key(path: Path) -> Any:
    """The unencrypted private key in the PEM file `path` (kubeadm writes them unencrypted)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    data = read_input(path, MAX_PEM_BYTES)
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError(
            f"not an unencrypted PEM private key: {_problem(exc)}",
            location=Location.of(path, 1),
        ) from None
