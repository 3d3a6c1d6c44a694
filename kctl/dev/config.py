"""`kctl.toml` (and Draft's `draft.toml`): the environments `kctl up` deploys to.

Precedence is flag > `KCTL_*` variable > file > default. The CLI merges the first two (Typer
reads the variables) and passes what was given as `overrides`; this module adds the file and
the defaults and checks every value, naming file:line when one is wrong.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl import tomlio
from kctl.dev.sync import SyncRules, parse_rules
from kctl.errors import InputError, Location
from kctl.images import is_registry

CONFIG_FILES = ("kctl.toml", "draft.toml")
TARGETS = ("local", "helm")  # the names of kctl/dev/targets.py's registry
DEFAULT_REGISTRY = "localhost:5000"

# key -> (python type, description); the only keys an environment table may hold
KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "name": (str, "release and app name"),
    "namespace": (str, "Kubernetes namespace"),
    "registry": (str, "registry host[:port] images are pushed to"),
    "target": (str, "local (podman kube play) or helm (the cluster in KUBECONFIG)"),
    "image": (str, "image name; its repository path is kept, the registry is `registry`"),
    "watch": (bool, "watch files and redeploy"),
    "watch-delay": ((int, float), "quiet seconds before a change triggers a cycle"),
    "dockerfile": (str, "Dockerfile path, relative to the context"),
    "context": (str, "build context folder"),
    "build-target": (str, "Dockerfile stage to build"),
    "chart": (str, "Helm chart folder"),
    "manifests": (str, "folder of plain Kubernetes YAML (instead of a chart; local target)"),
    "kustomize": (str, "kustomization folder (instead of a chart; local target)"),
    "build-args": (dict, "build arguments"),
    "set": ((dict, list), "Helm values (table or list of key=value)"),
    "port-forward": (list, "LOCAL:CONTAINER ports for the local target"),
    "timeout": ((int, float), "seconds to wait for a deploy to be ready"),
    "sync": (dict, "live update: glob = container folder, run, rebuild (kctl/dev/sync.py)"),
}
# Draft's keys that mean something else here, and the ones kctl has no use for.
DRAFT_RENAMES = {"override-ports": "port-forward"}
DRAFT_IGNORED = ("wait", "auto-connect", "build-tag", "custom-tags", "resource-group-name")


class Environment(Struct, frozen=True):
    """One resolved environment: everything `kctl up` needs to know, already validated."""

    env: str
    root: Path
    name: str
    source: Path | None = None
    namespace: str = "default"
    registry: str = DEFAULT_REGISTRY
    target: str = "local"
    image: str | None = None
    watch: bool = True
    watch_delay: float = 0.3
    dockerfile: str = "Dockerfile"
    context: Path = Path(".")
    build_target: str | None = None
    chart: Path | None = None
    deploy_files: tuple[str, Path] | None = None  # ("manifests"|"kustomize", folder), no chart
    build_args: dict[str, str] = field(default_factory=dict)
    set_values: list[str] = field(default_factory=list)
    port_forward: list[tuple[int, int]] = field(default_factory=list)
    timeout: float = 300.0
    warnings: list[str] = field(default_factory=list)
    created_from: str | None = None  # a new environment (--save) starts as a copy of this one
    sync: SyncRules | None = None

    @property
    def state_dir(self) -> Path:
        """Where kctl keeps what it deployed (for `kctl down`); never part of a build context."""
        return self.root / ".kctl" / self.env


def find_config(root: Path) -> Path | None:
    """kctl.toml, else draft.toml, in root; one that exists but is no file (a folder, a FIFO,
    a dangling link) is named as such, never passed over as if absent."""
    from kctl.inputs import check_regular

    for name in CONFIG_FILES:
        path = root / name
        if path.is_file():
            return path
        if path.exists() or path.is_symlink():
            check_regular(path)  # raises: "is a directory, expected a file" at the path
    return None


def _parse(path: Path) -> tuple[dict[str, Any], str]:
    """kctl.toml/draft.toml (a regular file), TOML errors at their line and column."""
    return tomlio.load(path)


def _environments(data: dict[str, Any], path: Path, text: str) -> dict[str, dict[str, Any]]:
    envs = data.get("environments")
    if envs is None:
        raise InputError(
            "no [environments.<name>] table",
            location=Location.of(path),
            hint="add one, e.g. [environments.development] with name = ... (kctl create writes it)",
        )
    if not isinstance(envs, dict) or not all(isinstance(v, dict) for v in envs.values()):
        raise InputError(
            "`environments` must hold tables: [environments.<name>]",
            location=Location.of(path, tomlio.line_of(text, "environments")),
        )
    return envs


def pick_environment(names: list[str], wanted: str | None, path: Path) -> str:
    """--env / KCTL_ENV, else `development`, else the only one."""
    if wanted:
        if wanted not in names:
            close = difflib.get_close_matches(wanted, names, 1)
            raise InputError(
                f"no environment {wanted!r} in {path.name}",
                location=Location.of(path),
                hint=f"did you mean {close[0]!r}?" if close else f"choose from {', '.join(names)}",
            )
        return wanted
    if "development" in names:
        return "development"
    if len(names) == 1:
        return names[0]
    raise InputError(
        f"{path.name} has several environments; pick one with --env",
        location=Location.of(path),
        hint=f"choose from {', '.join(sorted(names))}",
    )


def _port_pair(value: Any) -> tuple[int, int]:
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,5})(?::(\d{1,5}))?", text)
    if not match:
        raise ValueError(f"{value!r} is not LOCAL:CONTAINER")
    local, remote = int(match[1]), int(match[2] or match[1])
    if not (0 < local < 65536 and 0 < remote < 65536):
        raise ValueError(f"{value!r}: ports are 1-65535")
    return local, remote


def parse_port_forward(values: list[Any]) -> list[tuple[int, int]]:
    """["8080:80", "9000"] -> [(8080, 80), (9000, 9000)]; ValueError on a bad entry."""
    return [_port_pair(v) for v in values]


def _check(key: str, value: Any, where: Location) -> None:
    kind, what = KEYS[key]
    if isinstance(value, bool) and kind in ((int, float), int, float):
        ok = False
    else:
        ok = isinstance(value, kind)
    if not ok:
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise InputError(
            f"`{key}` must be a {names} ({what}), not {type(value).__name__}", location=where
        )


def _read_table(
    values: Mapping[str, Any],
    table: str,
    path: Path,
    text: str,
    into: tuple[dict[str, Any], dict[str, int | None], list[str]],
) -> None:
    """Check an environment table's keys and values into (raw, lines, warnings)."""
    raw, lines, warnings = into
    for key, value in values.items():
        at = Location.of(path, tomlio.line_of(text, table, key))
        if path.name == "draft.toml" and key in DRAFT_RENAMES:
            key = DRAFT_RENAMES[key]
        if path.name == "draft.toml" and key in DRAFT_IGNORED:
            warnings.append(f"{at}: draft.toml key `{key}` has no kctl meaning, ignored")
            continue
        if key not in KEYS:
            close = difflib.get_close_matches(key, list(KEYS), 1)
            raise InputError(
                f"unknown key `{key}` in [{table}]",
                location=at,
                hint=f"did you mean `{close[0]}`?" if close else f"known keys: {', '.join(KEYS)}",
            )
        _check(key, value, at)
        raw[key], lines[key] = value, at.line
        if key == "sync":  # its own [environments.<name>.sync] table
            lines[key] = tomlio.line_of(text, f"{table}.sync")


def load_environment(
    root: Path,
    wanted: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    default_target: str | None = None,
    create: bool = False,
) -> Environment:
    """The environment `kctl up` runs: file values under flag/variable overrides.

    With create (--save), an environment the file does not have yet starts as a copy of the
    default one (development, else the only one) instead of being an error.
    """
    root = root.resolve()
    path = find_config(root)
    found = _file_values(path, wanted, create)
    raw, lines = found.raw, found.lines
    _apply_overrides(raw, lines, overrides or {})

    def where(key: str) -> Location:
        if path is None or lines.get(key) is None:
            return Location(f"--{key} / KCTL_{key.upper().replace('-', '_')}")
        return Location.of(path, lines[key])

    target = str(raw.get("target") or default_target or _default_target())
    if target not in TARGETS:
        raise InputError(
            f"unknown target {target!r}",
            location=where("target"),
            hint=f"use {' or '.join(TARGETS)}",
        )
    try:
        ports = parse_port_forward(list(raw.get("port-forward", [])))
    except ValueError as exc:
        raise InputError(f"port-forward: {exc}", location=where("port-forward")) from None
    set_values = _set_values(raw.get("set", []), where("set"))
    delay, timeout = _seconds(raw, where)
    try:
        sync = parse_rules(raw["sync"], root) if raw.get("sync") else None
    except ValueError as exc:
        raise InputError(str(exc), location=where("sync")) from None
    registry = _registry(raw, where)
    _check_names(raw, where)
    name = str(raw.get("name") or root.name)
    chart = raw.get("chart")
    deploy_files = _deploy_files(raw, root, where)
    return Environment(
        env=found.env_name,
        root=root,
        name=name,
        source=path,
        namespace=str(raw.get("namespace", "default")),
        registry=registry,
        target=target,
        image=raw.get("image"),
        watch=bool(raw.get("watch", True)),
        watch_delay=delay,
        dockerfile=str(raw.get("dockerfile", "Dockerfile")),
        context=root / str(raw.get("context", ".")),
        build_target=raw.get("build-target"),
        chart=root / str(chart) if chart else None,
        deploy_files=deploy_files,
        build_args={str(k): _scalar(v) for k, v in dict(raw.get("build-args", {})).items()},
        set_values=[str(s) for s in set_values],
        port_forward=ports,
        timeout=timeout,
        warnings=found.warnings,
        created_from=found.created_from,
        sync=sync,
    )


def _deploy_files(
    raw: Mapping[str, Any], root: Path, where: Callable[[str], Location]
) -> tuple[str, Path] | None:
    """`manifests` or `kustomize` (what `kctl create --deploy-type` wrote): one of them, or a
    chart. Helm values (`set`) have nothing to set in them: refused, not dropped."""
    given = [key for key in ("chart", "manifests", "kustomize") if raw.get(key)]
    if len(given) > 1:
        raise InputError(
            f"{' and '.join(f'`{k}`' for k in given)} both say what to deploy: keep one",
            location=where(given[1]),
        )
    if not given or given[0] == "chart":
        return None
    kind = given[0]
    if raw.get("set"):
        raise InputError(
            f"`set` gives Helm values, but `{kind}` is no Helm chart", location=where("set")
        )
    return kind, root / str(raw[kind])


def _seconds(raw: Mapping[str, Any], where: Callable[[str], Location]) -> tuple[float, float]:
    """(watch-delay, timeout), both finite; a zero timeout would give up before starting."""
    delay = float(raw.get("watch-delay", 0.3))
    timeout = float(raw.get("timeout", 300))
    for key, seconds in (("watch-delay", delay), ("timeout", timeout)):
        if not math.isfinite(seconds) or seconds < 0 or (key == "timeout" and seconds == 0):
            raise InputError(f"`{key}` must be positive (finite seconds)", location=where(key))
    return delay, timeout


def _registry(raw: Mapping[str, Any], where: Callable[[str], Location]) -> str:
    registry = str(raw.get("registry", DEFAULT_REGISTRY))
    if not is_registry(registry):
        raise InputError(
            f"`registry` {registry!r} is not a host[:port][/path]",
            location=where("registry"),
            hint="for example localhost:5000 or ghcr.io/my-org",
        )
    return registry


_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_RELEASE = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,51}[a-z0-9])?")


def _check_names(raw: Mapping[str, Any], where: Callable[[str], Location]) -> None:
    """name, namespace and image end up in URLs, helm and Podman: refused here, before any of
    them is contacted, when they could not be what they name."""
    from kctl.images import is_image

    checks = (
        ("name", _RELEASE.fullmatch, "a release name (lowercase letters, digits, - and .)"),
        ("namespace", _DNS_LABEL.fullmatch, "a namespace (lowercase letters, digits and -)"),
        ("image", is_image, "an image name such as my-org/app (lowercase path, optional :tag)"),
    )
    for key, valid, what in checks:
        value = raw.get(key)
        if value is not None and not valid(str(value)):
            raise InputError(f"`{key}` {str(value)!r} is not {what}", location=where(key))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _default_target() -> str:
    """helm when a kubeconfig exists (as kubectl finds it), else the local Podman target."""
    config = os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
    return "helm" if any(Path(p).is_file() for p in config.split(os.pathsep) if p) else "local"


def save_environment(path: Path, env: str, changes: Mapping[str, Any]) -> None:
    """Write keys into [environments.<env>] of a kctl.toml, keeping the user's comments."""
    import tomlkit

    from kctl.fsio import write_file

    for key, value in changes.items():
        if key not in KEYS:
            raise InputError(f"unknown key `{key}`")
        _check(key, value, Location.of(path))
    if path.exists():
        _parse(path)  # a broken file is reported with its line, never rewritten
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    else:
        doc = tomlkit.document()
    envs = doc.setdefault("environments", tomlkit.table(is_super_table=True))
    table = envs.setdefault(env, tomlkit.table())
    for key, value in changes.items():
        table[key] = value
    write_file(path, tomlkit.dumps(doc))


class _FileValues(Struct):
    """What kctl.toml/draft.toml says for the environment that runs."""

    raw: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    env_name: str = "development"
    created_from: str | None = None


def _file_values(path: Path | None, wanted: str | None, create: bool) -> _FileValues:
    found = _FileValues(env_name=wanted or "development")
    if path is None:
        return found
    data, text = _parse(path)
    envs = _environments(data, path, text)
    if create and wanted and wanted not in envs:
        found.created_from = pick_environment(sorted(envs), None, path) if envs else None
        read = found.created_from
    else:
        found.env_name = read = pick_environment(sorted(envs), wanted, path)
    if read:
        table = (found.raw, found.lines, found.warnings)
        _read_table(envs[read], f"environments.{read}", path, text, table)
    return found


def _apply_overrides(
    raw: dict[str, Any], lines: dict[str, int | None], overrides: Mapping[str, Any]
) -> None:
    """Flags and KCTL_* variables over the file's values (build-args per key, set appended)."""
    for key, value in overrides.items():
        if value is None or value in ([], {}):
            continue
        if key == "build-args" and isinstance(raw.get(key), dict):
            value = {**raw[key], **value}  # per key: the flag wins, the file's others stay
        elif key == "set" and isinstance(raw.get(key), list):
            value = [*raw[key], *value]  # helm applies --set in order: the flag's come last
        else:
            lines[key] = None
        raw[key] = value


def _set_values(values: Any, where: Location) -> list[Any]:
    if isinstance(values, dict):
        values = [f"{k}={_scalar(v)}" for k, v in values.items()]
    for item in values:
        if "=" not in str(item):
            raise InputError(f"set: {item!r} is not key=value", location=where)
    return list(values)
