"""Short syntax → long syntax, one service at a time, as docker-compose canonicalizes it."""

from __future__ import annotations

import ipaddress
import posixpath
import re
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kctl.compose.units import parse_bytes
from kctl.errors import InputError, Location

Where = Callable[[str], Location]

_TARGET = re.compile(r"^(?P<target>\d+(?:-\d+)?)(?:/(?P<protocol>[a-z]+))?$")


def _port_parts(text: str) -> tuple[str, str, str] | None:
    """(host IP, published, TARGET[/PROTOCOL]) of a short-syntax port, split as compose-go
    (docker/go-connections nat.ParsePortSpec) splits it: on `:`, the last part is the target,
    the one before it the published port, anything before that the host IP (`:2283:2283`
    has an empty IP; `::1:9000:9000` and `[::1]:9000:9000` the IP ::1). None if invalid."""
    parts = text.split(":")
    if len(parts) == 1:
        return "", "", text
    if len(parts) == 2:
        return "", parts[0], parts[1]
    ip = ":".join(parts[:-2])
    if ip.startswith("[") and ip.endswith("]"):
        ip = ip[1:-1]
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            return None
    return ip, parts[-2], parts[-1]


def _range(text: str, where: Location) -> list[int]:
    start, _, end = text.partition("-")
    try:
        first, last = int(start), int(end or start)
    except ValueError:
        raise InputError(f"invalid port {text!r}", location=where) from None
    if last < first or last > _MAX_PORT:
        raise InputError(
            f"invalid port range {text!r}", location=where, hint=f"ports are 0-{_MAX_PORT}"
        )
    return list(range(first, last + 1))


_MAX_PORT = 65535


def _port_number(value: Any, what: str, where: Location) -> int:
    """A long-syntax port number: an integer (or integer text) from 0 to 65535."""
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not text.isdigit() or int(text) > _MAX_PORT:
        raise InputError(f"{what}: {value!r} is not a port (0-{_MAX_PORT})", location=where)
    return int(text)


def ports(value: Any, where: Where) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise InputError("ports must be a list", location=where("ports"))
    result: list[dict[str, Any]] = []
    for item in value:
        if isinstance(item, dict):
            if "target" not in item:
                raise InputError("a long-syntax port needs `target`", location=where("ports"))
            port: dict[str, Any] = {"mode": item.get("mode", "ingress")}
            if item.get("host_ip"):
                port["host_ip"] = str(item["host_ip"])
            port["target"] = _port_number(item["target"], "ports.target", where("ports"))
            if item.get("published") not in (None, ""):
                published = str(item["published"])
                if not isinstance(item["published"], (int, str)) or isinstance(
                    item["published"], bool
                ):
                    raise InputError(
                        f"ports.published: {item['published']!r} is not a port or a range",
                        location=where("ports"),
                    )
                _range(published, where("ports"))
                port["published"] = published
            port["protocol"] = item.get("protocol", "tcp")
            if item.get("name"):
                port["name"] = item["name"]
            if item.get("app_protocol"):
                port["app_protocol"] = item["app_protocol"]
            result.append(port)
            continue
        text = str(item)
        split = _port_parts(text)
        match = _TARGET.match(split[2]) if split else None
        if split is None or match is None:
            raise InputError(
                f"invalid port {text!r}",
                location=where("ports"),
                hint="use [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]",
            )
        targets = _range(match["target"], where("ports"))
        ip, published, _ = split
        publish = _range(published, where("ports")) if published else []
        if publish and len(publish) not in (1, len(targets)):
            raise InputError(f"port ranges differ in size in {text!r}", location=where("ports"))
        for n, target in enumerate(targets):
            port = {"mode": "ingress"}
            if ip:
                port["host_ip"] = ip
            port["target"] = target
            if publish:
                port["published"] = str(publish[n] if len(publish) > 1 else publish[0])
            port["protocol"] = match["protocol"] or "tcp"
            result.append(port)
    return result


_VOLUME_TYPES = ("volume", "bind", "tmpfs", "npipe", "image", "cluster")
_WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")


def _is_path(source: str) -> bool:
    return source.startswith((".", "/", "~")) or _WINDOWS_ABSOLUTE.match(source) is not None


def _volume_parts(spec: str) -> list[str]:
    """Split a short-syntax volume on ':' as compose-go does: a colon right after a single
    letter is a Windows drive (`C:\\data:/data` is two parts), never a separator."""
    parts, buffer = [], ""
    for char in spec:
        if char == ":" and not (len(buffer) == 1 and buffer.isalpha()):
            parts.append(buffer)
            buffer = ""
        else:
            buffer += char
    return [*parts, buffer]


def resolve(base: Path, source: str) -> str:
    """A host path as docker-compose writes it: relative to base, ~ expanded, made absolute.
    A NUL byte cannot be in a path: ValueError (reported by the caller with its key)."""
    if "\x00" in source:
        raise ValueError(f"path {source!r} contains a NUL byte")
    if source.startswith("~"):
        return str(Path(source).expanduser())
    if _WINDOWS_ABSOLUTE.match(source):
        return source  # as docker-compose: a Windows path is kept as written
    # lexical, as compose-go's filepath.Abs: a symlink is kept as written (never followed
    # here: a loop or a dangling link is the reader's to report, at the file that names it)
    return posixpath.normpath(posixpath.join(str(base), source)) if source[:1] != "/" else source


def volumes(value: Any, base: Path, where: Where) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise InputError("volumes must be a list", location=where("volumes"))
    result = []
    for item in value:
        if isinstance(item, dict):
            if "target" not in item or "type" not in item:
                raise InputError(
                    "a long-syntax volume needs `type` and `target`", location=where("volumes")
                )
            if item["type"] not in _VOLUME_TYPES or not isinstance(item["target"], str):
                raise InputError(
                    f"a long-syntax volume needs a type ({', '.join(_VOLUME_TYPES)}) and a "
                    f"target path, not {item['type']!r} and {item['target']!r}",
                    location=where("volumes"),
                )
            if "source" in item and not isinstance(item["source"], (str, type(None))):
                raise InputError(
                    f"volume source {item['source']!r} is not a name or a path",
                    location=where("volumes"),
                )
            volume = dict(item)
            volume["target"] = clean_target(volume["target"])
            if volume["type"] == "bind" and volume.get("source"):
                volume["source"] = resolve(base, str(volume["source"]))
            if isinstance(volume.get("tmpfs"), dict) and "size" in volume["tmpfs"]:
                tmpfs = dict(volume["tmpfs"])
                tmpfs["size"] = str(parse_bytes(tmpfs["size"], where("volumes")))
                volume["tmpfs"] = tmpfs
            result.append(volume)
            continue
        parts = _volume_parts(str(item))
        if len(parts) == 1:
            result.append({"type": "volume", "target": clean_target(parts[0]), "volume": {}})
            continue
        if len(parts) > 3:
            raise InputError(f"invalid volume {item!r}", location=where("volumes"))
        source, target = parts[0], clean_target(parts[1])
        mode = parts[2] if len(parts) == 3 else ""
        flags = set(mode.split(",")) if mode else set()
        if _is_path(source):
            volume = {"type": "bind", "source": resolve(base, source), "target": target}
            if "ro" in flags:
                volume["read_only"] = True
            volume["bind"] = {"create_host_path": True}
            selinux = flags & {"z", "Z"}
            if selinux:
                volume["bind"]["selinux"] = selinux.pop()
        else:
            volume = {"type": "volume", "source": source, "target": target}
            if "ro" in flags:
                volume["read_only"] = True
            volume["volume"] = {"nocopy": True} if "nocopy" in flags else {}
        result.append(volume)
    return result


def clean_target(target: str) -> str:
    """A container path as compose-go writes it (Go's path.Clean: `/etc/a/` is `/etc/a`)."""
    if not target.startswith("/"):
        return target  # a Windows path or a relative one: compose-go keeps its text
    cleaned = posixpath.normpath(target)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def key_values(
    value: Any,
    where: Location,
    *,
    resolve_from: Mapping[str, str] | None = None,
    what: str = "environment",
) -> dict[str, Any]:
    """A list of `K=V` (or `K`) or a mapping → a dict of strings; a key without a value (`K`,
    `K:`) takes its value from resolve_from when given, else stays None (unset)."""
    result: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            result[str(key)] = _stringify(item)
    elif isinstance(value, list):
        for item in value:
            key, sep, val = str(item).partition("=")
            result[key] = val if sep else None
    elif value is not None:
        raise InputError(f"{what} must be a list or a mapping", location=where)
    if resolve_from is not None:
        for key, item in result.items():
            if item is None:
                result[key] = resolve_from.get(key)
    return result


def labels(value: Any, where: Location, what: str = "labels") -> dict[str, str]:
    """labels, annotations, sysctls: a key without a value has the empty value (docker compose)."""
    return {k: "" if v is None else v for k, v in key_values(value, where, what=what).items()}


def build_args(value: Any, where: Location, env: Mapping[str, str]) -> dict[str, str]:
    """Build args: a key without a value takes the shell's (or .env's) value, and is left out
    when there is none, as docker compose passes them to the build."""
    resolved = key_values(value, where, resolve_from=env, what="args")
    return {k: v for k, v in resolved.items() if v is not None}


def _stringify(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)


def command(value: Any, where: Location) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as exc:
            raise InputError(f"cannot split command: {exc}", location=where) from None
    if isinstance(value, list):
        return [str(v) for v in value]
    raise InputError("command must be a string or a list", location=where)


def depends_on(value: Any, where: Location) -> dict[str, dict[str, Any]]:
    if isinstance(value, list):
        return {str(v): {"condition": "service_started", "required": True} for v in value}
    if isinstance(value, dict):
        result = {}
        for name, spec in value.items():
            spec = dict(spec or {})
            spec.setdefault("condition", "service_started")
            spec.setdefault("required", True)
            result[str(name)] = spec
        return result
    raise InputError("depends_on must be a list or a mapping", location=where)


def healthcheck(value: Any, where: Location) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError("healthcheck must be a mapping", location=where)
    result = dict(value)
    test = result.get("test")
    if isinstance(test, str):
        result["test"] = ["CMD-SHELL", test]
    return result


def deploy(value: Any, where: Location) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError("deploy must be a mapping", location=where)
    result = dict(value)
    resources = dict(result.get("resources") or {})
    for kind in ("limits", "reservations"):
        if kind in resources:
            block = dict(resources[kind] or {})
            if "cpus" in block:
                block["cpus"] = float(block["cpus"])
            if "memory" in block:
                block["memory"] = str(parse_bytes(block["memory"], where))
            if "pids" in block:
                block["pids"] = int(block["pids"])
            resources[kind] = block
    if resources:
        result["resources"] = resources
    if "labels" in result:
        result["labels"] = labels(result["labels"], where)
    result.setdefault("placement", {})
    return result


def build(value: Any, base: Path, where: Location, env: Mapping[str, str]) -> dict[str, Any]:
    if isinstance(value, str):
        return {"context": resolve(base, value), "dockerfile": "Dockerfile"}
    if not isinstance(value, dict):
        raise InputError("build must be a string or a mapping", location=where)
    result = dict(value)
    context = str(result.get("context", "."))
    result["context"] = context if "://" in context else resolve(base, context)
    result.setdefault("dockerfile", "Dockerfile")
    if "args" in result:
        result["args"] = build_args(result["args"], where, env)
    return result


def mounts(value: Any, kind: str, where: Location) -> list[dict[str, Any]]:
    """Service `secrets:` / `configs:` in long syntax."""
    if not isinstance(value, list):
        raise InputError(f"{kind} must be a list", location=where)
    result = []
    for item in value:
        if isinstance(item, dict):
            if not isinstance(item.get("source"), str):
                raise InputError(
                    f"a long-syntax entry of {kind} needs a `source` name", location=where
                )
            entry = dict(item)
            if entry.get("mode") is not None:
                _check_mode(entry["mode"], kind, where)
            if kind == "secrets" and not entry.get("target"):
                entry["target"] = f"/run/secrets/{entry['source']}"
            result.append(entry)
        elif kind == "secrets":
            result.append({"source": str(item), "target": f"/run/secrets/{item}"})
        else:
            result.append({"source": str(item)})
    return result


def _check_mode(mode: Any, kind: str, where: Location) -> None:
    """A file mode as compose-go reads it (an integer, or octal digits in a string), within
    what Kubernetes accepts for a projected file (0..0777)."""
    text = str(mode)
    if isinstance(mode, bool) or not (
        (isinstance(mode, int) and 0 <= mode <= 0o777)
        or (isinstance(mode, str) and re.fullmatch(r"[0-7]{1,4}", text) and int(text, 8) <= 0o777)
    ):
        raise InputError(
            f"{kind}: mode {text!r} is not a file mode (octal, 0 to 0777)",
            location=where,
            hint="e.g. mode: 0440",
        )


def string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]
