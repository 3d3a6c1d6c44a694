"""`kctl convert --build/--push`: kctl up's builder, real Podman and registry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kctl.dev.image import PushRef
from kctl.dev.registry import remote_digest
from tests.support.kctl_cli import copy_example, kctl
from tests.support.services import Podman, Registry


def images_of(manifest: str) -> dict[str, str]:
    found = {}
    for doc in yaml.safe_load_all(manifest):
        if doc and doc.get("kind") == "Deployment":
            [container] = doc["spec"]["template"]["spec"]["containers"]
            found[doc["metadata"]["name"]] = container["image"]
    return found


@pytest.mark.e2e
def test_convert_push_pins_the_pushed_digests(
    tmp_path: Path, up_env: dict[str, str], registry: Registry, busybox_base: str
) -> None:
    app = copy_example("two-services", tmp_path)
    env = dict(up_env, BASE_IMAGE=busybox_base)
    ns = f"{registry.host}/convert-push"
    result = kctl(["convert", "--push", "--registry", ns, "--stdout"], env, app)
    assert result.returncode == 0, result.stderr
    images = images_of(result.stdout)
    assert set(images) == {"web", "api"}
    for service, image in images.items():
        [tag] = registry.tags(f"convert-push/two-services-{service}")
        digest = remote_digest(PushRef(registry.host, f"convert-push/two-services-{service}", tag))
        assert image == f"{ns}/two-services-{service}:{tag}@{digest}"
    assert "no image" not in result.stderr  # the build-only warning is gone: images are set

    # the same tree again: nothing pushed, identical output
    writes = registry.writes("convert-push/two-services-web")
    again = kctl(["convert", "--push", "--registry", ns, "--stdout"], env, app)
    assert again.returncode == 0 and again.stdout == result.stdout
    assert registry.writes("convert-push/two-services-web") == writes


@pytest.mark.e2e
def test_convert_build_only_tags_in_the_engine(
    tmp_path: Path, up_env: dict[str, str], podman: Podman, busybox_base: str
) -> None:
    app = copy_example("two-services", tmp_path)
    env = dict(up_env, BASE_IMAGE=busybox_base)
    result = kctl(["convert", "--build", "--stdout"], env, app)
    assert result.returncode == 0, result.stderr
    web = images_of(result.stdout)["web"]
    assert web.startswith("localhost/two-services-web:kctl-") and "@" not in web
    assert podman.run("image", "exists", web, check=False).returncode == 0


@pytest.mark.e2e
def test_convert_push_without_a_registry_is_a_usage_error(
    tmp_path: Path, up_env: dict[str, str]
) -> None:
    app = copy_example("two-services", tmp_path)
    out = tmp_path / "out.yaml"
    result = kctl(["convert", "--push", "-o", str(out)], up_env, app)
    assert result.returncode == 2
    assert "compose.yaml:" in result.stderr and "--registry" in result.stderr
    assert not out.exists()
