"""How a later definition of a service merges into an earlier one (override files, extends)."""

from __future__ import annotations

from typing import Any

from kctl.compose.model import Service

# keys whose lists merge as a unique union across files
_UNION = {
    "expose",
    "dns",
    "dns_search",
    "tmpfs",
    "cap_add",
    "cap_drop",
    "external_links",
    "security_opt",
    "extra_hosts",
    "profiles",
    "devices",
    "group_add",
}
_REPLACE = {"command", "entrypoint"}


def merge_service(base: Service, override: Service, replace: set[str] | None = None) -> None:
    """Merge a later definition into an earlier one, with the Compose merge rules."""
    replace = replace or set()
    for key, value in override.config.items():
        current = base.config.get(key)
        if key in replace or key in _REPLACE or current is None:
            base.config[key] = value
        elif key in _UNION and isinstance(current, list):
            base.config[key] = current + [v for v in value if v not in current]
        elif key == "ports":
            base.config[key] = current + [p for p in value if p not in current]
        elif key == "volumes":
            by_target = {v["target"]: v for v in current}
            by_target.update({v["target"]: v for v in value})
            base.config[key] = list(by_target.values())
        elif key in ("secrets", "configs"):
            by_source = {v.get("target") or v["source"]: v for v in current}
            by_source.update({v.get("target") or v["source"]: v for v in value})
            base.config[key] = list(by_source.values())
        elif isinstance(current, dict) and isinstance(value, dict):
            base.config[key] = _deep_merge(current, value, key)
        else:
            base.config[key] = value
    base.env_file_environment.update(override.env_file_environment)
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
