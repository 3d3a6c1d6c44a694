"""Facts of a project's own declarations that decide its production recipe, per ecosystem.

Each function reads the project's files (never runs them) and returns template values; the
project's statement wins over a pack default (a start task, a packaging plugin, a lockfile).
A recipe that cannot work for the project is a PreconditionError saying what to add.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kctl.errors import Location, PreconditionError
from kctl.inputs import is_regular

SBT_DEFAULT = "1.10.7"  # sbt launcher when project/build.properties names none


def read(path: Path) -> str:
    """A project file's text, "" when it is not a readable regular file (FIFOs are skipped)."""
    if not is_regular(path):
        return ""
    try:
        with path.open("rb") as handle:
            return handle.read(1 << 20).decode("utf-8", "replace")
    except OSError:
        return ""


def first(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1) if match else None


def deno(root: Path) -> dict[str, Any]:
    """deno.json(c) `tasks.start`: the project's own way to start."""
    text = read(root / "deno.json") or read(root / "deno.jsonc")
    return {"deno_task_start": bool(re.search(r'"tasks"\s*:\s*\{[^}]*"start"\s*:', text))}


def scala(root: Path) -> dict[str, Any]:
    """How an sbt build packages the app: sbt-native-packager's stage, or sbt-assembly."""
    if not (root / "build.sbt").is_file():
        return {}
    plugins = read(root / "project" / "plugins.sbt")
    build = read(root / "build.sbt")
    if "sbt-native-packager" in plugins:
        packaging = "stage"
    elif "sbt-assembly" in plugins:
        packaging = "assembly"
    elif re.search(r"enablePlugins\(\s*PlayScala", build):
        packaging = "stage"  # Play's sbt plugin brings the native packager
    else:
        raise PreconditionError(
            "build.sbt has no packaging plugin: kctl builds sbt apps with `sbt stage` "
            "(sbt-native-packager) or `sbt assembly` (sbt-assembly)",
            location=Location(str(root / "project" / "plugins.sbt")),
            hint='add addSbtPlugin("com.github.sbt" % "sbt-native-packager" % "1.11.1") and '
            "enablePlugins(JavaAppPackaging) to build.sbt, then run kctl create again",
        )
    name = first(r'^\s*name\s*:=\s*"([^"]+)"', build) or root.name
    version = first(r"^\s*sbt\.version\s*=\s*(\S+)", read(root / "project" / "build.properties"))
    return {
        "sbt_packaging": packaging,
        # the start script's name: sbt-native-packager's normalizedName
        "sbt_name": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
        "sbt_version": version
        if version and re.fullmatch(r"\d+\.\d+\.\d+", version)
        else SBT_DEFAULT,
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
            "pip install uv && UV_PROJECT_ENVIRONMENT=/usr/local "
            "uv sync --locked --no-dev --no-install-project"
        )
    if "poetry.lock" in files or re.search(r"^\[tool\.poetry\.dependencies\]", pyproject, re.M):
        copied = ["pyproject.toml", *(["poetry.lock"] if "poetry.lock" in files else [])]
        return copied, (
            "pip install poetry && poetry config virtualenvs.create false && "
            "poetry install --only main --no-root --no-interaction --no-ansi"
        )
    if "pdm.lock" in files:
        return ["pyproject.toml", "pdm.lock"], (
            "pip install pdm && pdm export --prod --without-hashes -o /tmp/requirements.txt && "
            "pip install -r /tmp/requirements.txt"
        )
    if "requirements.txt" in files:
        return ["requirements.txt"], "pip install -r requirements.txt"
    if "Pipfile" in files:
        lock = "Pipfile.lock" in files
        command = (
            "pipenv install --system --deploy" if lock else "pipenv install --system --skip-lock"
        )
        return ["Pipfile", *(["Pipfile.lock"] if lock else [])], "pip install pipenv && " + command
    if "pyproject.toml" in files:  # PEP 621 [project].dependencies, without building the project
        return ["pyproject.toml"], (
            "python -c \"import tomllib,subprocess,sys; d=tomllib.load(open('pyproject.toml','rb'))"
            ".get('project',{}).get('dependencies',[]); "
            "d and subprocess.check_call([sys.executable,'-m','pip','install',*d])\""
        )
    return [], ""


def _procfile_web(root: Path) -> str | None:
    """The Procfile's `web:` command (Heroku's, Railpack's and the project's own start)."""
    return first(r"^web:\s*(.+?)\s*$", read(root / "Procfile"))


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
        "py_server": missing,
        "procfile_web": _procfile_web(root),
        "wsgi_target": _flask_target(root, module),
        # Django's static files are collected when settings name where (STATIC_ROOT)
        "django_static": pack == "python-django"
        and any("STATIC_ROOT" in read(p) for p in sorted(root.glob("*/settings.py"))),
    }


def recipe_facts(pack: str, language: str, root: Path, module: str) -> dict[str, Any]:
    """The facts of the recipe families this pack belongs to."""
    facts: dict[str, Any] = {}
    if pack == "deno":
        facts.update(deno(root))
    if language == "scala":
        facts.update(scala(root))
    if language == "python":
        facts.update(python(root, pack, module))
    return facts
