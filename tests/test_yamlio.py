"""YAML loading keeps positions and fails cleanly; dumping is deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctl import yamlio
from kctl.errors import InputError

pytestmark = pytest.mark.unit


def test_positions_of_keys_and_items() -> None:
    doc = yamlio.loads("a: 1\nb:\n  - x\n  - y: 2\n", "f.yaml")
    assert str(yamlio.location_of(doc, "f.yaml", "b")) == "f.yaml:2:1"
    assert str(yamlio.location_of(doc["b"], "f.yaml", 1)) == "f.yaml:4:5"


def test_malformed_yaml_names_file_line_column() -> None:
    with pytest.raises(InputError) as err:
        yamlio.loads("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml")
    assert err.value.location is not None
    assert err.value.location.file == "bad.yaml"
    assert err.value.location.line in (3, 4)
    assert str(err.value).startswith("bad.yaml:")


def test_duplicate_keys_are_an_error() -> None:
    with pytest.raises(InputError) as err:
        yamlio.loads("a: 1\na: 2\n", "dup.yaml")
    assert err.value.location is not None and err.value.location.line == 2


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputError) as err:
        yamlio.load(path)
    assert str(err.value).startswith(f"{path}:2: not valid UTF-8")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        yamlio.load(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        yamlio.load(tmp_path)


def test_empty_file_is_none(tmp_path: Path) -> None:
    (tmp_path / "e.yaml").write_text("")
    assert yamlio.load(tmp_path / "e.yaml") is None


def test_dump_is_block_style_ordered_and_alias_free() -> None:
    shared = {"k": "v"}
    text = yamlio.dump({"z": 1, "a": [shared, shared], "s": "line1\nline2\n", "n": None})
    assert text == ("z: 1\na:\n- k: v\n- k: v\ns: |\n  line1\n  line2\nn: null\n")
    assert "&" not in text and "*" not in text


def test_dump_all_multi_document_and_indent() -> None:
    text = yamlio.dump_all([{"a": {"b": 1}}, {"c": 2}], indent=4)
    assert text == "---\na:\n    b: 1\n---\nc: 2\n"


def test_dump_quotes_ambiguous_strings() -> None:
    data = {
        "a": "yes",
        "b": "1.0",
        "c": "null",
        "d": "",
        "e": "on",
        "f": "0755",
        "g": "0E0",
        "h": "0o17",
        "i": "1e5",
        "j": ".inf",
        "k": "TRUE",
        "l": "~",
        "m": "0x1F",
    }
    assert yamlio.loads(yamlio.dump(data)) == data


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.floats(allow_nan=False, allow_infinity=False),
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_dump_then_load_round_trips(data) -> None:
    assert yamlio.loads(yamlio.dump(data)) == data
    assert yamlio.dump(data) == yamlio.dump(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_load_or_fail_with_input_error(tmp_path_factory, blob: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_bytes(blob)
    try:
        yamlio.load(path)
    except InputError as err:
        assert err.location is not None and err.location.file == str(path)


_SCALAR_TEXT = st.one_of(
    st.sampled_from(
        ["x", "a b", "a: b", "a:b", "http://h:80/p", "on", "No", "null", "~", "", " x", "x ",
         "1.5", "0o17", "-x", "#x", "a #b", "l1\nl2", "l1\nl2\n", "l1\n\n", "\nx", "t \nx",
         "é", "a,b", "x=y", "/p/q", "_x", "x" * 130, "@x", "x\ty", "<<", "=", "a\u2028b", "x=1\n", "abc\n", "a b\n",
         "...\n", "a\n...\n", "...", "---\n", "0", "7", "123", "0123", "089", "00", "1_000", "+1",
         "a;b", "a; b", ";a", "a;", "x #;", "until nc -z db 5432; do sleep 1; done", "a ;b"]
    ),
    st.text(max_size=12),
)  # fmt: skip
_SCALARS = st.one_of(
    _SCALAR_TEXT,
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, 1e20, -1.5]),
)
_KEYS = st.one_of(_SCALAR_TEXT, st.sampled_from(["apiVersion", "kind", "metadata", "spec"]))
_NODES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.dictionaries(_KEYS, _NODES, min_size=1, max_size=5), min_size=1, max_size=3))
def test_fast_writer_writes_what_pyyaml_writes(documents) -> None:
    """The fast writer is an optimisation only: byte for byte PyYAML's output, or PyYAML's."""
    expected = yamlio._pyyaml_dump_all(documents, indent=2, explicit_start=True)
    assert yamlio.dump_all(documents) == expected


def test_a_block_scalar_ending_in_a_dots_line_keeps_it() -> None:
    """ "...\\n" is a block scalar whose only line is "..."; only a document-end marker on a line
    of its own may be dropped (found by the round-trip property test)."""
    for value in ("...\n", "a\n...\n", "x"):
        text = yamlio.dump({"k": value})
        assert yamlio.loads(text) == {"k": value}
        assert text == yamlio._pyyaml_dump_all([{"k": value}], indent=2, explicit_start=False)
