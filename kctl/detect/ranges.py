"""Version ranges by each ecosystem's own rules, and the newest supported release line inside one.

A pack lists the release lines its base images exist for (python "3.12", node "22", dotnet "8.0").
A line is inside a range when some release of that line satisfies the range: the image tag of a line
floats to its newest patch, so a range only decides which line, never which patch.

Rules (the `rule` of a version source in pack.toml):
  pep440    packaging.specifiers (requires-python, ">=3.10,<3.13", "!=3.0.*,>=2.7")
  npm       node-semver ranges: ^ ~ >= < = x-ranges (20.x, 20, *), "a - b" and ||
  composer  like npm, but ~1.2 means >=1.2,<2 (composer/rubygems "pessimistic" operator)
  gem       rubygems requirements: ~> >= < = != joined by commas (and mix's `and`, `or`)
  minimum   the value is the lowest version that works (go directive, rust-version)
  tfm       .NET target frameworks: "net8.0" or "net6.0;net8.0" (any of them)
  line      a plain version or a prefix of one ("3.11.4", "v20", "3"): the line it belongs to
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Version = tuple[int, int, int]
Constraint = tuple[str, Version]  # (op, version), op in >= > <= < = !=
Alternatives = list[list[Constraint]]  # any alternative; every constraint of one
RULES = ("pep440", "npm", "composer", "gem", "minimum", "tfm", "line")

_PARTIAL = re.compile(
    r"^[vV=]?\s*(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+.][\w.+-]*)?$"
)
_COMPARATOR = re.compile(r"^(~>|\^|~|>=|<=|>|<|==|=|!=)?\s*(.*)$")
_BIG = 1 << 30


class RangeError(ValueError):
    """The text is not a range of this rule."""


def _partial(text: str) -> list[int]:
    """The numeric parts given before the first wildcard: "20.x" → [20], "*" → []."""
    match = _PARTIAL.match(text.strip())
    if text.strip() in ("", "*", "x", "X"):
        return []
    if not match:
        raise RangeError(f"not a version: {text!r}")
    parts: list[int] = []
    for group in match.groups():
        if group is None or not group.isdigit():
            break
        parts.append(int(group))
    return parts


def _pad(parts: list[int]) -> Version:
    full = [*parts, 0, 0, 0][:3]
    return (full[0], full[1], full[2])


def _bump(parts: list[int], index: int) -> Version:
    """The first version after parts[: index + 1]: bump(1.2.3, 0) = 2.0.0."""
    head = parts[: index + 1]
    head[-1] += 1
    return _pad(head)


def _comparator(text: str, pessimistic_tilde: bool) -> list[Constraint]:
    match = _COMPARATOR.match(text)
    op, rest = (match.group(1) or "", match.group(2)) if match else ("", text)
    parts = _partial(rest)
    k = len(parts)
    if k == 0:
        return [] if op in ("", "=", "==", ">=", "^", "~", "~>") else [("<", (0, 0, 0))]
    low = _pad(parts)
    if op == "~" and pessimistic_tilde:
        op = "~>"
    if op == "^":
        nonzero = [i for i, p in enumerate(parts) if p]
        return [(">=", low), ("<", _bump(parts, nonzero[0] if nonzero else k - 1))]
    if op == "~":
        return [(">=", low), ("<", _bump(parts, 0 if k == 1 else 1))]
    if op == "~>":
        return [(">=", low), ("<", _bump(parts, max(k - 2, 0)))]
    if op == ">=":
        return [(">=", low)]
    if op == ">":
        return [(">=", _bump(parts, k - 1))] if k < 3 else [(">", low)]
    if op == "<":
        return [("<", low)]
    if op == "<=":
        return [("<", _bump(parts, k - 1))] if k < 3 else [("<=", low)]
    if op == "!=":
        return [("!=", low)]
    return [(">=", low), ("<", _bump(parts, k - 1))] if k < 3 else [("=", low)]


def parse_semver(text: str, pessimistic_tilde: bool = False) -> Alternatives:
    """npm / composer / gem range text → alternatives of constraints."""
    alternatives: Alternatives = []
    text = re.sub(r"\s+or\s+", "||", re.sub(r"\s+and\s+", ",", text))  # Elixir's words
    for alternative in re.split(r"\|\|?", text):
        alternative = re.sub(r"(~>|>=|<=|!=|==|[~^<>=])\s+", r"\1", alternative.strip())
        hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", alternative)
        if hyphen:
            high = _partial(hyphen.group(2))
            upper: list[Constraint] = (
                [("<", _bump(high, len(high) - 1))] if 0 < len(high) < 3 else [("<=", _pad(high))]
            )
            alternatives.append([(">=", _pad(_partial(hyphen.group(1)))), *upper])
            continue
        constraints: list[Constraint] = []
        for word in re.split(r"[\s,]+", alternative):
            if word:
                constraints += _comparator(word, pessimistic_tilde)
        alternatives.append(constraints)
    return alternatives


def _holds(constraint: Constraint, version: Version) -> bool:
    op, bound = constraint
    return {
        ">=": version >= bound,
        ">": version > bound,
        "<=": version <= bound,
        "<": version < bound,
        "=": version == bound,
        "!=": version != bound,
    }[op]


def _probes(line: Version, depth: int, bounds: Iterable[Version]) -> list[Version]:
    """Versions of one release line that decide whether any of its releases satisfies a range."""
    top = list(line[:depth])
    top[-1] += 1
    end = _pad(top)
    probes = [line, (line[0], line[1], _BIG) if depth < 3 else line]
    if depth == 1:
        probes.append((line[0], _BIG, _BIG))
    for bound in bounds:
        for probe in (bound, (bound[0], bound[1], bound[2] + 1)):
            if line <= probe < end:
                probes.append(probe)
    return probes


def _line(version: str) -> tuple[Version, int]:
    parts = _partial(version)
    if not parts:
        raise RangeError(f"not a release line: {version!r}")
    return _pad(parts), len(parts)


def _semver_test(alternatives: Alternatives) -> Callable[[str], bool]:
    def fits(line_text: str) -> bool:
        line, depth = _line(line_text)
        for constraints in alternatives:
            probes = _probes(line, depth, (bound for _, bound in constraints))
            if any(all(_holds(c, p) for c in constraints) for p in probes):
                return True
        return False

    return fits


def _pep440_test(text: str) -> Callable[[str], bool]:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion
    from packaging.version import Version as PyVersion

    try:
        spec = SpecifierSet(text.strip())
    except InvalidSpecifier:
        raise RangeError(f"not a PEP 440 specifier: {text!r}") from None
    bounds: list[Version] = []
    for item in spec:
        try:
            release = PyVersion(item.version.removesuffix(".*")).release
        except InvalidVersion:
            continue
        bounds.append(_pad(list(release[:3])))

    def fits(line_text: str) -> bool:
        line, depth = _line(line_text)
        probes = _probes(line, depth, bounds)
        return any(spec.contains(".".join(map(str, p)), prereleases=False) for p in probes)

    return fits


def range_test(text: str, rule: str) -> Callable[[str], bool]:
    """A predicate telling whether a release line ("3.12", "22") is inside the range `text`."""
    text = text.strip()
    if rule == "pep440":
        return _pep440_test(text)
    if rule == "minimum":
        return _semver_test([[(">=", _pad(_partial(text)))]])
    if rule == "tfm":
        lines = re.findall(r"net(?:coreapp)?(\d+\.\d+)(?![\w.])", text)
        if not lines:
            raise RangeError(f"no .NET (Core) target framework in {text!r}")
        return _semver_test(parse_semver(" || ".join(lines)))
    if rule == "line":
        parts = _partial(text)
        if not parts:
            raise RangeError(f"not a version: {text!r}")
        return _semver_test([[(">=", _pad(parts)), ("<", _bump(parts, len(parts) - 1))]])
    if rule in ("npm", "composer", "gem"):
        return _semver_test(parse_semver(text, pessimistic_tilde=rule != "npm"))
    raise RangeError(f"unknown version rule {rule!r} (known: {', '.join(RULES)})")


def newest_inside(text: str, rule: str, supported: Iterable[str]) -> str | None:
    """The newest supported release line inside the range, or None when none is."""
    fits = range_test(text, rule)
    inside = [line for line in supported if fits(line)]
    return max(inside, key=lambda line: _line(line)[0]) if inside else None


def newest(supported: Iterable[str]) -> str:
    """The newest of the release lines."""
    return max(supported, key=lambda line: _line(line)[0])


def newer_lines(supported: Iterable[str]) -> list[str]:
    """Release lines after the newest supported one, in its shape (next minors, next majors):
    a range inside none of the supported lines but inside one of these asks for a newer one."""
    top = newest(supported)
    version, depth = _line(top)
    majors = [str(m) if depth == 1 else f"{m}.0" for m in range(version[0] + 1, version[0] + 100)]
    minors = [f"{version[0]}.{m}" for m in range(version[1] + 1, 200)] if depth > 1 else []
    return minors + majors
