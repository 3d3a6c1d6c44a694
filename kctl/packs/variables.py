"""`kctl create --variable KEY=VALUE`: the values a pack documents, checked before anything renders.

A pack lists its variables in pack.toml (`[variables]`, name → description); `port` and every
version name are always among them. `app`, `namespace` and `image` belong to every pack.
Draft's upper-case names (PORT, APPNAME, NAMESPACE, IMAGENAME, VERSION) are accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kctl.errors import InputError
from kctl.packs.model import Pack

GLOBAL_VARIABLES = {
    "app": "app, chart and release name (default: the folder name)",
    "namespace": "Kubernetes namespace in kctl.toml and the kustomize overlay (default: default)",
    "image": "image repository, with or without a tag (default: localhost:5000/<app>)",
}
DRAFT_NAMES = {"appname": "app", "imagename": "image", "serviceport": "port"}
# values land in Dockerfiles, TOML and YAML: no spaces, quotes or shell characters
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:+@-]*$")


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """["KEY=VALUE", ...] → {key: value}; keys are case-insensitive, later ones win."""
    parsed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f"--variable {item!r}: expected KEY=VALUE", hint="e.g. --variable port=8080"
            )
        parsed[key.strip().lower()] = value.strip()
    return parsed


def _canonical(pack: Pack, key: str) -> str:
    if key == "version" and pack.versions:
        return next(iter(pack.versions))
    return DRAFT_NAMES.get(key, key)


def resolve(pack: Pack, assignments: dict[str, str]) -> dict[str, str | int]:
    """Check each assignment against the pack's documented variables; port becomes an int."""
    known = {**GLOBAL_VARIABLES, **{k: v.description for k, v in pack.variables.items()}}
    resolved: dict[str, str | int] = {}
    for raw_key, value in assignments.items():
        key = _canonical(pack, raw_key)
        if key not in known:
            raise InputError(
                f"unknown variable {raw_key!r} for the {pack.name} pack",
                details=[f"{k}: {d}" for k, d in sorted(known.items())],
                hint=f"see `kctl pack show {pack.name}`",
            )
        if key == "port":
            if not value.isdigit() or not 1 <= int(value) <= 65535:
                raise InputError(f"port must be a number from 1 to 65535 (got {value!r})")
            resolved[key] = int(value)
        elif not _SAFE.match(value):
            raise InputError(
                f"{key} must be letters, digits and . _ / : + @ - (got {value!r})",
            )
        else:
            resolved[key] = value
    return resolved
