"""kctl create and kctl pack through the CLI: files written, lint-clean, buildable."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kctl.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "apps"
ALL = sorted(p.name for p in EXAMPLES.iterdir())
EXAMPLE_PACK = {"go-nomod": "go", "php-plain": "php", "react-cra": "react"}
SPA_EXAMPLES = {"react", "react-cra", "vue", "angular", "svelte"}
HEALTHCHECK_PACKS = {
    "python-django",
    "python-fastapi",
    "python-flask",
    "node-express",
    "node-nextjs",
    "typescript-nestjs",
    "java-maven-spring",
    "java-gradle-spring",
    "static",
    *SPA_EXAMPLES,
}


def copy_example(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copytree(EXAMPLES / name, dest)
    return dest


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.unit
def test_explain_json(capsys) -> None:
    assert main(["create", "--explain", "-o", "json", str(EXAMPLES / "python-flask")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["language"], data["framework"], data["port"]) == ("python", "flask", 5000)
    assert {"kind": "dependency", "path": "requirements.txt", "detail": "declares flask"} in (
        data["evidence"]
    )


@pytest.mark.unit
def test_explain_table_writes_nothing(capsys) -> None:
    before = snapshot(EXAMPLES / "go")
    assert main(["create", "--explain", str(EXAMPLES / "go")]) == 0
    out = capsys.readouterr().out
    assert "language:   go" in out and "manifest   go.mod" in out
    assert snapshot(EXAMPLES / "go") == before


@pytest.mark.unit
def test_ambiguity_exits_3_with_candidates(tmp_path: Path, capsys) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "go.mod").write_text("module a\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Cargo.toml").write_text("[package]\nname='b'\n")
    assert main(["create", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "a/" in err and "b/" in err and "Traceback" not in err


@pytest.mark.unit
def test_create_writes_then_refuses_then_forces(tmp_path: Path, capsys) -> None:
    app = copy_example("node-express", tmp_path)
    assert main(["create", str(app)]) == 0
    written = snapshot(app)
    for rel in (
        "Dockerfile",
        ".dockerignore",
        "kctl.toml",
        "charts/node-express/Chart.yaml",
        "charts/node-express/values.yaml",
        "charts/node-express/templates/_helpers.tpl",
    ):
        assert rel in written, rel
    toml = (app / "kctl.toml").read_text()
    assert "[environments.development]" in toml and 'port-forward = ["3000:3000"]' in toml
    (app / "Dockerfile").write_text("FROM mine\n")
    mine = snapshot(app)
    assert main(["create", str(app)]) == 3
    assert snapshot(app) == mine
    assert "--force" in capsys.readouterr().err
    assert main(["create", "--dry-run", str(app)]) == 0
    out = capsys.readouterr().out
    assert "update" in out and "-FROM mine" in out
    assert snapshot(app) == mine
    assert main(["create", "--force", str(app)]) == 0
    assert snapshot(app) == written


@pytest.mark.unit
def test_pack_list_and_show(capsys) -> None:
    assert main(["pack", "list", "-o", "json"]) == 0
    names = {p["name"] for p in json.loads(capsys.readouterr().out)}
    required = {
        "python",
        "python-django",
        "python-fastapi",
        "python-flask",
        "node",
        "typescript",
        "go",
        "java-maven",
        "java-gradle",
        "kotlin",
        "dotnet",
        "ruby",
        "ruby-rails",
        "php",
        "php-laravel",
        "rust",
        "elixir",
        "erlang",
        "clojure",
        "swift",
        "static",
    }
    assert required <= names
    assert main(["pack", "show", "go"]) == 0
    assert 'manifests = ["go.mod"]' in capsys.readouterr().out
    assert main(["pack", "show", "cobol"]) == 2


@pytest.mark.unit
def test_user_pack_overrides_builtin_and_malformed_pack_names_file(tmp_path, monkeypatch, capsys):
    user = tmp_path / "packs" / "go"
    shutil.copytree(EXAMPLES.parents[1] / "packs" / "go", user)
    (user / "pack.toml").write_text(
        (user / "pack.toml").read_text().replace("port = 8080", "port = 9999")
    )
    assert main(["pack", "list", "-o", "json", "--pack-dir", str(tmp_path / "packs")]) == 0
    go = next(p for p in json.loads(capsys.readouterr().out) if p["name"] == "go")
    assert (go["port"], go["source"]) == (9999, "--pack-dir")
    monkeypatch.setenv("KCTL_PACKS_PATH", str(tmp_path / "packs"))
    assert main(["create", "--explain", "-o", "json", str(EXAMPLES / "go")]) == 0
    assert json.loads(capsys.readouterr().out)["port"] == 9999
    (user / "pack.toml").write_text('name = "go"\nlanguage = "go"\nport = "x"\n')
    assert main(["pack", "list"]) == 2
    assert f"{user / 'pack.toml'}:3: `port` is required" in capsys.readouterr().err
    (user / "pack.toml").write_text('name = "go"\n[detect\n')
    assert main(["pack", "list"]) == 2
    assert f"{user / 'pack.toml'}:2" in capsys.readouterr().err


@pytest.mark.integration
@pytest.mark.parametrize("example", ALL)
def test_generated_dockerfile_and_chart_are_lint_clean(example, tmp_path, helm) -> None:
    from dockerfile_parse import DockerfileParser

    from kctl.packs import load_packs

    app = copy_example(example, tmp_path)
    assert main(["-q", "create", str(app)]) == 0
    parser = DockerfileParser(path=str(app / "Dockerfile"))
    instructions = [i["instruction"] for i in parser.structure]
    assert instructions.count("FROM") >= 1
    for base in (i["value"].split()[0] for i in parser.structure if i["instruction"] == "FROM"):
        if base in {s["value"].split()[-1] for s in parser.structure if " AS " in s["value"]}:
            continue
        assert ":" in base and not base.endswith(":latest"), base
    users = [i["value"] for i in parser.structure if i["instruction"] == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    copies = [i["value"] for i in parser.structure if i["instruction"] == "COPY"]
    pack = load_packs()[EXAMPLE_PACK.get(example, example)]
    # runtime images with an HTTP client get a HEALTHCHECK; the others rely on the chart's probes
    assert ("HEALTHCHECK" in instructions) == (example in HEALTHCHECK_PACKS)
    if example in HEALTHCHECK_PACKS:
        assert pack.health_path
    if copies and "." not in copies[0].split()[:-1]:  # a dependency layer precedes the source copy
        assert any(c.split()[-2:] != [".", "."] for c in copies[:1])
    lint = subprocess.run(
        ["hadolint", "--failure-threshold", "warning", str(app / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    chart = next((app / "charts").iterdir())
    result = subprocess.run(
        ["helm", "lint", "--strict", str(chart)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "[WARNING]" not in result.stdout, result.stdout


@pytest.mark.integration
def test_static_site_really_builds_and_serves(tmp_path, podman, monkeypatch) -> None:
    import urllib.request

    import docker

    from tests.support.services import build_busybox_image, free_port, wait_until

    stand_in = "localhost/kctl-test/nginx-standin:1"
    build_busybox_image(
        podman.env,
        stand_in,
        tmp_path,
        ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/usr/share/nginx/html"],
    )
    monkeypatch.setenv("KCTL_PACK_IMAGE_BASE", stand_in)
    app = copy_example("static", tmp_path)
    assert main(["-q", "create", str(app)]) == 0
    assert f"FROM {stand_in}" in (app / "Dockerfile").read_text()
    client = docker.DockerClient(base_url=podman.docker_host)
    port = free_port()
    try:
        client.images.build(path=str(app), tag="localhost/kctl-test/static-site:1", rm=True)
        container = client.containers.run(
            "localhost/kctl-test/static-site:1",
            detach=True,
            ports={"8080/tcp": ("127.0.0.1", port)},
        )
        try:
            url = f"http://127.0.0.1:{port}/index.html"
            wait_until(lambda: urllib.request.urlopen(url, timeout=2).status == 200, 30, "site")
            body = urllib.request.urlopen(url, timeout=2).read().decode()
            assert "hello from a static site" in body
        finally:
            container.remove(force=True)
    finally:
        client.close()


@pytest.mark.unit
def test_every_run_reports_what_it_wrote_as_json(tmp_path: Path, capsys) -> None:
    app = copy_example("python-flask", tmp_path)
    (app / ".python-version").write_text("3.11.4\n")
    assert main(["create", "-o", "json", str(app)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["pack"], report["app"], report["dry_run"]) == (
        "python-flask",
        "python-flask",
        False,
    )
    assert report["variables"]["python"] == "3.11" and report["variables"]["port"] == 5000
    changes = {f["path"]: f["change"] for f in report["files"]}
    assert changes["Dockerfile"] == "create" and changes["kctl.toml"] == "create"
    assert "charts/python-flask/Chart.yaml" in changes
    assert all((app / path).is_file() for path in changes)
    assert report["image"] == "localhost:5000/python-flask:latest"
    # a dry run reports the same plan and writes nothing
    (app / "Dockerfile").write_text("FROM mine\n")
    before = snapshot(app)
    assert main(["create", "--dry-run", "-o", "yaml", str(app)]) == 0
    out = capsys.readouterr().out
    assert "dry_run: true" in out and "change: update" in out and "FROM mine" not in out
    assert snapshot(app) == before


@pytest.mark.unit
def test_version_problems_are_warnings_on_stderr(tmp_path: Path, capsys) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nrequires-python = "no"\n')
    (tmp_path / "main.py").write_text("print(1)\n")
    assert main(["create", "-o", "json", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "warning: pyproject.toml:3" in captured.err
    assert json.loads(captured.out)["problems"]


@pytest.mark.unit
def test_a_version_newer_than_kctl_knows_is_exit_3(tmp_path: Path, capsys) -> None:
    (tmp_path / "go.mod").write_text("module x\n\ngo 1.99\n")
    (tmp_path / "main.go").write_text("package main\n")
    assert main(["create", "--explain", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert f"{tmp_path / 'go.mod'}:3" in err and "newest: 1.26" in err
    assert not (tmp_path / "Dockerfile").exists()


@pytest.mark.unit
def test_manifest_less_packs_build_without_a_manifest(tmp_path: Path) -> None:
    go = copy_example("go-nomod", tmp_path)
    assert main(["-q", "create", str(go)]) == 0
    dockerfile = (go / "Dockerfile").read_text()
    assert "go mod init" in dockerfile and "COPY go.mod" not in dockerfile
    with_module = copy_example("go", tmp_path)
    assert main(["-q", "create", str(with_module)]) == 0
    assert "go mod init" not in (with_module / "Dockerfile").read_text()
    php = copy_example("php-plain", tmp_path)
    assert main(["-q", "create", str(php)]) == 0
    dockerfile = (php / "Dockerfile").read_text()
    assert "AS vendor" not in dockerfile and "COPY --chown=www-data:www-data . /var/www/html" in (
        dockerfile
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("example", "output", "port"),
    [("react", "dist", 4173), ("react-cra", "build", 8080), ("angular", "dist/shop/browser", 4200)],
)
def test_single_page_app_scaffold(tmp_path: Path, example: str, output: str, port: int) -> None:
    app = copy_example(example, tmp_path)
    assert main(["-q", "create", str(app)]) == 0
    dockerfile = (app / "Dockerfile").read_text()
    assert "RUN npm run build" in dockerfile
    assert f"COPY --from=build --chown=101:101 /app/{output} /usr/share/nginx/html" in dockerfile
    assert "COPY nginx.spa.conf /etc/nginx/conf.d/default.conf" in dockerfile
    assert f"EXPOSE {port}" in dockerfile and "USER 101" in dockerfile
    server = (app / "nginx.spa.conf").read_text()
    assert f"listen {port};" in server and "try_files $uri $uri/ /index.html;" in server
    assert f'port-forward = ["{port}:{port}"]' in (app / "kctl.toml").read_text()


NPM_STAND_IN = """#!/bin/sh
# npm stand-in (no registry offline): install does nothing, `run build` writes the site where
# the framework would ($SPA_OUT): its HTML page, and its first source file as the bundle
case "$1" in
  ci|install) echo "npm $1: stand-in" ;;
  run)
    page=$(find . -name index.html -o -name app.html | grep -v node_modules | head -n 1)
    mkdir -p "$SPA_OUT/assets" && cp "$page" "$SPA_OUT/index.html"
    cat "$(find src -type f | sort | head -n 1)" > "$SPA_OUT/assets/app.js" ;;
  *) exit 2 ;;
esac
"""
SPA_SERVED = {  # example: (build output, port, text of its page, text of its first source)
    "react": ("dist", 4173, "hello from a react single-page app", "BrowserRouter"),
    "angular": ("dist/shop/browser", 4200, "<app-root>", "AppComponent"),
    "svelte": ("site", 8080, "%sveltekit.body%", "sveltekit"),
}


def build_stand_in(
    client, tag: str, context: Path, lines: list[str], files: dict[str, str]
) -> None:
    """A FROM-scratch busybox image with a shell, standing in for a base image offline."""
    context.mkdir(parents=True)
    shutil.copy(shutil.which("busybox") or "/bin/busybox", context / "busybox")
    for rel, text in files.items():
        (context / rel).write_text(text)
        (context / rel).chmod(0o755)
    dockerfile = [
        "FROM scratch",
        "COPY busybox /bin/busybox",
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        "ENV PATH=/usr/local/bin:/bin",
        *lines,
    ]
    (context / "Dockerfile").write_text("\n".join(dockerfile) + "\n")
    client.images.build(path=str(context), tag=tag, rm=True)


@pytest.mark.integration
@pytest.mark.parametrize("example", sorted(SPA_SERVED))
def test_single_page_app_really_builds_and_serves(tmp_path, podman, monkeypatch, example) -> None:
    import urllib.request

    import docker

    from tests.support.services import free_port, wait_until

    output, port, page, bundle = SPA_SERVED[example]
    client = docker.DockerClient(base_url=podman.docker_host)
    node = f"localhost/kctl-test/node-standin-{example}:1"
    server = f"localhost/kctl-test/spa-server-standin-{example}:1"
    try:
        npm = ["COPY npm /usr/local/bin/npm", f"ENV SPA_OUT={output}"]
        build_stand_in(client, node, tmp_path / "node", npm, {"npm": NPM_STAND_IN})
        httpd = ["/bin/httpd", "-f", "-p", str(port), "-h", "/usr/share/nginx/html"]
        build_stand_in(
            client,
            server,
            tmp_path / "server",
            [  # busybox httpd answers unknown paths with index.html, as nginx.spa.conf does
                "COPY httpd.conf /etc/httpd.conf",
                f"ENTRYPOINT {json.dumps([*httpd, '-c', '/etc/httpd.conf'])}",
            ],
            {"httpd.conf": "E404:/usr/share/nginx/html/index.html\n"},
        )
        monkeypatch.setenv("KCTL_PACK_IMAGE_BUILD", node)
        monkeypatch.setenv("KCTL_PACK_IMAGE_SERVE", server)
        app = copy_example(example, tmp_path)
        assert main(["-q", "create", str(app)]) == 0
        tag = f"localhost/kctl-test/{example}-spa:1"
        image, _ = client.images.build(path=str(app), tag=tag, rm=True)
        assert image.attrs["Config"]["User"] == "101"
        host_port = free_port()
        container = client.containers.run(
            tag, detach=True, ports={f"{port}/tcp": ("127.0.0.1", host_port)}
        )
        try:
            base = f"http://127.0.0.1:{host_port}"
            wait_until(
                lambda: urllib.request.urlopen(base + "/", timeout=2).status == 200, 30, "spa"
            )
            assert page in fetch(base + "/")
            assert bundle in fetch(base + "/assets/app.js")  # the built bundle
            assert page in fetch(base + "/some/client/route")  # the index.html fallback
        finally:
            container.remove(force=True)
    finally:
        client.close()


def fetch(url: str) -> str:
    import urllib.error
    import urllib.request

    try:
        return urllib.request.urlopen(url, timeout=2).read().decode()
    except urllib.error.HTTPError as err:  # the stand-in server says 404 with the fallback page
        return err.read().decode()


@pytest.mark.unit
def test_aspnetcore_solution_publishes_its_web_project(tmp_path: Path) -> None:
    from tests.create.test_detect import WEB_CSPROJ, tree

    app = tree(
        tmp_path / "shop",
        {
            "Shop.sln": "Microsoft Visual Studio Solution File, Format Version 12.00\n",
            "src/Shop.Web/Shop.Web.csproj": WEB_CSPROJ,
            "src/Shop.Web/Program.cs": "var app = WebApplication.Create();\n",
            "src/Shop.Core/Shop.Core.csproj": '<Project Sdk="Microsoft.NET.Sdk"></Project>',
        },
    )
    assert main(["-q", "create", str(app)]) == 0
    dockerfile = (app / "Dockerfile").read_text()
    assert "RUN dotnet publish src/Shop.Web/Shop.Web.csproj -c Release -o /out" in dockerfile
    assert 'ENTRYPOINT ["dotnet", "Shop.Web.dll"]' in dockerfile
    assert "COPY Shop.sln" not in dockerfile
