"""The Jinja environment that writes the chart's files from templates/chart."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from json.encoder import encode_basestring_ascii
from typing import Any

from kctl import yamlio

_FIRST = "\x00kctl-stand-in-{}\x00"
_SECOND = " \x00 Other.Stand_In/{}:X\n  y \x00 "  # spaces, a line break, case, punctuation
_STAND_IN = re.compile(r"\x00kctl-stand-in-(\d+)\x00")
# what str.splitlines ends a line at, besides "\n"
_ASCII_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e"
_OTHER_LINE_BREAKS = re.compile(f"[{_ASCII_LINE_BREAKS}\x85\u2028\u2029]")


def has_other_line_break(text: str) -> bool:
    """Whether str.splitlines would end a line of text somewhere other than at "\n". An
    ASCII text (which Python knows without reading it) is searched for its six characters
    one by one, each a memchr: a regex set costs ~30 instructions a character, and a chart's
    object files are megabytes."""
    if text.isascii():
        return any(char in text for char in _ASCII_LINE_BREAKS)
    return _OTHER_LINE_BREAKS.search(text) is not None


class ChartJinja:
    """The chart's Jinja environment (delimiters that do not clash with Go templates)."""

    def __init__(self) -> None:
        from kctl.resources import templates_dir
        from kctl.templating import environment
        from kctl.usercache import cache_dir

        self.env = environment(  # kctl's own templates: no sandbox, compiled once per version
            templates_dir() / "chart", sandboxed=False, compiled_cache=cache_dir("jinja")
        )
        self.env.filters["toyaml"] = lambda data: yamlio.dump(data).rstrip("\n")
        self.snippets: Any = self.env.get_template("_snippets.j2").module
        # one chart renders a template thousands of times: look each up (and check its file's
        # modification time, as Environment.get_template does on every call) only once
        self.templates: dict[str, Any] = {}
        self.json_texts: dict[str, str] = {}  # a string -> json(string)
        self.json_of_str: bool | None = None  # whether _html_safe_json makes a string's json
        self.modules: dict[str, Any] = {}  # template -> its macros

    def json(self, value: Any) -> str:
        """value as the templates' `tojson` filter writes it (Jinja's do_tojson: the
        environment's JSON policies, HTML-safe): for values a template writes as given. A
        string's JSON is made once (a chart names each service, claim and ConfigMap often)."""
        if type(value) is not str:
            return self._tojson(value)
        text = self.json_texts.get(value)
        if text is None:
            if self.json_of_str is None:  # whether _html_safe_json is the filter, for strings
                self.json_of_str = _html_safe_json(_PROBE) == self._tojson(_PROBE)
            text = _html_safe_json(value) if self.json_of_str else self._tojson(value)
            self.json_texts[value] = text
        return text

    def _tojson(self, value: Any) -> str:
        from jinja2.utils import htmlsafe_json_dumps

        policies = self.env.policies
        dumps, kwargs = policies["json.dumps_function"], policies["json.dumps_kwargs"]
        return str(htmlsafe_json_dumps(value, dumps=dumps, **kwargs))

    def module(self, template: str) -> Any:
        """The macros of one template of templates/chart."""
        module = self.modules.get(template)
        if module is None:
            module = self.modules[template] = self.env.get_template(template).module
        return module

    def toyaml_indented(self, data: Any, width: int) -> str:
        """`data | toyaml | indent(width)` as the templates write it. Jinja's indent splits the
        text into lines and indents all but the first and the empty ones: with no empty line
        and no line break but "\n", that is the YAML written at column `width` at once."""
        if type(data) is dict:
            text = yamlio.dump_at(data, width)
            if text is not None and "\n\n" not in text and not has_other_line_break(text):
                return text
        text = str(self.env.filters["toyaml"](data))
        if "\n\n" in text or has_other_line_break(text):
            return str(self.env.filters["indent"](text, width))
        return text.replace("\n", "\n" + " " * width)

    def render(self, template: str, **context: Any) -> str:
        """Render one template of templates/chart."""
        compiled = self.templates.get(template)
        if compiled is None:
            compiled = self.templates[template] = self.env.get_template(template)
        return str(compiled.render(**context))


# every ASCII character, and non-ASCII ones of each kind (a letter, a line separator, a lone
# surrogate): a string whose JSON shows how the filter writes any string
_PROBE = "".join(map(chr, range(128))) + "\u00e9\u2028\ud800"


def _html_safe_json(text: str) -> str:
    """What Jinja's tojson writes for a string under its default policies (json.dumps with
    sort_keys, then <, >, & and ' escaped), without json.dumps' per-call set-up."""
    return (
        encode_basestring_ascii(text)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


class Stencil:
    """A template's text with %s where each value goes (literal % doubled), and which value
    goes in each place: filled by one %-format."""

    def __init__(self, parts: list[str | int]) -> None:
        self.format = "".join("%s" if isinstance(p, int) else p.replace("%", "%%") for p in parts)
        self.order = tuple(p for p in parts if isinstance(p, int))
        self.in_order = self.order == tuple(range(len(self.order)))  # each value once, in order

    def fill(self, values: tuple[str, ...]) -> str:
        if self.in_order:
            return self.format % values
        return self.format % tuple(values[i] for i in self.order)


class Stencils:
    """Template text rendered once with stand-ins for the values a template inserts verbatim
    (a values path, an object's YAML), then filled in by one string format: a Jinja render
    costs ~10 us and a 500-service chart renders its fragments and object files ~10,000 times.

    A stencil is checked when made: the template rendered with a second set of stand-ins
    (other characters and length, spaces at the ends, a line break: what trim, indent, case or
    replace filters would change) must be the stencil filled with them, else that template is
    rendered every time, as it is when a value is not written out. Empty values (which a
    template may test) and values holding a NUL (never in YAML or a values path) are rendered.
    What remains is the templates' contract: a stenciled value is written as given."""

    def __init__(self) -> None:
        self.made: dict[Hashable, Stencil | None] = {}

    def stencil(self, key: Hashable, render: Callable[..., str], count: int) -> Stencil | None:
        """The stencil of `key` (made from render, which takes count values), or None when
        render cannot be filled in: it must be called."""
        try:
            return self.made[key]
        except KeyError:
            stencil = self.made[key] = _stencil(render, count)
            return stencil

    def render(self, key: Hashable, render: Callable[..., str], values: tuple[str, ...]) -> str:
        """render(*values), filled into the stencil of `key` (what render does but values)."""
        stencil = self.stencil(key, render, len(values))
        if stencil is None or not _fillable(values):
            return render(*values)
        return stencil.fill(values)

    def filled(self, key: Hashable, values: tuple[str, ...]) -> str | None:
        """The stencil of `key` filled with values, when it is made and they can fill it."""
        stencil = self.made.get(key)
        return stencil.fill(values) if stencil is not None and _fillable(values) else None


def _fillable(values: tuple[str, ...]) -> bool:
    """Empty values (which a template may test) and values holding a NUL are rendered."""
    return all(values) and "\x00" not in "".join(values)


def _stencil(render: Callable[..., str], count: int) -> Stencil | None:
    split = _STAND_IN.split(render(*(_FIRST.format(i) for i in range(count))))
    parts: list[str | int] = [int(part) if i % 2 else part for i, part in enumerate(split)]
    if {part for part in parts if isinstance(part, int)} != set(range(count)):
        return None  # a value the template does not write out (it may decide on it)
    stencil = Stencil(parts)
    other = tuple(_SECOND.format(i) for i in range(count))
    return stencil if stencil.fill(other) == render(*other) else None
