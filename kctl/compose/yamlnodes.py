"""YAML → plain values plus a location for every key, via libyaml's node tree (fast).

Scalars resolve like compose-go (YAML 1.2 core schema): `yes`/`on` stay strings. `!reset` and
`!override` tags become marker objects the merge step understands. Merge keys `<<` are applied.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from msgspec import Struct

from kctl.errors import InputError, Location

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_OCT = re.compile(r"^0o[0-7]+$")
_OCT_LEGACY = re.compile(r"^0[0-7]+$")  # go-yaml still reads 0755 as octal
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS: dict[str, str] = {}


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, with its implicit-tag resolution remembered per distinct plain scalar:
    libyaml calls back into Python's resolver for every node (a quarter of composing a large
    file), and a Compose file repeats the same keys and values many times. Tags are exactly
    the safe loader's; there are no path resolvers to descend into."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode:
            return str(super().resolve(kind, value, implicit))
        if not implicit[0]:
            return _STR
        tag = _PLAIN_TAGS.get(value)
        if tag is None:
            tag = str(super().resolve(kind, value, implicit))
            if len(_PLAIN_TAGS) < 65536:
                _PLAIN_TAGS[value] = tag
        return tag


Path_ = tuple[Any, ...]


class Reset(Struct, frozen=True):
    """`!reset`: remove the value inherited from earlier files."""

    value: Any


class Override(Struct, frozen=True):
    """`!override`: replace the inherited value instead of merging."""

    value: Any


def _scalar(node: yaml.ScalarNode) -> Any:
    text = node.value
    if node.style in ("'", '"', "|", ">"):  # quoted, literal or folded: always a string
        return text
    if node.tag not in (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    ):
        return text
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    if _OCT_LEGACY.match(text):
        return int(text[1:], 8)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if text in (".inf", ".Inf", ".INF", "+.inf"):
        return float("inf")
    if text in ("-.inf", "-.Inf", "-.INF"):
        return float("-inf")
    if text in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text


_ALIAS_BUDGET = 100_000


class _Builder:
    def __init__(self, filename: str, anchors: bool) -> None:
        self.filename = filename
        self.locations: dict[Path_, Location] = {}
        self.depth = 0
        # Aliases are counted only where the text can hold an anchor (`&`): without one no
        # value is built twice, and the count and node set cost a tenth of building.
        self.anchors = anchors
        self.built = 0  # values built, aliases counted each time they are expanded
        self.nodes: set[int] = set()  # distinct nodes of the document

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.filename, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if self.anchors:
            self.built += 1
            self.nodes.add(id(node))
            if self.built > _ALIAS_BUDGET:
                self._check_aliasing(node)
        if type(node) is yaml.ScalarNode and node.tag[0] != "!" and self.depth < 200:
            # most nodes: an untagged scalar (no nesting to track, no !reset/!override)
            return _scalar(node)
        self.depth += 1
        if self.depth > 200:
            raise InputError("YAML nested too deeply", location=self.loc(node))
        try:
            value = self._build(node, path)
        finally:
            self.depth -= 1
        if node.tag == "!reset":
            return Reset(value)
        if node.tag == "!override":
            return Override(value)
        return value

    def _check_aliasing(self, node: yaml.Node) -> None:
        # as compose-go (yaml.v3): anchors that expand to far more values than the document
        # holds are refused, not expanded for minutes ("billion laughs")
        if self.built > 10 * len(self.nodes):
            raise InputError(
                f"excessive aliasing: YAML anchors expand to more than {self.built:,} values",
                location=self.loc(node),
                hint="an anchor (&) reused by many aliases (*) nests; write the values out",
            )

    def _build(self, node: yaml.Node, path: Path_) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if node.tag in ("!reset", "!override"):
                return None if node.value == "" else node.value
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            merged: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or (
                    isinstance(key_node, yaml.ScalarNode)
                    and key_node.value == "<<"
                    and key_node.style is None
                ):
                    sources = (
                        value_node.value
                        if isinstance(value_node, yaml.SequenceNode)
                        else [value_node]
                    )
                    for source in reversed(sources):
                        built = self.build(source, path)
                        if not isinstance(built, dict):
                            raise InputError(
                                "merge key << needs a mapping", location=self.loc(value_node)
                            )
                        merged.update(built)
                    continue
                key = self.build(key_node, path)
                if isinstance(key, (dict, list)):
                    raise InputError("a mapping key must be a scalar", location=self.loc(key_node))
                if key in result:
                    raise InputError(f"duplicate key {key!r}", location=self.loc(key_node))
                self.locations[(*path, key)] = self.loc(key_node)
                result[key] = self.build(value_node, (*path, key))
            for key, value in merged.items():
                result.setdefault(key, value)
            return result
        raise InputError("unsupported YAML node", location=self.loc(node))


def load(text: str, filename: str) -> tuple[Any, dict[Path_, Location]]:
    """Parse one YAML document: (value, {key path: location})."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
        raise InputError(f"invalid YAML: {exc.problem or exc.context}", location=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", location=Location(filename)) from None
    except RecursionError:
        raise InputError("YAML nested too deeply", location=Location(filename)) from None
    if node is None:
        return None, {}
    builder = _Builder(filename, anchors="&" in text)
    return builder.build(node, ()), builder.locations
