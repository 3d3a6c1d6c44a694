"""One vocabulary of flags (issue 23): a shared flag (kctl/cli/options.py) means one thing in
every command — the same short flag, default and metavar — and values print as words in help
(`<seconds>`, `<file>`), never as types (`<float>`, `<str>`, `<int range>`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import typer

from kctl.cli.app import build_app
from kctl.cli.options import SHARED

pytestmark = pytest.mark.unit

# Kompose's own spellings in `kctl convert` (scripts written for `kompose convert` keep working):
# -o is --out there as in Kompose, -y the hidden --yaml alias.
KOMPOSE = {("convert", "-o"): "--out", ("convert", "-y"): "--yaml"}
# flags whose default is the value in the command's config file (kctl.toml), not the table's
FROM_CONFIG = {("up", "--timeout"), ("down", "--timeout")}
TYPE_METAVAR = re.compile(r"<(str|text|int|integer|float|int range|float range|path|bool)>")


def _commands() -> Iterator[tuple[str, Any]]:
    root = typer.main.get_command(build_app())

    def walk(path: str, command: Any) -> Iterator[tuple[str, Any]]:
        yield path, command
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk(f"{path} {name}".strip(), sub)

    yield from walk("", root)


COMMANDS = dict(_commands())
SHORT = {s.short: s.name for s in SHARED.values() if s.short}


def _options(command: Any) -> Iterator[Any]:
    return (p for p in command.params if p.param_type_name == "option")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return tuple(value)
    return str(value) if isinstance(value, Path) else value


def test_the_commands_of_issue_23_are_walked() -> None:
    walked = {"convert", "create", "up", "down", "upgrade diff", "upgrade catalog update"}
    assert walked | {"pack show"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: p or "kctl")
def test_every_shared_flag_means_one_thing(path: str) -> None:
    for option in _options(COMMANDS[path]):
        longs = [o for o in option.opts if o.startswith("--")]
        shorts = [o for o in option.opts if not o.startswith("--")]
        for short in shorts:
            expected = KOMPOSE.get((path, short)) or SHORT.get(short)
            if expected is not None:
                assert longs == [expected], f"{path}: {short} is {longs}, elsewhere {expected}"
        for name in longs:
            if name not in SHARED:
                continue
            shared = SHARED[name]
            assert shorts == ([shared.short] if shared.short else []), f"{path} {name}"
            assert option.metavar == shared.metavar, f"{path} {name}: {option.metavar}"
            default = None if (path, name) in FROM_CONFIG else _plain(shared.default)
            assert _plain(option.default) == default, f"{path} {name} default"


def test_a_short_flag_means_one_thing_in_every_command() -> None:
    """-p was --project-name in convert and --port-forward in up (a user of both guesses)."""
    meanings: dict[str, set[str]] = {}
    for path, command in COMMANDS.items():
        for option in _options(command):
            longs = [o for o in option.opts if o.startswith("--")]
            for short in (o for o in option.opts if not o.startswith("--")):
                # Kompose's spellings in convert (-o/--out) are aliases of the shared flag
                kompose = (path, short) in KOMPOSE
                meaning = SHORT.get(short, short) if kompose else (longs or [short])[0]
                meanings.setdefault(short, set()).add(meaning)
    assert {s: m for s, m in meanings.items() if len(m) > 1} == {}


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: p or "kctl")
def test_metavars_are_words_not_types(path: str) -> None:
    command = COMMANDS[path]
    with command.context_class(command, info_name=path or "kctl") as ctx:
        records = [p.get_help_record(ctx) for p in command.params]
    shown = " ".join(record[0] for record in records if record)
    assert not TYPE_METAVAR.search(shown), f"kctl {path}: {shown}"


def test_probe_timeout_has_one_default() -> None:
    defaults = {
        path: option.default
        for path, command in COMMANDS.items()
        for option in _options(command)
        if "--probe-timeout" in option.opts
    }
    assert {"upgrade plan", "upgrade diff", "upgrade apply"} <= set(defaults)
    assert set(defaults.values()) == {2.0}
