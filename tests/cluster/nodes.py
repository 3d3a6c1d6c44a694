"""Fixture nodes: copies of examples/kubeadm-node rewritten to other versions and ports."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "kubeadm-node"
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


def make_node(dest: Path, spec: NodeSpec) -> Path:
    """Copy the example node to `dest` and rewrite it to `spec`."""
    shutil.copytree(EXAMPLE, dest, symlinks=True)
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


def snapshot_files(root: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime of every file under root (to prove nothing was written)."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def contents(root: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot_files(root).items()}
