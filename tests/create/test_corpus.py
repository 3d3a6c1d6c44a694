"""kctl create on 26 real applications nobody here wrote (tests/create/corpus/*/SOURCE names each
repository and commit): official samples (Google's microservices-demo, the .NET Docker sample,
Spring PetClinic), Heroku's and Render's getting-started apps, the RealWorld Express API.

The expectation of each app comes from the app itself, never from kctl's output: its own
production Dockerfile (kept as corpus/<app>/reference/, outside what kctl reads), its Procfile
`web:` line or its render.yaml `startCommand`. Each generated Dockerfile must pass hadolint, start
what the reference starts, build the way the reference builds, and listen where it says it
does (EXPOSE agrees with every port setting it passes to the app).

Only the files kctl reads were vendored (text, under 32 KB; larger lockfiles are kept empty,
the SOURCE file lists them); regenerate with the commands in corpus/README.md."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from kctl.cli.main import main

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class Expected:
    pack: str
    starts: str  # a fragment the start command holds (from the reference)
    builds: str = ""  # a fragment of the build step the reference runs
    reads_port: bool = False  # the app listens on $PORT (its source reads it)
    why: str = ""  # where the expectation comes from


EXPECTED: dict[str, Expected] = {
    "dotnet-aspnetapp": Expected("dotnet-aspnetcore", "aspnetapp", "dotnet publish",
                                 why="reference Dockerfile: publish aspnetapp/, run ./aspnetapp"),
    "gcp-adservice": Expected("java-gradle", "bin/AdService", "installDist", True,
                              why="reference: ./gradlew installDist, bin/AdService; PORT in AdService.java"),
    "gcp-cartservice": Expected("dotnet-aspnetcore", "cartservice", "dotnet publish",
                                why="reference: publish cartservice.csproj, ASPNETCORE_HTTP_PORTS"),
    "gcp-checkoutservice": Expected("go", "/app", "go build", True,
                                    why="reference: go build, PORT read in main.go"),
    "gcp-currencyservice": Expected("node", "server.js", reads_port=True,
                                    why="reference: ENTRYPOINT node server.js"),
    "gcp-emailservice": Expected("python", "email_server.py", "pip install", True,
                                 why="reference: ENTRYPOINT python email_server.py"),
    "gcp-frontend": Expected("go", "/app", "go build", True, why="reference: go build, PORT"),
    "gcp-paymentservice": Expected("node", "index.js", reads_port=True,
                                   why="reference: ENTRYPOINT node index.js (package.json main)"),
    "gcp-productcatalogservice": Expected("go", "/app", "go build", True,
                                          why="reference: go build, PORT"),
    "gcp-recommendationservice": Expected("python", "recommendation_server.py", "pip install", True,
                                          why="reference: ENTRYPOINT python recommendation_server.py"),
    "gcp-shippingservice": Expected("go", "/app", "go build", True, why="reference: go build"),
    "heroku-clojure": Expected("clojure", "-jar", "uberjar", True,
                               why="Procfile: java -jar target/...jar (lein uberjar)"),
    "heroku-go": Expected("go", "/app", "go build", True, why="Procfile: the built binary; PORT"),
    "heroku-java": Expected("java-maven-spring", "-jar", "package",
                            why="Procfile: java -jar target/...jar (mvn package)"),
    "heroku-php": Expected("php", "", why="Procfile: heroku-php-apache2 web/ (docroot web)"),
    "heroku-python": Expected("python-django", "gunicorn --config gunicorn.conf.py gettingstarted.wsgi",
                              why="Procfile web:"),
    "heroku-ruby": Expected("ruby-rails", "bundle exec puma -C config/puma.rb", why="Procfile web:"),
    "heroku-scala": Expected("scala", "-Dhttp.port", "stage", True,
                             why="Procfile: target/universal/stage/bin/... -Dhttp.port=${PORT}"),
    "render-django": Expected("python-django", "mysite.", why="render.yaml: gunicorn mysite.asgi"),
    "render-express": Expected("node-express", "start", reads_port=True,
                               why="package.json start: node app.js"),
    "render-fastapi": Expected("python-fastapi", "uvicorn main:app", why="render.yaml startCommand"),
    "render-flask": Expected("python-flask", "app:app", why="README: gunicorn app:app"),
    "render-rails": Expected("ruby-rails", "rails server", "assets:precompile",
                             why="README: rails server in production, assets precompiled"),
    "render-sveltekit": Expected("node", "build", "run build", True,
                                 why="render.yaml: npm run build; node build/index.js"),
    "spring-petclinic": Expected("java-gradle-spring", "-jar", "gradlew",
                                 why="both builds (pom.xml, gradlew): Gradle wins, as in "
                                     "Railpack's java provider (b5e8058); java -jar the boot jar"),
}  # fmt: skip

# Deliberate differences from a reference (the test checks kctl's side of each):
# - render-django: the reference serves ASGI through uvicorn workers; kctl serves Django's
#   WSGI application with gunicorn (both are Django's documented production servers).
# - realworld-express: `npm start` is `nx serve`, a development server; kctl refuses it (exit 3)
#   and names the script instead of shipping it (the reference builds with Nx's own target).
REFUSED = {"realworld-express": "runs a development server (nx serve)"}


def test_corpus_is_complete() -> None:
    """Every corpus folder is expected or refused, with its source noted."""
    apps = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert apps == sorted({*EXPECTED, *REFUSED})
    assert len(apps) >= 25
    for app in apps:
        source = (CORPUS / app / "SOURCE").read_text()
        assert re.search(r"^repository: https://github.com/\S+$", source, re.M), app
        assert re.search(r"^commit: [0-9a-f]{40}$", source, re.M), app


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(path=str(dockerfile))
    return [(i["instruction"], i["value"]) for i in parser.structure]


def _last_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [n for n, (name, _) in enumerate(instructions) if name == "FROM"]
    return instructions[starts[-1] :]


def _words(value: str) -> str:
    """An exec-form (JSON) CMD/ENTRYPOINT as the command line it runs."""
    import json

    return " ".join(json.loads(value)) if value.startswith("[") else value


def _ports_passed(stage: list[tuple[str, str]]) -> set[int]:
    """Every port the final image tells the app to listen on (env and start command)."""
    text = " ".join(value for name, value in stage if name in ("ENV", "CMD", "ENTRYPOINT"))
    found = re.findall(
        r"(?:\bPORT|ASPNETCORE_HTTP_PORTS|QUARKUS_HTTP_PORT)=(\d+)|http\.port=(\d+)"
        r"|--port\"?,?\s*\"?(\d+)|0\.0\.0\.0:(\d+)|\"-p\",\s*\"(\d+)\"",
        text,
    )
    return {int(next(g for g in groups if g)) for groups in found}


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_app_gets_a_dockerfile_that_starts_it(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    app = tmp_path / name
    shutil.copytree(CORPUS / name / "app", app, symlinks=True)
    assert main(["-q", "create", str(app)]) == 0
    dockerfile = app / "Dockerfile"
    instructions = _instructions(dockerfile)
    stage = _last_stage(instructions)
    start = " ".join(_words(v) for n, v in stage if n in ("CMD", "ENTRYPOINT"))
    assert expected.starts in start, f"{name}: {start!r} ({expected.why})"
    builds = " ".join(v for n, v in instructions if n == "RUN")
    assert expected.builds in builds, f"{name}: {builds!r} ({expected.why})"
    exposed = {int(v.split("/")[0]) for n, v in stage if n == "EXPOSE" for v in v.split()}
    assert len(exposed) == 1, exposed
    passed = _ports_passed(stage)
    assert passed <= exposed, f"{name}: the app is told {passed}, the image exposes {exposed}"
    if expected.reads_port:
        assert passed == exposed, f"{name} listens on $PORT: {stage}"
    lint = subprocess.run(
        ["hadolint", "--failure-threshold", "warning", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


def test_detection_names_the_pack(capsys: pytest.CaptureFixture[str]) -> None:
    """Detection alone (no files written) names the expected pack for every corpus app."""
    import json

    wrong = {}
    for name, expected in EXPECTED.items():
        assert main(["create", str(CORPUS / name / "app"), "--explain", "-o", "json"]) == 0, name
        found = json.loads(capsys.readouterr().out)["pack"]
        if found != expected.pack:
            wrong[name] = found
    assert not wrong


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_the_reason(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / name
    shutil.copytree(CORPUS / name / "app", app, symlinks=True)
    assert main(["create", str(app)]) == 3
    err = capsys.readouterr().err
    assert REFUSED[name] in err
    assert not (app / "Dockerfile").exists()


@pytest.mark.parametrize("adapter", ["adapter-auto", "adapter-vercel"])
def test_sveltekit_without_a_server_adapter_is_refused(
    adapter: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SvelteKit corpus app switched to an adapter that builds no Node server: neither the
    static-site pack (it was picked for adapter-auto and served no page) nor `node build`."""
    app = Path(shutil.copytree(CORPUS / "render-sveltekit" / "app", tmp_path / "app"))
    for name in ("package.json", "svelte.config.js"):
        path = app / name
        path.write_text(path.read_text().replace("adapter-node", adapter))
    assert main(["create", str(app)]) == 3
    err = capsys.readouterr().err
    assert f"@sveltejs/{adapter}" in err and "adapter-node" in err
    assert not (app / "Dockerfile").exists()
