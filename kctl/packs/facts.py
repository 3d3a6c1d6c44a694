"""Facts about a project that Dockerfile templates need, read from its manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kctl.detect.detector import Detection
from kctl.inputs import json_object
from kctl.packs.files import first, read
from kctl.packs.model import Pack
from kctl.packs.recipes import recipe_facts

NODE_LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")


def project_facts(detection: Detection[Pack], app: str) -> dict[str, Any]:
    """Everything a pack template may use besides the pack itself."""
    root = detection.root
    root_files = sorted(p.name for p in root.iterdir() if p.is_file())
    manifests = [
        f
        for f in root_files
        if any(Path(f).match(pattern) for pattern in detection.pack.rules.manifests)
    ]
    entry = detection.entrypoint
    facts: dict[str, Any] = {
        "all_files": root_files,
        "all_dirs": sorted(p.name for p in root.iterdir() if p.is_dir()),
        "manifests": manifests,
        "entrypoint": entry,
        "entry_module": _module(entry),
        "app_name": app,
        "lockfiles": [f for f in NODE_LOCKFILES if f in root_files],
        "gradle_files": [
            f
            for f in root_files
            if f.startswith(("build.gradle", "settings.gradle", "gradle.properties"))
        ],
        "project_files": [
            f for f in root_files if f.endswith((".csproj", ".fsproj", ".sln", ".slnx"))
        ],
        "docroot": "public" if (root / "public").is_dir() else "",
        "build_target": ".",
    }
    facts["install"] = (
        "npm ci"
        if {"package-lock.json", "npm-shrinkwrap.json"} & set(root_files)
        else "corepack enable && yarn install --frozen-lockfile"
        if "yarn.lock" in root_files
        else "corepack enable && pnpm install --frozen-lockfile"
        if "pnpm-lock.yaml" in root_files
        else "npm install"
    )
    package = _json(root / "package.json")
    facts["build_step"] = bool(_table(package, "scripts").get("build"))
    facts["build_output"] = ".next" if "next" in _table(package, "dependencies") else "dist"
    facts["spa_output"] = _spa_output(root, package)
    for name in ("Cargo.toml",):
        if name in root_files:
            facts["binary"] = first(r'^name\s*=\s*"([^"]+)"', read(root / name)) or app
    facts.setdefault("binary", app)
    facts.update(_dotnet_projects(detection, facts["project_files"], app))
    mix = first(r"app:\s*:(\w+)", read(root / "mix.exs"))
    rebar = first(r"\{release,\s*\{(\w+)", read(root / "rebar.config"))
    swift = first(r'\.executableTarget\(\s*name:\s*"([^"]+)"', read(root / "Package.swift"))
    facts["app_name"] = mix or rebar or swift or app
    if entry and entry.endswith("/main.go"):  # main in a sub-folder: build that package
        facts["build_target"] = "./" + entry.rsplit("/", 1)[0]
    pack = detection.pack
    facts.update(recipe_facts(pack.name, pack.language, root, facts["entry_module"], package))
    if facts.get("go_workspace_member"):  # built from the go.work root: the member's path
        inner = str(facts["build_target"]).removeprefix(".").strip("/")
        facts["build_target"] = "/".join(["./" + facts["go_workspace_member"], inner]).rstrip("/")
    return facts


def _dotnet_projects(
    detection: Detection[Pack], project_files: list[str], app: str
) -> dict[str, Any]:
    """Root project files restore in their own layer; a solution publishes the web project."""
    root_projects = [f for f in project_files if not f.endswith((".sln", ".slnx"))]
    nested = [
        e.path
        for e in detection.evidence
        if e.kind == "content" and e.path.endswith(("proj",)) and "/" in e.path
    ]
    publish = "" if root_projects or not nested else nested[0]
    main = root_projects[0] if root_projects else publish or (project_files or [app])[0]
    return {
        "root_projects": root_projects,
        "publish_project": publish,
        "assembly": Path(main).stem if main != app else app,
    }


def _angular_output(angular: dict[str, Any]) -> str | None:
    """outputPath of the first application's build; the application builder adds /browser."""
    for name, project in dict(angular.get("projects") or {}).items():
        if (
            not isinstance(project, dict)
            or project.get("projectType", "application") != "application"
        ):
            continue
        build = dict(
            dict(project.get("architect") or project.get("targets") or {}).get("build") or {}
        )
        output = dict(build.get("options") or {}).get("outputPath", f"dist/{name}")
        browser = "browser"
        if isinstance(output, dict):
            browser = str(output.get("browser", "browser"))
            output = output.get("base", f"dist/{name}")
        application = str(build.get("builder", "")).endswith(":application")
        return f"{output}/{browser}".strip("/") if application and browser else str(output)
    return None


def _spa_output(root: Path, package: dict[str, Any]) -> str:
    """Where `npm run build` puts the static site: the bundler's config, else its default."""
    deps = {**_table(package, "devDependencies"), **_table(package, "dependencies")}
    if (root / "angular.json").is_file():
        return _angular_output(_json(root / "angular.json")) or "dist"
    if "@sveltejs/kit" in deps:
        pages = first(r"pages\s*:\s*['\"]([^'\"]+)", read(root / "svelte.config.js"))
        return pages or "build"
    configs = [*sorted(root.glob("vite.config.*")), root / "vue.config.js"]
    for config in configs:
        out = first(r"(?:outDir|outputDir)\s*:\s*['\"]([^'\"]+)", read(config))
        if out:
            return out.removeprefix("./").rstrip("/")
    return "build" if "react-scripts" in deps else "dist"


def _module(entry: str | None) -> str:
    if not entry or not entry.endswith(".py"):
        return "app"
    module = entry.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    return module


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    """data[key] when it is an object; a project file of another shape says nothing."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _json(path: Path) -> dict[str, Any]:
    """A JSON project file's object ({} when absent or not an object; too deep is exit 2)."""
    return json_object(read(path) or "{}", str(path)) or {}
