"""Read packs from `packs/` and user pack folders; a malformed pack names its file and line."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl import tomlio
from kctl.detect.rules import Rules, VersionSource, VersionSpec
from kctl.errors import InputError, Location
from kctl.inputs import decode, is_regular, read_input

PACKS_PATH_ENV = "KCTL_PACKS_PATH"


class Variable(Struct, frozen=True):
    """A value `kctl create --variable NAME=VALUE` may set (`[variables]` in pack.toml)."""

    description: str


class Pack(Struct, frozen=True):
    """A language or framework pack."""

    name: str
    language: str
    framework: str | None
    description: str
    priority: int
    port: int
    health_path: str | None
    rules: Rules
    versions: Mapping[str, VersionSpec]
    build: Mapping[str, Any]  # base images, commands: the Dockerfile template's data
    values: Mapping[str, Any]  # chart value overrides
    directory: Path
    source: str = "builtin"
    entrypoint: Mapping[str, Any] = field(default_factory=dict)
    port_sources: tuple[VersionSource, ...] = ()  # where a project states its port
    extra_files: Mapping[str, str] = field(default_factory=dict)  # written path → template
    variables: Mapping[str, Variable] = field(default_factory=dict)
    sync: Mapping[str, Any] = field(default_factory=dict)  # kctl.toml's live-update defaults

    def template(self, name: str) -> Path:
        return self.directory / name


def _strings(value: Any, where: str, path: Path) -> tuple[str, ...]:
    """A string or list of strings (file names and globs: none of them empty)."""
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if isinstance(values, list) and all(isinstance(v, str) and v.strip() for v in values):
        return tuple(values)
    raise InputError(
        f"{where} must be a non-empty string or a list of them", location=Location(str(path))
    )


def _line_of(text: str, key: str) -> int | None:
    # no regex: this runs for many keys of every pack on each start, and compiling costs
    for number, line in enumerate(text.splitlines(), 1):
        rest = line.lstrip()
        if rest.startswith(key) and rest[len(key) :].lstrip().startswith("="):
            return number
    return None


def check_regex(pattern: str, message: str, location: Location, groups: int = 0) -> None:
    """Compile a pack's regex; a bad one (or one without the capture groups the value is
    read from) is an input error naming the pack file."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise InputError(f"{message} is not a valid regex: {exc}", location=location) from None
    if compiled.groups < groups:
        raise InputError(
            f"{message} {pattern!r} has no group {groups}: the value is read from group 1",
            location=location,
        )


def _version_spec(name: str, raw: Any, text: str, path: Path, strict: bool = True) -> VersionSpec:
    from kctl.detect.ranges import RULES

    where = Location(str(path), _line_of(text, name) or _line_of(text, "sources"))
    if not isinstance(raw, dict) or not isinstance(raw.get("default", ""), str):
        raise InputError(f"[versions.{name}] needs a string `default`", location=where)
    supported = _strings(raw.get("supported"), f"versions.{name}.supported", path)
    default = str(raw.get("default", ""))
    if supported and default not in supported:
        raise InputError(f"versions.{name}: default {default!r} is not supported", location=where)
    sources = []
    if not isinstance(raw.get("sources", []), list):
        raise InputError(f"versions.{name}.sources must be a list", location=where)
    for item in raw.get("sources", []):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("file"), str)
            and isinstance(item.get("pattern"), str)
        ):
            raise InputError(
                f"versions.{name}.sources need `file` and `pattern` strings", location=where
            )
        rule = item.get("rule", "line")
        if rule not in RULES:
            raise InputError(
                f"versions.{name}: unknown rule {rule!r} (known: {', '.join(RULES)})",
                location=where,
            )
        if strict:
            check_regex(str(item["pattern"]), f"versions.{name} pattern", where, groups=1)
        sources.append(VersionSource(item["file"], item["pattern"], rule))
    aliases = raw.get("aliases", {})
    if not isinstance(aliases, dict):
        raise InputError(f"versions.{name}.aliases must be a table", location=where)
    return VersionSpec(
        default, supported, tuple(sources), {str(k): str(v) for k, v in aliases.items()}
    )


def _variables(raw: Any, text: str, path: Path) -> dict[str, Variable]:
    """`[variables]`: name = "description" for each value --variable may set."""
    if not isinstance(raw, dict) or not all(isinstance(v, str) and v for v in raw.values()):
        raise InputError(
            "[variables] maps each variable name to its description",
            location=Location(str(path), _line_of(text, "variables")),
        )
    return {name: Variable(description) for name, description in raw.items()}


# files every pack writes: a pack's [files] may not replace them
_RESERVED_OUTPUTS = ("Dockerfile", ".dockerignore", "kctl.toml", "charts", "base", "overlays")


def _extra_files(raw: Any, directory: Path, text: str, path: Path) -> dict[str, str]:
    """`[files]`: more files the pack writes, each rendered from a template in the pack; the
    written path stays inside the project, the template is a regular file inside the pack."""
    where = Location(str(path), _line_of(text, "files"))
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise InputError("[files] maps written paths to template file names", location=where)
    for written, template in raw.items():
        if not _inside(written):
            raise InputError(
                f"[files] {written!r}: a written path is a relative file path inside the project",
                location=where,
            )
        if written.split("/", 1)[0] in _RESERVED_OUTPUTS:
            raise InputError(f"[files] {written!r}: kctl writes that path itself", location=where)
        if not _inside(template):
            raise InputError(
                f"[files] template {template!r} must be a file inside the pack", location=where
            )
        found = directory / template
        if not found.exists():
            raise InputError(f"[files] template {template} is missing", location=where)
        if not is_regular(found):
            raise InputError(f"[files] template {template} is not a regular file", location=where)
    return dict(raw)


def _inside(relative: str) -> bool:
    """A relative path naming a file below its folder: no `..`, `.`, empty part or leading /."""
    parts = relative.split("/")
    return bool(relative) and all(p not in ("", ".", "..") for p in parts) and "\\" not in relative


def _version_specs(raw: Any, text: str, path: Path, strict: bool) -> dict[str, VersionSpec]:
    if not isinstance(raw, dict):
        raise InputError("[versions] must be a table", location=Location(str(path)))
    return {name: _version_spec(name, spec, text, path, strict) for name, spec in raw.items()}


def _rules(data: dict[str, Any], text: str, path: Path, strict: bool) -> Rules:
    """`[detect]`: how the pack recognises a project."""
    detect = data.get("detect", {})
    if not isinstance(detect, dict):
        raise InputError(
            "[detect] must be a table", location=Location(str(path), _line_of(text, "detect"))
        )
    contains = []
    raw_contains = detect.get("contains", [])
    if not isinstance(raw_contains, list):
        raise InputError(
            "detect.contains must be a list of {file, pattern} tables",
            location=Location(str(path), _line_of(text, "contains")),
        )
    for flag in ("without-manifest", "frontend"):
        if not isinstance(detect.get(flag, False), bool):
            raise InputError(
                f"detect.{flag} must be true or false",
                location=Location(str(path), _line_of(text, flag)),
            )
    for item in raw_contains:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("file"), str)
            and isinstance(item.get("pattern"), str)
        ):
            raise InputError(
                "detect.contains entries need `file` and `pattern` strings",
                location=Location(str(path), _line_of(text, "contains")),
            )
        if strict:
            where = Location(str(path), _line_of(text, "contains"))
            check_regex(item["pattern"], "detect.contains pattern", where)
        contains.append((item["file"], item["pattern"]))
    return Rules(
        manifests=_strings(detect.get("manifests"), "detect.manifests", path),
        dependencies=_strings(detect.get("dependencies"), "detect.dependencies", path),
        files=_strings(detect.get("files"), "detect.files", path),
        contains=tuple(contains),
        excludes=_strings(detect.get("excludes"), "detect.excludes", path),
        extensions=_strings(detect.get("extensions"), "detect.extensions", path),
        unless=_strings(detect.get("unless"), "detect.unless", path),
        without_manifest=detect.get("without-manifest", False) is True,
        frontend=detect.get("frontend", False) is True,
        dialects=_dialects(detect.get("dialects", {}), text, path),
    )


def _dialects(raw: Any, text: str, path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`[detect.dialects]`: language name → its source extensions."""
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(e, str) for e in v) for v in raw.values()
    ):
        raise InputError(
            "detect.dialects maps a language name to a list of file extensions",
            location=Location(str(path), _line_of(text, "dialects")),
        )
    return tuple((name, tuple(extensions)) for name, extensions in raw.items())


def load_pack(directory: Path, source: str = "builtin") -> Pack:
    """Load one pack folder (pack.toml + Dockerfile.j2 + dockerignore.j2)."""
    path = directory / "pack.toml"
    if not path.exists() and not path.is_symlink():
        raise InputError("pack has no pack.toml", location=Location(str(path)))
    text = decode(read_input(path), str(path))
    data = tomlio.loads(text, path)
    for key, kind in (("name", str), ("language", str), ("port", int)):
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise InputError(
                f"`{key}` is required and must be a {kind.__name__}",
                location=Location(str(path), _line_of(text, key)),
            )
    _check_scalars(data, text, path)
    strict = source != "builtin"  # built-in patterns are compiled by the test suite instead
    rules = _rules(data, text, path, strict)
    for template in ("Dockerfile.j2", "dockerignore.j2"):
        if not (directory / template).is_file():
            raise InputError(
                f"pack is missing {template}", location=Location(str(directory / template))
            )
    return Pack(
        name=data["name"],
        language=data["language"],
        framework=data.get("framework"),
        description=str(data.get("description", "")),
        priority=int(data.get("priority", 0)),
        port=data["port"],
        health_path=data.get("health"),
        rules=rules,
        versions=_version_specs(data.get("versions", {}), text, path, strict),
        build=data.get("build", {}),
        values=data.get("values", {}),
        directory=directory,
        source=source,
        entrypoint=data.get("entrypoint", {}),
        port_sources=_version_spec(
            "port", {"sources": data.get("port-sources", [])}, text, path, strict
        ).sources,
        extra_files=_extra_files(data.get("files", {}), directory, text, path),
        variables=_variables(data.get("variables", {}), text, path),
        sync=_sync(data.get("sync", {}), text, path),
    )


def _sync(table: Any, text: str, path: Path) -> dict[str, Any]:
    """The pack's default `[sync]` rules, in kctl.toml's shape (glob = absolute container folder,
    `run`, `rebuild`), checked here so `kctl up` never meets a bad one it did not write."""
    if not isinstance(table, dict):
        raise InputError("`sync` must be a table", location=_sync_at(text, path))
    for key, value in table.items():
        if key == "rebuild" and _text_list(value):
            continue
        if key == "run" and (isinstance(value, str) or _text_list(value)):
            continue
        if key not in ("run", "rebuild") and isinstance(value, str) and value.startswith("/"):
            continue
        raise InputError(
            f"sync.{key}: a glob maps to an absolute container folder; run is a command, "
            "rebuild a list of globs",
            location=_sync_at(text, path),
        )
    return table


def _sync_at(text: str, path: Path) -> Location:
    return Location(str(path), tomlio.line_of(text, "sync"))


def _check_scalars(data: dict[str, Any], text: str, path: Path) -> None:
    """Pack settings whose type or range the code relies on (packs are untrusted input)."""
    problems = []
    if not 1 <= data["port"] <= 65535:
        problems.append(("port", "a port from 1 to 65535"))
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int) or abs(priority) > 1000:
        problems.append(("priority", "an integer from -1000 to 1000"))
    health = data.get("health")
    if health is not None and (not isinstance(health, str) or not health.startswith("/")):
        problems.append(("health", "an HTTP path starting with /"))
    for key in ("build", "values", "entrypoint", "files", "variables", "versions"):
        if not isinstance(data.get(key, {}), dict):
            problems.append((key, "a table"))
    build = data.get("build", {}) if isinstance(data.get("build", {}), dict) else {}
    images = build.get("images", {})
    if not isinstance(images, dict) or not all(isinstance(v, str) for v in images.values()):
        problems.append(("images", "a table of image names (text)"))
    if not _text_list(build.get("run", [])):
        problems.append(("run", "a list of strings"))
    entrypoint = data.get("entrypoint", {}) if isinstance(data.get("entrypoint"), dict) else {}
    if not _text_list(entrypoint.get("files", [])):
        problems.append(("files", "a list of file names"))
    if not isinstance(entrypoint.get("marker", ""), str):
        problems.append(("marker", "text"))
    if problems:
        key, expected = problems[0]
        raise InputError(
            f"`{key}` must be {expected}", location=Location(str(path), _line_of(text, key))
        )


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def pack_search_path(
    extra: Sequence[Path] = (), environ: Mapping[str, str] = os.environ
) -> list[tuple[Path, str]]:
    """Pack folders in precedence order: --pack-dir, then KCTL_PACKS_PATH, then built-ins."""
    from kctl.resources import packs_dir

    paths = [(p, "--pack-dir") for p in extra]
    paths += [
        (Path(p), PACKS_PATH_ENV) for p in environ.get(PACKS_PATH_ENV, "").split(os.pathsep) if p
    ]
    paths.append((packs_dir(), "builtin"))
    return paths


def load_packs(
    extra: Sequence[Path] = (), environ: Mapping[str, str] = os.environ
) -> dict[str, Pack]:
    """All packs by name; user folders override built-ins of the same name."""
    packs: dict[str, Pack] = {}
    for root, source in pack_search_path(extra, environ):
        if not root.is_dir():
            raise InputError("pack folder does not exist", location=Location(str(root)))
        for directory in sorted(p for p in root.iterdir() if p.is_dir()):
            pack = load_pack(directory, source)
            packs.setdefault(pack.name, pack)
    return packs
