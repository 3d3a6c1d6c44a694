"""Issue 26: each shape whose generated Dockerfile could not build or serve the app, as a pack
test on a fixture of that shape (the recipe facts are the frameworks' documented ones)."""

from __future__ import annotations

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
    parser = DockerfileParser(fileobj=None)
    parser.content = text
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
