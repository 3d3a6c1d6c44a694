"""Monorepos (issue 26): a Node workspace member is built from the workspace root with only that
member selected, and starts in its own folder; a root with several apps is exit 3 naming them.
The npm case is proved on this host: the Dockerfile's steps run in a temp workspace (npm installs
from the npm registry), then the member's EXPOSEd port answers with what its sibling package
says."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from kctl.cli.main import main
from tests.create.test_runs import free_port, get, steps

GREETING = "module.exports = () => 'hello from the workspace package';\n"
SERVER = """const express = require('express');
const greet = require('@demo/greeting');
const app = express();
app.get('/', (req, res) => res.send(greet()));
app.listen(process.env.PORT, () => console.log('listening'));
"""


def workspace(root: Path, manager: str) -> Path:
    """apps/web (express + a workspace package), apps/api, packages/greeting."""
    package: dict[str, object] = {"name": "demo", "private": True}
    if manager == "pnpm":
        (root / "pnpm-workspace.yaml").parent.mkdir(parents=True, exist_ok=True)
        (root / "pnpm-workspace.yaml").write_text("packages:\n  - 'apps/*'\n  - 'packages/*'\n")
        package["packageManager"] = "pnpm@9.12.0"
        dependency = "workspace:*"
    else:
        package["workspaces"] = ["apps/*", "packages/*"]
        dependency = "*" if manager == "npm" else "workspace:*"
        if manager == "yarn":
            package["packageManager"] = "yarn@4.5.0"
    members = {
        "apps/web": {"name": "web", "scripts": {"start": "node server.js"},
                     "dependencies": {"express": "^4.21.0", "@demo/greeting": dependency}},
        "apps/api": {"name": "api", "scripts": {"start": "node index.js"}},
        "packages/greeting": {"name": "@demo/greeting", "version": "1.0.0", "main": "index.js"},
    }  # fmt: skip
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(json.dumps(package))
    for folder, manifest in members.items():
        (root / folder).mkdir(parents=True)
        (root / folder / "package.json").write_text(json.dumps(manifest))
    (root / "apps/web/server.js").write_text(SERVER)
    (root / "apps/api/index.js").write_text("console.log('api')\n")
    (root / "packages/greeting/index.js").write_text(GREETING)
    return root


def test_root_with_several_apps_is_exit_3_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = workspace(tmp_path / "ws", "pnpm")
    assert main(["create", str(root), "--explain"]) == 3  # detection alone says so too
    assert "apps/web/" in capsys.readouterr().err
    assert main(["create", str(root)]) == 3
    err = capsys.readouterr().err
    assert "apps/api/" in err and "apps/web/" in err
    assert f"kctl create {root / 'apps/api'}" in err
    assert not (root / "Dockerfile").exists()


@pytest.mark.parametrize(
    ("manager", "install", "build_context"),
    [
        ("pnpm", 'pnpm install --frozen-lockfile --filter "web..."', "../.."),
        ("yarn", "yarn install", "../.."),
        ("npm", "npm install", "../.."),
    ],
)
def test_member_builds_from_the_workspace_root(
    tmp_path: Path, manager: str, install: str, build_context: str
) -> None:
    root = workspace(tmp_path / "ws", manager)
    member = root / "apps/web"
    assert main(["-q", "create", str(member)]) == 0
    dockerfile = (member / "Dockerfile").read_text()
    assert install in dockerfile
    assert "WORKDIR /app/apps/web" in dockerfile
    toml = (member / "kctl.toml").read_text()
    assert f'context = "{build_context}"' in toml
    assert 'dockerfile = "apps/web/Dockerfile"' in toml
    # before: `npm install` in the member folder, which cannot resolve workspace:* packages
    assert "COPY package.json ./\n" not in dockerfile


@pytest.mark.integration
def test_npm_workspace_member_really_serves(tmp_path: Path) -> None:
    """The build as an engine runs it: the context kctl.toml names copied to a folder standing
    for /app, the RUN steps there, the app started in the final WORKDIR."""
    import subprocess
    import tomllib

    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    root = workspace(tmp_path / "ws", "npm")
    member = root / "apps/web"
    port = free_port()
    assert main(["-q", "create", str(member), "--variable", f"port={port}"]) == 0
    config = tomllib.loads((member / "kctl.toml").read_text())["environments"]["development"]
    context = (member / config["context"]).resolve()
    dockerfile = context / config["dockerfile"]
    runs, env, cmd, exposed = steps(dockerfile)
    assert exposed == port
    image = Path(shutil.copytree(context, tmp_path / "image-app"))  # COPY . . into /app
    workdirs = [line.split()[1] for line in dockerfile.read_text().splitlines()
                if line.startswith("WORKDIR ")]  # fmt: skip
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env}
    for command in runs:
        done = subprocess.run(
            ["sh", "-c", command], cwd=image, env=env, capture_output=True, check=False
        )
        assert done.returncode == 0, (command, done.stderr[-3000:])
    start_in = image / Path(workdirs[-1]).relative_to("/app")
    server = subprocess.Popen(
        cmd, cwd=start_in, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        assert get(port, "/", server) == "hello from the workspace package"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_go_workspace_module_builds_from_the_go_work_root(tmp_path: Path) -> None:
    """A module `use`d by a go.work resolves its sibling modules only in workspace mode: built
    from the go.work folder with the member's package selected (no Go toolchain is installable
    here, so the recipe's facts are asserted, as `go help work` documents them)."""
    root = tmp_path / "ws"
    (root / "svc/cmd/api").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "go.work").write_text("go 1.23\n\nuse (\n\t./svc\n\t./lib\n)\n")
    (root / "svc/go.mod").write_text("module example.com/svc\n\ngo 1.23\n")
    (root / "svc/cmd/api/main.go").write_text('package main\n\nimport "example.com/lib"\n\n'
                                             "func main() { lib.Serve() }\n")  # fmt: skip
    (root / "lib/go.mod").write_text("module example.com/lib\n\ngo 1.23\n")
    (root / "lib/lib.go").write_text("package lib\n\nfunc Serve() {}\n")
    assert main(["-q", "create", str(root / "svc")]) == 0
    dockerfile = (root / "svc/Dockerfile").read_text()
    assert "COPY go.mod" not in dockerfile  # the module alone cannot resolve example.com/lib
    assert "-o /out/app ./svc/cmd/api\n" in dockerfile
    toml = (root / "svc/kctl.toml").read_text()
    assert 'context = ".."' in toml and 'dockerfile = "svc/Dockerfile"' in toml


PARENT_POM = """<project><modelVersion>4.0.0</modelVersion><groupId>demo</groupId>
<artifactId>parent</artifactId><version>1</version><packaging>pom</packaging>
<modules><module>lib</module><module>app</module></modules></project>
"""
MODULE_POM = """<project><modelVersion>4.0.0</modelVersion>
<parent><groupId>demo</groupId><artifactId>parent</artifactId><version>1</version></parent>
<artifactId>{name}</artifactId><dependencies><dependency><groupId>org.springframework.boot</groupId>
<artifactId>spring-boot-starter-web</artifactId></dependency></dependencies></project>
"""


def jvm_build(root: Path, tool: str) -> Path:
    for name in ("lib", "app"):
        (root / name / "src/main/java/demo").mkdir(parents=True)
        (root / name / f"src/main/java/demo/{name.title()}.java").write_text(
            f"package demo; public class {name.title()} {{}}\n"
        )
    if tool == "maven":
        (root / "pom.xml").write_text(PARENT_POM)
        for name in ("lib", "app"):
            (root / name / "pom.xml").write_text(MODULE_POM.format(name=name))
    else:
        (root / "settings.gradle").write_text("rootProject.name = 'demo'\ninclude 'lib', 'app'\n")
        (root / "build.gradle").write_text("allprojects { repositories { mavenCentral() } }\n")
        (root / "gradlew").write_text("#!/bin/sh\n")
        (root / "gradle/wrapper").mkdir(parents=True)
        for name in ("lib", "app"):
            (root / name / "build.gradle").write_text(
                "plugins { id 'java'\n id 'org.springframework.boot' version '3.4.0' }\n"
                + ("dependencies { implementation project(':lib') }\n" if name == "app" else "")
            )
    return root


@pytest.mark.parametrize(
    ("tool", "build"),
    [
        ("maven", "mvn -B -q -pl app -am package -DskipTests"),
        ("gradle", "./gradlew --no-daemon -q :app:build -x test"),
    ],
)
def test_jvm_module_builds_from_the_build_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tool: str, build: str
) -> None:
    """A Maven module (listed by a parent pom) or a Gradle subproject (included by the root's
    settings) builds from the root with the modules it uses (`-pl app -am`, `:app:build`), the
    root's wrapper included; the root itself is refused, listing its modules (no Maven Central
    here to run the build: the recipe's facts are asserted)."""
    root = jvm_build(tmp_path / "build", tool)
    assert main(["create", str(root), "--explain"]) == 3
    err = capsys.readouterr().err
    assert "multi-module" in err and "app/" in err and "lib/" in err
    assert main(["-q", "create", str(root / "app")]) == 0
    dockerfile = (root / "app/Dockerfile").read_text()
    assert build in dockerfile and "COPY src ./src" not in dockerfile
    assert "app/target" in dockerfile if tool == "maven" else "app/build/libs" in dockerfile
    toml = (root / "app/kctl.toml").read_text()
    assert 'context = ".."' in toml and 'dockerfile = "app/Dockerfile"' in toml
