"""Differential tests: kctl's loaded model equals `docker-compose config` for consumed fields."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl.compose import LoadOptions, load_project
from kctl.compose.units import parse_duration
from kctl.errors import InputError
from tests.compose.cases import CASES, MULTI

pytestmark = pytest.mark.integration

CONSUMED = (
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "ports",
    "expose",
    "volumes",
    "secrets",
    "configs",
    "depends_on",
    "deploy",
    "healthcheck",
    "labels",
    "user",
    "working_dir",
    "restart",
    "profiles",
    "cap_add",
    "cap_drop",
    "privileged",
    "read_only",
    "tmpfs",
    "dns",
    "dns_search",
    "sysctls",
    "stop_grace_period",
    "pull_policy",
    "hostname",
    "network_mode",
    "pid",
    "ipc",
    "tty",
    "stdin_open",
    "ulimits",
    "scale",
)
ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root"}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def oracle(binary: Path, root: Path, files: list[str], *extra: str) -> dict[str, Any] | None:
    argv = [str(binary)]
    for name in files:
        argv += ["-f", str(root / name)]
    argv += ["--project-directory", str(root), *extra, "config", "--format", "json"]
    result = subprocess.run(argv, capture_output=True, text=True, env=ENV, cwd=root, check=False)
    return json.loads(result.stdout) if result.returncode == 0 else None


def unescape(value: Any) -> Any:
    """`config` re-escapes literal dollars as `$$` so its output can be read again."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, dict):
        return {k: unescape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unescape(v) for v in value]
    return value


def consumed(services: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, service in services.items():
        fields = {k: service[k] for k in CONSUMED if service.get(k) not in (None, [], {})}
        out[name] = fields
    return out


def pruned(value: Any) -> Any:
    """The value without empty mappings, empty lists and `false` at any depth: `deploy: {}` and
    no deploy mean the same, as `privileged: false` and none do (every Compose flag defaults to
    false); docker-compose leaves out or fills in some of these, kctl others."""
    if isinstance(value, dict):
        kept = {k: pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not False and v not in ({}, [])}
    if isinstance(value, list):
        return [pruned(v) for v in value]
    return value


_DURATIONS = {"stop_grace_period", "interval", "timeout", "start_period", "start_interval", "delay"}


def seconds(value: Any, key: str = "") -> Any:
    """Durations as seconds and file modes as numbers: docker-compose writes them its own way
    (`90s` as `1m30s`, 256 as `"0400"`)."""
    if isinstance(value, dict):
        return {k: seconds(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [seconds(v) for v in value]
    if key in _DURATIONS and isinstance(value, str):
        return parse_duration(value)
    if key == "mode" and isinstance(value, str) and value.isdigit():
        return int(value, 8)  # a file mode: docker-compose writes 256 as "0400"
    return value


def compare(
    compose_oracle: Path, root: Path, files: list[str], *, prune: bool = False, **options: Any
) -> None:
    profiles = options.get("profiles", [])
    expected = oracle(compose_oracle, root, files, *[a for p in profiles for a in ("--profile", p)])
    opts = LoadOptions(
        files=[str(root / f) for f in files], project_directory=root, environ=ENV, **options
    )
    if expected is None:
        with pytest.raises(InputError) as err:
            load_project(opts)
        assert err.value.location is not None and err.value.location.file
        return
    project = load_project(opts)
    assert project.name == expected["name"]
    ours = consumed(project.to_canonical()["services"])
    theirs = unescape(consumed(expected["services"]))
    if prune:
        ours, theirs = pruned(seconds(ours)), pruned(seconds(theirs))
    assert ours == theirs
    for section in ("volumes", "secrets", "configs"):
        ours, theirs = set(project.to_canonical()[section]), set(expected.get(section) or {})
        # docker compose leaves out what no service uses; kctl keeps it but makes nothing of it
        assert theirs <= ours and not (ours - theirs) & used(project, section), section


def used(project: Any, section: str) -> set[str]:
    """Top-level volumes/secrets/configs that some service refers to."""
    names = set()
    for service in project.services.values():
        for entry in service.config.get(section) or []:
            if section != "volumes" or entry.get("type") == "volume":
                names.add(entry.get("source"))
    return names


@pytest.mark.parametrize("case", sorted(CASES))
def test_single_file_matches_docker_compose(case: str, compose_oracle: Path, tmp_path) -> None:
    root = tmp_path / "proj"
    write(root, CASES[case])
    compare(compose_oracle, root, ["compose.yaml"])


@pytest.mark.parametrize("case", sorted(MULTI))
def test_multi_file_matches_docker_compose(case: str, compose_oracle: Path, tmp_path) -> None:
    root = tmp_path / "proj"
    files, order = MULTI[case]
    write(root, files)
    compare(compose_oracle, root, order)


def test_profiles_enable_services(compose_oracle: Path, tmp_path) -> None:
    root = tmp_path / "proj"
    write(root, CASES["profiles-dep-disabled"])
    compare(compose_oracle, root, ["compose.yaml"], profiles=["debug"])


value_text = st.text(alphabet="ab-_:+?${}x ", max_size=14)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(template=value_text, a=st.sampled_from([None, "", "v"]), b=st.sampled_from([None, "", "w"]))
def test_interpolation_matches_docker_compose(compose_oracle, tmp_path_factory, template, a, b):
    root = tmp_path_factory.mktemp("interp")
    dotenv = "".join(f"{k}={v}\n" for k, v in (("a", a), ("b", b)) if v is not None)
    quoted = json.dumps(template)
    write(
        root,
        {
            "compose.yaml": f"services:\n  s:\n    image: busybox\n    environment:\n"
            f"      V: {quoted}\n",
            ".env": dotenv,
        },
    )
    compare(compose_oracle, root, ["compose.yaml"])


def test_compose_file_variable_lists_files_like_docker_compose(
    compose_oracle: Path, tmp_path
) -> None:
    """COMPOSE_FILE joins files with COMPOSE_PATH_SEPARATOR, as docker compose reads it. Kompose's
    space-separated form, which docker compose reads as one missing file (so it never worked
    there), is read as Kompose reads it, with a warning that names the portable form."""
    write(
        tmp_path,
        {"a.yaml": "services:\n  a:\n    image: x\n", "b.yaml": "services:\n  b:\n    image: y\n"},
    )
    joined = f"{tmp_path / 'a.yaml'}:{tmp_path / 'b.yaml'}"
    run = [str(compose_oracle), "config", "--format", "json"]
    expected = subprocess.run(
        run,
        capture_output=True,
        text=True,
        check=False,
        env={**ENV, "COMPOSE_FILE": joined},
        cwd=tmp_path,
    )
    opts = LoadOptions(project_directory=tmp_path, environ={"COMPOSE_FILE": joined})
    oracle_services = json.loads(expected.stdout)["services"]
    project = load_project(opts)
    assert sorted(project.services) == sorted(oracle_services) == ["a", "b"]
    assert project.warnings == []
    spaced = f"{tmp_path / 'a.yaml'} {tmp_path / 'b.yaml'}"
    refused = subprocess.run(
        run,
        capture_output=True,
        text=True,
        check=False,
        env={**ENV, "COMPOSE_FILE": spaced},
        cwd=tmp_path,
    )
    assert refused.returncode != 0  # one file named "a.yaml b.yaml": never valid for docker compose
    kompose_form = load_project(
        LoadOptions(project_directory=tmp_path, environ={"COMPOSE_FILE": spaced})
    )
    assert kompose_form.to_canonical()["services"] == project.to_canonical()["services"]
    [warning] = kompose_form.warnings
    assert str(warning.location) == "COMPOSE_FILE" and "':'" in warning.message


def test_a_compose_file_whose_name_has_a_space_is_one_file(
    compose_oracle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When "a.yaml b.yaml" is a file, COMPOSE_FILE names it, as docker compose reads it."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        {
            "a.yaml": "services:\n  a:\n    image: x\n",
            "b.yaml": "services:\n  b:\n    image: y\n",
            "a.yaml b.yaml": "services:\n  both:\n    image: z\n",
        },
    )
    expected = subprocess.run(
        [str(compose_oracle), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        env={**ENV, "COMPOSE_FILE": "a.yaml b.yaml"},
        cwd=tmp_path,
    )
    project = load_project(
        LoadOptions(project_directory=tmp_path, environ={"COMPOSE_FILE": "a.yaml b.yaml"})
    )
    assert sorted(project.services) == sorted(json.loads(expected.stdout)["services"]) == ["both"]
    assert project.warnings == []


def test_an_include_env_file_yields_only_to_the_given_shell(
    compose_oracle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`include: env_file` values lose to the shell's variables, as docker compose reads them; the
    shell is LoadOptions.environ, not whatever the calling process happens to have."""
    write(
        tmp_path,
        {
            "compose.yaml": "include:\n  - path: sub/compose.yaml\n    env_file: sub/inc.env\n",
            "sub/compose.yaml": "services:\n  s:\n    image: busybox:${TAG}\n"
            "    environment:\n      WHO: ${WHO}\n",
            "sub/inc.env": "TAG=1.0\nWHO=file\n",
        },
    )
    expected = oracle_services(compose_oracle, tmp_path, {"WHO": "shell"})
    monkeypatch.setenv("TAG", "from-the-test-process")
    opts = LoadOptions(files=[str(tmp_path / "compose.yaml")], environ={**ENV, "WHO": "shell"})
    service = load_project(opts).services["s"]
    assert service.image == expected["s"]["image"] == "busybox:1.0"
    assert service.environment["WHO"] == expected["s"]["environment"]["WHO"] == "shell"


def oracle_services(binary: Path, root: Path, extra_env: dict[str, str]) -> dict[str, Any]:
    argv = [str(binary), "-f", str(root / "compose.yaml"), "config", "--format", "json"]
    result = subprocess.run(
        argv, capture_output=True, text=True, check=True, env={**ENV, **extra_env}, cwd=root
    )
    services: dict[str, Any] = json.loads(result.stdout)["services"]
    return services


def _chain(length: int, back_to: int | None) -> str:
    """length services, each depending on the next; the last on s{back_to} when given."""
    lines = ["services:"]
    for i in range(length):
        lines += [f"  s{i}:", "    image: busybox"]
        target = i + 1 if i + 1 < length else back_to
        if target is not None:
            lines += ["    depends_on:", f"      - s{target}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("back_to", [None, 0], ids=["chain", "cycle"])
def test_a_depends_on_chain_longer_than_the_recursion_limit(
    back_to: int | None, compose_oracle: Path, tmp_path: Path
) -> None:
    # 1,500 links: a recursive walk raised RecursionError (an internal error) on both
    root = tmp_path / "proj"
    write(root, {"compose.yaml": _chain(1500, back_to)})
    compare(compose_oracle, root, ["compose.yaml"])
    opts = LoadOptions(files=[str(root / "compose.yaml")], environ=ENV)
    if back_to is not None:
        with pytest.raises(InputError, match=r"dependency cycle: s0 -> s1 -> .* -> s1499 -> s0"):
            load_project(opts)
        return
    from kctl.convert import ConvertOptions
    from kctl.convert.pipeline import chart_files, validated

    conversion = validated(load_project(opts), ConvertOptions())  # and on through convert
    assert len(chart_files(conversion, "chain", "a long chain")) > 1500
