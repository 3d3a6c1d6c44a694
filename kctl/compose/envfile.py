"""`.env` and `env_file` parsing: the dotenv dialect docker compose reads (compose-go's parser).

It reads statements, not lines: after a quoted value the same line goes on with the next
statement (`A='x' B=y` sets both; `A='x' # note` is a comment). A key ends at `=`, `:` or a
newline (a bare key takes the shell's value, or is left out). Unquoted values end at the line's
end or at ` #`; single quotes keep their text; double quotes expand escapes and variables.
Variables expand from the shell first, then from keys set earlier in the file. One deliberate
difference: a bare name on a last line without a newline is a bare name here too (compose-go
sets a variable with an empty name to it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from kctl import inputs
from kctl.compose.interpolate import Unset, interpolate
from kctl.errors import InputError, Location

_EXPORT = re.compile(r"export\s+")
_ESCAPE = re.compile(r'\\(?:[abcfnrtv$"\\]|0\d{0,3})')
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    '"': '"',
    "\\": "\\",
    "$": "$$",  # a literal dollar for the variable expansion that follows
}
_BLANK = "\t\v\f\r \x85\xa0"  # white space that does not end a line


def parse_env_file(
    path: Path, env: Mapping[str, str], unset: Unset | None = None
) -> dict[str, str]:
    """The variables a dotenv file sets; `env` is the shell (it wins in ${VAR} expansion).
    Variables a value reads that are set nowhere are added to `unset` with their line (docker
    compose warns for them as for the Compose file's own)."""
    return _Parser(inputs.read_text(path), str(path), env, unset).parse()


class _Parser:
    def __init__(
        self, text: str, name: str, env: Mapping[str, str], unset: Unset | None = None
    ) -> None:
        self.text = text
        self.name = name
        self.env = env
        self.unset = unset
        self.pos = 0
        self.line = 1

    def where(self) -> Location:
        return Location(self.name, self.line)

    def parse(self) -> dict[str, str]:
        out: dict[str, str] = {}
        while self._statement_start():
            key, bare = self._key()
            if " " in key:
                raise InputError("a variable name cannot contain a space", location=self.where())
            if bare:
                if key in self.env:
                    out[key] = self.env[key]
                continue
            out[key] = self._value(out)
        return out

    def _statement_start(self) -> bool:
        """Skip white space and comment lines; whether a statement follows."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\n":
                self.line += 1
            if char.isspace():
                self.pos += 1
                continue
            if char != "#":
                return True
            end = text.find("\n", self.pos)
            if end < 0:
                return False
            self.pos = end
        return False

    def _key(self) -> tuple[str, bool]:
        """The variable name, and whether it stands alone (no `=`: the shell's value)."""
        export = _EXPORT.match(self.text, self.pos)
        if export:
            self.pos = self._skip_blank(self.pos + len("export"))
        start = self.pos
        for index in range(start, len(self.text)):
            char = self.text[index]
            if char in _BLANK or char in "_.-[]" or char.isalpha() or char.isnumeric():
                continue
            if char in "=:\n":
                key = self.text[start:index].rstrip()
                bare = char == "\n"
                if bare and " " not in key:
                    self.line += 1
                self.pos = self._skip_blank(index + 1)
                return key, bare
            first_line = self.text[start:].split("\n", 1)[0]
            raise InputError(
                f"unexpected character {char!r} in variable name {first_line!r}",
                location=self.where(),
            )
        # a last line without `=` or newline: a bare name like the others (compose-go would set
        # a variable with an empty name to the text, which no container accepts)
        self.pos = len(self.text)
        return self.text[start:].rstrip(), True

    def _skip_blank(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in _BLANK:
            pos += 1
        return pos

    def _value(self, out: Mapping[str, str]) -> str:
        text = self.text
        quote = text[self.pos] if self.pos < len(text) and text[self.pos] in "'\"" else ""
        if not quote:
            end = text.find("\n", self.pos)
            end = len(text) if end < 0 else end
            value = text[self.pos : end].split(" #", 1)[0].rstrip()
            where = self.where()
            self.line += 1
            self.pos = end + 1
            return self._expand(value, out, where)
        where = self.where()
        chars: list[str] = []
        escaped = False
        for index in range(self.pos + 1, len(text)):
            char = text[index]
            if char == "\n":
                self.line += 1
            if char == quote and not escaped:
                self.pos = index + 1
                value = "".join(chars)
                if quote == "'":
                    return value
                return self._expand(_ESCAPE.sub(_unescape, value), out, where)
            if char == "\\" and not escaped:
                escaped = True
                continue
            if escaped and char != quote:
                chars.append("\\")
            escaped = False
            chars.append(char)
        first_line = text[self.pos :].split("\n", 1)[0]
        raise InputError(f"unterminated quoted value {first_line}", location=where)

    def _expand(self, value: str, out: Mapping[str, str], where: Location) -> str:
        return interpolate(value, {**out, **self.env}, where, self.unset)


def _unescape(match: re.Match[str]) -> str:
    """One escape sequence of a double-quoted value, as Go's UnquoteChar reads it (an octal
    escape is `\\0` and three digits); a sequence Go does not read stays as written."""
    text = match.group(0)
    if text[1] in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[text[1]]
    digits = text[2:]
    if text[1] == "0" and len(digits) == 3 and all(d in "01234567" for d in digits):
        code = int(digits, 8)
        return chr(code) if code <= 0o377 else text
    return text
