"""Random services, read by kctl and by the real `docker-compose config`: the consumed fields must
be equal, or both must refuse the file (kctl with file:line). Each service mixes the short and
long syntaxes users write (ports, volumes, environment, healthcheck, deploy, ...)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.compose.test_oracle import compare

pytestmark = pytest.mark.integration

_IMAGES = st.sampled_from(
    ["nginx", "nginx:1.27", "registry.local:5000/team/app:v1", "ghcr.io/o/app@sha256:" + "a" * 64]
)
_PORT = st.integers(min_value=1, max_value=65535)
_SHORT_PORTS = st.one_of(
    _PORT.map(str),
    st.tuples(_PORT, _PORT).map(lambda p: f"{p[0]}:{p[1]}"),
    st.tuples(_PORT, _PORT, st.sampled_from(["tcp", "udp"])).map(lambda p: f"{p[0]}:{p[1]}/{p[2]}"),
    st.tuples(st.sampled_from(["127.0.0.1", "0.0.0.0"]), _PORT, _PORT).map(
        lambda p: f"{p[0]}:{p[1]}:{p[2]}"
    ),
    st.tuples(st.integers(1000, 2000), st.integers(0, 3)).map(lambda p: f"{p[0]}-{p[0] + p[1]}"),
    st.tuples(st.integers(1000, 2000), st.integers(3000, 4000), st.integers(0, 2)).map(
        lambda p: f"{p[0]}-{p[0] + p[2]}:{p[1]}-{p[1] + p[2]}"
    ),
    _PORT,
)
_LONG_PORT = st.fixed_dictionaries(
    {"target": _PORT},
    optional={
        "published": st.one_of(_PORT, _PORT.map(str)),
        "protocol": st.sampled_from(["tcp", "udp"]),
        "host_ip": st.sampled_from(["127.0.0.1"]),
        "mode": st.sampled_from(["ingress", "host"]),
        "name": st.sampled_from(["web", "metrics"]),
    },
)
_PORTS = st.lists(st.one_of(_SHORT_PORTS, _LONG_PORT), max_size=3)
_NAME = st.sampled_from(["A", "B", "LOG_LEVEL", "x_y"])
_ENV_VALUE = st.one_of(
    st.sampled_from(["", "1", "a b", "x=y", "true", "0.5", "no"]),
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.sampled_from([1.5, 0.25]),
)
_ENVIRONMENT = st.one_of(
    st.dictionaries(_NAME, _ENV_VALUE, max_size=3),
    st.lists(
        st.one_of(_NAME, st.tuples(_NAME, st.sampled_from(["", "1", "a=b"])).map("=".join)),
        max_size=3,
        unique_by=lambda item: item.split("=")[0],
    ),
)
_LABELS = st.one_of(
    st.dictionaries(st.sampled_from(["com.x.a", "team", "tier"]), _ENV_VALUE, max_size=2),
    st.lists(st.sampled_from(["team=a", "tier", "com.x.a=1"]), max_size=2, unique=True),
)
_TARGET = st.sampled_from(["/data", "/var/lib/app", "/cache"])
_SHORT_VOLUMES = st.one_of(
    st.tuples(st.sampled_from(["data", "logs"]), _TARGET).map(":".join),
    st.tuples(
        st.sampled_from(["data", "./src", "/srv/x"]), _TARGET, st.sampled_from(["ro", "rw"])
    ).map(":".join),
    _TARGET,
)
_LONG_VOLUME = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("volume"), "source": st.sampled_from(["data", "logs"]), "target": _TARGET},
        optional={"read_only": st.booleans(), "volume": st.just({"nocopy": True})},
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("bind"),
            "source": st.sampled_from(["./src", "/srv/x"]),
            "target": _TARGET,
        },
        optional={"read_only": st.booleans(), "bind": st.just({"create_host_path": True})},
    ),
    st.fixed_dictionaries(
        {"type": st.just("tmpfs"), "target": _TARGET},
        optional={"tmpfs": st.fixed_dictionaries({"size": st.sampled_from([1024, "64m"])})},
    ),
)
_VOLUMES = st.lists(st.one_of(_SHORT_VOLUMES, _LONG_VOLUME), max_size=3, unique_by=str)
_DURATION = st.sampled_from(["30s", "1m30s", "500ms", "2h", "10s"])
_HEALTHCHECK = st.one_of(
    st.fixed_dictionaries(
        {
            "test": st.one_of(
                st.sampled_from(["curl -f http://localhost/", "true"]),
                st.sampled_from([["CMD", "/bin/check"], ["CMD-SHELL", "exit 0"], ["NONE"]]),
            )
        },
        optional={
            "interval": _DURATION,
            "timeout": _DURATION,
            "retries": st.integers(0, 5),
            "start_period": _DURATION,
        },
    ),
    st.just({"disable": True}),
)
_DEPLOY = st.fixed_dictionaries(
    {},
    optional={
        "replicas": st.integers(0, 5),
        "resources": st.fixed_dictionaries(
            {},
            optional={
                "limits": st.fixed_dictionaries(
                    {},
                    optional={
                        "cpus": st.sampled_from(["0.5", 2, 0.25, "1"]),
                        "memory": st.sampled_from(["512M", "1g", "256m", "1024k"]),
                    },
                ),
                "reservations": st.fixed_dictionaries(
                    {}, optional={"memory": st.sampled_from(["64M", "1G"])}
                ),
            },
        ),
        "restart_policy": st.fixed_dictionaries(
            {"condition": st.sampled_from(["none", "on-failure", "any"])},
            optional={"max_attempts": st.integers(0, 5), "delay": _DURATION},
        ),
        "labels": _LABELS,
    },
)
_NAMES = st.sampled_from(["web", "db", "worker"])
_SERVICE = st.fixed_dictionaries(
    {"image": _IMAGES},
    optional={
        "ports": _PORTS,
        "expose": st.lists(st.one_of(_PORT, _PORT.map(str)), max_size=2),
        "environment": _ENVIRONMENT,
        "labels": _LABELS,
        "volumes": _VOLUMES,
        "command": st.one_of(st.sampled_from(["run --fast", "echo 'a b'"]), st.just(["run", "x"])),
        "entrypoint": st.one_of(st.just("/entry.sh"), st.just(["/bin/sh", "-c"])),
        "healthcheck": _HEALTHCHECK,
        "deploy": _DEPLOY,
        "restart": st.sampled_from(
            ["no", "always", "on-failure", "on-failure:3", "unless-stopped"]
        ),
        "user": st.sampled_from(["1000", "1000:1000", "app"]),
        "working_dir": st.just("/app"),
        "hostname": st.just("box"),
        "privileged": st.booleans(),
        "read_only": st.booleans(),
        "tty": st.booleans(),
        "stdin_open": st.booleans(),
        "cap_add": st.lists(st.sampled_from(["NET_ADMIN", "SYS_TIME"]), max_size=2, unique=True),
        "dns": st.one_of(st.just("8.8.8.8"), st.just(["1.1.1.1", "8.8.4.4"])),
        "tmpfs": st.one_of(st.just("/run"), st.just(["/run", "/tmp:size=64m"])),
        "sysctls": st.one_of(
            st.just({"net.core.somaxconn": 1024}), st.just(["net.ipv4.tcp_syncookies=0"])
        ),
        "stop_grace_period": _DURATION,
        "ulimits": st.one_of(
            st.just({"nofile": 65535}), st.just({"nofile": {"soft": 1024, "hard": 4096}})
        ),
        "extra_hosts": st.one_of(
            st.just(["db.local:10.0.0.2"]), st.just({"cache.local": "10.0.0.3"})
        ),
        "secrets": st.lists(
            st.one_of(
                st.just("token"),
                st.fixed_dictionaries(
                    {"source": st.just("token")},
                    optional={
                        "target": st.sampled_from(["tok", "/etc/token"]),
                        "mode": st.just(0o400),
                    },
                ),
            ),
            max_size=2,
        ),
        "configs": st.lists(
            st.one_of(
                st.just("conf"),
                st.fixed_dictionaries(
                    {"source": st.just("conf")}, optional={"target": st.just("/etc/app.conf")}
                ),
            ),
            max_size=2,
        ),
        "depends_on": st.one_of(
            st.just(["db"]),
            st.just({"db": {"condition": "service_healthy"}}),
            st.just({"db": {"condition": "service_started", "restart": True}}),
        ),
        "pid": st.just("host"),
        "init": st.booleans(),
        "shm_size": st.sampled_from(["64m", 1024]),
    },
)


# an override usually changes a few keys of a service defined earlier
_PARTIAL = st.fixed_dictionaries(
    {},
    optional={
        "image": _IMAGES,
        "ports": _PORTS,
        "environment": _ENVIRONMENT,
        "labels": _LABELS,
        "volumes": _VOLUMES,
        "command": st.just(["serve", "--port", "80"]),
        "healthcheck": _HEALTHCHECK,
        "deploy": _DEPLOY,
        "dns": st.just(["9.9.9.9"]),
        "cap_add": st.just(["NET_ADMIN"]),
        "expose": st.just([9000]),
    },
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    services=st.dictionaries(_NAMES, _SERVICE, min_size=1, max_size=2),
    overrides=st.dictionaries(_NAMES, st.one_of(_SERVICE, _PARTIAL), max_size=2),
    child=st.one_of(st.none(), _PARTIAL),
)
def test_random_services_read_as_docker_compose_reads_them(
    compose_oracle: Path,
    tmp_path_factory: pytest.TempPathFactory,
    services: dict[str, Any],
    overrides: dict[str, Any],
    child: dict[str, Any] | None,
) -> None:
    """One file, then the same with an override file merged over it (Compose's merge rules);
    sometimes a service `extends` another one of the file (its own merge rules)."""
    root = tmp_path_factory.mktemp("random")
    (root / "src").mkdir()
    (root / "token.txt").write_text("s3cret\n")
    if "db" not in services:  # depends_on names db: define it, or every such example is refused
        services = {**services, "db": {"image": "postgres"}}
    if child is not None:
        services = {**services, "child": {"extends": {"service": next(iter(services))}, **child}}
    top = _top_level({**services, **overrides})  # docker compose keeps only what is used
    for name, defined in (("compose.yaml", services), ("override.yaml", overrides)):
        document = {"name": "random", "services": defined, **top}
        (root / name).write_text(json.dumps(document, indent=2))  # JSON is YAML
    compare(compose_oracle, root, ["compose.yaml"], prune=True)
    compare(compose_oracle, root, ["compose.yaml", "override.yaml"], prune=True)


def _top_level(services: dict[str, Any]) -> dict[str, Any]:
    volumes: dict[str, Any] = {}
    for service in services.values():
        for volume in service.get("volumes", []):
            if isinstance(volume, dict):
                source = volume.get("source") if volume["type"] == "volume" else None
            else:
                source = volume.split(":")[0] if ":" in volume else None
            if source and not source.startswith((".", "/")):
                volumes[source] = {}
    text = json.dumps(services)
    top: dict[str, Any] = {"volumes": volumes}
    if '"token"' in text:
        top["secrets"] = {"token": {"file": "./token.txt"}}
    if '"conf"' in text:
        top["configs"] = {"conf": {"content": "a=1\n"}}
    return top


_DOTENV_VALUE = st.one_of(
    st.sampled_from(
        ["", "plain", "a b", "a # not a comment", "a #comment", "x=y", "${OTHER}", "$OTHER",
         "${OTHER:-dflt}", "${NOPE-d}", "'single $OTHER'", '"double $OTHER"', '"tab\\tnew\\nline"',
         '"quote \\" inside"', "'it''s'", '"multi\nline"', "trailing   ", "\\n", "a\\\\b",
         '"# hash"', "'# hash'", "\"x\" # c", "'x' # c", "ünï", "$$", "a$"]
    ),
    st.text(alphabet="ab $#'\"\\=:-{}", max_size=8),
)  # fmt: skip
_DOTENV_LINE = st.one_of(
    st.tuples(
        st.sampled_from(["", "export "]),
        st.sampled_from(["K1", "K2", "OTHER", "k.dot", "k-dash"]),
        st.sampled_from(["=", "= ", " ="]),
        _DOTENV_VALUE,
    ).map("".join),
    st.sampled_from(["# comment", "", "BARE", "  INDENTED=1"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=st.lists(_DOTENV_LINE, min_size=1, max_size=5), shell=st.booleans())
def test_random_env_files_read_as_docker_compose_reads_them(
    compose_oracle: Path, tmp_path_factory: pytest.TempPathFactory, lines: list[str], shell: bool
) -> None:
    """An env_file's values (quotes, escapes, comments, interpolation) reach the service's
    environment as docker compose reads them, or both refuse the file."""
    root = tmp_path_factory.mktemp("dotenv")
    (root / "app.env").write_text("\n".join(lines) + "\n")
    compose = {"services": {"web": {"image": "nginx", "env_file": ["app.env"]}}}
    (root / "compose.yaml").write_text(json.dumps(compose))
    if shell:  # interpolation inside the env file sees the project's .env
        (root / ".env").write_text("OTHER=from-dotenv\n")
    compare(compose_oracle, root, ["compose.yaml"])


_INCLUDED = st.fixed_dictionaries(
    {"image": st.sampled_from(["nginx", "${IMG:-busybox}", "redis:${TAG-7}"])},
    optional={
        "build": st.just("./ctx"),
        "volumes": st.just(["./data:/data", "shared:/shared"]),
        "env_file": st.just(["app.env"]),
        "environment": st.just({"FROM": "${WHO:-nobody}"}),
    },
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parts=st.lists(
        st.dictionaries(st.sampled_from(["a", "b", "c"]), _INCLUDED, min_size=1, max_size=2),
        min_size=1,
        max_size=3,
    ),
    long_syntax=st.booleans(),
    include_env=st.booleans(),
    own=st.sampled_from([None, "a", "main"]),
    drivers=st.lists(st.sampled_from([None, "local"]), min_size=4, max_size=4),
)
def test_random_includes_read_as_docker_compose_reads_them(
    compose_oracle: Path,
    tmp_path_factory: pytest.TempPathFactory,
    parts: list[dict[str, Any]],
    long_syntax: bool,
    include_env: bool,
    own: str | None,
    drivers: list[str | None],
) -> None:
    """`include:` of files in their own folders: paths relative to each included file, its env
    file, variables, and the conflicts docker compose refuses (same service twice)."""
    root = tmp_path_factory.mktemp("include")
    entries: list[Any] = []
    for index, services in enumerate(parts):
        folder = root / f"part{index}"
        (folder / "ctx").mkdir(parents=True)
        (folder / "app.env").write_text(f"PART={index}\n")
        (folder / "vars.env").write_text(f"IMG=alpine\nWHO=part{index}\n")
        shared = {"driver": drivers[index]} if drivers[index] else {}
        document = {"services": services, "volumes": {"shared": shared}}
        (folder / "compose.yaml").write_text(json.dumps(document))
        path = f"part{index}/compose.yaml"
        if long_syntax:
            entry: dict[str, Any] = {"path": path}
            if include_env:
                entry["env_file"] = f"part{index}/vars.env"
            entries.append(entry)
        else:
            entries.append(path)
    main: dict[str, Any] = {"include": entries}
    if own is not None:
        main["services"] = {own: {"image": "nginx"}}
    if drivers[3]:  # the including file declares the volume too
        main["volumes"] = {"shared": {"driver": drivers[3]}}
    (root / "compose.yaml").write_text(json.dumps(main))
    compare(compose_oracle, root, ["compose.yaml"], prune=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    services=st.dictionaries(
        st.sampled_from(["web", "db", "debug", "worker"]),
        st.fixed_dictionaries(
            {"image": st.just("busybox")},
            optional={
                "profiles": st.lists(st.sampled_from(["dev", "ops", "*"]), max_size=2, unique=True),
                "depends_on": st.one_of(
                    st.lists(st.sampled_from(["web", "db", "debug"]), max_size=2, unique=True),
                    st.dictionaries(
                        st.sampled_from(["web", "db", "debug"]),
                        st.fixed_dictionaries(
                            {"condition": st.just("service_started")},
                            optional={"required": st.booleans()},
                        ),
                        max_size=2,
                    ),
                ),
            },
        ),
        min_size=1,
        max_size=4,
    ),
    active=st.lists(st.sampled_from(["dev", "ops", "*", "none"]), max_size=2, unique=True),
)
def test_random_profiles_read_as_docker_compose_reads_them(
    compose_oracle: Path,
    tmp_path_factory: pytest.TempPathFactory,
    services: dict[str, Any],
    active: list[str],
) -> None:
    """Which services --profile enables, and depends_on on services a profile left out."""
    root = tmp_path_factory.mktemp("profiles")
    (root / "compose.yaml").write_text(json.dumps({"name": "p", "services": services}))
    compare(compose_oracle, root, ["compose.yaml"], prune=True, profiles=active)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(base=_INCLUDED, child=_PARTIAL, chain=st.booleans())
def test_random_extends_from_another_file_read_as_docker_compose_reads_them(
    compose_oracle: Path,
    tmp_path_factory: pytest.TempPathFactory,
    base: dict[str, Any],
    child: dict[str, Any],
    chain: bool,
) -> None:
    """`extends: {file: ..., service: ...}` from a file in another folder: its relative paths
    stay relative to that file, the child's keys merge over it, and chains of extends."""
    root = tmp_path_factory.mktemp("extends")
    folder = root / "common"
    (folder / "ctx").mkdir(parents=True)
    (folder / "app.env").write_text("FROM_BASE=1\n")
    services: dict[str, Any] = {"base": base}
    if chain:  # base extends a service of its own file
        services = {"root": base, "base": {"extends": {"service": "root"}, "labels": ["tier=b"]}}
    (folder / "base.yaml").write_text(json.dumps({"services": services}))
    main = {
        "name": "ext",
        "services": {"app": {"extends": {"file": "common/base.yaml", "service": "base"}, **child}},
    }
    main.update(_top_level(main["services"]))
    main["volumes"] = {**main.get("volumes", {}), "shared": {}}
    (root / "compose.yaml").write_text(json.dumps(main))
    compare(compose_oracle, root, ["compose.yaml"], prune=True)
