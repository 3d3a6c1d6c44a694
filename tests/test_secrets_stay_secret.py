"""No secret value reaches warnings, errors, plans or --debug output (issue 17): a sentinel
is planted where secrets live and looked for on stderr (stdout may carry a Secret object,
which is the requested output)."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import pytest

from kctl.cli.main import main

pytestmark = pytest.mark.unit
SENTINEL = "kctl-sentinel-9f3b2a"
REPO = Path(__file__).resolve().parents[1]


def test_compose_secrets_never_reach_stderr(tmp_path: Path, capsys: Any, monkeypatch) -> None:
    monkeypatch.setenv("DB_PASSWORD", SENTINEL)
    (tmp_path / "token.txt").write_text(SENTINEL)
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: x\n    cgroup_parent: warn-me\n"
        "    secrets: [{source: token, uid: '1'}, pw]\n"
        "    environment:\n      UNSET_ONE:\n"
        "secrets:\n  token: {file: ./token.txt, labels: {a: b}}\n"
        "  pw: {environment: DB_PASSWORD}\n"
    )
    assert main(["--debug", "-v", "convert", "-f", str(tmp_path / "compose.yaml")]) == 0
    captured = capsys.readouterr()
    assert SENTINEL not in captured.err
    encoded = base64.b64encode(SENTINEL.encode()).decode()
    assert encoded in captured.out  # the Secrets themselves are the output


def test_a_bad_value_beside_a_secret_does_not_echo_it(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "compose.yaml").write_text(
        f"services:\n  app:\n    image: x\n    environment:\n      PASSWORD: {SENTINEL}\n"
        "    cpus: lots\n"
    )
    assert main(["--debug", "convert", "-f", str(tmp_path / "compose.yaml")]) == 2
    assert SENTINEL not in capsys.readouterr().err


def test_kubeconfig_token_never_reaches_stderr(tmp_path: Path, capsys: Any) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        f"clusters:\n- name: k\n  cluster: {{server: 'https://127.0.0.1:{port}'}}\n"
        f"users:\n- name: u\n  user: {{token: {SENTINEL}}}\n"
        "contexts:\n- name: c\n  context: {cluster: k, user: u}\n"
    )
    root = tmp_path / "node"
    shutil.copytree(REPO / "examples" / "kubeadm-node", root)
    code = main(
        ["--debug", "upgrade", "plan", "--root", str(root), "--no-health",
         "--kubeconfig", str(kubeconfig)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code != 0 or captured.out
    assert SENTINEL not in captured.err and SENTINEL not in captured.out
