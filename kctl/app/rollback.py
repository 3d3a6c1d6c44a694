"""`kctl upgrade rollback` and `kctl upgrade certs check-expiration` as use cases: the node
restored from an interrupted upgrade's backup; its certificates' expiry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.progress import Progress


class RollbackRequest(Struct, frozen=True):
    root: Path
    backup_dir: Path | None = None  # default: the one the lock names
    timeout: float = 300.0
    kubeconfig: Path | None = None  # default: the one the backup was taken with


class RollbackResult(Struct, frozen=True):
    backup_dir: Path
    restored: list[str]
    healthy: dict[str, bool]

    @property
    def unhealthy(self) -> list[str]:
        return [name for name, ok in self.healthy.items() if not ok]

    def document(self) -> dict[str, Any]:
        return {
            "apiVersion": "kctl.dev/v1alpha1",
            "kind": "RollbackResult",
            "backupDir": str(self.backup_dir),
            "restored": list(self.restored),
            "healthy": dict(self.healthy),
        }


def run(request: RollbackRequest, progress: Progress) -> RollbackResult:
    from kctl.cluster.restore import rollback

    done = rollback(
        request.root,
        progress,
        backup_dir=request.backup_dir,
        timeout=request.timeout,
        kubeconfig=request.kubeconfig,
    )
    return RollbackResult(done.backup_dir, list(done.restored), dict(done.healthy))


class Expirations(Struct, frozen=True):
    document: dict[str, Any]
    text: str


def check_expiration(root: Path, progress: Progress | None = None) -> Expirations:
    """Like `kubeadm certs check-expiration`: leaves, then CAs; a missing one is !MISSING!."""
    from kctl.cluster.certs import check_expiration as expirations
    from kctl.cluster.report import expiration_text

    leaves, cas = expirations(root / "etc/kubernetes")
    document = {
        "apiVersion": "kctl.dev/v1alpha1",
        "kind": "CertificateExpirationInfo",
        "certificates": [c.to_dict() for c in leaves],
        "certificateAuthorities": [c.to_dict() for c in cas],
    }
    return Expirations(document, expiration_text(leaves, cas))
