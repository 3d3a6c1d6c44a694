"""Build and push images through the Docker Engine API (Docker or Podman)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from msgspec import Struct

from kctl.dev.context import ContextFile, tar
from kctl.dev.registry import credentials, remote_digest
from kctl.errors import KctlError, OperationError, PreconditionError


class PushRef(Struct, frozen=True):
    """What kctl builds and pushes: registry/repository:tag (a deployment pins it by digest).

    Image names a user writes are read by kctl.images.ImageRef.
    """

    registry: str
    repository: str
    tag: str

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}:{self.tag}"

    def pinned(self, digest: str) -> str:
        """The reference a deployment uses: never a tag alone, so it cannot go stale."""
        return f"{self.registry}/{self.repository}:{self.tag}@{digest}"


# A fixed API version: "auto" costs a /version call, which Podman answers in ~0.5 s (it probes
# its runtimes). 1.41 is served by Docker >= 20.10 and Podman >= 3; DOCKER_API_VERSION overrides.
API_VERSION = "1.41"


def engine_unreachable(detail: str = "") -> PreconditionError:
    """No engine answers: one sentence with the fix (exit 3)."""
    host = os.environ.get("DOCKER_HOST")
    where = f"DOCKER_HOST={host}" if host else "DOCKER_HOST (unset: unix:///var/run/docker.sock)"
    return PreconditionError(
        f"cannot reach the container engine at {where}: start Podman/Docker or set DOCKER_HOST",
        details=[detail] if detail else [],
        hint="e.g. `podman system service --time=0 unix:///tmp/podman.sock &` and "
        "`export DOCKER_HOST=unix:///tmp/podman.sock`",
    )


def engine_error(exc: Exception, what: str) -> KctlError:
    """An SDK exception as one sentence: unreachable engine, else `what failed: reason`."""
    import requests

    if isinstance(exc, requests.exceptions.ConnectionError):
        return engine_unreachable()
    explanation = getattr(exc, "explanation", None)  # docker.errors.APIError: the engine's words
    return OperationError(f"{what} failed: {explanation or exc}")


def _client() -> Any:
    import docker

    try:
        return docker.APIClient(
            base_url=os.environ.get("DOCKER_HOST") or None,
            version=os.environ.get("DOCKER_API_VERSION") or API_VERSION,
        )
    except docker.errors.DockerException as exc:
        raise engine_unreachable(str(exc)) from None


def build(
    files: list[ContextFile],
    ref: PushRef,
    *,
    dockerfile: str = "Dockerfile",
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    on_output: Callable[[str], None] = lambda line: None,
) -> str:
    """Build the context tar as ref; stream the build output; return the image id."""
    client = _client()
    image_id = ""
    try:
        stream = client.build(
            fileobj=tar(files),
            custom_context=True,
            tag=ref.name,
            dockerfile=dockerfile,
            buildargs=dict(build_args or {}),
            target=target,
            rm=True,
            decode=True,
        )
        for chunk in stream:
            if "stream" in chunk:
                on_output(str(chunk["stream"]))
            if "error" in chunk:
                raise OperationError(f"build failed: {str(chunk['error']).strip()}")
            if "aux" in chunk and isinstance(chunk["aux"], dict):
                image_id = str(chunk["aux"].get("ID", image_id))
    except KctlError:
        raise
    except Exception as exc:  # the SDK raises APIError/BuildError/ConnectionError
        raise engine_error(exc, "build") from None
    finally:
        client.close()
    return image_id


def push(ref: PushRef, on_progress: Callable[[str], None] = lambda line: None) -> str:
    """Push ref and return the registry digest (sha256:...)."""
    client = _client()
    login = credentials(ref.registry)
    auth = {"username": login[0], "password": login[1]} if login else None
    try:
        for chunk in client.push(
            f"{ref.registry}/{ref.repository}",
            tag=ref.tag,
            stream=True,
            decode=True,
            auth_config=auth,  # else the SDK's own docker config.json lookup
        ):
            if "error" in chunk:
                raise OperationError(
                    f"push of {ref.name} failed: {chunk['error']}",
                    hint="check the registry address, credentials and TLS",
                )
            if chunk.get("status"):
                parts = (chunk.get("id"), chunk["status"], chunk.get("progress"))
                on_progress(" ".join(str(p) for p in parts if p) + "\n")
    except KctlError:
        raise
    except Exception as exc:
        raise engine_error(exc, f"push of {ref.name}") from None
    finally:
        client.close()
    digest = remote_digest(ref)
    if digest is None:
        raise OperationError(f"pushed {ref.name} but the registry does not list it")
    return digest
