"""Issue 24's loader defects found on real projects (and issue 22's nesting depth): each read
as docker-compose reads it, checked against the real binary where it has an opinion."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kctl.compose import LoadOptions, load_project
from kctl.compose.envfile import parse_env_file
from kctl.compose.interpolate import interpolate
from kctl.errors import InputError, Location
from tests.compose.test_oracle import ENV, oracle

pytestmark = pytest.mark.unit


def load(root: Path, text: str, environ: dict[str, str] | None = None, **files: str) -> Any:
    (root / "compose.yaml").write_text(text)
    for name, content in files.items():
        (root / name.replace("__", "/")).write_text(content)
    return load_project(
        LoadOptions(files=[str(root / "compose.yaml")], environ=environ or dict(ENV))
    )


# issue 22: nesting depth ------------------------------------------------------------------------
def nested(depth: int) -> str:
    return "${A0:-" * depth + "end" + "}" * depth


def test_deeply_nested_defaults_interpolate_without_recursion() -> None:
    depth = sys.getrecursionlimit() * 2
    assert interpolate(nested(depth), {}, Location("f", 1)) == "end"
    assert interpolate(nested(depth), {"A0": "set"}, Location("f", 1)) == "set"


def test_deeply_nested_default_in_compose_and_env_file(tmp_path: Path) -> None:
    depth = sys.getrecursionlimit() * 2
    text = f"services:\n  web:\n    image: x\n    environment:\n      DEEP: '{nested(depth)}'\n"
    project = load(tmp_path, text)
    assert project.services["web"].environment["DEEP"] == "end"
    (tmp_path / "deep.env").write_text(f"DEEP={nested(depth)}\n")
    assert parse_env_file(tmp_path / "deep.env", {})["DEEP"] == "end"


def test_unclosed_deep_nesting_is_an_input_error_at_its_line(tmp_path: Path) -> None:
    text = "services:\n  web:\n    image: x\n    environment:\n      DEEP: '" + "${A:-" * 5000
    with pytest.raises(InputError) as err:
        load(tmp_path, text + "'\n")
    assert err.value.location is not None and err.value.location.line == 5


# unset variables --------------------------------------------------------------------------------
def test_unset_variables_are_warned_once_each_at_their_first_line(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        "services:\n  web:\n    image: nginx:${TAG:-1}\n    environment:\n"
        "      DB: ${DB_HOST}\n      DB2: $DB_HOST\n      SET: ${HOME}\n"
        "  other:\n    image: x\n    command: echo ${DB_HOST} ${OTHER}\n",
    )
    unset = [w for w in project.warnings if "is not set" in w.message]
    assert [(w.message.split('"')[1], w.location.line) for w in unset] == [
        ("DB_HOST", 5),
        ("OTHER", 10),
    ]
    assert project.services["web"].environment["DB"] == ""


@pytest.mark.integration
def test_unset_variables_in_env_files_are_warned_as_docker_compose_warns(
    compose_oracle: Path, tmp_path: Path
) -> None:
    """docker compose interpolates env_file, include env_file and .env values and warns for
    each unset variable there too; kctl: once per variable, at its env file's line."""
    (tmp_path / "inc").mkdir()
    files = {
        ".env": "TAG=1\nFROM_DOTENV=${KCTL_T_IN_DOTENV}\n",
        "app.env": "A=${KCTL_T_A}\nSET=${HOME}\n# note\nC=$KCTL_T_C\nD=${KCTL_T_D:-dflt}\n"
        "E=\"${KCTL_T_E}\"\nF='${KCTL_T_F}'\nG=${KCTL_T_A}\nH=${A}\n",
        "inc.env": "V=${KCTL_T_INC}\n",
        "inc__c.yaml": "services:\n  sub:\n    image: x${V}\n",
    }
    text = (
        "include:\n  - path: inc/c.yaml\n    env_file: inc.env\n"
        "services:\n  web:\n    image: nginx:${TAG}\n    env_file: app.env\n"
        "  other:\n    image: x\n    env_file: app.env\n"
    )
    project = load(tmp_path, text, **files)
    unset = {
        w.message.split('"')[1]: w.location for w in project.warnings if "is not set" in w.message
    }
    assert {name: (Path(loc.file).name, loc.line) for name, loc in unset.items()} == {
        "KCTL_T_IN_DOTENV": (".env", 2),
        "KCTL_T_A": ("app.env", 1),
        "KCTL_T_C": ("app.env", 4),
        "KCTL_T_E": ("app.env", 6),
        "KCTL_T_INC": ("inc.env", 1),
    }
    expected = _oracle_service(compose_oracle, tmp_path, ["compose.yaml"], "web")
    assert project.services["web"].env_file_environment == expected["environment"] | {
        "F": "${KCTL_T_F}"  # `config` writes the literal dollar as $$
    }
    result = subprocess.run(
        [str(compose_oracle), "-f", str(tmp_path / "compose.yaml"), "config"],
        capture_output=True, text=True, env=ENV, cwd=tmp_path, check=True,
    )  # fmt: skip
    warned = {line.split('\\"')[1] for line in result.stderr.splitlines() if "is not set" in line}
    assert warned == set(unset)


def _oracle_service(compose_oracle: Path, root: Path, files: list[str], name: str) -> Any:
    expected = oracle(compose_oracle, root, files)
    assert expected is not None
    return expected["services"][name]


# COMPOSE_* variables in .env --------------------------------------------------------------------
@pytest.mark.integration
def test_compose_variables_in_dotenv_count_as_set(
    compose_oracle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # COMPOSE_FILE is relative to the working folder
    (tmp_path / "other.yaml").write_text(
        "services:\n  web:\n    image: nginx\n  extra:\n    image: redis\n    profiles: [full]\n"
    )
    (tmp_path / ".env").write_text(
        "COMPOSE_FILE=other.yaml\nCOMPOSE_PROFILES=full\nCOMPOSE_PROJECT_NAME=fromenv\n"
    )
    argv = [str(compose_oracle), "--project-directory", str(tmp_path), "config", "--format", "json"]
    result = subprocess.run(argv, capture_output=True, text=True, env=ENV, cwd=tmp_path, check=True)
    expected = json.loads(result.stdout)
    project = load_project(LoadOptions(project_directory=tmp_path, environ=dict(ENV)))
    assert sorted(project.services) == sorted(expected["services"]) == ["extra", "web"]
    assert project.name == expected["name"] == "fromenv"
    shell = {**ENV, "COMPOSE_PROFILES": "", "COMPOSE_PROJECT_NAME": "shell"}
    project = load_project(LoadOptions(project_directory=tmp_path, environ=shell))
    assert sorted(project.services) == ["web"] and project.name == "shell"  # the shell wins


# external volume without name -------------------------------------------------------------------
@pytest.mark.integration
def test_external_volume_is_named_by_its_key(compose_oracle: Path, tmp_path: Path) -> None:
    text = "services:\n  web:\n    image: x\n    volumes: [data:/d]\nvolumes:\n  data:\n    external: true\n"
    project = load(tmp_path, text)
    expected = oracle(compose_oracle, tmp_path, ["compose.yaml"])
    assert expected is not None
    assert project.volumes["data"]["name"] == expected["volumes"]["data"]["name"] == "data"


# typed keys are cast after interpolation --------------------------------------------------------
CAST = """services:
  web:
    image: x
    read_only: ${RO:-false}
    privileged: "${PRIV:-yes}"
    tty: 'on'
    scale: ${N:-2}
    healthcheck:
      test: ["CMD", "true"]
      retries: "${R:-4}"
      disable: ${D:-false}
    deploy:
      update_config:
        parallelism: ${P:-3}
    volumes:
      - type: volume
        source: data
        target: /d
        read_only: ${VRO:-true}
volumes:
  data:
    external: ${EXT:-false}
"""


@pytest.mark.integration
def test_interpolated_values_of_typed_keys_are_cast(compose_oracle: Path, tmp_path: Path) -> None:
    web = load(tmp_path, CAST).services["web"].config
    expected = _oracle_service(compose_oracle, tmp_path, ["compose.yaml"], "web")
    assert web.get("read_only", False) is expected.get("read_only", False) is False
    assert web["privileged"] is expected["privileged"] is True
    assert web["tty"] is expected["tty"] is True
    assert web["scale"] == expected["scale"] == 2
    assert web["healthcheck"]["retries"] == expected["healthcheck"]["retries"] == 4
    assert web["deploy"]["update_config"]["parallelism"] == 3
    assert web["volumes"][0]["read_only"] is expected["volumes"][0]["read_only"] is True


def test_a_value_that_does_not_cast_is_refused_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load(tmp_path, CAST, {"RO": "maybe"})
    assert err.value.location is not None and err.value.location.line == 4
    assert "invalid boolean: maybe" in str(err.value)


# every short port form compose-go accepts -------------------------------------------------------
PORTS = [
    ":2283:2283",
    "127.0.0.1::80",
    "127.0.0.1:8080:80",
    "8080-8081:80-81/udp",
    "::1:9000:9000",
    "[::1]:9001:9001",
    "9002",
    "9003/udp",
    "9004:9004/sctp",
    "0.0.0.0:9005-9006:9005-9006",
    "9007-9008",
]


@pytest.mark.integration
@pytest.mark.parametrize("port", PORTS)
def test_short_port_forms_read_as_compose_go(
    compose_oracle: Path, tmp_path: Path, port: str
) -> None:
    web = load(tmp_path, f"services:\n  web:\n    image: x\n    ports: ['{port}']\n")
    expected = _oracle_service(compose_oracle, tmp_path, ["compose.yaml"], "web")
    assert web.services["web"].config["ports"] == expected["ports"]


# relative paths of later -f files ---------------------------------------------------------------
@pytest.mark.integration
def test_later_files_resolve_paths_against_the_project_directory(
    compose_oracle: Path, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "a.conf").write_text("a\n")
    (tmp_path / "web.env").write_text("A=project\n")
    (tmp_path / "sub" / "web.env").write_text("A=subfolder\n")
    (tmp_path / "base.yaml").write_text("services:\n  b:\n    image: x\n    labels: {from: base}\n")
    (tmp_path / "sub" / "over.yaml").write_text(
        "services:\n  web:\n    volumes: ['./conf:/etc/conf:ro']\n    env_file: [./web.env]\n"
        "    extends:\n      file: ./base.yaml\n      service: b\n"
    )
    files = ["compose.yaml", "sub/over.yaml"]
    web = load(tmp_path, "services:\n  web:\n    image: nginx\n")
    project = load_project(LoadOptions(files=[str(tmp_path / f) for f in files], environ=dict(ENV)))
    expected = _oracle_service(compose_oracle, tmp_path, files, "web")
    web = project.services["web"].config
    assert web["volumes"][0]["source"] == expected["volumes"][0]["source"] == str(tmp_path / "conf")
    assert web["environment"] == expected["environment"] == {"A": "project"}
    assert web["labels"] == expected["labels"]


# merge concatenates, unique.enforce de-duplicates -----------------------------------------------
def test_a_later_file_replacing_a_mount_is_an_override_not_a_duplicate(tmp_path: Path) -> None:
    (tmp_path / "over.yaml").write_text(
        "services:\n  web:\n    volumes: ['./z:/data']\n    ports: ['80:80']\n"
    )
    load(tmp_path, "services:\n  web:\n    image: x\n    volumes: ['./x:/data']\n")
    project = load_project(
        LoadOptions(
            files=[str(tmp_path / "compose.yaml"), str(tmp_path / "over.yaml")], environ=dict(ENV)
        )
    )
    web = project.services["web"].config
    assert [v["source"] for v in web["volumes"]] == [str(tmp_path / "z")]
    assert not [w for w in project.warnings if "twice" in w.message]


def test_one_file_listing_a_mount_twice_is_reported(tmp_path: Path) -> None:
    project = load(
        tmp_path, "services:\n  web:\n    image: x\n    volumes: ['./x:/data', './y:/data']\n"
    )
    (warning,) = [w for w in project.warnings if "twice" in w.message]
    assert warning.location.line == 4
    assert [v["source"] for v in project.services["web"].config["volumes"]] == [str(tmp_path / "y")]
