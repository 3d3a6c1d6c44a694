"""The Rust recipe builds what Cargo builds: default-run or the one [[bin]] (not the package
name), in the folder .cargo/config.toml's [build] target-dir/target sends it to (the file that
holds the project's cargo aliases too, copied before the dependency build). Proved with the
host's cargo when there is one: the Dockerfile's RUN steps run in a temp folder and the
copied binary starts and answers on its port."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.create.test_runs import free_port, get, steps

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "apps" / "rust"


def project(tmp_path: Path) -> Path:
    app = Path(shutil.copytree(EXAMPLE, tmp_path / "app"))
    (app / ".cargo").mkdir()
    (app / ".cargo" / "config.toml").write_text(
        '[build]\ntarget-dir = "out"\n\n[alias]\nserve = "run --release"\n'
    )
    manifest = app / "Cargo.toml"
    manifest.write_text(manifest.read_text() + '\n[[bin]]\nname = "server"\npath = "src/main.rs"\n')
    main_rs = app / "src" / "main.rs"  # listen on $PORT, as the image's ENV says
    main_rs.write_text(
        main_rs.read_text().replace(
            'TcpListener::bind("0.0.0.0:8080")',
            'TcpListener::bind(format!("127.0.0.1:{}", std::env::var("PORT").unwrap()))',
        )
    )
    return app


def test_binary_and_output_folder_follow_cargo(tmp_path: Path) -> None:
    app = project(tmp_path)
    assert main(["-q", "create", str(app), "--dockerfile-only"]) == 0
    dockerfile = (app / "Dockerfile").read_text()
    assert "COPY .cargo ./.cargo" in dockerfile
    assert "cp out/release/server /out-app" in dockerfile  # not target/release/hello


def test_several_binaries_without_default_run_is_exit_3(tmp_path: Path, capsys) -> None:
    app = project(tmp_path)
    manifest = app / "Cargo.toml"
    manifest.write_text(manifest.read_text() + '\n[[bin]]\nname = "tool"\npath = "src/main.rs"\n')
    assert main(["create", str(app), "--dockerfile-only"]) == 3
    assert "default-run" in capsys.readouterr().err
    text = manifest.read_text().replace(
        'rust-version = "1.80"', 'rust-version = "1.80"\ndefault-run = "tool"'
    )
    manifest.write_text(text)
    assert main(["-q", "create", str(app), "--dockerfile-only", "--force"]) == 0
    assert "cp out/release/tool /out-app" in (app / "Dockerfile").read_text()


@pytest.mark.integration
def test_the_built_binary_serves(tmp_path: Path) -> None:
    if shutil.which("cargo") is None:
        pytest.skip("no cargo on this host")
    app = project(tmp_path)
    port = free_port()
    assert main(["-q", "create", str(app), "--dockerfile-only", "--variable", f"port={port}"]) == 0
    runs, env, _, exposed = steps(app / "Dockerfile")
    out = tmp_path / "out-app"
    environ = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path))}
    stage = tmp_path / "stage"  # the build stage's /src: first the manifests, then everything
    stage.mkdir()
    shutil.copy(app / "Cargo.toml", stage)
    shutil.copytree(app / ".cargo", stage / ".cargo")
    for index, command in enumerate(runs):
        if index == 1:
            shutil.copytree(app, stage, dirs_exist_ok=True)  # COPY . .
        command = command.replace("/out-app", str(out))
        done = subprocess.run(
            ["sh", "-c", command], cwd=stage, env=environ, capture_output=True, check=False
        )
        assert done.returncode == 0, (command, done.stderr[-3000:])
    server = subprocess.Popen(
        [str(out)], env={**environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        assert get(exposed, "/", server)
    finally:
        server.terminate()
        server.wait(timeout=30)
