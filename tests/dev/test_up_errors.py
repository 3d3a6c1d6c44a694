"""Engine and registry problems are one sentence with the fix; credential helpers are used.

Real Podman service, real htpasswd registry, a fake `docker-credential-*` helper on PATH.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kctl.dev.registry import credentials
from tests.conftest import REGISTRY_LOGIN
from tests.dev.test_up import hello_args
from tests.support.kctl_cli import copy_example, fetch, kctl
from tests.support.services import Registry, free_port

HELPER = """#!/bin/sh
# a docker credential helper (protocol: `get` reads the server on stdin, prints JSON)
[ "$1" = get ] || exit 1
read server
echo "$server" >> "{log}"
case "$server" in
  *{host}*) printf '{{"ServerURL":"%s","Username":"{user}","Secret":"{password}"}}' "$server";;
  *) echo "credentials not found in native keychain"; exit 1;;
esac
"""


def fake_helper(tmp_path: Path, name: str, host: str) -> tuple[Path, Path]:
    """A docker-credential-<name> script on a bin folder; returns (bin folder, its call log)."""
    bin_dir, log = tmp_path / "bin", tmp_path / "helper.log"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / f"docker-credential-{name}"
    user, password = REGISTRY_LOGIN
    script.write_text(HELPER.format(log=log, host=host, user=user, password=password))
    script.chmod(0o755)
    return bin_dir, log


@pytest.mark.e2e
@pytest.mark.parametrize("where", ["unix", "tcp"])
def test_no_engine_is_one_sentence_with_the_fix(
    tmp_path: Path, up_env: dict[str, str], registry: Registry, busybox_base: str, where: str
) -> None:
    app = copy_example("hello", tmp_path)
    host = (
        f"unix://{tmp_path / 'no-such.sock'}"
        if where == "unix"
        else f"tcp://127.0.0.1:{free_port()}"
    )
    env = dict(up_env, DOCKER_HOST=host)
    args = ["up", "--once", *hello_args(f"{registry.host}/noengine", busybox_base, free_port())]
    result = kctl(args, env, app)
    assert result.returncode == 3, result.stderr
    assert f"cannot reach the container engine at DOCKER_HOST={host}" in result.stderr
    assert "start Podman/Docker or set DOCKER_HOST" in result.stderr
    for noise in ("Retrying", "Connection aborted", "urllib3", "Traceback", "FileNotFoundError"):
        assert noise not in result.stderr, result.stderr


@pytest.mark.e2e
def test_a_credential_helper_login_checks_pushes_and_pulls(
    tmp_path: Path, up_env: dict[str, str], auth_registry: Registry, busybox_base: str
) -> None:
    app = copy_example("hello", tmp_path)
    bin_dir, log = fake_helper(tmp_path, "kctltest", auth_registry.host)
    # containers-auth.json and docker's config.json both name helpers per registry
    authfile = tmp_path / "auth.json"
    authfile.write_text(json.dumps({"credHelpers": {auth_registry.host: "kctltest"}}))
    env = dict(up_env, REGISTRY_AUTH_FILE=str(authfile))
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    port = free_port()
    args = ["up", "--once", *hello_args(f"{auth_registry.host}/helper", busybox_base, port)]
    result = kctl(args, env, app)
    assert result.returncode == 0, result.stderr
    assert fetch(port) == (app / "www" / "index.html").read_text()
    assert auth_registry.writes("helper/hello") > 0
    assert auth_registry.host in log.read_text()
    assert kctl(["down"], env, app).returncode == 0


@pytest.mark.unit
def test_creds_store_and_cred_helpers_are_asked_through_the_docker_sdk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir, log = fake_helper(tmp_path, "kctltest", "reg.test:5000")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REGISTRY_AUTH_FILE", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    docker_dir = tmp_path / "docker"
    docker_dir.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_dir))
    config = docker_dir / "config.json"
    config.write_text(json.dumps({"credsStore": "kctltest"}))
    assert credentials("reg.test:5000") == REGISTRY_LOGIN
    assert credentials("other.test") is None  # the helper has nothing: no login, no error
    config.write_text(json.dumps({"credHelpers": {"reg.test:5000": "kctltest"}}))
    assert credentials("reg.test:5000") == REGISTRY_LOGIN
    assert "reg.test:5000" in log.read_text()
