"""Compose variable interpolation: ${V} $V ${V:-d} ${V-d} ${V:?e} ${V?e} ${V:+a} ${V+a} and $$."""

from __future__ import annotations

from collections.abc import Mapping

from kctl.errors import InputError, Location

_NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | set("0123456789")


def interpolate(text: str, env: Mapping[str, str], where: Location) -> str:
    """Substitute variables in text as docker-compose does; `$$` is a literal `$`."""
    if "$" not in text:
        return text
    out, _ = _scan(text, 0, env, where, stop=None)
    return out


def _scan(
    text: str, i: int, env: Mapping[str, str], where: Location, stop: str | None
) -> tuple[str, int]:
    out: list[str] = []
    n = len(text)
    while i < n:
        c = text[i]
        if stop is not None and c == stop:
            return "".join(out), i
        if c != "$":
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            value, i = _braced(text, i + 2, env, where)
            out.append(value)
        elif nxt in _NAME_START:
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            out.append(env.get(text[i + 1 : j], ""))
            i = j
        else:  # a `$` not starting a variable stays literal, as in docker-compose
            out.append("$")
            i += 1
    if stop is not None:
        raise InputError(f"invalid interpolation format for {text!r}: missing '}}'", location=where)
    return "".join(out), i


def _braced(text: str, i: int, env: Mapping[str, str], where: Location) -> tuple[str, int]:
    """Parse after `${`; returns the substituted value and the index after `}`."""
    n = len(text)
    j = i
    while j < n and text[j] in _NAME_CHARS:
        j += 1
    name = text[i:j]
    if not name or name[0] not in _NAME_START:
        raise InputError(f"invalid interpolation format for {text!r}", location=where)
    if j < n and text[j] == "}":
        return env.get(name, ""), j + 1
    operator = ""
    for candidate in (":-", ":?", ":+", "-", "?", "+"):
        if text.startswith(candidate, j):
            operator = candidate
            break
    if not operator:
        raise InputError(f"invalid interpolation format for {text!r}", location=where)
    argument, end = _scan_argument(text, j + len(operator), env, where)
    is_set = name in env
    non_empty = is_set and env[name] != ""
    if operator in (":-", "-"):
        present = non_empty if operator == ":-" else is_set
        return (env[name] if present else argument), end
    if operator in (":+", "+"):
        present = non_empty if operator == ":+" else is_set
        return (argument if present else ""), end
    present = non_empty if operator == ":?" else is_set
    if not present:
        message = argument or f"variable {name} is not set"
        raise InputError(f"required variable {name} is missing a value: {message}", location=where)
    return env[name], end


def _scan_argument(text: str, i: int, env: Mapping[str, str], where: Location) -> tuple[str, int]:
    """The default/alternative text up to the matching `}` (nested `${...}` allowed)."""
    value, end = _scan(text, i, env, where, stop="}")
    return value, end + 1
