"""`kctl up` deploys what `kctl create --deploy-type manifests|kustomize` wrote (issue 25, 7):
the local target plays the plain manifests, or the kustomization `kubectl kustomize` renders,
with the app's image pinned to the pushed digest. What cannot work is refused before building.

The scaffolds come from real example apps; their Dockerfile is replaced by a busybox one
serving the same port (no language base image can be pulled here): what is under test is the
deployment files create wrote, not the language pack.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.dev.test_up import namespace, release_pods
from tests.support.kctl_cli import fetch, kctl
from tests.support.run import run_kctl
from tests.support.services import Podman, Registry, free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "apps"
NOWHERE: dict[str, str | None] = {
    "DOCKER_HOST": "unix:///nonexistent/kctl-test.sock",
    "NO_COLOR": "1",
}
BUSYBOX = """ARG BASE=busybox:1.36
FROM ${{BASE}}
EXPOSE {port}
ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "{port}", "-h", "/www"]
COPY www/ /www/
"""


def scaffolded(tmp_path: Path, example: str, deploy_type: str) -> tuple[Path, int]:
    """The example app after `kctl create --deploy-type`, with a busybox Dockerfile serving
    www/ on the port create chose; that port."""
    app = tmp_path / "app"
    shutil.copytree(EXAMPLES / example, app)
    created = run_kctl("-q", "create", "--deploy-type", deploy_type, ".", cwd=app)
    assert created.exit_code == 0, created.stderr
    found = re.search(r'port-forward = \["\d+:(\d+)"\]', (app / "kctl.toml").read_text())
    assert found, (app / "kctl.toml").read_text()
    port = int(found.group(1))
    (app / "Dockerfile").write_text(BUSYBOX.format(port=port))
    (app / "www").mkdir()
    (app / "www" / "index.html").write_text(f"<h1>{example} as {deploy_type}</h1>\n")
    return app, port


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("example", "deploy_type"), [("node", "manifests"), ("python-flask", "kustomize")]
)
def test_up_deploys_what_create_wrote_and_down_removes_it(
    tmp_path: Path,
    up_env: dict[str, str],
    registry: Registry,
    podman: Podman,
    busybox_base: str,
    request: pytest.FixtureRequest,
    example: str,
    deploy_type: str,
) -> None:
    app, port = scaffolded(tmp_path, example, deploy_type)
    host_port = free_port()
    args = ["up", "--once", "--target", "local", "--registry", namespace(registry, request)]
    args += ["--build-arg", f"BASE={busybox_base}", "--port-forward", f"{host_port}:{port}"]
    result = kctl(args, up_env, app, timeout=180)
    assert result.returncode == 0, result.stderr
    assert fetch(host_port) == f"<h1>{example} as {deploy_type}</h1>\n"
    played = (app / ".kctl" / "development" / "manifest.yaml").read_text()
    assert "@sha256:" in played and "localhost:5000/app:latest" not in played  # pinned
    assert release_pods(podman, "app")
    down = kctl(["down"], up_env, app)
    assert down.returncode == 0, down.stderr
    assert release_pods(podman, "app") == []
    assert fetch(host_port) is None


@pytest.mark.integration
def test_a_kustomization_without_kubectl_is_exit_3_before_building(tmp_path: Path) -> None:
    app, _ = scaffolded(tmp_path, "node", "kustomize")
    empty = tmp_path / "bin"  # a PATH without kubectl or kustomize
    empty.mkdir()
    env = {**NOWHERE, "PATH": str(empty), "KCTL_KUBECTL": None}
    result = run_kctl("up", "--once", "--target", "local", cwd=app, env=env)
    assert result.exit_code == 3, result.stderr
    assert "neither kubectl nor kustomize is installed" in result.stderr
    assert "  build " not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.integration
def test_manifests_refused_before_building_where_they_cannot_deploy(tmp_path: Path) -> None:
    app, _ = scaffolded(tmp_path, "node", "manifests")
    # the helm target deploys charts: said before any build, at kctl.toml
    result = run_kctl("up", "--once", "--target", "helm", cwd=app, env=NOWHERE)
    assert result.exit_code == 2, result.stderr
    assert "kctl.toml" in result.stderr and "runs on the local target" in result.stderr
    assert "  build " not in result.stderr
    # manifests that do not run the image kctl builds would deploy something else
    deployment = app / "manifests" / "deployment.yaml"
    deployment.write_text(deployment.read_text().replace("localhost:5000/app:latest", "nginx"))
    result = run_kctl("up", "--once", "--target", "local", cwd=app, env=NOWHERE)
    assert result.exit_code == 2, result.stderr
    assert "no container in" in result.stderr and "localhost:5000/app" in result.stderr
    # Helm values have nothing to set in plain manifests: refused at their line, not dropped
    config = app / "kctl.toml"
    config.write_text(config.read_text() + 'set = ["replicas=2"]\n')
    result = run_kctl("up", "--once", "--target", "local", cwd=app, env=NOWHERE)
    assert result.exit_code == 2, result.stderr
    assert "`set` gives Helm values" in result.stderr and "kctl.toml:" in result.stderr
