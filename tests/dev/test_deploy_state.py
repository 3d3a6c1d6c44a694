"""The state `kctl down` reads is a typed record: what kctl wrote reads back the same, and a
file kctl did not write (edited, truncated, another tool's) is "nothing known", never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kctl.cli.main import main
from kctl.dev.deploy import STATE_FILE, DeployState, load_state, save_state

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(["target", "release", "namespace", "manifest", "endpoints", "running"])


@pytest.mark.unit
def test_state_reads_back_as_written(tmp_path: Path) -> None:
    state = DeployState(
        "local", "hello", manifest="/m.yaml", endpoints=("http://127.0.0.1:8080",), running=("i",)
    )
    save_state(tmp_path / ".kctl" / "development", state)
    assert load_state(tmp_path / ".kctl" / "development") == state
    assert (tmp_path / ".kctl" / ".gitignore").read_text().endswith("*\n")


@pytest.mark.unit
@given(st.dictionaries(KEYS, JSON) | JSON)
def test_any_json_is_a_state_or_nothing(data: object) -> None:
    state = DeployState.from_json(json.dumps(data))
    if state is not None:
        assert state.target in ("local", "helm") and state.release
        assert all(isinstance(e, str) for e in state.endpoints + state.running)


@pytest.mark.unit
@pytest.mark.parametrize(
    "text",
    [
        '{"target": "local", "release": ["x"]}',
        '{"target": "k8s", "release": "x"}',
        '{"target": "helm", "release": "x", "namespace": 5}',
        '{"target": "helm"',
        "\xff",
    ],
)
def test_kctl_down_with_a_state_it_did_not_write_removes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    state_dir = tmp_path / ".kctl" / "development"
    state_dir.mkdir(parents=True)
    (state_dir / STATE_FILE).write_text(text, encoding="latin-1")
    code = main(["down", str(tmp_path)])
    assert code == 0
    assert "nothing deployed" in capsys.readouterr().err
