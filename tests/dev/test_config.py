"""kctl.toml / draft.toml: environments, precedence, errors with file:line, comment-keeping writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl.cli.main import main
from kctl.dev.config import load_environment, save_environment
from kctl.errors import ExitCode, InputError

KCTL_TOML = """\
# my app, my comments
[environments.development]
name = "shop"
namespace = "dev"   # the team namespace
registry = "127.0.0.1:5000"
target = "local"
chart = "charts/shop"
build-args = { VERSION = "1.2", DEBUG = true }
set = ["replicaCount=1"]
port-forward = ["18080:8080", "9000"]
watch-delay = 0.5

[environments.staging]
name = "shop"
target = "helm"
registry = "registry.example:5000"
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "kctl.toml").write_text(KCTL_TOML)
    return tmp_path


@pytest.mark.unit
def test_development_is_the_default_environment(app: Path) -> None:
    env = load_environment(app)
    assert env.env == "development"
    assert (env.name, env.namespace, env.registry, env.target) == (
        "shop",
        "dev",
        "127.0.0.1:5000",
        "local",
    )
    assert env.build_args == {"VERSION": "1.2", "DEBUG": "true"}
    assert env.port_forward == [(18080, 8080), (9000, 9000)]
    assert env.watch_delay == 0.5 and env.watch is True
    assert env.chart == app.resolve() / "charts/shop"
    assert env.state_dir == app.resolve() / ".kctl" / "development"


@pytest.mark.unit
def test_flags_and_variables_override_the_file(app: Path) -> None:
    env = load_environment(app, "staging", {"registry": "127.0.0.1:5001", "target": None})
    assert env.registry == "127.0.0.1:5001"  # override
    assert env.target == "helm"  # None means "not given": the file wins
    assert env.watch_delay == 0.3  # default


@pytest.mark.unit
def test_build_args_and_set_flags_merge_with_the_file(app: Path) -> None:
    env = load_environment(
        app, None, {"build-args": {"DEBUG": "false", "EXTRA": "1"}, "set": ["replicaCount=2"]}
    )
    assert env.build_args == {"VERSION": "1.2", "DEBUG": "false", "EXTRA": "1"}
    assert env.set_values == ["replicaCount=1", "replicaCount=2"]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[environments.development]\nnmae = 'x'\n", 2, "unknown key `nmae`"),
        ("[environments.development]\nname = 'x'\nwatch = 'yes'\n", 3, "must be a bool"),
        ("[environments.development]\nport-forward = ['80:x']\n", 2, "LOCAL:CONTAINER"),
        ("[environments.development]\ntarget = 'k8s'\n", 2, "unknown target"),
        ("[environments.development]\nwatch-delay = -1\n", 2, "must be positive"),
        ("[environments.development]\nname = 'x'\ntimeout = inf\n", 3, "finite seconds"),
        ("[environments.development]\nwatch-delay = nan\n", 2, "finite seconds"),
        ("[environments.development]\nregistry = 'a b'\n", 2, "not a host"),
        ("[environments.development]\nregistry = 'https://r.io'\n", 2, "not a host"),
        ("[environments.development]\nname = \n", 2, "invalid TOML"),
        ("[environments]\ndevelopment = 1\n", 1, "must hold tables"),
    ],
)
def test_bad_config_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    (tmp_path / "kctl.toml").write_text(text)
    with pytest.raises(InputError, match=message) as err:
        load_environment(tmp_path)
    assert err.value.location is not None
    assert err.value.location.file.endswith("kctl.toml")
    assert err.value.location.line == line


@pytest.mark.unit
def test_unknown_environment_suggests_the_close_one(app: Path) -> None:
    with pytest.raises(InputError, match="no environment 'stagin'") as err:
        load_environment(app, "stagin")
    assert err.value.hint == "did you mean 'staging'?"


@pytest.mark.unit
def test_draft_toml_is_read_too(tmp_path: Path) -> None:
    (tmp_path / "draft.toml").write_text(
        "[environments]\n  [environments.development]\n    name = 'legacy'\n"
        "    namespace = 'default'\n    wait = true\n    watch = false\n"
        "    watch-delay = 2\n    override-ports = ['8080:8080']\n"
    )
    env = load_environment(tmp_path)
    assert (env.name, env.watch, env.watch_delay) == ("legacy", False, 2.0)
    assert env.port_forward == [(8080, 8080)]
    assert any("`wait`" in w and "draft.toml:5" in w for w in env.warnings)


@pytest.mark.unit
def test_save_keeps_comments_and_other_tables(app: Path) -> None:
    save_environment(app / "kctl.toml", "development", {"registry": "127.0.0.1:6000"})
    text = (app / "kctl.toml").read_text()
    assert "# my app, my comments" in text and "# the team namespace" in text
    assert 'registry = "127.0.0.1:6000"' in text
    assert "[environments.staging]" in text
    assert load_environment(app).registry == "127.0.0.1:6000"


@pytest.mark.unit
def test_save_refuses_to_rewrite_a_broken_file(tmp_path: Path) -> None:
    broken = "[environments.development\nname = 'x'\n"
    (tmp_path / "kctl.toml").write_text(broken)
    with pytest.raises(InputError):
        save_environment(tmp_path / "kctl.toml", "development", {"registry": "x:1"})
    assert (tmp_path / "kctl.toml").read_text() == broken


@pytest.mark.unit
def test_cli_bad_config_exits_2_with_location_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kctl.toml").write_text("[environments.development]\nname = 'x'\nwatch = 3\n")
    before = sorted(os.listdir(tmp_path))
    code = main(["up", str(tmp_path), "--once"])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert "kctl.toml:3" in err and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == before  # no .kctl/, no temp files


@pytest.mark.unit
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_config_or_a_clean_input_error(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "kctl.toml").write_bytes(b"[environments.development]\n" + data)
    try:
        load_environment(tmp_path)
    except InputError as exc:
        assert exc.location is not None and exc.location.file.endswith("kctl.toml")


@pytest.mark.unit
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["name", "watch", "watch-delay", "port-forward", "set", "timeout", "x"]),
        st.one_of(
            st.integers(-5, 70000),
            st.booleans(),
            st.text(max_size=8),
            st.lists(st.text(max_size=6), max_size=2),
        ),
        max_size=4,
    )
)
def test_any_typed_values_are_accepted_or_located(tmp_path: Path, table: dict[str, object]) -> None:
    import tomlkit

    doc = tomlkit.document()
    doc["environments"] = {"development": table}
    (tmp_path / "kctl.toml").write_text(tomlkit.dumps(doc))
    try:
        load_environment(tmp_path)
    except InputError as exc:
        assert exc.location is not None and exc.location.line is not None


@pytest.mark.unit
def test_cli_save_writes_merged_flags_and_keeps_comments(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # no Dockerfile: the cycle stops at once (exit 2), after the flags were saved
    code = main(
        ["up", str(app), "--once", "--save", "--registry", "127.0.0.1:6001", "--build-arg", "X=1"]
    )
    assert code == ExitCode.USAGE and "no Dockerfile" in capsys.readouterr().err
    text = (app / "kctl.toml").read_text()
    assert "# my app, my comments" in text and "# the team namespace" in text
    env = load_environment(app)
    assert env.registry == "127.0.0.1:6001"
    assert env.build_args == {"VERSION": "1.2", "DEBUG": "true", "X": "1"}  # merged, not replaced


@pytest.mark.unit
def test_cli_save_refuses_to_shadow_a_draft_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "draft.toml").write_text("[environments.development]\nname = 'legacy'\n")
    code = main(["up", str(tmp_path), "--once", "--save", "--registry", "127.0.0.1:6001"])
    assert code == ExitCode.USAGE and "draft.toml" in capsys.readouterr().err
    assert not (tmp_path / "kctl.toml").exists()


@pytest.mark.unit
def test_cli_save_creates_a_new_environment_from_the_default_one(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: `kctl up -e staging --registry ghcr.io/me --save` (here `qa`, a new one)
    code = main(["up", str(app), "-e", "qa", "--once", "--save", "--registry", "127.0.0.1:6002"])
    assert code == ExitCode.USAGE and "no Dockerfile" in capsys.readouterr().err
    qa = load_environment(app, "qa")
    assert (qa.name, qa.namespace, qa.registry) == ("shop", "dev", "127.0.0.1:6002")
    assert qa.port_forward == [(18080, 8080), (9000, 9000)]  # copied from development
    assert load_environment(app).registry == "127.0.0.1:5000"  # development untouched
    assert "# my app, my comments" in (app / "kctl.toml").read_text()
    # without --save an unknown environment is still a typo to report
    with pytest.raises(InputError, match="no environment 'prod'"):
        load_environment(app, "prod")


@pytest.mark.unit
@pytest.mark.parametrize("registry", ["localhost:5000", "ghcr.io/my-org", "[::1]:5000/team/app"])
def test_registry_may_carry_a_path(tmp_path: Path, registry: str) -> None:
    (tmp_path / "kctl.toml").write_text(f"[environments.development]\nregistry = '{registry}'\n")
    assert load_environment(tmp_path).registry == registry
