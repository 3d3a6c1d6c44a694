"""What values mean and how they are laid out: comments for values.yaml, the JSON schema, the
README table, the order of a component's keys and the merge of user overrides."""

from __future__ import annotations

import copy
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from kctl.plaindata import json_indented

COMMENTS: dict[str, str] = {
    "image": "Container image: repository, tag (and digest), pullPolicy.",
    "replicaCount": "Number of pods (ignored while autoscaling is enabled).",
    "service": "Service type (ClusterIP, NodePort, LoadBalancer) and ports.",
    "env": "Environment variables of the main container.",
    "resources": "CPU/memory requests and limits of the main container.",
    "livenessProbe": "Liveness probe of the main container.",
    "readinessProbe": "Readiness probe of the main container.",
    "startupProbe": "Startup probe of the main container.",
    "persistence": "Persistent volume claims; enabled=false mounts emptyDir volumes instead.",
    "ingress": "Ingress: enabled, className, annotations, hosts/rules and tls.",
    "autoscaling": "HorizontalPodAutoscaler: enabled, minReplicas, maxReplicas, CPU target.",
    "nodeSelector": "Node labels the pods must run on.",
    "tolerations": "Taints the pods tolerate.",
    "affinity": "Pod affinity and anti-affinity rules.",
    "podAnnotations": "Annotations added to the pods.",
    "podSecurityContext": "Security context of the pods.",
    "securityContext": "Security context of the main container.",
    "serviceAccount": "Name of the service account the pods run as (empty: the default).",
    "enabled": "Turn this feature on or off.",
    "repository": "Image repository.",
    "tag": "Image tag (empty: none).",
    "digest": "Image digest (sha256:...), pins the exact image.",
    "pullPolicy": "Image pull policy (empty: the cluster default).",
    "type": "Service type.",
    "ports": "Service ports.",
    "size": "Requested storage size.",
    "storageClass": "Storage class (empty: the cluster default).",
    "accessModes": "Volume access modes.",
    "className": "Ingress class name (empty: the cluster default).",
    "annotations": "Ingress annotations.",
    "hosts": "Ingress hosts and paths.",
    "rules": "Ingress rules.",
    "tls": "Ingress TLS settings.",
    "servicePort": "Service port the ingress sends traffic to.",
    "minReplicas": "Fewest pods the autoscaler keeps.",
    "maxReplicas": "Most pods the autoscaler starts.",
    "targetCPUUtilizationPercentage": "Average CPU utilization the autoscaler aims for.",
    "name": "Name.",
    "nameOverride": "Replaces the chart name in labels.",
    "fullnameOverride": "When set, every object is named <fullnameOverride>-<name>.",
    "sharedPersistence": "Volumes mounted by several services.",
}

# Values whose content is free-form Kubernetes data: typed, not constrained key by key.
FREE_FORM = {
    "env",
    "resources",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "nodeSelector",
    "tolerations",
    "affinity",
    "podAnnotations",
    "podSecurityContext",
    "securityContext",
    "annotations",
    "rules",
    "tls",
    "hosts",
    "ports",
    "accessModes",
}


_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def _type(value: Any) -> str | list[str]:
    kind = _TYPES.get(type(value))
    if kind is not None:  # plain data: its JSON schema type at once
        return kind
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return ["string", "number", "boolean", "object", "array", "null"]


def _schema(key: str, value: Any) -> dict[str, Any]:
    if key == "tag":  # `--set x.image.tag=1.2` arrives as a number
        return {"type": ["string", "number"], "description": COMMENTS["tag"]}
    schema: dict[str, Any] = {"type": _type(value)}
    if key in COMMENTS:
        schema["description"] = COMMENTS[key]
    if isinstance(value, dict) and key not in FREE_FORM:
        schema["properties"] = {k: _schema(k, v) for k, v in value.items()}
        schema["additionalProperties"] = False
    return schema


def values_schema(values: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema of the values: Helm checks `--set` and values files against it. Blocks
    with the same schema (components of similar services) share one definition, named after
    the first of them, which each refers to."""
    keys = _ids(
        {key: _schema_key(key, block) for key, block in values.items() if _block(key, block)}
    )
    return _outline(values, keys, lambda key: _schema(key, values[key]))


def _ids(keys: Mapping[str, tuple[Any, ...]]) -> dict[str, int]:
    """Each block's _schema_key as a number (equal keys, equal numbers): a key is a deep tuple,
    whose hash Python works out again on every lookup."""
    numbers: dict[tuple[Any, ...], int] = {}
    return {key: numbers.setdefault(shape, len(numbers)) for key, shape in keys.items()}


def _block(key: str, value: Any) -> bool:
    """Whether value's schema lists its keys (a mapping, neither free-form nor `tag`)."""
    return isinstance(value, dict) and key not in FREE_FORM and key != "tag"


def _reference(name: str) -> dict[str, str]:
    """A reference to the definition called name."""
    return {"$ref": "#/definitions/" + name.replace("~", "~0").replace("/", "~1")}  # RFC 6901


def _outline(
    values: dict[str, Any],
    keys: Mapping[str, int],
    block_schema: Callable[[str], Any],
    reference: Callable[[str], Any] = _reference,
) -> dict[str, Any]:
    """The schema: a block whose schema (keys[key], _ids) no other block has is block_schema(key)
    where it stands; blocks that share one are reference(the first of them), whose
    block_schema is a definition."""
    counts = Counter(keys.values())
    first: dict[int, str] = {}
    properties: dict[str, Any] = {}
    definitions: dict[str, Any] = {}
    for key, value in values.items():
        shape = keys.get(key)
        if shape is None:
            properties[key] = _schema(key, value)
        elif counts[shape] == 1:
            properties[key] = block_schema(key)
        else:
            name = first.setdefault(shape, key)
            if name == key:
                definitions[key] = block_schema(key)
            properties[key] = reference(name)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": properties,
    }
    if definitions:
        schema["definitions"] = definitions
    return schema


def values_schema_json(
    values: dict[str, Any], shapes: Mapping[str, list[tuple[str, str]]] | None = None
) -> str:
    """json_indented(values_schema(values)), each distinct block schema written once and
    spliced in where a placeholder string stands. shapes[key][i], when given, stands for the
    i-th key and value of block `key` (equal shapes, equal values)."""
    nonce = os.urandom(8).hex()  # what secrets.token_hex(8) makes, without importing it
    parts: dict[tuple[str, str], tuple[Any, ...]] = {}  # an item's shape -> its _schema_key
    shape_keys: dict[str, tuple[Any, ...]] = {}
    for key, block in values.items():
        if _block(key, block):
            if shapes is not None and key in shapes:
                shape_keys[key] = _block_key(key, block, shapes[key], parts)
            else:
                shape_keys[key] = _schema_key(key, block)
    keys = _ids(shape_keys)
    spliced: dict[str, str] = {}  # a placeholder as JSON text -> the indented text it stands for
    references: dict[str, str] = {}  # a definition's name -> the placeholder of a reference to it

    def placeholder(schema: dict[str, Any]) -> str:
        # at depth 2 (a property or a definition): every line break of the block gains 4 spaces
        name = f"kctl-schema-{nonce}-{len(spliced)}"
        spliced[encode_basestring_ascii(name)] = json_indented(schema).replace("\n", "\n    ")
        return name

    def reference(name: str) -> str:
        if name not in references:
            references[name] = placeholder(_reference(name))
        return references[name]

    schema = _outline(values, keys, lambda key: placeholder(_schema(key, values[key])), reference)
    outline = json_indented(schema)
    return re.sub(rf'"kctl-schema-{nonce}-\d+"', lambda m: spliced[m.group(0)], outline)


def _block_key(
    key: str,
    block: dict[str, Any],
    shapes: list[tuple[str, str]],
    parts: dict[tuple[str, str], tuple[Any, ...]],
) -> tuple[Any, ...]:
    """_schema_key(key, block) of a block (not free-form, not `tag`), each item's part made
    once per shape."""
    items = []
    for (item, value), shape in zip(block.items(), shapes, strict=True):
        part = parts.get(shape)
        if part is None:
            part = parts[shape] = _schema_key(item, value)
        items.append((item, part))
    return (COMMENTS.get(key), "object", tuple(items))


def _schema_key(key: str, value: Any) -> tuple[Any, ...]:
    """Everything _schema(key, value) depends on but the key's own name (which is not in its
    text): equal keys, equal schemas."""
    if key == "tag":
        return ("tag",)
    kind = _type(value)
    head = (COMMENTS.get(key), kind if isinstance(kind, str) else "any")
    if isinstance(value, dict) and key not in FREE_FORM:
        return (*head, tuple((k, _schema_key(k, v)) for k, v in value.items()))
    return head


Row = tuple[str, str, str, str]  # a README values row: key, type, default (JSON), description


def readme_rows(values: dict[str, Any], prefix: str = "") -> list[Row]:
    """Rows of the chart README's values table (free-form values stay one row): key, type,
    default (as JSON) and description."""
    rows: list[Row] = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and key not in FREE_FORM:
            rows.extend(readme_rows(value, path + "."))
            continue
        kind = _type(value)
        rows.append(
            (
                path,
                kind if isinstance(kind, str) else "any",
                _json_default(value).replace("|", "\\|"),
                COMMENTS.get(key, ""),
            )
        )
    return rows


_ENCODER = json.JSONEncoder(sort_keys=True)  # what json.dumps(value, sort_keys=True) builds
# the C encoder that _ENCODER.encode makes on every call, made once (without the check for
# circular references: plain data from converted objects holds none)
_C_ENCODE = (
    c_make_encoder(
        None, _ENCODER.default, encode_basestring_ascii, None, ": ", ", ", True, False, True
    )
    if c_make_encoder is not None
    else None
)
_JSON_WORDS = {True: "true", False: "false", None: "null"}


def _json_default(value: Any) -> str:
    """json.dumps(value, sort_keys=True), with the commonest defaults (strings, booleans,
    integers, empty blocks) written as it writes them without its per-call set-up."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is bool or value is None:
        return _JSON_WORDS[value]
    if kind is int:
        return int.__repr__(value)
    if (kind is dict or kind is list) and not value:
        return "{}" if kind is dict else "[]"
    if _C_ENCODE is None:
        return str(_ENCODER.encode(value))
    return "".join(_C_ENCODE(value, 0))


_ORDER = [
    "image",
    "replicaCount",
    "service",
    "env",
    "resources",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "persistence",
    "ingress",
    "autoscaling",
    "nodeSelector",
    "tolerations",
    "affinity",
    "podAnnotations",
    "podSecurityContext",
    "securityContext",
    "serviceAccount",
]


_RANK = {key: i for i, key in enumerate(_ORDER)}


_ORDERS: dict[tuple[str, ...], list[str]] = {}  # a block's keys -> them in values.yaml's order


def ordered(values: dict[str, Any]) -> dict[str, Any]:
    """A component's values in the order values.yaml shows them (unknown keys last, by name);
    the order of a set of keys is found once (components mostly have the same keys)."""
    keys = tuple(values)
    order = _ORDERS.get(keys)
    if order is None:
        last = len(_RANK)
        order = sorted(keys, key=lambda key: (_RANK.get(key, last), key))
        if len(_ORDERS) < 1024:
            _ORDERS[keys] = order
    return {key: values[key] for key in order}


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> None:
    """Merge `override` into `base` in place: mappings key by key, anything else replaced. A
    mapping inside base that changes is replaced by a changed copy (a component's values hold
    its objects' own fields, which are never changed)."""
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = dict(base[key])
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
