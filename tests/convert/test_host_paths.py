"""Issue 24, part 3: nothing outside the project folder is ever read into an object.

Absolute paths elsewhere, `~`, symlinks that leave the project: hostPath (with a warning) or
a Secret/ConfigMap left for the user to create, never their content. Inside the project,
bound folders are read recursively (subfolders included) up to the size cap."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from kctl import yamlio
from kctl.cli.main import main
from tests.convert.test_trust import convert, objects, pod_spec

pytestmark = pytest.mark.unit

MARKER = "KCTL-OUTSIDE-MARKER-7f3a"


def outside_tree(root: Path) -> Path:
    outside = root / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "secret.txt").write_text(MARKER + " secret\n")
    (outside / "deep" / "conf.ini").write_text(MARKER + " conf\n")
    return outside


def project_with_outside_references(tmp_path: Path, home: Path) -> Path:
    outside = outside_tree(tmp_path)
    project = tmp_path / "project"
    (project / "conf" / "ldap").mkdir(parents=True)
    (project / "conf" / "a.py").write_text("a = 1\n")
    (project / "conf" / "ldap" / "b.py").write_text("b = 2\n")
    (project / "conf" / "escape.txt").symlink_to(outside / "secret.txt")
    (project / "linked").symlink_to(outside / "deep")
    (home / "dot").mkdir(parents=True)
    (home / "dot" / "rc").write_text(MARKER + " home\n")
    (project / "compose.yaml").write_text(
        f"""services:
  web:
    image: x
    volumes:
      - {outside}:/hostdir:ro
      - {outside}/secret.txt:/etc/secret.txt:ro
      - ~/dot:/home/dot:ro
      - ./linked:/etc/linked:ro
      - ./conf:/etc/conf:ro
    secrets: [token]
    configs: [settings]
secrets:
  token:
    file: {outside}/secret.txt
configs:
  settings:
    file: ./linked/conf.ini
"""
    )
    return project


def no_marker(text: str) -> None:
    assert MARKER not in text
    for token in text.split():
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8", "replace")
        except ValueError:
            continue
        assert MARKER not in decoded


def test_no_byte_of_a_file_outside_the_project_reaches_the_output(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    project = project_with_outside_references(tmp_path, home)
    compose = str(project / "compose.yaml")
    assert main(["convert", "-f", compose, "--stdout"]) == 0
    captured = capsys.readouterr()
    no_marker(captured.out)
    assert captured.out.count("outside the project folder") == 0  # warnings go to stderr
    assert "outside the project folder" in captured.err
    chart = tmp_path / "chart"
    assert main(["convert", "-f", compose, "--chart", "-o", str(chart)]) == 0
    for path in chart.rglob("*"):
        if path.is_file():
            no_marker(path.read_text())
    json_out = tmp_path / "out.json"
    assert main(["convert", "-f", compose, "-j", "-o", str(json_out)]) == 0
    no_marker(json_out.read_text())


def test_outside_paths_become_host_paths_and_inside_folders_are_read_recursively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    project = project_with_outside_references(tmp_path, home)
    c = convert(project, (project / "compose.yaml").read_text())
    spec = pod_spec(objects(c, "Deployment")[0])
    volumes = {v["name"]: v for v in spec["volumes"]}
    by_path = {m["mountPath"]: volumes[m["name"]] for m in spec["containers"][0]["volumeMounts"]}
    outside = tmp_path / "outside"
    assert by_path["/hostdir"]["hostPath"]["path"] == str(outside)
    assert by_path["/etc/secret.txt"]["hostPath"]["path"] == str(outside / "secret.txt")
    assert by_path["/home/dot"]["hostPath"]["path"] == str(home / "dot")
    # the path as written, as docker-compose config gives it (compose-go's filepath.Abs keeps
    # symlinks); what it points to is for the node's mount to follow, never read here
    assert by_path["/etc/linked"]["hostPath"]["path"] == str(project / "linked")
    conf = by_path["/etc/conf"]["configMap"]
    (config_map,) = [o for o in objects(c, "ConfigMap") if o["metadata"]["name"] == conf["name"]]
    projected = {item["path"]: config_map["data"][item["key"]] for item in conf["items"]}
    assert projected == {"a.py": "a = 1\n", "ldap/b.py": "b = 2\n"}  # escape.txt left out
    warned = " ".join(w.message for w in c.warnings)
    assert "escape.txt" in warned
    assert "secret 'token'" in warned and "config 'settings'" in warned
    # the mounts still name the objects, for the user to create
    assert {v.get("secret", {}).get("secretName") for v in spec["volumes"]} >= {"token"}


def test_a_folder_over_the_size_cap_is_a_claim_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "sub" / "big.bin").write_bytes(os.urandom(2048))
    c = convert(
        tmp_path,
        "services:\n  web:\n    image: x\n    volumes: ['./data:/data']\n",
        configmap_max_bytes=1024,
    )
    spec = pod_spec(objects(c, "Deployment")[0])
    assert "persistentVolumeClaim" in spec["volumes"][0]
    assert any("starts empty" in w.message for w in c.warnings)


def test_output_parses(tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    project = project_with_outside_references(tmp_path, home)
    assert main(["convert", "-f", str(project / "compose.yaml"), "--stdout"]) == 0
    assert yamlio.loads_all(capsys.readouterr().out)


def test_env_file_outside_the_project_is_referenced_never_embedded(tmp_path: Path) -> None:
    """An env_file outside the project: its values stay out of every object; envFrom names a
    ConfigMap to create from it, listed before kctl's own so Compose's order (later env files
    win) still holds; an inside file read after it keeps its values in kctl's ConfigMap."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "creds.env").write_text(f"SECRET={MARKER}\nONLY_OUTSIDE={MARKER}\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.env").write_text("A=1\nSECRET=inside-wins\n")
    text = (
        "services:\n"
        "  web:\n    image: nginx\n    env_file: [../outside/creds.env, app.env]\n"
        "  api:\n    image: nginx\n    env_file: [app.env, ../outside/creds.env]\n"
    )
    c = convert(project, text)
    assert MARKER not in yamlio.dump_all(c.objects)
    maps = {o["metadata"]["name"]: o["data"] for o in objects(c, "ConfigMap")}
    assert maps["web-env"] == {"A": "1", "SECRET": "inside-wins"}
    assert maps["api-env"] == {"A": "1"}  # SECRET's value comes from creds.env, last
    for deployment in objects(c, "Deployment"):
        name = deployment["metadata"]["name"]
        refs = [e["configMapRef"]["name"] for e in pod_spec(deployment)["containers"][0]["envFrom"]]
        assert refs == [f"{name}-creds-env", f"{name}-env"]
    warned = [w.message for w in c.warnings if "outside the project folder" in w.message]
    assert len(warned) == 2 and "kubectl create configmap web-creds-env" in " ".join(warned)
