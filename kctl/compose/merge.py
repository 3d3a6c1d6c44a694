"""How a later definition of a service merges into an earlier one (override files, extends)."""

from __future__ import annotations

from typing import Any

from kctl.compose.model import Service

_REPLACE = {"command", "entrypoint"}


def merge_service(base: Service, override: Service, replace: set[str] | None = None) -> None:
    """Merge a later definition into an earlier one, with the Compose merge rules
    (compose-go override/merge.go): command and entrypoint are replaced, mappings merged,
    lists concatenated. One entry per key is unique.enforce's rule, applied once after all
    merges, as compose-go's EnforceUnicity is; where each list's later layer starts is kept
    so that it reports only entries one file lists twice, not a later file's overrides."""
    replace = replace or set()
    for key, value in override.config.items():
        current = base.config.get(key)
        if key in replace or key in _REPLACE or current is None:
            base.config[key] = value
            base.layer_starts.pop(key, None)
        elif key == "extra_hosts" and isinstance(current, list):
            # compose-go's mergeExtraHosts keeps one of each entry
            base.config[key] = current + [v for v in value if v not in current]
        elif isinstance(current, list) and isinstance(value, list):
            base.layer_starts.setdefault(key, []).append(len(current))
            base.config[key] = current + value
        elif isinstance(current, dict) and isinstance(value, dict):
            base.config[key] = _deep_merge(current, value, key)
        else:
            base.config[key] = value
    base.env_file_environment.update(override.env_file_environment)
    base.env_file_origin.update(override.env_file_origin)
    base.env_files += [f for f in override.env_files if f not in base.env_files]
    base.locations.update(override.locations)


def _deep_merge(current: dict[str, Any], value: dict[str, Any], key: str) -> dict[str, Any]:
    result = dict(current)
    for k, v in value.items():
        if isinstance(v, dict) and isinstance(result.get(k), dict):
            result[k] = _deep_merge(result[k], v, k)
        else:
            result[k] = v
    return result
