"""CLI conventions (issue 16): flags like kubectl's, completion of commands and values, help
that teaches."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.cli.main import global_flags_first
from tests.support.run import run_kctl

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[1]


def complete(words: str) -> list[str]:
    """What bash completion offers for the last word (typer's completion protocol)."""
    cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    env = {"_KCTL_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}
    result = run_kctl(env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_prints_each_shells_script(shell: str) -> None:
    result = run_kctl("completion", shell)
    assert result.exit_code == 0 and "_KCTL_COMPLETE" in result.stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("kctl conv", ["convert"]),
        ("kctl convert --controller d", ["deployment", "daemonset"]),
        ("kctl convert --volumes p", ["persistentVolumeClaim", "pvc"]),
        ("kctl convert --service-group-mode ", ["label", "volume"]),
        ("kctl create --pack python-f", ["python-fastapi", "python-flask"]),
        ("kctl create --deploy-type k", ["kustomize"]),
        ("kctl upgrade phase kube-s", ["kube-scheduler"]),
        ("kctl completion p", ["powershell"]),
    ],
)
def test_values_are_completed(words: str, expected: list[str]) -> None:
    assert complete(words) == expected


def test_global_flags_work_after_the_command(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: [x\n")
    result = run_kctl("convert", "-f", tmp_path / "compose.yaml", "--debug")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr  # --debug shows the traceback
    assert global_flags_first(["convert", "-q", "-f", "x", "--", "-q"]) == [
        "-q", "convert", "-f", "x", "--", "-q",
    ]  # fmt: skip


def test_no_color_is_accepted_anywhere(tmp_path: Path) -> None:
    result = run_kctl("version", "--no-color", "-o", "json")
    assert result.exit_code == 0 and "\x1b[" not in result.stdout
    # on a terminal, where errors are coloured, --no-color after the command still turns it off
    tty = {"tty": True, "env": {"NO_COLOR": None}, "cwd": tmp_path}
    assert run_kctl("convert", "-f", "missing.yaml", **tty).stderr.startswith("\x1b[")
    plain = run_kctl("convert", "-f", "missing.yaml", "--no-color", **tty)
    assert (plain.exit_code, plain.stderr) == (2, "error: missing.yaml: file not found\n")


def test_a_format_word_for_a_path_gets_a_hint(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: x\n")
    result = run_kctl("convert", "-f", "compose.yaml", "-o", "json", cwd=tmp_path)
    assert result.exit_code == 2
    assert "did you mean -j/--json" in result.stderr
    assert not (tmp_path / "json").exists()


COMMANDS = [
    [], ["convert"], ["create"], ["version"], ["completion"], ["pack"], ["pack", "list"],
    ["pack", "show"],
    ["upgrade"], ["upgrade", "plan"], ["upgrade", "diff"], ["upgrade", "apply"],
    ["upgrade", "phase"], ["upgrade", "node"], ["upgrade", "rollback"], ["upgrade", "catalog"],
    ["upgrade", "catalog", "update"], ["upgrade", "certs"],
    ["upgrade", "certs", "check-expiration"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "kctl")
def test_every_command_help_ends_with_examples(command: list[str]) -> None:
    result = run_kctl(*command, "--help")
    assert result.exit_code == 0
    out = result.stdout
    examples = out[out.index("Examples:") :]
    assert examples.count(f"kctl {' '.join(command[:1])}") >= 1


def test_convert_help_groups_options_in_panels() -> None:
    result = run_kctl("convert", "--help")
    assert result.exit_code == 0
    out = result.stdout
    panels = ["Input:", "Output:", "Kubernetes:", "Behaviour:", "Build:"]
    assert all(p in out for p in panels)
    assert out.index("-f, --file") < out.index("Output:") < out.index("-o, --out")
    assert out.index("Kubernetes:") < out.index("--controller") < out.index("Behaviour:")


def test_bare_kctl_prints_its_help_and_succeeds() -> None:
    """As cobra (kubectl, helm) and git do: help on stdout, exit 0 (click's default is 2)."""
    result = run_kctl()
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Usage: kctl") and "Commands:" in out


def test_one_way_to_completion() -> None:
    """`kctl completion SHELL` only: Typer's --install-completion/--show-completion are off."""
    result = run_kctl("--help")
    assert result.exit_code == 0
    out = result.stdout
    assert "--install-completion" not in out and "--show-completion" not in out
    assert "completion" in out
