"""Registry logins: where credentials are read from, and the Bearer-token challenge.

The Basic (htpasswd) flow is tested end to end against the real registry in test_up.py; the
real Distribution registry's token auth needs a JWT-signing token server, so the Bearer flow
is checked here against a minimal server speaking the same challenge protocol.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.dev.image import PushRef
from kctl.dev.registry import credentials, remote_digest
from kctl.errors import OperationError

DIGEST = "sha256:" + "ab" * 32


def auth_entry(user: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.unit
def test_credentials_follow_podman_then_docker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    podman_file, docker_dir = tmp_path / "auth.json", tmp_path / "docker"
    docker_dir.mkdir()
    podman_file.write_text(json.dumps({"auths": {"reg.test:5000": auth_entry("pod", "pw1")}}))
    (docker_dir / "config.json").write_text(
        json.dumps({"auths": {"https://other.test": auth_entry("dock", "pw:2")}})
    )
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(podman_file))
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_dir))
    assert credentials("reg.test:5000") == ("pod", "pw1")
    assert credentials("other.test") == ("dock", "pw:2")  # a password may hold ':'
    assert credentials("nowhere.test") is None


class _TokenRegistry(http.server.BaseHTTPRequestHandler):
    """HEAD manifests needs `Bearer good`; /token hands it out to user kctl only."""

    def do_GET(self) -> None:
        expected = "Basic " + base64.b64encode(b"kctl:pw").decode()
        ok = self.path.startswith("/token?") and self.headers.get("Authorization") == expected
        body = json.dumps({"token": "good" if ok else "anonymous"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        if self.headers.get("Authorization") != "Bearer good":
            self.send_response(401)
            host, port = self.server.server_address[:2]
            realm = f"http://{host}:{port}/token"
            scope = "repository:app:pull"
            self.send_header(
                "WWW-Authenticate", f'Bearer realm="{realm}",service="test",scope="{scope}"'
            )
        elif self.path.endswith("/missing"):
            self.send_response(404)
        else:
            self.send_response(200)
            self.send_header("Docker-Content-Digest", DIGEST)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def token_registry() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenRegistry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.unit
def test_bearer_challenge_is_answered_with_the_login(
    token_registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    authfile = tmp_path / "auth.json"
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(authfile))
    with pytest.raises(OperationError, match=r"refused access \(401\) \(no login"):
        remote_digest(PushRef(token_registry, "app", "v1"))
    authfile.write_text(json.dumps({"auths": {token_registry: auth_entry("kctl", "pw")}}))
    assert remote_digest(PushRef(token_registry, "app", "v1")) == DIGEST
    assert remote_digest(PushRef(token_registry, "app", "missing")) is None
