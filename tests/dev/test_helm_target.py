"""The helm target's rollback and running state, against a scripted `helm` (no cluster here).

The real helm is exercised by test_up.py (--dry-run, unreachable cluster); what needs a
cluster — a failed upgrade rolled back, `helm status` of a deployed release — is played by a
script speaking helm's command line, selected with KCTL_HELM as users select their own helm.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctl.dev.deploy import RolledBackError
from kctl.dev.helm_target import HelmTarget, manifest_images
from kctl.dev.source import Release
from kctl.progress import Progress

IMAGE = "reg.test/app:kctl-1@sha256:" + "a" * 64
FAKE_HELM = """#!/bin/sh
echo "$@" >> "{dir}/calls"
case "$1" in
  version) echo "{version}";;
  upgrade)
    if [ -f "{dir}/fail" ]; then
      echo "Error: UPGRADE FAILED: release app failed, and has been rolled back due to \\
{flag} being set" >&2
      exit 1
    fi
    printf 'Release "app" has been upgraded.\\nNOTES:\\nreach it on 8080\\n';;
  status) cat "{dir}/status.json";;
esac
"""


def fake_helm(tmp_path: Path, version: str, flag: str) -> Path:
    script = tmp_path / "helm"
    script.write_text(FAKE_HELM.format(dir=tmp_path, version=version, flag=flag))
    script.chmod(0o755)
    manifest = f'kind: Deployment\nspec:\n  containers:\n    - name: app\n      image: "{IMAGE}"\n'
    status = {"info": {"status": "deployed"}, "manifest": manifest}
    (tmp_path / "status.json").write_text(json.dumps(status))
    return script


@pytest.mark.unit
@pytest.mark.parametrize(
    ("version", "flag"), [("v3.15.2+g1a500d5", "--atomic"), ("v4.1.4", "--rollback-on-failure")]
)
def test_a_failed_upgrade_is_rolled_back_by_helm_and_what_runs_is_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str, flag: str
) -> None:
    monkeypatch.setenv("KCTL_HELM", str(fake_helm(tmp_path, version, flag.strip("-"))))
    target, state_dir = HelmTarget(timeout=30), tmp_path / "state"
    release = Release("app", "dev", tmp_path)
    deployed = target.deploy(release, state_dir, Progress())
    assert deployed.notes == "reach it on 8080"
    assert target.running(state_dir) == [IMAGE]
    upgrade = [c for c in (tmp_path / "calls").read_text().splitlines() if c.startswith("upgrade")]
    assert flag in upgrade[0].split() and "--wait" in upgrade[0].split()

    (tmp_path / "fail").touch()
    with pytest.raises(RolledBackError, match="previous revision serves"):
        target.deploy(release, state_dir, Progress())
    status = json.loads((tmp_path / "status.json").read_text())
    (tmp_path / "status.json").write_text(json.dumps({**status, "info": {"status": "failed"}}))
    assert target.running(state_dir) is None


@pytest.mark.unit
def test_manifest_images() -> None:
    manifest = "containers:\n- image: a:1\n  name: x\n- name: y\n  image: 'b@sha256:1'\n"
    assert manifest_images(manifest) == ["a:1", "b@sha256:1"]
