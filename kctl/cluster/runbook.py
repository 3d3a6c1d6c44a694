"""Pasteable kctl commands: suggestions carry the --root, --catalog and --kubeconfig given."""

from __future__ import annotations

import shlex
from pathlib import Path

from msgspec import Struct


class Invocation(Struct, frozen=True):
    """The options of the running command that a suggested command must repeat
    (`catalog=False` for commands that take neither --catalog nor --kubelet-version)."""

    root: Path | None = None
    catalog: Path | None = None
    kubeconfig: Path | None = None
    kubelet_version: str | None = None
    etcd_backup: bool = True  # False: plan judged as `apply --no-etcd-backup`, and says so
    etcd_endpoint: str | None = None  # plan judged with apply's --etcd-endpoint, repeated

    def command(self, *words: str, catalog: bool = True) -> str:
        """`kctl upgrade WORDS... --root R [--catalog C] [--kubeconfig K]`, shell-quoted."""
        argv = ["kctl", "upgrade", *words]
        if self.root is not None and str(self.root) != "/":
            argv += ["--root", str(self.root)]
        if catalog and self.catalog is not None:
            argv += ["--catalog", str(self.catalog)]
        if self.kubeconfig is not None:
            argv += ["--kubeconfig", str(self.kubeconfig)]
        if catalog and self.kubelet_version is not None:
            argv += ["--kubelet-version", self.kubelet_version]
        if not self.etcd_backup and words and words[0] == "apply":
            argv += ["--no-etcd-backup"]
        if self.etcd_endpoint and words and words[0] == "apply":
            argv += ["--etcd-endpoint", self.etcd_endpoint]
        return shlex.join(argv)

    def rollback(self) -> str:
        """`kctl upgrade rollback --root R` (rollback takes no catalog or kubeconfig)."""
        return Invocation(self.root).command("rollback", catalog=False)
