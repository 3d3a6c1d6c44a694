"""Issue 26: each shape whose generated Dockerfile could not build or serve the app, as a pack
test on a fixture of that shape (the recipe facts are the frameworks' documented ones)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from kctl.detect import detect
from kctl.errors import PreconditionError
from kctl.packs import load_packs
from kctl.packs.scaffold import scaffold
from tests.create.test_detect import tree

pytestmark = pytest.mark.unit
PACKS = load_packs()


def dockerfile(root: Path, files: dict[str, str], pack: str | None = None) -> str:
    detection = detect(tree(root, files), PACKS)
    assert pack is None or detection.pack.name == pack, detection.pack.name
    return scaffold(detection, "app").files["Dockerfile"]


def parsed(text: str) -> list[tuple[str, str]]:
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))  # never a file in the cwd
    return [(i["instruction"], i["value"]) for i in parser.structure]


def cmd(text: str) -> str:
    return [v for i, v in parsed(text) if i == "CMD"][-1]


# Python


def test_flask_listing_only_flask_installs_gunicorn(tmp_path: Path) -> None:
    text = dockerfile(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        },
        "python-flask",
    )
    assert "pip install gunicorn~=" in text and '"app:app"' in cmd(text)


def test_flask_listing_gunicorn_does_not_install_it_again(tmp_path: Path) -> None:
    files = {"requirements.txt": "Flask==3.1\ngunicorn==23.0\n", "app.py": "app = 1\n"}
    assert "pip install gunicorn" not in dockerfile(tmp_path, files, "python-flask")


def test_poetry_project_installs_with_poetry(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\n'
        'python = "^3.12"\nflask = "^3.1"\n',
        "poetry.lock": "# lock\n",
        "app.py": "app = 1\n",
    }
    text = dockerfile(tmp_path, files, "python-flask")
    assert "COPY pyproject.toml poetry.lock ./" in text
    assert "poetry install --only main --no-root" in text


@pytest.mark.parametrize(
    ("lock", "command"),
    [("uv.lock", "uv sync --locked --no-dev"), ("pdm.lock", "pdm export --prod")],
)
def test_uv_and_pdm_projects_install_their_lock(tmp_path: Path, lock: str, command: str) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi[standard]"]\n',
        lock: "# lock\n",
        "main.py": "app = 1\n",
    }
    text = dockerfile(tmp_path, files, "python-fastapi")
    assert command in text and f"COPY pyproject.toml {lock} ./" in text
    assert "pip install uvicorn" not in text  # fastapi[standard] brings it


def test_flask_app_factory_is_called(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "flask\n",
        "blog/__init__.py": "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
    }
    assert '"blog:create_app()"' in cmd(dockerfile(tmp_path, files, "python-flask"))


def test_flaskenv_flask_app_wins(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "flask\n",
        ".flaskenv": "FLASK_APP=microblog.py\n",
        "microblog.py": "from app import create_app\napp = create_app()\n",
        "app/__init__.py": "def create_app():\n    pass\n",
    }
    assert '"microblog:app"' in cmd(dockerfile(tmp_path, files, "python-flask"))


def test_procfile_web_wins(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "flask\ngunicorn\n",
        "Procfile": "web: gunicorn -w 2 'app:make()' --bind 0.0.0.0:$PORT\n",
        "app.py": "app = 1\n",
    }
    text = dockerfile(tmp_path, files, "python-flask")
    assert json.loads(cmd(text)) == ["sh", "-c", "gunicorn -w 2 'app:make()' --bind 0.0.0.0:$PORT"]
    assert (
        "ENV",
        "PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 "
        "PIP_DISABLE_PIP_VERSION_CHECK=1 PORT=5000",
    ) in parsed(text)


def test_streamlit_runs_streamlit_on_8501(tmp_path: Path) -> None:
    files = {"requirements.txt": "streamlit\npandas\n", "streamlit_app.py": "import streamlit\n"}
    text = dockerfile(tmp_path, files, "python-streamlit")
    assert '"streamlit", "run", "streamlit_app.py", "--server.port=8501"' in cmd(text)
    assert ("EXPOSE", "8501") in parsed(text)


def test_requires_python_314_gets_the_314_image(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.14"\n'
        'dependencies = ["flask"]\n',
        "app.py": "app = 1\n",
    }
    assert "FROM python:3.14-" in dockerfile(tmp_path, files)


# Node

PACKAGE = (
    '{"name": "web", "scripts": {"build": "next build", "start": "next start"}, '
    '"dependencies": {"next": "16.0.0", "react": "19", "react-dom": "19"}%s}'
)


def test_next_standalone_copies_static_and_public_and_listens_everywhere(tmp_path: Path) -> None:
    files = {
        "package.json": PACKAGE % "",
        "package-lock.json": "{}",
        "next.config.ts": "const nextConfig = { output: 'standalone' };\nexport default nextConfig;\n",
        "app/page.tsx": "export default function Page() { return <p>hi</p>; }\n",
        "public/favicon.ico": "x",
    }
    text = dockerfile(tmp_path, files, "node-nextjs")
    steps = parsed(text)
    assert ("COPY", "--from=build --chown=node:node /app/.next/static ./.next/static") in steps
    assert ("COPY", "--from=build --chown=node:node /app/public ./public") in steps
    assert ("COPY", "--from=build --chown=node:node /app/.next/standalone ./") in steps
    assert ("ENV", "HOSTNAME=0.0.0.0") in steps and cmd(text) == '["node", "server.js"]'


def test_bun_lockfile_installs_with_bun(tmp_path: Path) -> None:
    files = {
        "package.json": '{"scripts": {"start": "bun run index.js"}, "dependencies": {"express": "5"}}',
        "bun.lock": "{}",
        "index.js": "1",
    }
    text = dockerfile(tmp_path, files)
    assert "bun install --frozen-lockfile" in text and "COPY package.json bun.lock ./" in text
    assert cmd(text) == '["bun", "run", "start"]'


def test_package_manager_field_wins_over_a_stray_lockfile(tmp_path: Path) -> None:
    files = {
        "package.json": '{"packageManager": "pnpm@10.2.0", "scripts": {"start": "node a.js"}}',
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        "package-lock.json": "{}",
        "a.js": "1",
    }
    text = dockerfile(tmp_path, files)
    assert "corepack enable && pnpm install --frozen-lockfile" in text
    assert cmd(text) == '["pnpm", "run", "start"]'


def test_workspace_root_with_two_apps_is_exit_3_listing_them(tmp_path: Path) -> None:
    files = {
        "package.json": '{"private": true, "workspaces": ["apps/*", "packages/*"],'
        ' "devDependencies": {"turbo": "2"}}',
        "apps/web/package.json": '{"scripts": {"dev": "next dev"}, "dependencies": {"next": "16"}}',
        "apps/api/package.json": '{"scripts": {"start": "node index.js"}}',
        "packages/ui/package.json": '{"name": "@acme/ui"}',
        "apps/api/index.js": "1",
        "turbo.json": "{}",
        "scripts/release.js": "1",
    }
    with pytest.raises(PreconditionError) as caught:
        dockerfile(tmp_path, files)
    assert caught.value.details == ["apps/api/", "apps/web/"]
    assert "kctl create" in str(caught.value.hint)


def test_nest_runs_its_production_script(tmp_path: Path) -> None:
    files = {
        "package.json": '{"scripts": {"build": "nest build", "start": "nest start",'
        ' "start:prod": "node dist/main"}, "dependencies": {"@nestjs/core": "11"}}',
        "src/main.ts": "bootstrap();\n",
        "tsconfig.json": "{}",
    }
    assert cmd(dockerfile(tmp_path, files, "typescript-nestjs")) == '["npm", "run", "start:prod"]'


# Go


def test_go_126_module_gets_the_126_image(tmp_path: Path) -> None:
    files = {"go.mod": "module x\n\ngo 1.26.0\n", "main.go": "package main\nfunc main() {}\n"}
    assert "FROM golang:1.26-" in dockerfile(tmp_path, files, "go")


def test_go_cgo_dependency_builds_with_cgo_and_runs_on_glibc(tmp_path: Path) -> None:
    files = {
        "go.mod": "module x\n\ngo 1.24\n\nrequire github.com/mattn/go-sqlite3 v1.14.32\n",
        "main.go": 'package main\nimport _ "github.com/mattn/go-sqlite3"\nfunc main() {}\n',
    }
    text = dockerfile(tmp_path, files, "go")
    assert "CGO_ENABLED=1 go build" in text and "CGO_ENABLED=0" not in text
    assert "FROM gcr.io/distroless/base-debian12:nonroot" in text


def test_go_main_in_a_sub_folder_is_built_there(tmp_path: Path) -> None:
    files = {"go.mod": "module x\n\ngo 1.24\n", "app/main.go": "package main\nfunc main() {}\n"}
    assert "-o /out/app ./app" in dockerfile(tmp_path, files, "go")


# JVM

SPRING_BOOT_4 = (
    'plugins {\n  java\n  id("org.springframework.boot") version "4.0.0"\n}\n'
    'dependencies { implementation("org.springframework.boot:spring-boot-starter-web") }\n'
    "java { toolchain { languageVersion = JavaLanguageVersion.of(25) } }\n"
)


def test_spring_boot_4_builds_with_its_gradle_wrapper_on_java_25(tmp_path: Path) -> None:
    files = {
        "build.gradle.kts": SPRING_BOOT_4,
        "settings.gradle.kts": 'rootProject.name = "demo"\n',
        "gradlew": "#!/bin/sh\n",
        "gradle/wrapper/gradle-wrapper.properties": "distributionUrl=gradle-9.2.0-bin.zip\n",
        "src/main/java/demo/App.java": "class App {}\n",
    }
    text = dockerfile(tmp_path, files, "java-gradle-spring")
    assert "FROM eclipse-temurin:25-jdk-noble AS build" in text
    assert "./gradlew --no-daemon -q build" in text and "COPY gradle ./gradle" in text
    assert "FROM eclipse-temurin:25-jre-noble" in text


def test_gradle_without_a_wrapper_uses_a_gradle_that_runs_boot_4(tmp_path: Path) -> None:
    files = {
        "build.gradle.kts": SPRING_BOOT_4.replace("of(25)", "of(21)"),
        "src/main/java/demo/App.java": "class App {}\n",
    }
    assert "FROM gradle:8.14-jdk21 AS build" in dockerfile(tmp_path, files, "java-gradle-spring")


def test_maven_wrapper_and_quarkus_fast_jar(tmp_path: Path) -> None:
    files = {
        "pom.xml": "<project><properties><maven.compiler.release>21</maven.compiler.release>"
        "</properties><dependencies><dependency><groupId>io.quarkus</groupId>"
        "<artifactId>quarkus-rest</artifactId></dependency></dependencies></project>",
        "mvnw": "#!/bin/sh\n",
        ".mvn/wrapper/maven-wrapper.properties": "x=1\n",
        "src/main/java/org/acme/Hello.java": "class Hello {}\n",
    }
    text = dockerfile(tmp_path, files, "java-maven")
    assert "./mvnw -B -q package -DskipTests && mv target/quarkus-app /out" in text
    assert 'ENTRYPOINT ["java", "-jar", "/app/quarkus-run.jar"]' in text
    assert "QUARKUS_HTTP_HOST=0.0.0.0" in text


# .NET


def test_net10_with_publish_aot_runs_the_native_executable(tmp_path: Path) -> None:
    csproj = (
        '<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net10.0'
        "</TargetFramework><PublishAot>true</PublishAot></PropertyGroup></Project>"
    )
    files = {"Api.csproj": csproj, "Program.cs": "var app = WebApplication.Create();\n"}
    text = dockerfile(tmp_path, files, "dotnet-aspnetcore")
    assert "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build" in text
    assert "FROM mcr.microsoft.com/dotnet/runtime-deps:10.0" in text
    assert 'ENTRYPOINT ["./Api"]' in text and "clang" in text


# Ruby, PHP, Elixir, Rust, Clojure


def test_rails_runs_in_production_with_assets_and_a_compiler_for_gems(tmp_path: Path) -> None:
    files = {
        "Gemfile": 'source "https://rubygems.org"\ngem "rails", "~> 8.0"\ngem "pg"\n'
        'gem "puma"\ngem "bootsnap", require: false\n',
        "config/application.rb": "module Blog; class Application < Rails::Application; end; end\n",
        "config.ru": "run Rails.application\n",
        "app/assets/stylesheets/application.css": "\n",
        "bin/rails": "#!/usr/bin/env ruby\n",
    }
    text = dockerfile(tmp_path, files, "ruby-rails")
    assert "RAILS_ENV=production" in text and "RACK_ENV=production" in text
    assert "SECRET_KEY_BASE_DUMMY=1 ./bin/rails assets:precompile" in text
    assert "build-essential" in text and "libpq-dev" in text and "libpq5" in text
    final = text.rsplit("\nFROM ", 1)[1]
    assert "build-essential" not in final  # the compiler stays in the build stage


def test_rack_app_runs_in_production(tmp_path: Path) -> None:
    files = {"Gemfile": 'source "https://rubygems.org"\ngem "sinatra"\n', "app.rb": "get('/') {}\n"}
    assert "RACK_ENV=production" in dockerfile(tmp_path, files, "ruby")


def test_php_enables_mod_rewrite(tmp_path: Path) -> None:
    files = {
        "composer.json": '{"require": {"slim/slim": "^4"}}',
        "public/index.php": "<?php\n",
        "public/.htaccess": "RewriteEngine On\n",
    }
    assert "a2enmod rewrite" in dockerfile(tmp_path, files, "php")


def test_phoenix_release_serves_with_assets_and_openssl(tmp_path: Path) -> None:
    files = {
        "mix.exs": 'defmodule Hello.MixProject do\n  def project, do: [app: :hello, elixir: "~> 1.15"]\n'
        '  defp deps, do: [{:phoenix, "~> 1.8"}]\n  defp aliases, do: ["assets.deploy": []]\nend\n',
        "lib/hello_web/endpoint.ex": "defmodule HelloWeb.Endpoint do\nend\n",
        "assets/js/app.js": "1\n",
    }
    text = dockerfile(tmp_path, files, "elixir-phoenix")
    assert "PHX_SERVER=true" in text and "RUN mix assets.deploy" in text
    final = text.rsplit("\nFROM ", 1)[1]
    assert "openssl" in final and "locales" in final


def test_rust_binary_linking_libpq_gets_it_at_run_time(tmp_path: Path) -> None:
    files = {
        "Cargo.toml": '[package]\nname = "api"\nversion = "0.1.0"\n\n[dependencies]\n'
        'diesel = { version = "2", features = ["postgres"] }\n',
        "src/main.rs": "fn main() {}\n",
    }
    text = dockerfile(tmp_path, files, "rust")
    final = text.rsplit("\nFROM ", 1)[1]
    assert final.startswith("debian:bookworm-slim") and "libpq5" in final


def test_leiningen_project_builds_in_a_lein_image(tmp_path: Path) -> None:
    files = {
        "project.clj": '(defproject hello "0.1.0"\n  :main hello.core)\n',
        "src/hello/core.clj": "(ns hello.core)\n",
    }
    text = dockerfile(tmp_path, files, "clojure")
    assert "FROM clojure:temurin-21-lein-bookworm AS build" in text and "lein uberjar" in text
