"""Bad Compose input: one clear InputError with file:line, never another exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl.compose import LoadOptions, load_project
from kctl.compose.envfile import parse_env_file
from kctl.errors import InputError

pytestmark = pytest.mark.unit


def load(path: Path) -> None:
    load_project(LoadOptions(files=[str(path)], environ={}))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("services:\n  a:\n    image: [x\n", 4, "invalid YAML"),
        ("services:\n  a:\n    imgae: x\n", 3, "did you mean 'image'"),
        ("services:\n  a:\n    image: x\n    ports: 80\n", 4, "ports must be a list"),
        ("services:\n  a:\n    image: ${NEEDED:?set it}\n", 3, "set it"),
        ("services:\n  a:\n    image: x\n    ports: ['99999999999999999999:80-70']\n", 4, "port"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load(path)
    assert err.value.location is not None
    assert err.value.location.file == str(path)
    assert err.value.location.line == line
    assert message in str(err.value) + (err.value.hint or "")


def test_non_utf8_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_bytes(b"services:\n  a:\n    image: caf\xe9\n")
    with pytest.raises(InputError, match="UTF-8") as err:
        load(path)
    assert err.value.location is not None and err.value.location.line == 3
    with pytest.raises(InputError, match="not found"):
        load(tmp_path / "missing.yaml")


def test_huge_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    body = "".join(
        f"  s{i}:\n    image: busybox\n    environment:\n      I: '{i}'\n" for i in range(3000)
    )
    path.write_text("services:\n" + body)
    project = load_project(LoadOptions(files=[str(path)], environ={}))
    assert len(project.services) == 3000
    assert project.services["s2999"].location("environment.I").line == 4 * 2999 + 5


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_random_bytes_only_raise_input_error(tmp_path_factory, blob: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "compose.yaml"
    path.write_bytes(blob)
    try:
        load(path)
    except InputError as err:
        assert err.location is not None


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=12,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "image",
                "ports",
                "volumes",
                "environment",
                "command",
                "depends_on",
                "healthcheck",
                "deploy",
                "build",
                "labels",
                "env_file",
                "secrets",
                "extends",
                "networks",
                "tmpfs",
            ]
        ),
        yaml_values,
        max_size=4,
    )
)
def test_random_service_shapes_only_raise_input_error(tmp_path_factory, service) -> None:
    import yaml

    path = tmp_path_factory.mktemp("shape") / "compose.yaml"
    path.write_text(yaml.safe_dump({"services": {"s": service}}))
    try:
        load(path)
    except InputError as err:
        assert err.location is not None


def test_a_long_extends_chain_loads_without_recursion(tmp_path) -> None:
    """extends is resolved iteratively: 3,000 links cannot exhaust Python's stack."""
    from kctl.compose import LoadOptions, load_project

    lines = ["services:", "  s0:", "    image: x", "    environment: {L0: '0'}"]
    for i in range(1, 3000):
        lines += [f"  s{i}:", f"    extends: s{i - 1}", f"    environment: {{L{i % 5}: '{i}'}}"]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    project = load_project(LoadOptions(files=[str(tmp_path / "compose.yaml")], environ={}))
    last = project.services["s2999"]
    assert last.image == "x"
    assert last.environment == {
        "L0": "2995",
        "L1": "2996",
        "L2": "2997",
        "L3": "2998",
        "L4": "2999",
    }


# issue 17's Compose reproducers: each was an internal error, a hang or a traceback
S17 = "services:\n  a:\n    image: x\n"
TYPED_BOUNDARY = {
    "include-int": ("include: [5]\n" + S17, 1),
    "service-int-key": ("services:\n  1:\n    image: x\n", 2),
    "secret-nan": (S17 + "secrets:\n  s: .nan\n", 5),
    "cpus-text": (S17 + "    cpus: abc\n", 4),
    "mem-limit-inf": (S17 + "    mem_limit: .inf\n", 4),
    "grace-nan": (S17 + "    stop_grace_period: .nan\n", 4),
    "parallelism-text": (S17 + "    deploy:\n      update_config:\n        parallelism: x\n", 6),
    "port-target-inf": (S17 + "    ports: [{target: .inf}]\n", 4),
    "healthcheck-test-int": (S17 + "    healthcheck:\n      test: 5\n", 5),
    "port-range-huge": (S17 + "    ports: ['1-100000000:1-100000000']\n", 4),
    "volume-target-int": (S17 + "    volumes: [{type: volume, target: 5}]\n", 4),
    "replicas-text": (S17 + "    deploy:\n      replicas: x\n", 5),
    "scale-negative": (S17 + "    scale: -1\n", 4),
    "extra-hosts-int": (S17 + "    extra_hosts: 5\n", 4),
    "placement-int": (S17 + "    deploy:\n      placement: 5\n", 5),
    "max-attempts-text": (S17 + "    deploy:\n      restart_policy:\n        max_attempts: x\n", 6),
    "aliases-int": (
        S17 + "    networks:\n      n:\n        aliases: 5\nnetworks:\n  n: {}\n",
        6,
    ),
    "top-volume-labels-int": (S17 + "volumes:\n  v:\n    labels: 5\n", 6),
    "top-network-driver-opts-list": (S17 + "networks:\n  n:\n    driver_opts: [a]\n", 6),
    "top-secret-file-int": (S17 + "secrets:\n  s:\n    file: 5\n", 6),
    "top-volume-external-text": (S17 + "volumes:\n  v:\n    external: maybe\n", 6),
    "retries-text": (S17 + "    healthcheck:\n      test: [CMD, x]\n      retries: x\n", 6),
    "alias-bomb": (
        "x-a: &a [1,1,1,1,1,1,1,1,1,1]\n"
        + "".join(
            f"x-{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
            for p, n in zip("abcdef", "bcdefg", strict=True)
        )
        + S17,
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(TYPED_BOUNDARY))
def test_typed_boundary_refuses_at_the_line(tmp_path: Path, case: str) -> None:
    text, line = TYPED_BOUNDARY[case]
    (tmp_path / "compose.yaml").write_text(text)
    with pytest.raises(InputError) as info:
        load_project(LoadOptions(files=[str(tmp_path / "compose.yaml")], environ={}))
    assert info.value.location is not None
    assert info.value.location.file.endswith("compose.yaml")
    if line is not None:
        assert info.value.location.line == line, str(info.value)


def test_non_utf8_on_stdin_is_exit_2_with_the_line(monkeypatch, capsys) -> None:
    import io

    from kctl.cli.main import main

    class Stdin(io.StringIO):
        buffer = io.BytesIO(b"services:\n  a:\n    image: \xff\n")

    monkeypatch.setattr("sys.stdin", Stdin())
    assert main(["convert", "-f", "-"]) == 2
    assert "<stdin>:3" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("include: [missing.yaml]\nservices:\n  a:\n    image: x\n", 1),
        ("services:\n  a:\n    extends: {file: nope.yaml, service: b}\n", 3),
    ],
)
def test_a_missing_referenced_file_names_the_referring_line(tmp_path: Path, text, line) -> None:
    (tmp_path / "compose.yaml").write_text(text)
    with pytest.raises(InputError) as info:
        load_project(LoadOptions(files=[str(tmp_path / "compose.yaml")], environ={}))
    assert info.value.location is not None
    assert (info.value.location.file, info.value.location.line) == (
        str(tmp_path / "compose.yaml"),
        line,
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.sampled_from(list("AB_=:#'\"\\$ {}\n\t\r-.xé0")), max_size=40))
def test_any_env_file_text_is_read_or_refused_at_a_line(tmp_path: Path, text: str) -> None:
    """The dotenv parser never fails with anything but an InputError naming the file and line."""
    path = tmp_path / "app.env"
    path.write_text(text)
    try:
        values = parse_env_file(path, {"A": "shell"})
    except InputError as exc:
        assert exc.location is not None and exc.location.file == str(path)
        assert exc.location.line is not None and exc.location.line >= 1
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())


@pytest.mark.parametrize("mode", ["abc", '"0999"', "9999", "true"])
def test_a_secret_mode_that_is_no_file_mode_is_exit_2_at_its_line(
    tmp_path: Path, mode: str
) -> None:
    """docker-compose refuses non-octal strings too; a mode past 0777 is one Kubernetes refuses
    (a ValueError traceback before)."""
    from kctl.convert import ConvertOptions, convert_project

    (tmp_path / "s.txt").write_text("x\n")
    path = tmp_path / "compose.yaml"
    path.write_text(
        f"services:\n  web:\n    image: nginx\n    secrets: [{{source: s, mode: {mode}}}]\n"
        "secrets:\n  s:\n    file: ./s.txt\n"
    )
    with pytest.raises(InputError) as refused:
        convert_project(load_project(LoadOptions(files=[str(path)], environ={})), ConvertOptions())
    assert refused.value.location is not None and refused.value.location.line == 4


@pytest.mark.parametrize("section", ["volumes", "networks", "secrets", "configs"])
def test_top_level_labels_as_a_list_mean_what_docker_compose_says(
    tmp_path: Path, section: str
) -> None:
    """`labels: ["x=1", "y"]` on a top-level entry is x=1, y="" (docker-compose config); it was
    an AttributeError once the typed model read it (found by a fresh fuzz run)."""
    from kctl.convert import ConvertOptions, convert_project

    (tmp_path / "f.txt").write_text("x\n")
    use = {"volumes": "    volumes: [e:/d]\n", "networks": "    networks: [e]\n",
           "secrets": "    secrets: [e]\n", "configs": "    configs: [e]\n"}[section]  # fmt: skip
    source = "    file: ./f.txt\n" if section in ("secrets", "configs") else ""
    path = tmp_path / "compose.yaml"
    path.write_text(
        f"services:\n  web:\n    image: nginx\n{use}{section}:\n  e:\n{source}"
        '    labels: ["x=1", "y", 5]\n'
    )
    project = load_project(LoadOptions(files=[str(path)], environ={}))
    assert getattr(project, section)["e"]["labels"] == {"x": "1", "y": "", "5": ""}
    convert_project(project, ConvertOptions())
