"""Which kubeadm node a root holds and what kubeadm calls it: a control plane (a kube-apiserver
manifest) or a worker (kubelet files, an empty manifests/ folder); its name from kubelet.conf's
client certificate (CN system:node:NAME, as kubeadm finds it); the kubeconfig kubeadm itself
would use there (admin.conf on a control plane, kubelet.conf on a worker)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kctl.cluster import docs
from kctl.errors import InputError, Location

if TYPE_CHECKING:
    from kctl.cluster.node import Node

CONTROL_PLANE_ROLE = "control-plane"
WORKER_ROLE = "worker"
MANIFESTS_DIR = "etc/kubernetes/manifests"
KUBELET_CONFIG = "var/lib/kubelet/config.yaml"
ADMIN_CONF = "etc/kubernetes/admin.conf"
KUBELET_CONF = "etc/kubernetes/kubelet.conf"


def node_role(root: Path) -> str:
    """control-plane (a kube-apiserver manifest), worker (kubelet files, no manifests), or an
    input error saying what a kubeadm node holds."""
    if (root / MANIFESTS_DIR / "kube-apiserver.yaml").exists():
        return CONTROL_PLANE_ROLE
    if (root / KUBELET_CONF).exists() or (root / KUBELET_CONFIG).exists():
        if any((root / MANIFESTS_DIR).glob("*.yaml")):
            return CONTROL_PLANE_ROLE  # a damaged control plane: its missing manifest is named
        return WORKER_ROLE
    return CONTROL_PLANE_ROLE  # nothing kubeadm left: the missing manifest is named


def node_name_from_kubelet_conf(root: Path) -> str | None:
    """NAME from kubelet.conf's client certificate (CN system:node:NAME), as kubeadm finds it."""
    import base64

    from kctl.cluster.pem import parse_certificate

    path = root / KUBELET_CONF
    if not path.is_file():
        return None
    try:
        config = docs.parse_one(docs.read_bytes(path, "kubelet kubeconfig"), path)
        user = (config.get("users") or [{}])[0].get("user") or {}
        if user.get("client-certificate-data"):
            pem = base64.b64decode(user["client-certificate-data"])
        else:
            cert_path = Path(str(user.get("client-certificate") or ""))
            if not cert_path.is_absolute():
                return None
            pem = (root / cert_path.relative_to("/")).read_bytes()
        cert = parse_certificate(pem, Location.of(path))
    except (InputError, OSError, ValueError, AttributeError, IndexError, TypeError):
        return None
    from cryptography.x509.oid import NameOID

    for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        value = str(attr.value)
        if value.startswith("system:node:"):
            return value.removeprefix("system:node:")
    return None


def default_kubeconfig(root: Path, role: str) -> Path | None:
    """The kubeconfig kubeadm itself would use on this node: admin.conf on a control plane,
    kubelet.conf on a worker (None when the node has neither)."""
    for rel in (ADMIN_CONF, KUBELET_CONF) if role == WORKER_ROLE else (ADMIN_CONF,):
        if (root / rel).is_file():
            return root / rel
    return None


def require_control_plane(node: Node) -> None:
    """plan, diff, apply and phase run on a control plane; a worker is named and pointed at
    `kctl upgrade node` (kubeadm: upgrade the control planes, then each worker)."""
    if node.role == WORKER_ROLE:
        raise InputError(
            f"{node.name} is a worker node (no control-plane manifests in {MANIFESTS_DIR}):"
            " upgrade the control planes first (`kctl upgrade apply VERSION` on the first one,"
            " `kctl upgrade node` on the others), then run `kctl upgrade node` here",
            location=Location.of(node.root / MANIFESTS_DIR),
        )
