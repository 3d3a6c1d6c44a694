"""The CLI contract every command shares: version, help, exit codes, error rendering."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from kctl import __version__
from kctl.cli.main import main
from kctl.errors import ExitCode, InputError, Location, OperationError, PreconditionError
from tests.support.run import run_kctl

pytestmark = pytest.mark.unit


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"kctl {__version__}\n"


def test_version_flag_with_other_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "--version"]) == 0
    assert capsys.readouterr().out == f"kctl {__version__}\n"


def test_help_lists_command_groups(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: kctl" in out
    for option in ("--debug", "--quiet", "--verbose", "--no-color"):
        assert option in out
    assert "version" in out


def test_version_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["version", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["kctl"] == __version__


def test_version_command_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version", "-o", "yaml"]) == 0
    assert f"kctl: {__version__}" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["no-such-command"], ["version", "-o", "xml"], ["--bogus"]])
def test_usage_errors_exit_2_without_traceback(argv, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == ExitCode.USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert "Error" in captured.err


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
def test_errors_map_to_exit_codes(exc, code, monkeypatch, capsys) -> None:
    import kctl.cli.app as app_module

    monkeypatch.setattr(app_module, "build_app", _app_raising(exc))
    assert main(["boom"]) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert sum(line.startswith("error:") for line in err.splitlines()) == 1
    if isinstance(exc, InputError):
        assert "c.yaml:3:5: bad key" in err
        assert "hint: fix it" in err


def test_debug_shows_traceback(monkeypatch, capsys) -> None:
    import kctl.cli.app as app_module

    monkeypatch.setattr(app_module, "build_app", _app_raising(RuntimeError("bug")))
    assert main(["--debug", "boom"]) == 1
    assert "Traceback" in capsys.readouterr().err


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
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() registers only the named command's module (start-up time); what a user sees must
    be what the whole command tree gives."""
    import kctl.cli.main as main_module

    lazy_code = main(argv)
    lazy = capsys.readouterr()
    monkeypatch.setattr(main_module, "_command_of", lambda args: None)
    full_code = main(argv)
    full = capsys.readouterr()
    assert (lazy_code, lazy.out, lazy.err) == (full_code, full.out, full.err)
    assert lazy.out
