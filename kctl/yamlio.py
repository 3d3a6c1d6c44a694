"""One place for YAML: loading with positions, dumping deterministically.

Loading uses ruamel.yaml's round-trip loader: every mapping and sequence remembers the line and
column of its keys and items (`location_of`), so errors can name file:line. Dumping uses PyYAML's
libyaml emitter when present (about 10x faster than a pure-Python emitter on large outputs):
block style, key order as given, no aliases, multi-line strings as literal blocks.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from kctl.errors import InputError, Location
from kctl.inputs import read_text

STDIN_NAME = "<stdin>"


def _round_trip() -> Any:
    from ruamel.yaml import YAML

    loader = YAML(typ="rt")
    loader.allow_duplicate_keys = False
    return loader


def _yaml_error(exc: Exception, filename: str) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {problem}"
    if context and context not in problem:
        message += f" ({context})"
    location = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
    return InputError(message, location=location)


def loads(text: str, filename: str = STDIN_NAME) -> Any:
    """Parse one YAML document, keeping positions. Empty input gives None."""
    with _parse_errors(filename):
        return _round_trip().load(text)


def loads_all(text: str, filename: str = STDIN_NAME) -> list[Any]:
    """Parse every document of a multi-document YAML stream, keeping positions."""
    with _parse_errors(filename):
        return list(_round_trip().load_all(text))


@contextlib.contextmanager
def _parse_errors(filename: str) -> Iterator[None]:
    """ruamel's errors as InputError at their file:line:column."""
    from ruamel.yaml.error import YAMLError

    try:
        yield
    except YAMLError as exc:
        raise _yaml_error(exc, filename) from None
    except RecursionError:
        raise InputError("YAML nested too deeply", location=Location(filename)) from None
    except (IndexError, ValueError, TypeError) as exc:  # ruamel's constructor on e.g. `+_`
        raise InputError(f"invalid YAML: {exc}", location=Location(filename)) from None


def load_all_fast(text: str, filename: str = STDIN_NAME) -> list[Any]:
    """Every non-empty document, parsed with libyaml (no positions kept: 10x ruamel's speed);
    duplicate keys refused; an error is located by re-reading with ruamel."""
    try:
        return [doc for doc in yaml.load_all(text, Loader=_strict_loader()) if doc is not None]
    except yaml.YAMLError as exc:
        loads_all(text, filename)  # raises InputError with the position
        # ruamel accepted what the safe loader cannot construct (e.g. a bare `=`, the value tag)
        mark = getattr(exc, "problem_mark", None)
        where = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"unsupported YAML: {problem}", location=where) from None


@functools.cache
def _strict_loader() -> Any:
    """PyYAML's (C) safe loader, refusing duplicate keys as the kubelet's decoder does:
    which of two values a file means is not kctl's guess to make."""
    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, (str, int, float, bool)):
                    continue
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"found duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
            return super().construct_mapping(node, deep)

    return StrictLoader


def load(path: Path) -> Any:
    """Read and parse a YAML file, keeping positions."""
    return loads(read_text(path), str(path))


def load_all(path: Path) -> list[Any]:
    """Read and parse a multi-document YAML file, keeping positions."""
    return loads_all(read_text(path), str(path))


def location_of(node: Any, filename: str, key: Any = None) -> Location:
    """Where a loaded mapping/sequence (or one of its keys/items) is, as a 1-based Location."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return Location(filename)
    try:
        if key is not None:
            if isinstance(node, Mapping):
                line, col = lc.key(key)
            else:
                line, col = lc.item(key)
        else:
            line, col = lc.line, lc.col
    except (KeyError, IndexError, TypeError, AttributeError):
        line, col = lc.line, lc.col
    return Location(filename, line + 1, col + 1)


class _Dumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


# Plain scalars a YAML 1.2 reader (ruamel, go-yaml v3) would not read back as strings; PyYAML
# only knows YAML 1.1's rules, so these are quoted explicitly (e.g. "0E0", "0o17").
_YAML12_NON_STRING = re.compile(
    r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|true|True|TRUE|false|False|FALSE|null|Null|NULL|~|)$"
)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escaped(char: re.Match[str]) -> str:
    """A lone surrogate as text: an undecodable byte of a file name (surrogateescape) as \\xNN."""
    code = ord(char.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if not value.isascii():  # YAML is Unicode text: names with undecodable bytes get escapes
        value = _SURROGATE.sub(_escaped, value)
    if "\n" in value and not any(c in value for c in "\r\t") and value == value.strip(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _YAML12_NON_STRING.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_mapping(dumper: yaml.SafeDumper, value: Mapping[Any, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", list(value.items()))


def _represent_sequence(dumper: yaml.SafeDumper, value: Iterable[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_multi_representer(dict, _represent_mapping)
_Dumper.add_multi_representer(list, _represent_sequence)
_Dumper.add_multi_representer(tuple, _represent_sequence)


def dump(data: Any, *, indent: int = 2) -> str:
    """Serialize one document: block style, key order kept, no aliases."""
    return dump_all([data], indent=indent, explicit_start=False)


def dump_all(documents: Iterable[Any], *, indent: int = 2, explicit_start: bool = True) -> str:
    """Serialize several documents separated by `---`."""
    documents = list(documents)
    if indent == 2:
        try:
            return _fast_dump_all(documents, explicit_start)
        except _NeedsPyYAMLError:
            pass
    return _pyyaml_dump_all(documents, indent=indent, explicit_start=explicit_start)


def _pyyaml_dump_all(documents: list[Any], *, indent: int, explicit_start: bool) -> str:
    return yaml.dump_all(
        documents,
        Dumper=_Dumper,
        indent=indent,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 16,
        explicit_start=explicit_start,
    )


# A fast writer for what kctl dumps (mappings, lists, strings, numbers, booleans, null) that
# writes exactly what PyYAML writes with the settings above (tests/test_yamlio.py compares the
# two on random documents). PyYAML's Python representer costs ~0.25 ms per Kubernetes object:
# on 1,500 objects that was 40% of a `kctl convert`. Scalars it cannot prove plain are
# rendered by PyYAML itself (memoized); shapes it does not know fall back to PyYAML whole.


class _NeedsPyYAMLError(Exception):
    """The fast writer meets something only PyYAML can render exactly."""


_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./@=+,:;-]*(?: [A-Za-z0-9_./@=+,:;-]+)*$")
# a decimal integer (YAML 1.1's int resolver): PyYAML single-quotes it to keep it a string;
# converted projects are full of them (ports, indexes, counts as environment values)
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_BREAKS = "\n\r\x85\u2028\u2029"
_YAML11_WORDS = frozenset(
    w
    for word in ("yes", "no", "true", "false", "on", "off", "null")
    for w in (word, word.capitalize(), word.upper())
)


# strings whose text does not depend on their column (plain, or quoted on one line) -> that
# text: a run writes the same names, labels and template expressions many times
_TEXT: dict[str, str] = {}


class Inline:
    """A line its caller writes: put where a value (or a key) of a block mapping goes, the
    fast writer asks `write(indent, lead, key)` for the text that stands where that
    `key: value` line would (lead is "- " on a sequence item's first key; key is the key as
    written, "" for an Inline key). Nothing in the data can be taken for one, as a marker
    string in the text could. The fast writer (dump_inline, dump_at) writes them; PyYAML
    cannot."""

    __slots__ = ("write",)

    def __init__(self, write: Callable[[str, str, str], str]) -> None:
        self.write = write


def dump_inline(data: dict[Any, Any]) -> str | None:
    """dump(data) with its Inline values and keys written by themselves; None when only
    PyYAML could write the data exactly (it knows nothing of Inline)."""
    return _written_at(data, 0)


def dump_at(data: dict[Any, Any], column: int) -> str | None:
    """dump(data) written at `column`, less that column's spaces on its first line and its
    last line break: what indenting every line of dump(data) but the first by `column` makes
    (blank lines stay empty). None when only PyYAML writes data exactly."""
    text = _written_at(data, column)
    return None if text is None else text[column:-1]


def _written_at(data: dict[Any, Any], column: int) -> str | None:
    """The fast writer's block mapping at `column` (None: only PyYAML writes it exactly)."""
    if not data:
        return None
    out: list[str] = []
    try:
        _write_mapping(data, column, out, None)
    except _NeedsPyYAMLError:
        return None
    return "".join(out)


def _fast_dump_all(documents: list[Any], explicit_start: bool) -> str:
    out: list[str] = []
    for document in documents:
        if not isinstance(document, dict) or not document:
            raise _NeedsPyYAMLError
        if explicit_start:
            out.append("---\n")
        _write_mapping(document, 0, out, None)
    return "".join(out)


_HEADS: dict[tuple[str, Any], str] = {}  # (indent, key) -> "  key:" (a manifest repeats them)


def _head(pad: str, key: Any) -> str:
    head = f"{pad}{_key(key)}:"
    if len(_HEADS) < 65536:  # bounded, as _TEXT: `kctl up` runs for hours
        _HEADS[(pad, key)] = head
    return head


def _write_mapping(mapping: dict[Any, Any], col: int, out: list[str], first: str | None) -> None:
    pad = " " * col
    for key, value in mapping.items():
        item = first  # the first key of a sequence item follows its "- "
        if item is not None:
            first = None
            if type(key) is Inline:
                out.append(key.write(item[:-2], "- ", "") + "\n")
                continue
            head = f"{item}{_key(key)}:"
        else:
            known = _HEADS.get((pad, key))
            if known is None:
                if type(key) is Inline:
                    out.append(key.write(pad, "", "") + "\n")
                    continue
                known = _head(pad, key)
            head = known
        kind = type(value)  # the common cases first, without the generic dispatch
        if kind is str:
            text = _TEXT.get(value)
            out.append(f"{head} {text}" if text else f"{head} {_scalar(value, col + 2)}")
        elif kind is dict and value:
            out.append(head + "\n")
            _write_mapping(value, col + 2, out, None)
        elif kind is list and value:  # a sequence in a mapping starts at its key's column
            out.append(head + "\n")
            _write_sequence(value, col, out, None)
        elif kind is Inline:
            if item is None:
                out.append(value.write(pad, "", _key(key)) + "\n")
            else:
                out.append(value.write(item[:-2], "- ", _key(key)) + "\n")
        else:
            _write_value(value, col, head, out, indentless=True)


def _write_sequence(items: list[Any], col: int, out: list[str], first: str | None) -> None:
    pad = " " * col
    lead = pad if first is None else first
    for item in items:
        if type(item) is dict and item:
            _write_mapping(item, col + 2, out, f"{lead}- ")
        else:
            _write_value(item, col, f"{lead}-", out, indentless=False)
        lead = pad


def _write_value(value: Any, col: int, head: str, out: list[str], *, indentless: bool) -> None:
    """`head` (a `key:` or `-`) and its value; col is the column where head starts."""
    if isinstance(value, dict):
        if not value:
            out.append(f"{head} {{}}\n")
        elif indentless:
            out.append(head + "\n")
            _write_mapping(value, col + 2, out, None)
        else:
            _write_mapping(value, col + 2, out, head + " ")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append(f"{head} []\n")
        elif indentless:  # a sequence in a mapping starts at its key's column
            out.append(head + "\n")
            _write_sequence(list(value), col, out, None)
        else:
            _write_sequence(list(value), col + 2, out, head + " ")
    else:
        out.append(f"{head} {_scalar(value, col + 2)}")


@functools.lru_cache(maxsize=4096, typed=True)  # a manifest repeats a few dozen keys
def _key(key: Any) -> str:
    # PyYAML writes a complex key (`? key`) for long or multi-line keys
    if not isinstance(key, str) or len(key) >= 128 or any(c in key for c in _BREAKS):
        raise _NeedsPyYAMLError
    text = _scalar(key, 0)
    if "\n" in text[:-1]:
        raise _NeedsPyYAMLError
    return text[:-1]


def _scalar(value: Any, content_col: int) -> str:
    """The text of a scalar (ending in a newline); block scalars indented at content_col."""
    if value is None:
        return "null\n"
    if value is True:
        return "true\n"
    if value is False:
        return "false\n"
    if isinstance(value, int):
        return f"{value}\n"
    if isinstance(value, float):  # not memoized: 0.0 == -0.0 would share a cache entry
        return _pyyaml_scalar.__wrapped__(value)  # a float is one plain line (1.5, .inf)
    if not isinstance(value, str):
        raise _NeedsPyYAMLError
    text = _string(value)
    if text is not None:
        if len(_TEXT) < 65536:
            _TEXT[value] = text
        return text
    header, _, body = _pyyaml_scalar(value).partition("\n")  # a block scalar: | or >
    if "+" in header:
        raise _NeedsPyYAMLError  # keep-chomping leaves the document open ("..."): PyYAML's call
    pad = " " * content_col
    lines = [pad + line[2:] if line else "" for line in body.split("\n")[:-1]]
    return header + "\n" + "".join(line + "\n" for line in lines)


def _string(value: str) -> str | None:
    """A string's text when it does not depend on the column (None: a block scalar)."""
    plain = _PLAIN.fullmatch(value) and ": " not in value and not value.endswith(":")
    if plain and value not in _YAML11_WORDS:
        return value + "\n"
    if _DECIMAL.fullmatch(value):
        return f"'{value}'\n"
    rendered = _pyyaml_scalar(value)
    if rendered[0] in "|>":
        return None
    if any(c in rendered[:-1] for c in _BREAKS):
        raise _NeedsPyYAMLError  # a quoted scalar over several lines: indentation is PyYAML's
    return rendered


@functools.lru_cache(maxsize=65536)
def _pyyaml_scalar(value: str | float) -> str:
    """PyYAML's text for one scalar (memoized for strings: a run repeats many)."""
    text = yaml.dump(
        value, Dumper=_Dumper, default_flow_style=False, allow_unicode=True, width=1 << 16
    )
    # the document-end marker is a line of its own; a block scalar's last line may be "..."
    return text[:-4] if text.endswith("\n...\n") else text
