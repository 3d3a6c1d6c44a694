"""The ports an image's config exposes (Dockerfile EXPOSE), for services that declare none.

Two sources, never a guess: the engine's config of an image `kctl convert --build` built, and,
with --inspect-images, the image config in its registry (Distribution API v2: the manifest, for
an index each platform's manifest, then the config blob's `config.ExposedPorts`). What a
registry said is kept in kctl's user cache keyed by the manifest's digest, so an image pinned
by digest is read once. A registry that cannot be reached is exit 3; an image it does not have
leaves the service as it was (headless), with a warning.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kctl.convert.options import ImagePorts
from kctl.errors import OperationError, PreconditionError
from kctl.images import ImageRef
from kctl.progress import Progress

if TYPE_CHECKING:
    from kctl.compose.model import Project
    from kctl.dev.source import Built

_INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TIMEOUT = 10.0
_CACHE_FORMAT = 1


def image_ports(
    project: Project,
    built: Mapping[str, Built],
    inspect_registry: bool,
    progress: Progress,
) -> dict[str, ImagePorts]:
    """{service: its image's exposed ports} for the services that declare no ports."""
    found: dict[str, ImagePorts] = {}
    for name, service in project.services.items():
        if service.spec.ports or service.spec.expose:
            continue
        ports: ImagePorts | None = None
        if name in built:
            ports = _built_image_ports(built[name], inspect_registry)
        elif inspect_registry and service.image:
            ports = registry_image_ports(service.image)
            if ports is None:
                progress.warn(
                    f"{service.location('image')}: service {name!r}: image {service.image} is not "
                    "in its registry: its ports are unknown (headless Service)"
                )
        if ports is not None and ports.ports:
            found[name] = ports
            listed = ", ".join(f"{number}/{proto}" for number, proto in ports.ports)
            progress.step(
                f"{name}: ports {listed} from the EXPOSE of image {ports.image} "
                f"(read from {ports.source}; the service declares no ports)"
            )
    return found


def _built_image_ports(built: Built, inspect_registry: bool) -> ImagePorts | None:
    """The config the engine holds for an image kctl built (or found already pushed)."""
    config = _engine_config(built.ref.name)
    if config is not None:
        return ImagePorts(built.pinned, _exposed(config, built.ref.name), "the engine")
    if built.digest:  # pushed earlier and not built here: the registry has its config
        return registry_image_ports(built.pinned)
    return None if not inspect_registry else registry_image_ports(built.ref.name)


def _engine_config(name: str) -> dict[str, Any] | None:
    """The image's config as the engine reports it (None when it does not hold the image)."""
    import os

    import docker

    from kctl.dev.image import API_VERSION, engine_error, engine_unreachable

    try:
        client = docker.APIClient(
            base_url=os.environ.get("DOCKER_HOST") or None,
            version=os.environ.get("DOCKER_API_VERSION") or API_VERSION,
        )
    except docker.errors.DockerException as exc:
        raise engine_unreachable(str(exc)) from None
    try:
        attrs = client.inspect_image(name)  # type: ignore[no-untyped-call]
    except docker.errors.ImageNotFound:
        return None
    except Exception as exc:  # the SDK's APIError / ConnectionError
        raise engine_error(exc, f"reading the config of image {name}") from None
    finally:
        client.close()
    config = attrs.get("Config") if isinstance(attrs, dict) else None
    return config if isinstance(config, dict) else {}


def _exposed(config: Mapping[str, Any], image: str) -> tuple[tuple[int, str], ...]:
    """config.ExposedPorts ({"8080/tcp": {}, ...}) as (number, PROTOCOL), in number order."""
    ports = set()
    for key in config.get("ExposedPorts") or {}:
        number, _, proto = str(key).partition("/")
        proto = (proto or "tcp").upper()
        if (
            not number.isdigit()
            or not 0 < int(number) < 65536
            or proto not in ("TCP", "UDP", "SCTP")
        ):
            raise OperationError(f"image {image} exposes {key!r}, which is no port")
        ports.add((int(number), proto))
    return tuple(sorted(ports))


def registry_image_ports(image: str) -> ImagePorts | None:
    """The image's exposed ports as its registry's config says (None: no such image)."""
    ref = ImageRef.parse(image)
    host = ref.registry or "docker.io"
    path = ref.path if (ref.registry or "/" in ref.path) else f"library/{ref.path}"
    reader = _Registry(image, "registry-1.docker.io" if host == "docker.io" else host, path)
    digest = ref.digest if _DIGEST.fullmatch(ref.digest) else None
    if digest is not None:
        cached = _cached(digest)
        if cached is not None:
            return ImagePorts(image, cached, f"registry {host} (cached)")
    manifest = reader.manifest(ref.digest or ref.tag or "latest")
    if manifest is None:
        return None
    body, media_type = manifest
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    cached = _cached(digest)
    if cached is None:
        cached = _ports_of_manifest(reader, json.loads(body), media_type)
        _store(digest, cached)
    return ImagePorts(image, cached, f"registry {host}")


def _ports_of_manifest(
    reader: _Registry, manifest: dict[str, Any], media_type: str
) -> tuple[tuple[int, str], ...]:
    """The exposed ports of an image manifest, or of every platform of an index (which must
    agree: otherwise which one the cluster runs decides, and kctl does not guess)."""
    if media_type not in _INDEX_TYPES and manifest.get("mediaType") not in _INDEX_TYPES:
        config = reader.blob(str(manifest.get("config", {}).get("digest", "")))
        return _exposed(config.get("config") or {}, reader.image)
    found: set[tuple[tuple[int, str], ...]] = set()
    for entry in manifest.get("manifests") or []:
        platform = entry.get("platform") or {}
        if platform.get("os") == "unknown":  # attestations, not images
            continue
        child = reader.manifest(str(entry.get("digest", "")))
        if child is None:
            raise OperationError(f"registry of {reader.image} lists a manifest it does not have")
        found.add(_ports_of_manifest(reader, json.loads(child[0]), child[1]))
    if len(found) > 1:
        raise OperationError(
            f"the platforms of image {reader.image} expose different ports",
            hint="declare the service's ports (`ports:`/`expose:`) in the Compose file",
        )
    return next(iter(found), ())


class _Registry:
    """GETs to one repository of a registry, answering Basic and Bearer challenges with the
    login podman/docker stored for it (the same logins kctl's pushes use)."""

    def __init__(self, image: str, host: str, path: str) -> None:
        from kctl.dev.registry import is_loopback

        self.image = image
        self.host = host
        self.base = f"{'http' if is_loopback(host) else 'https'}://{host}/v2/{path}"
        self.authorization: str | None = None

    def manifest(self, reference: str) -> tuple[bytes, str] | None:
        from kctl.dev.registry import MANIFEST_TYPES

        return self._get(f"{self.base}/manifests/{reference}", MANIFEST_TYPES)

    def blob(self, digest: str) -> dict[str, Any]:
        if not _DIGEST.fullmatch(digest):
            raise OperationError(f"the manifest of image {self.image} names no config blob")
        found = self._get(f"{self.base}/blobs/{digest}", "*/*")
        if found is None or "sha256:" + hashlib.sha256(found[0]).hexdigest() != digest:
            raise OperationError(f"registry {self.host}: config of image {self.image} unreadable")
        data = json.loads(found[0])
        return data if isinstance(data, dict) else {}

    def _get(self, url: str, accept: str) -> tuple[bytes, str] | None:
        try:
            try:
                return self._fetch(url, accept)
            except urllib.error.HTTPError as exc:
                if exc.code != 401 or self.authorization is not None:
                    raise
                self.authorization = self._answer(exc.headers.get("WWW-Authenticate", ""))
                if self.authorization is None:
                    raise
                return self._fetch(url, accept)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            if exc.code in (401, 403):
                from kctl.dev.registry import LOGIN_HINT

                raise PreconditionError(
                    f"--inspect-images: registry {self.host} refused to show image {self.image} "
                    f"({exc.code})",
                    hint=LOGIN_HINT,
                ) from None
            raise OperationError(
                f"registry {self.host} answered {exc.code} for image {self.image}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise PreconditionError(
                f"--inspect-images: registry {self.host} unreachable "
                f"({getattr(exc, 'reason', exc)}) reading image {self.image}",
                hint="start the registry or fix the image's address; without --inspect-images "
                "a service without ports gets a headless Service",
            ) from None

    def _fetch(self, url: str, accept: str) -> tuple[bytes, str]:
        request = urllib.request.Request(url, headers={"Accept": accept})
        if self.authorization:
            request.add_header("Authorization", self.authorization)
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            body: bytes = response.read()
            return body, str(response.headers.get("Content-Type", "")).split(";")[0]

    def _answer(self, challenge: str) -> str | None:
        """The Authorization a 401's challenge asks for, from the stored login."""
        import base64

        from kctl.dev.registry import credentials

        scheme, _, rest = challenge.partition(" ")
        params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        login = credentials(self.host)
        basic = "Basic " + base64.b64encode(":".join(login).encode()).decode() if login else None
        if scheme.lower() == "basic":
            return basic
        if scheme.lower() != "bearer" or not params.get("realm"):
            return None
        query = urllib.parse.urlencode(
            {k: v for k, v in params.items() if k in ("service", "scope")}
        )
        request = urllib.request.Request(f"{params['realm']}?{query}")
        if basic:
            request.add_header("Authorization", basic)
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            data = json.load(response)
        token = data.get("token") or data.get("access_token")
        return f"Bearer {token}" if token else None


def _cache_file(digest: str) -> Path | None:
    from kctl.usercache import cache_dir

    base = cache_dir("image-ports")
    key = f"{digest.replace(':', '-')}-v{_CACHE_FORMAT}.json"
    return base / key if base is not None else None


def _cached(digest: str) -> tuple[tuple[int, str], ...] | None:
    path = _cache_file(digest)
    if path is None:
        return None
    try:
        data = json.loads(path.read_bytes())
        return tuple((int(number), str(proto)) for number, proto in data["ports"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(digest: str, ports: tuple[tuple[int, str], ...]) -> None:
    import contextlib

    from kctl import fsio

    path = _cache_file(digest)
    if path is not None:
        with contextlib.suppress(OperationError):  # a cache that cannot be written is not used
            fsio.write_file(path, json.dumps({"ports": [list(p) for p in ports]}))
