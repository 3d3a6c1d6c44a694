"""Python's production recipe: the install step its lockfile/tool decides, the server its start
command needs, gunicorn's target."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kctl.packs.files import first, procfile_web, read

# Python tools and servers the recipes install when the project does not: compatible-release
# pins of the versions current on PyPI (docs/versions.md, checked with `pip index versions`)
PY_TOOLS = {
    "gunicorn": "gunicorn~=27.0",
    "uvicorn": "uvicorn~=0.55",
    "streamlit": "streamlit~=1.67",
    "poetry": "poetry~=2.5",
    "uv": "uv~=0.13",
    "pdm": "pdm~=2.29",
    "pipenv": "pipenv~=2026.10",
}


# Python: how the project declares its dependencies, in the order its tools decide
_PY_MANIFESTS = ("requirements.txt", "pyproject.toml", "Pipfile", "setup.py", "setup.cfg")
# the server a pack's start command needs → the names that bring it (a framework extra counts)
_PY_SERVERS = {
    "gunicorn": ("gunicorn",),
    "uvicorn": ("uvicorn", "fastapi[standard", "fastapi[all"),
    "streamlit": ("streamlit",),
}


def _declares_py(text: str, names: tuple[str, ...]) -> bool:
    return any(
        re.search(rf"(?<![\w.-]){re.escape(n)}(?![\w-])", text, re.IGNORECASE) for n in names
    )


def _py_install(root: Path, files: set[str]) -> tuple[list[str], str]:
    """(files to copy first, the install command), by the project's lockfile and tool."""
    pyproject = read(root / "pyproject.toml")
    if "uv.lock" in files:  # uv's own: the locked set, without the project (its source is later)
        return ["pyproject.toml", "uv.lock"], (
            f"pip install {PY_TOOLS['uv']} && UV_PROJECT_ENVIRONMENT=/usr/local "
            "uv sync --locked --no-dev --no-install-project"
        )
    if "poetry.lock" in files or re.search(r"^\[tool\.poetry\.dependencies\]", pyproject, re.M):
        copied = ["pyproject.toml", *(["poetry.lock"] if "poetry.lock" in files else [])]
        return copied, (
            f"pip install {PY_TOOLS['poetry']} && poetry config virtualenvs.create false && "
            "poetry install --only main --no-root --no-interaction --no-ansi"
        )
    if "pdm.lock" in files:
        return ["pyproject.toml", "pdm.lock"], (
            f"pip install {PY_TOOLS['pdm']} && "
            "pdm export --prod --without-hashes -o /tmp/requirements.txt && "
            "pip install -r /tmp/requirements.txt"
        )
    if "requirements.txt" in files:
        return ["requirements.txt"], "pip install -r requirements.txt"
    if "Pipfile" in files:
        lock = "Pipfile.lock" in files
        command = (
            "pipenv install --system --deploy" if lock else "pipenv install --system --skip-lock"
        )
        return [
            "Pipfile",
            *(["Pipfile.lock"] if lock else []),
        ], f"pip install {PY_TOOLS['pipenv']} && " + command
    if "pyproject.toml" in files:  # PEP 621 [project].dependencies, without building the project
        return ["pyproject.toml"], (
            "python -c \"import tomllib,subprocess,sys; d=tomllib.load(open('pyproject.toml','rb'))"
            ".get('project',{}).get('dependencies',[]); "
            "d and subprocess.check_call([sys.executable,'-m','pip','install',*d])\""
        )
    return [], ""


def _flask_target(root: Path, module: str) -> str:
    """gunicorn's target: FLASK_APP (.flaskenv/.env) wins; an app factory is called."""
    stated = first(
        r"^\s*(?:export\s+)?FLASK_APP\s*=\s*['\"]?([^'\"\s#]+)", read(root / ".flaskenv")
    )
    stated = stated or first(
        r"^\s*(?:export\s+)?FLASK_APP\s*=\s*['\"]?([^'\"\s#]+)", read(root / ".env")
    )
    if stated:
        if ":" in stated:
            return stated
        module = stated.removesuffix(".py").replace("/", ".")
    path = root / (module.replace(".", "/") + ".py")
    source = read(path) or read(root / module.replace(".", "/") / "__init__.py")
    has_app = re.search(r"^app\s*=", source, re.M)
    factory = first(r"^def (create_app|make_app)\s*\(", source)
    return f"{module}:{factory}()" if factory and not has_app else f"{module}:app"


def python(root: Path, pack: str, module: str) -> dict[str, Any]:
    """Install step, the server the start command needs when undeclared, and the start."""
    files = {p.name for p in root.iterdir() if p.is_file()}
    copied, install = _py_install(root, files)
    declared = "\n".join(
        read(root / f)
        for f in (*_PY_MANIFESTS, *sorted(f for f in files if f.startswith("requirements")))
    )
    server = {
        "python-flask": "gunicorn",
        "python-django": "gunicorn",
        "python-fastapi": "uvicorn",
        "python-streamlit": "streamlit",
    }.get(pack)
    missing = server if server and not _declares_py(declared, _PY_SERVERS[server]) else ""
    return {
        "py_copy": copied,
        "py_install": install,
        "py_server": PY_TOOLS[missing] if missing else "",
        "procfile_web": procfile_web(root),
        "wsgi_target": _flask_target(root, module),
        # Django's static files are collected when settings name where (STATIC_ROOT)
        "django_static": pack == "python-django"
        and any("STATIC_ROOT" in read(p) for p in sorted(root.glob("*/settings.py"))),
    }
