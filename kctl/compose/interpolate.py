"""Compose variable interpolation: ${V} $V ${V:-d} ${V-d} ${V:?e} ${V?e} ${V:+a} ${V+a} and $$.

One loop over the text with an explicit stack of open `${NAME<op>` expressions, so nesting
depth (`${A:-${B:-${C...}}}`) is bounded by the text's length, never by Python's stack."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from msgspec import Struct, field

from kctl.errors import InputError, Location

_NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | set("0123456789")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")

# Variables read but not set, each with where it was first read (docker compose warns:
# 'The "TAG" variable is not set. Defaulting to a blank string.').
Unset = MutableMapping[str, Location]


class _Open(Struct):
    """An open `${NAME<operator>` whose argument is being read into `out`."""

    name: str
    operator: str
    outer: list[str]
    out: list[str] = field(default_factory=list)


def interpolate(
    text: str, env: Mapping[str, str], where: Location, unset: Unset | None = None
) -> str:
    """Substitute variables in text as docker-compose does; `$$` is a literal `$`."""
    if "$" not in text:
        return text
    stack: list[_Open] = []
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "}" and stack:
            top = stack.pop()
            out = top.outer
            out.append(_resolve(top, env, where))
            i += 1
            continue
        if c != "$":
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            j = i + 2
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            name = text[i + 2 : j]
            if not name or name[0] not in _NAME_START:
                raise InputError(f"invalid interpolation format for {_shown(text)}", location=where)
            if j < n and text[j] == "}":
                out.append(_lookup(name, env, where, unset))
                i = j + 1
                continue
            operator = next((op for op in _OPERATORS if text.startswith(op, j)), "")
            if not operator:
                raise InputError(f"invalid interpolation format for {_shown(text)}", location=where)
            stack.append(_Open(name, operator, out))
            out = stack[-1].out
            i = j + len(operator)
        elif nxt in _NAME_START:
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            out.append(_lookup(text[i + 1 : j], env, where, unset))
            i = j
        else:  # a `$` not starting a variable stays literal, as in docker-compose
            out.append("$")
            i += 1
    if stack:
        raise InputError(
            f"invalid interpolation format for {_shown(text)}: missing '}}'", location=where
        )
    return "".join(out)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _lookup(name: str, env: Mapping[str, str], where: Location, unset: Unset | None) -> str:
    value = env.get(name)
    if value is None:
        if unset is not None:
            unset.setdefault(name, where)
        return ""
    return value


def _resolve(expr: _Open, env: Mapping[str, str], where: Location) -> str:
    """The value of a closed `${NAME<operator>argument}`."""
    name, operator, argument = expr.name, expr.operator, "".join(expr.out)
    is_set = name in env
    non_empty = is_set and env[name] != ""
    present = non_empty if operator.startswith(":") else is_set
    if operator in (":-", "-"):
        return env[name] if present else argument
    if operator in (":+", "+"):
        return argument if present else ""
    if not present:
        message = argument or f"variable {name} is not set"
        raise InputError(f"required variable {name} is missing a value: {message}", location=where)
    return env[name]
