"""Special files where kctl expects a file are reported, never opened (issue 17): a FIFO
blocks a reader forever, /dev/zero never ends. Each CLI case runs with run_kctl's timeout, so a
regression fails (Hung) instead of hanging the suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kctl.errors import InputError
from kctl.inputs import read_input
from tests.support.run import Result, run_kctl

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[1]


def kctl(*args: str, cwd: Path) -> Result:
    return run_kctl(*args, cwd=cwd, timeout=60)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (os.mkfifo, "named pipe"),
        (lambda p: p.symlink_to("/dev/zero"), "character device"),
        (lambda p: p.symlink_to(p), "symlink loop"),
        (lambda p: p.symlink_to(p.parent / "missing"), "dangling symlink"),
        (lambda p: p.mkdir(), "directory"),
    ],
)
def test_read_input_refuses_what_is_not_a_regular_file(tmp_path: Path, make, message) -> None:
    path = tmp_path / "input"
    make(path)
    with pytest.raises(InputError) as info:
        read_input(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_read_input_caps_the_size(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(InputError, match="more than kctl reads"):
        read_input(path, limit=1024)


def test_convert_to_a_fifo_is_refused(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: x\n")
    os.mkfifo(tmp_path / "out.yaml")
    result = kctl("convert", "-f", "compose.yaml", "-o", "out.yaml", cwd=tmp_path)
    assert result.exit_code == 3 and "not a regular file" in result.stderr


def test_compose_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "compose.yaml")
    result = kctl("convert", "-f", "compose.yaml", cwd=tmp_path)
    assert result.exit_code == 2 and "named pipe" in result.stderr


@pytest.mark.parametrize("name", ["kctl.toml", "Dockerfile", ".gitignore"])
def test_create_on_a_tree_with_a_fifo(tmp_path: Path, name: str) -> None:
    app = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "apps" / "python", app)
    (app / name).unlink(missing_ok=True)
    os.mkfifo(app / name)
    result = kctl("create", str(app), cwd=tmp_path)
    assert result.exit_code in (0, 2, 3), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_fifo_manifest_in_a_tree_is_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "mix.exs")
    result = kctl("create", str(tmp_path), "--explain", cwd=tmp_path)
    assert result.exit_code in (2, 3) and "internal error" not in result.stderr


def test_fifo_pack_toml_names_the_file(tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "mine"
    pack.mkdir(parents=True)
    os.mkfifo(pack / "pack.toml")
    result = kctl(
        "create", str(REPO / "examples" / "apps" / "python"), "--pack-dir", "packs", "--dry-run",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.exit_code == 2 and f"{Path('packs/mine/pack.toml')}" in result.stderr


def test_fifo_certificate_under_pki_names_the_file(tmp_path: Path) -> None:
    node = tmp_path / "node"
    shutil.copytree(REPO / "examples" / "kubeadm-node", node)
    os.mkfifo(node / "etc" / "kubernetes" / "pki" / "x.crt")
    result = kctl("upgrade", "plan", "--root", str(node), "--no-health", cwd=tmp_path)
    assert result.exit_code == 2 and "x.crt" in result.stderr and "named pipe" in result.stderr


@pytest.mark.parametrize("depth", [65, 1200, 5000])
def test_toml_nested_too_deeply_is_refused_at_its_line(tmp_path: Path, depth: int) -> None:
    """tomllib parses arrays recursively: deep nesting is refused before parsing (exit 2 at the
    line), never a RecursionError."""
    from kctl import tomlio
    from kctl.errors import InputError

    path = tmp_path / "kctl.toml"
    text = 'name = "x"\nargs = ' + "[" * depth + "1" + "]" * depth + "\n"
    with pytest.raises(InputError) as caught:
        tomlio.loads(text, path)
    assert caught.value.location is not None and caught.value.location.line == 2
    assert tomlio.loads('a = "' + "[" * 100 + '"\n', path) == {"a": "[" * 100}
