"""Ask a registry (Distribution API v2) whether it has a tag, as the logged-in user.

Credentials come from where `podman login` and `docker login` put them (REGISTRY_AUTH_FILE,
the containers auth.json, DOCKER_CONFIG/config.json, ~/.docker/config.json): inline `auth`
entries, and credential helpers (`credHelpers`, `credsStore`: Docker Desktop, ECR, GCR, ACR)
asked through the docker SDK's own resolution. Both Basic and Bearer-token challenges are
answered, so Docker Hub-style token registries work as well as a plain htpasswd one.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from kctl.errors import OperationError

if TYPE_CHECKING:
    from kctl.dev.image import PushRef

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
LOGIN_HINT = "log in to the registry (podman login / docker login)"


def auth_files() -> list[Path]:
    """Where podman and docker keep logins, in the order podman reads them."""
    files = []
    if os.environ.get("REGISTRY_AUTH_FILE"):
        files.append(Path(os.environ["REGISTRY_AUTH_FILE"]))
    if os.environ.get("XDG_RUNTIME_DIR"):
        files.append(Path(os.environ["XDG_RUNTIME_DIR"]) / "containers" / "auth.json")
    files.append(Path.home() / ".config" / "containers" / "auth.json")
    if os.environ.get("DOCKER_CONFIG"):
        files.append(Path(os.environ["DOCKER_CONFIG"]) / "config.json")
    files.append(Path.home() / ".docker" / "config.json")
    return files


def credentials(registry: str) -> tuple[str, str] | None:
    """(user, password) stored for registry by a login, if any."""
    for path in auth_files():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            auths = data.get("auths") or {}
        except (OSError, ValueError, AttributeError):
            continue
        for key in (registry, f"https://{registry}", f"http://{registry}"):
            encoded = (auths.get(key) or {}).get("auth")
            if encoded:
                try:
                    user, _, password = base64.b64decode(encoded).decode().partition(":")
                except (ValueError, UnicodeDecodeError):
                    continue
                return user, password
        if data.get("credHelpers") or data.get("credsStore"):
            found = _from_helper(data, registry)
            if found:
                return found
    return None


def _from_helper(config: dict[str, object], registry: str) -> tuple[str, str] | None:
    """Ask the credential helper a config names for registry (docker SDK resolution)."""
    import docker.auth
    import docker.errors

    try:
        entry = docker.auth.load_config(config_dict=config).resolve_authconfig(registry)
    except docker.errors.DockerException as exc:
        raise OperationError(
            f"the credential helper for {registry} failed: {exc}", hint=LOGIN_HINT
        ) from None
    entry = {str(k).lower(): v for k, v in (entry or {}).items()}
    if entry.get("username") and entry.get("password"):
        return str(entry["username"]), str(entry["password"])
    return None


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(registry: str) -> bool:
    """Whether a registry host[:port] is this machine (it then speaks plain HTTP)."""
    if registry.startswith("["):  # [::1]:5000
        host = registry[: registry.find("]") + 1]
    else:
        host = registry.split(":", 1)[0]
    return host in LOOPBACK_HOSTS


def _scheme(registry: str) -> str:
    return "http" if is_loopback(registry) else "https"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.partition(" ")
    return scheme.lower(), dict(re.findall(r'(\w+)="([^"]*)"', rest))


def _token(params: dict[str, str], login: tuple[str, str] | None, timeout: float) -> str | None:
    realm = params.get("realm")
    if not realm:
        return None
    query = {k: v for k, v in params.items() if k in ("service", "scope")}
    request = urllib.request.Request(f"{realm}?{urllib.parse.urlencode(query)}")
    if login:
        request.add_header("Authorization", _basic(*login))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    token = data.get("token") or data.get("access_token")
    return str(token) if token else None


def _head(url: str, authorization: str | None, timeout: float) -> str | None:
    headers = {"Accept": MANIFEST_TYPES}
    if authorization:
        headers["Authorization"] = authorization
    request = urllib.request.Request(url, method="HEAD", headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        value = response.headers.get("Docker-Content-Digest")
        return str(value) if value else None


def remote_digest(ref: PushRef, timeout: float = 5.0) -> str | None:
    """The registry's digest for ref's tag, or None when the tag does not exist."""
    url = f"{_scheme(ref.registry)}://{ref.registry}/v2/{ref.repository}/manifests/{ref.tag}"
    login = credentials(ref.registry)
    try:
        try:
            return _head(url, None, timeout)
        except urllib.error.HTTPError as exc:
            if exc.code != 401:
                raise
            scheme, params = _challenge(exc.headers.get("WWW-Authenticate", ""))
            if scheme == "bearer":
                token = _token(params, login, timeout)
                return _head(url, f"Bearer {token}" if token else None, timeout)
            if scheme == "basic" and login:
                return _head(url, _basic(*login), timeout)
            raise
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        if exc.code in (401, 403):
            how = "with the stored login" if login else "(no login stored for it)"
            raise OperationError(
                f"registry {ref.registry} refused access ({exc.code}) {how}", hint=LOGIN_HINT
            ) from None
        raise OperationError(f"registry {ref.registry} answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        hint = (
            "for a plain-HTTP registry, mark it insecure in registries.conf / daemon.json"
            if "SSL" in str(reason)
            else "check the registry address and that it is running"
        )
        raise OperationError(f"registry {ref.registry} unreachable: {reason}", hint=hint) from None
