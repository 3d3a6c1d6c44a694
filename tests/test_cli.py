"""The CLI contract every command shares: version, help, exit codes, error rendering."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from kctl import __version__
from kctl.errors import ExitCode, InputError, Location, OperationError, PreconditionError
from tests.support.run import run_kctl

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("argv", [["--version"], ["-q", "--version"]])
def test_version_flag(argv: list[str]) -> None:
    result = run_kctl(*argv)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"kctl {__version__}\n", "")


def test_help_lists_command_groups() -> None:
    result = run_kctl("--help")
    assert result.exit_code == 0
    assert "Usage: kctl" in result.stdout
    for option in ("--debug", "--quiet", "--verbose", "--no-color"):
        assert option in result.stdout
    assert "version" in result.stdout


def test_version_command_json() -> None:
    result = run_kctl("version", "-o", "json")
    assert result.exit_code == 0 and result.json["kctl"] == __version__


def test_version_command_yaml() -> None:
    result = run_kctl("version", "-o", "yaml")
    assert result.exit_code == 0 and f"kctl: {__version__}" in result.stdout


@pytest.mark.parametrize("argv", [["no-such-command"], ["version", "-o", "xml"], ["--bogus"]])
def test_usage_errors_exit_2_without_traceback(argv: list[str]) -> None:
    result = run_kctl(*argv)
    assert (result.exit_code, result.stdout) == (ExitCode.USAGE, "")
    assert "Traceback" not in result.stderr
    assert "Error" in result.stderr


def _app_raising(exc: BaseException):
    """A root app with one extra command that raises exc, run through main()'s error handling."""
    import kctl.cli.app as app_module

    original = app_module.build_app

    def build(command: str | None = None) -> typer.Typer:
        app = original(command)

        @app.command("boom")
        def boom() -> None:
            raise exc

        return app

    return build


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (InputError("bad key", location=Location("c.yaml", 3, 5), hint="fix it"), 2),
        (OperationError("build failed"), 1),
        (PreconditionError("dirty target"), 3),
        (KeyboardInterrupt(), 130),
        (RuntimeError("bug"), 1),
    ],
)
def test_errors_map_to_exit_codes(exc, code, monkeypatch) -> None:
    import kctl.cli.app as app_module

    monkeypatch.setattr(app_module, "build_app", _app_raising(exc))
    result = run_kctl("boom")
    assert result.exit_code == code, result.stderr
    err = result.stderr
    assert "Traceback" not in err
    assert sum(line.startswith("error:") for line in err.splitlines()) == 1
    if isinstance(exc, InputError):
        assert "c.yaml:3:5: bad key" in err
        assert "hint: fix it" in err


def test_debug_shows_traceback(monkeypatch) -> None:
    import kctl.cli.app as app_module

    monkeypatch.setattr(app_module, "build_app", _app_raising(RuntimeError("bug")))
    result = run_kctl("--debug", "boom")
    assert result.exit_code == 1 and "Traceback" in result.stderr


def test_no_color_and_non_tty_give_plain_text(monkeypatch) -> None:
    import io

    from kctl.console import Console

    monkeypatch.setenv("NO_COLOR", "1")
    err = io.StringIO()
    console = Console(stdout=io.StringIO(), stderr=err)
    console.warn("careful [bold]x[/bold]")
    console.error(InputError("broken", location=Location("f.yaml", 1)))
    assert err.getvalue() == "warning: careful [bold]x[/bold]\nerror: f.yaml:1: broken\n"
    assert "\x1b[" not in err.getvalue()


def test_quiet_hides_info_but_not_warnings() -> None:
    import io

    from kctl.console import QUIET, Console

    err = io.StringIO()
    console = Console(stdout=io.StringIO(), stderr=err, verbosity=QUIET)
    console.info("progress")
    console.warn("problem")
    assert err.getvalue() == "warning: problem\n"


@pytest.mark.e2e
def test_console_script_runs_as_module() -> None:
    """`python -m kctl` goes through the console script's run(): its exit, not main()'s return."""
    out = subprocess.run(
        [sys.executable, "-m", "kctl", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"kctl {__version__}"


def test_cli_modules_do_not_import_heavy_libraries_at_startup() -> None:
    code = (
        "import sys; from kctl.cli.app import build_app; build_app(); "
        "heavy = [m for m in ('docker', 'jinja2', 'ruamel.yaml', 'watchdog', 'yaml', "
        "'kubernetes_validate', 'cryptography') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_shell_completion_completes_commands() -> None:
    env = {"_KCTL_COMPLETE": "complete_bash", "COMP_WORDS": "kctl vers", "COMP_CWORD": "1"}
    result = run_kctl(env=env)
    assert result.exit_code == 0 and result.stdout.split() == ["version"]


@pytest.mark.parametrize(
    "argv",
    [
        ["convert", "--help"],
        ["create", "--help"],
        ["up", "--help"],
        ["down", "--help"],
        ["upgrade", "plan", "--help"],
        ["pack", "list", "--help"],
        ["completion", "--help"],
        ["version"],
        ["-q", "convert", "--list-labels"],
    ],
)
def test_a_run_with_only_its_command_registered_behaves_as_the_full_tree(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """main() registers only the named command's module (start-up time); what a user sees must
    be what the whole command tree gives."""
    import kctl.cli.main as main_module

    lazy = run_kctl(*argv)
    monkeypatch.setattr(main_module, "_command_of", lambda args: None)
    full = run_kctl(*argv)
    assert (lazy.exit_code, lazy.stdout, lazy.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert lazy.stdout
