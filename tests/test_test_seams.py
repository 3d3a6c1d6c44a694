"""Tests enter kctl at the seam (issue 23): in-process, through tests/support/run.py's
run_kctl() or main(). Only tests marked `e2e` start kctl as a subprocess — what needs a real
process: signal delivery, a process killed mid-run, the console script's exit, installation,
a real terminal, processes contending for a lock, `kctl up` watch loops against Podman.

The rule is read from the test sources (AST): a test that starts kctl — itself, through a
helper function or class of its module or of another tests module, or through a fixture — must
carry the e2e marker (on the test, its class or the module's pytestmark)."""

from __future__ import annotations

import ast
import gc
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest

from tests.support.run import Hung, run_kctl

pytestmark = pytest.mark.unit
TESTS = Path(__file__).resolve().parent

# callables that start a process: as attributes (subprocess.run, os.execv, asyncio's) and,
# for names no test helper takes, also called bare (Popen, spawn from tests/support/services)
BARE_SPAWNERS = frozenset(
    {"Popen", "check_call", "check_output", "spawn", "create_subprocess_exec", "execv", "execvp"}
)
SPAWNERS = BARE_SPAWNERS | {"run", "call", "system", "popen", "execve", "create_subprocess_shell"}


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _names_kctl(node: ast.AST) -> bool:
    """Whether node is (part of) a command line that runs kctl."""
    if isinstance(node, ast.List | ast.Tuple):
        words = [_text(e) for e in node.elts]
        if any(a == "-m" and b == "kctl" for a, b in pairwise(words)):
            return True
        return bool(words) and words[0] == "kctl"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # venv / "bin" / "kctl"
        return _text(node.right) == "kctl"
    text = _text(node)
    if text is not None:  # a shell command line, or `python -c` code that runs the CLI
        return "-m kctl" in text or "kctl.cli.main import" in text
    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "which":
        return bool(node.args) and _text(node.args[0]) == "kctl"
    return False


def _spawns(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Name):
        return node.func.id in BARE_SPAWNERS
    return getattr(node.func, "attr", None) in SPAWNERS


def _starts_kctl_itself(body: ast.AST) -> bool:
    nodes = list(ast.walk(body))
    spawns = any(_spawns(n) for n in nodes)
    return spawns and any(_names_kctl(n) for n in nodes)


def _is_e2e(decorators: list[ast.expr]) -> bool:
    return any("mark.e2e" in ast.unparse(d) for d in decorators)


@dataclass
class Module:
    """What the rule needs of one test source."""

    name: str  # tests.cluster.test_apply
    tree: ast.Module
    imported: dict[str, str] = field(default_factory=dict)  # local name -> "module:name"
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> a tests module
    e2e: bool = False  # its pytestmark holds e2e

    @classmethod
    def parse(cls, name: str, source: str) -> Module:
        module = cls(name, ast.parse(source))
        for node in module.tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests"):
                for alias in node.names:  # a function or class, or a module of a package
                    module.imported[alias.asname or alias.name] = f"{node.module}:{alias.name}"
                    module.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("tests.") and alias.asname:
                        module.aliases[alias.asname] = alias.name
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            if any(getattr(t, "id", None) == "pytestmark" for t in targets):
                module.e2e = "mark.e2e" in ast.unparse(node)
        return module

    def definitions(self) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                yield node


def _fixture_name(node: ast.AST) -> str | None:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    return node.name if any("fixture" in ast.unparse(d) for d in node.decorator_list) else None


def _starters(modules: list[Module]) -> tuple[set[str], set[str]]:
    """The helpers ("module:name") and fixtures (by name) that start kctl, found by
    following calls until nothing more is added."""
    helpers: set[str] = set()
    fixtures: set[str] = set()
    changed = True
    while changed:
        changed = False
        for module in modules:
            for node in module.definitions():
                key = f"{module.name}:{node.name}"
                if key in helpers:
                    continue
                if _starts_kctl_itself(node) or _uses(module, node, helpers, fixtures):
                    helpers.add(key)
                    if name := _fixture_name(node):
                        fixtures.add(name)
                    changed = True
    return helpers, fixtures


def _uses(module: Module, node: ast.AST, helpers: set[str], fixtures: set[str]) -> str | None:
    """The starter node calls or requests, if any."""
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Call):
            continue
        func, key = inner.func, None
        if isinstance(func, ast.Name):
            key = module.imported.get(func.id, f"{module.name}:{func.id}")
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in module.aliases:  # kctl_cli.kctl(...), cli.UpProcess(...)
                key = f"{module.aliases[func.value.id]}:{func.attr}"
        if key in helpers:
            return key
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        for arg in node.args.args:
            if arg.arg in fixtures:
                return f"fixture {arg.arg}"
    return None


def _tests_of(module: Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Each test function of a module, and whether its module or class marks it e2e."""
    for node in module.definitions():
        marked = module.e2e
        body: list[ast.stmt] = [node]
        if isinstance(node, ast.ClassDef):
            marked, body = marked or _is_e2e(node.decorator_list), node.body
        for test in body:
            if isinstance(test, ast.FunctionDef | ast.AsyncFunctionDef):
                if test.name.startswith("test"):
                    yield test, marked or _is_e2e(test.decorator_list)


def violations(sources: dict[str, str]) -> list[str]:
    """Tests not marked e2e that start kctl as a subprocess, as "module:test (via what)"."""
    modules = [Module.parse(name, text) for name, text in sources.items()]
    helpers, fixtures = _starters(modules)
    found = []
    for module in modules:
        for test, e2e in _tests_of(module):
            if e2e:
                continue
            how = "itself" if _starts_kctl_itself(test) else _uses(module, test, helpers, fixtures)
            if how:
                found.append(f"{module.name}:{test.name} (via {how})")
    return found


def _test_sources() -> dict[str, str]:
    files = sorted(TESTS.rglob("*.py"))
    return {
        ".".join(path.relative_to(TESTS.parent).with_suffix("").parts): path.read_text()
        for path in files
        if "corpus" not in path.parts
    }


def test_only_e2e_tests_start_kctl_as_a_subprocess() -> None:
    assert violations(_test_sources()) == []


# the rule itself: each way of starting kctl is seen, and the marker lifts it -------------------
HELPER = """
import subprocess, sys
def kctl(*args):
    return subprocess.run([sys.executable, "-m", "kctl", *args])
"""


@pytest.mark.parametrize(
    ("source", "via"),
    [
        ("import subprocess, sys\ndef test_a():\n    subprocess.run([sys.executable, '-m', 'kctl'])",
         "itself"),
        ("import subprocess\ndef test_a(venv):\n    subprocess.run([str(venv / 'bin' / 'kctl')])",
         "itself"),
        ("import subprocess, sys\ndef test_a():\n    argv = [sys.executable, '-m', 'kctl']\n"
         "    argv += ['up']\n    p = subprocess.Popen(argv)", "itself"),
        (HELPER + "def test_a():\n    kctl('convert')", "tests.m:kctl"),
        (HELPER + "def outer():\n    kctl()\ndef test_a():\n    outer()", "tests.m:outer"),
        (HELPER + "import pytest\n@pytest.fixture\ndef proc():\n    return kctl()\n"
         "def test_a(proc):\n    pass", "fixture proc"),
        (HELPER + "class TestX:\n    def test_a(self):\n        kctl()", "tests.m:kctl"),
    ],
)  # fmt: skip
def test_the_rule_sees_a_kctl_subprocess(source: str, via: str) -> None:
    assert violations({"tests.m": source}) == [f"tests.m:test_a (via {via})"]


@pytest.mark.parametrize(
    "source",
    [
        HELPER + "import pytest\n@pytest.mark.e2e\ndef test_a():\n    kctl()",
        HELPER + "import pytest\npytestmark = [pytest.mark.unit, pytest.mark.e2e]\n"
        "def test_a():\n    kctl()",
        HELPER + "import pytest\n@pytest.mark.e2e\nclass TestX:\n    def test_a(self):\n"
        "        kctl()",
        "from tests.support.run import run_kctl\ndef test_a():\n    run_kctl('convert')",
        "import subprocess\ndef test_a():\n    subprocess.run(['helm', 'lint'])",
    ],
)
def test_the_rule_lets_e2e_tests_and_in_process_runs_be(source: str) -> None:
    assert violations({"tests.m": source}) == []


@pytest.mark.parametrize(
    "user",
    [
        "from tests.support.cli import kctl\ndef test_a():\n    kctl()",
        "from tests.support import cli\ndef test_a():\n    cli.kctl()",
        "import tests.support.cli as c\ndef test_a():\n    c.kctl()",
    ],
)
def test_the_rule_follows_helpers_into_other_modules(user: str) -> None:
    sources = {"tests.support.cli": HELPER, "tests.m": user}
    assert violations(sources) == ["tests.m:test_a (via tests.support.cli:kctl)"]


# run_kctl leaves the process as it found it --------------------------------------------------
def test_run_kctl_gives_exit_code_and_both_streams(tmp_path: Path) -> None:
    result = run_kctl("convert", "-f", "missing.yaml", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: missing.yaml: file not found\n"
    assert run_kctl("version", "-o", "json").json["kctl"]


def test_run_kctl_restores_cwd_environ_signals_and_gc(tmp_path: Path) -> None:
    cwd, environ = os.getcwd(), dict(os.environ)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    app = tmp_path / "hello"
    shutil.copytree(TESTS.parent / "examples" / "up" / "hello", app)
    # `up` turns the collector on and installs its signal handlers before it needs the engine
    nowhere = {"DOCKER_HOST": "unix:///nonexistent/kctl-test.sock", "HOME": None}
    gc.disable()
    try:
        result = run_kctl("up", "--dry-run", "--target", "local", cwd=app, env=nowhere)
        assert result.exit_code == 3 and "cannot reach the container engine" in result.stderr
        assert gc.isenabled() is False
    finally:
        gc.enable()
    assert (os.getcwd(), dict(os.environ)) == (cwd, environ)
    assert {s: signal.getsignal(s) for s in handlers} == handlers


def test_run_kctl_asks_for_a_terminal_or_a_pipe() -> None:
    colour = run_kctl("convert", "-f", "missing.yaml", tty=True, env={"NO_COLOR": None})
    assert colour.stderr.startswith("\x1b[")
    plain = run_kctl("convert", "-f", "missing.yaml", tty=False, env={"NO_COLOR": None})
    assert plain.stderr.startswith("error: ")


def test_run_kctl_reads_stdin(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    image: nginx\n"
    result = run_kctl("convert", "-f", "-", "--stdout", cwd=tmp_path, stdin=compose)
    assert result.exit_code == 0, result.stderr
    assert "kind: Deployment" in result.stdout


def test_run_kctl_refuses_hooks_that_act_on_the_whole_process() -> None:
    with pytest.raises(ValueError, match="e2e subprocess"):
        run_kctl("upgrade", "apply", "v1.30.14", env={"KCTL_UPGRADE_CRASH_AFTER": "etcd"})


def add_command(monkeypatch: pytest.MonkeyPatch, name: str, run: Callable[[], None]) -> None:
    """kctl, for this test, has one more command: `name`, which calls run."""
    import kctl.cli.app as app_module

    original = app_module.build_app

    def build(command: str | None = None):  # type: ignore[no-untyped-def]
        app = original(command)
        app.command(name)(run)
        return app

    monkeypatch.setattr(app_module, "build_app", build)


def test_a_hung_run_fails_instead_of_hanging(tmp_path: Path, monkeypatch) -> None:
    os.mkfifo(tmp_path / "pipe")

    def open_the_fifo() -> None:  # the regression test_inputs guards against: blocks forever
        (tmp_path / "pipe").read_bytes()

    add_command(monkeypatch, "hang", open_the_fifo)
    alarm = signal.getsignal(signal.SIGALRM)
    with pytest.raises(Hung, match=r"still running after 0\.5 s"):
        run_kctl("hang", timeout=0.5)
    assert signal.getsignal(signal.SIGALRM) == alarm
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_what_a_run_registers_with_atexit_runs_when_it_ends(monkeypatch) -> None:
    import atexit

    ran: list[str] = []

    def registers() -> None:
        atexit.register(lambda: sys.stderr.write("at exit\n") and ran.append("first"))
        atexit.register(ran.append, "second")  # the last registered runs first

    add_command(monkeypatch, "registers", registers)
    before = atexit._ncallbacks()  # nothing left to run at the end of the session
    result = run_kctl("registers")
    assert (result.exit_code, result.stderr, ran) == (0, "at exit\n", ["second", "first"])
    assert atexit._ncallbacks() == before
