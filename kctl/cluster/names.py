"""The names every part of kctl upgrade agrees on, in one light module (the CLI imports it to
build its help and completion without loading the upgrade machinery)."""

from __future__ import annotations

CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
PHASES = (
    "preflight",
    "backup",
    *CONTROL_PLANE,
    "upload-config",
    "kubelet-config",
    "addons",
)
# `kctl upgrade node` (kubeadm upgrade node): no upload-config, the cluster's config is read
NODE_PHASES = tuple(p for p in PHASES if p != "upload-config")
