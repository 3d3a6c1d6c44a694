"""`kctl convert` end to end: goldens, writers, strictness, bad input that writes nothing.

Golden files live in tests/convert/golden/<example>.yaml. Regenerate them after a reviewed
change with:  python -m pytest tests/convert/test_cli.py --update-golden
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctl import yamlio
from kctl.cli.main import main
from kctl.kube import validate

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples" / "compose").glob("*/compose.yaml"))
GOLDEN = Path(__file__).parent / "golden"


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_match_golden_and_validate(example: str, capsys, update_golden: bool) -> None:
    assert (
        main(["convert", "-f", str(ROOT / "examples" / "compose" / example / "compose.yaml")]) == 0
    )
    out = capsys.readouterr().out
    golden = GOLDEN / f"{example}.yaml"
    if update_golden:
        golden.write_text(out)
    assert out == golden.read_text()
    docs = yamlio.loads_all(out)
    assert docs
    for doc in docs:
        validate(json.loads(json.dumps(doc)))


def test_output_directory_one_file_per_object(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    src = ROOT / "examples" / "compose" / "guestbook" / "compose.yaml"
    assert main(["convert", "-f", str(src), "-o", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "frontend-deployment.yaml" in names and "redis-leader-service.yaml" in names
    before = snapshot(out)
    assert main(["convert", "-f", str(src), "-o", str(out)]) == 0  # identical: no rewrite
    assert snapshot(out) == before


def test_output_file_multi_document_and_json(tmp_path: Path, capsys) -> None:
    src = str(ROOT / "examples" / "compose" / "webapp-db" / "compose.yaml")
    assert main(["convert", "-f", src, "-o", str(tmp_path / "all.yaml")]) == 0
    kinds = [d["kind"] for d in yamlio.load_all(tmp_path / "all.yaml")]
    assert kinds[0] == "ConfigMap" and "Deployment" in kinds
    assert main(["convert", "-f", src, "-j"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "List" and len(data["items"]) == len(kinds)
    assert main(["convert", "-f", src, "-j", "-o", str(tmp_path / "json")]) == 0
    for path in (tmp_path / "json").iterdir():
        assert json.loads(path.read_text())["metadata"]["name"]


def test_indent_and_namespace(capsys) -> None:
    src = str(ROOT / "examples" / "compose" / "cronjob" / "compose.yaml")
    assert main(["convert", "-f", src, "--indent", "4", "-n", "jobs", "--create-namespace"]) == 0
    out = capsys.readouterr().out
    assert "kind: Namespace" in out and "    namespace: jobs" in out


def test_strict_turns_warnings_into_exit_3(tmp_path: Path, capsys) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a:\n    image: busybox\n    cgroup_parent: x\n"
    )
    assert main(["convert", "-f", str(tmp_path / "compose.yaml")]) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'compose.yaml'}:4:5: service 'a': cgroup_parent" in err
    assert (
        main(
            [
                "convert",
                "--strict",
                "-f",
                str(tmp_path / "compose.yaml"),
                "-o",
                str(tmp_path / "out"),
            ]
        )
        == 3
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("services:\n  a:\n    image: [x\n", 4),
        ("services:\n  a:\n    imag: x\n", 3),
        ("services:\n  a:\n    image: ${X:?required}\n", 3),
        ("", None),
        (
            "services:\n  a:\n    image: x\n    labels:\n      kompose.service.type: weird\n    ports: ['80']\n",
            5,  # the label's own line
        ),
    ],
)
def test_bad_input_exit_2_and_nothing_written(tmp_path: Path, capsys, text, line) -> None:
    src = tmp_path / "compose.yaml"
    src.write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep-deployment.yaml").write_text("mine\n")
    before = snapshot(out)
    assert main(["convert", "-f", str(src), "-o", str(out), "--force"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{src}:{line}" in err if line else str(src) in err
    assert snapshot(out) == before


def test_chart_flag_writes_a_chart(tmp_path: Path) -> None:
    src = str(ROOT / "examples" / "compose" / "guestbook" / "compose.yaml")
    assert main(["convert", "-f", src, "--chart", "-o", str(tmp_path / "chart")]) == 0
    assert "name: guestbook" in (tmp_path / "chart" / "Chart.yaml").read_text()
    assert main(["convert", "-f", src, "-c", "-o", str(tmp_path / "chart")]) == 0  # same bytes
    (tmp_path / "chart" / "values.yaml").write_text("edited\n")
    assert main(["convert", "-f", src, "-c", "-o", str(tmp_path / "chart")]) == 3
    assert main(["convert", "-f", src, "-c", "-o", str(tmp_path / "chart"), "--force"]) == 0


def test_stdin_and_profiles(tmp_path: Path, capsys, monkeypatch) -> None:
    import io

    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO(
            "services:\n  a:\n    image: busybox\n  b:\n    image: busybox\n    profiles: [x]\n"
        ),
    )
    assert main(["convert", "-f", "-"]) == 0
    out = capsys.readouterr().out
    assert "name: a" in out and "name: b" not in out
