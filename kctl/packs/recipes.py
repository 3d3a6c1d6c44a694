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
from kctl.packs import workspaces
from kctl.packs.files import first, read

NODE_SERVER_PACKS = ("node", "node-express", "node-nextjs", "typescript", "typescript-nestjs")
SBT_DEFAULT = "1.10.7"  # sbt launcher when project/build.properties names none


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
        "py_server": PY_TOOLS[missing] if missing else "",
        "procfile_web": _procfile_web(root),
        "wsgi_target": _flask_target(root, module),
        # Django's static files are collected when settings name where (STATIC_ROOT)
        "django_static": pack == "python-django"
        and any("STATIC_ROOT" in read(p) for p in sorted(root.glob("*/settings.py"))),
    }


# Node: the package manager the project declares (packageManager wins, then its lockfile)
_NODE_LOCKS = {
    "bun": ("bun.lock", "bun.lockb"),
    "pnpm": ("pnpm-lock.yaml",),
    "yarn": ("yarn.lock",),
    "npm": ("package-lock.json", "npm-shrinkwrap.json"),
}
_NODE_CONFIG = (".npmrc", ".yarnrc.yml", "pnpm-workspace.yaml", "bunfig.toml")


def _node_pm(package: dict[str, Any], files: set[str]) -> str:
    declared = str(package.get("packageManager") or "").split("@", 1)[0]
    if declared in _NODE_LOCKS:
        return declared
    return next((pm for pm, locks in _NODE_LOCKS.items() if set(locks) & files), "npm")


def _node_install(pm: str, files: set[str]) -> str:
    locked = bool(set(_NODE_LOCKS[pm]) & files)
    if pm == "bun":
        return "npm install -g bun@1 && bun install" + (" --frozen-lockfile" if locked else "")
    if pm == "pnpm":
        return "corepack enable && pnpm install" + (" --frozen-lockfile" if locked else "")
    if pm == "yarn":  # Yarn 2+ (a .yarnrc.yml) says --immutable; Yarn 1 --frozen-lockfile
        flag = " --immutable" if ".yarnrc.yml" in files else " --frozen-lockfile"
        return "corepack enable && yarn install" + (flag if locked else "")
    return "npm ci" if locked else "npm install"


# a start script that runs one of these serves a development build (watching, unoptimised)
_DEV_SERVERS = re.compile(
    r"^\s*(?:npx\s+)?(?:nodemon|ts-node-dev|tsx\s+watch|nx\s+serve|vite(?:\s+dev)?|next\s+dev"
    r"|nuxt\s+dev|webpack(?:-dev-server|\s+serve)|ng\s+serve|react-scripts\s+start|nest\s+start"
    r"\s+--watch)\b"
)


def _node_start(root: Path, pm: str, scripts: dict[str, Any]) -> list[str] | None:
    script = next((s for s in ("start:prod", "start") if isinstance(scripts.get(s), str)), None)
    if script is None:
        return None
    if _DEV_SERVERS.match(scripts[script]):
        raise PreconditionError(
            f"package.json's `{script}` script runs a development server"
            f" ({scripts[script].strip()}): kctl will not ship it as the production command",
            location=Location(str(root / "package.json")),
            hint='add a "start:prod" script that runs the built app (e.g. "node dist/main.js")'
            " and run kctl create again",
        )
    return ["npm", "start"] if (pm, script) == ("npm", "start") else [pm, "run", script]


def _node_main(root: Path, package: dict[str, Any]) -> list[str] | None:
    """package.json `main`, when it is a file of the project: what `node .` would run."""
    main = package.get("main")
    if isinstance(main, str) and main and ".." not in main and is_regular(root / main):
        return ["node", main]
    return None


# Full-stack frameworks whose build writes a Node server (their adapters' documented output):
# dependency -> (output folder, the command that starts it)
_NODE_BUILT_SERVERS = (
    ("@sveltejs/adapter-node", "build", ["node", "build"]),  # SvelteKit adapter-node
    ("nuxt", ".output", ["node", ".output/server/index.mjs"]),  # Nuxt 3+ (Nitro node-server)
    ("@astrojs/node", "dist", ["node", "./dist/server/entry.mjs"]),  # Astro standalone mode
)


def _built_server(root: Path, package: dict[str, Any]) -> dict[str, Any]:
    """build_output/start_command of a framework that builds its own server (an adapter's
    `out` option, when it is a literal, names the folder)."""
    deps: dict[str, Any] = {}
    for table in ("dependencies", "devDependencies"):
        value = package.get(table)
        deps.update(value if isinstance(value, dict) else {})
    if "@sveltejs/kit" in deps and not {"@sveltejs/adapter-node", "@sveltejs/adapter-static"} & set(
        deps
    ):
        adapter = next((d for d in sorted(deps) if d.startswith("@sveltejs/adapter-")), "none")
        raise PreconditionError(
            f"this SvelteKit app builds with {adapter}, which makes no server a container runs"
            " (adapter-auto picks one only on Vercel, Netlify, Cloudflare...)",
            location=Location(str(root / "svelte.config.js")),
            hint="npm i -D @sveltejs/adapter-node, import it in svelte.config.js, then run"
            " kctl create again (or @sveltejs/adapter-static for a static site)",
        )
    for dependency, output, command in _NODE_BUILT_SERVERS:
        if dependency not in deps:
            continue
        config = read(root / "svelte.config.js") if output == "build" else ""
        named = first(r"adapter\(\s*\{[^}]*\bout\s*:\s*['\"]([\w./-]+)['\"]", config)
        if named:
            output, command = named.strip("./") or output, ["node", named]
        return {"build_output": output, "built_server": command}
    return {}


def refuse_multi_app_root(root: Path, pack: str, language: str) -> None:
    """The checks detection alone can make (`--explain`): a Node workspace root or a JVM
    multi-module root with several apps is exit 3 listing them."""
    if pack in NODE_SERVER_PACKS and (root / "package.json").is_file():
        from kctl.inputs import json_object

        text = read(root / "package.json")
        refuse_workspace_root(root, json_object(text, str(root / "package.json")) or {})
    if language in ("java", "kotlin"):
        build = (
            read(root / "pom.xml") + read(root / "build.gradle") + read(root / "build.gradle.kts")
        )
        _refuse_aggregator(root, build)


def refuse_workspace_root(root: Path, package: dict[str, Any]) -> None:
    """A workspace root with several apps and no start of its own: kctl builds one app and
    will not guess which (exit 3 listing them)."""
    scripts = package.get("scripts")
    members = workspaces.apps(root, package)
    if len(members) > 1 and not (isinstance(scripts, dict) and "start" in scripts):
        raise PreconditionError(
            f"{root} is a workspace root with {len(members)} apps: kctl builds one app",
            details=[f"{m}/" for m in members],
            hint=f"run kctl create on one of them, e.g. `kctl create {root / members[0]}`",
        )


def _node_member(
    root: Path, ws: workspaces.Workspace, package: dict[str, Any], scripts: dict[str, Any]
) -> dict[str, Any]:
    """A workspace member: the root's package manager and lockfile, built from the root."""
    files = {p.name for p in ws.root.iterdir() if p.is_file()}
    pm = _node_pm(ws.package, files)
    commands = workspaces.member_commands(pm, ws, scripts)
    built = _built_server(root, package) if scripts.get("build") else {}
    built_start = built.pop("built_server", None)
    if isinstance(scripts.get("start"), str):
        _node_start(root, pm, scripts)  # refuses a development server
    commands["start_command"] = (
        commands["start_command"] or built_start or _node_main(root, package)
    )
    return {
        "node_pm": pm,
        "lockfiles": sorted((set(_NODE_LOCKS[pm]) | set(_NODE_CONFIG)) & files),
        "next_standalone": False,
        **commands,
        **built,
    }


def node(root: Path, package: dict[str, Any]) -> dict[str, Any]:
    """Package manager, install/build/start commands, Next.js standalone output."""
    files = {p.name for p in root.iterdir() if p.is_file()}
    raw_scripts = package.get("scripts")
    scripts: dict[str, Any] = raw_scripts if isinstance(raw_scripts, dict) else {}
    member = workspaces.workspace_of(root)
    if member is not None:
        return _node_member(root, member, package, scripts)
    refuse_workspace_root(root, package)
    pm = _node_pm(package, files)
    run = "npm run" if pm == "npm" else f"{pm} run"
    next_config = "".join(read(root / f) for f in sorted(files) if f.startswith("next.config."))
    built = _built_server(root, package) if scripts.get("build") else {}
    built_start = built.pop("built_server", None)
    return {
        "node_pm": pm,
        "workspace_member": "",
        "install": _node_install(pm, files),
        "lockfiles": sorted((set(_NODE_LOCKS[pm]) | set(_NODE_CONFIG)) & files),
        "build_command": f"{run} build" if scripts.get("build") else "",
        # the project's own start script wins, then the server its framework builds, then
        # the pack's entrypoint
        "start_command": _node_start(root, pm, scripts) or built_start or _node_main(root, package),
        "next_standalone": bool(re.search(r"output\s*:\s*['\"]standalone['\"]", next_config)),
        **built,
    }


# Go modules that need cgo (a C compiler at build time, glibc at run time)
GO_CGO_MODULES = (
    "github.com/mattn/go-sqlite3",
    "github.com/confluentinc/confluent-kafka-go",
    "gopkg.in/gographics/imagick",
    "github.com/go-gl/glfw",
    "github.com/ceph/go-ceph",
)
# Rust crates that link a system library at run time → the Debian package that has it
RUST_RUNTIME_LIBS = {"pq-sys": "libpq5", "mysqlclient-sys": "libmariadb3", "rdkafka-sys": "libssl3"}


def go(root: Path) -> dict[str, Any]:
    mod = read(root / "go.mod")
    found = workspaces.go_workspace_of(root)
    member = found[1] if found else ""
    return {
        "go_cgo": any(m in mod for m in GO_CGO_MODULES),
        "go_workspace_member": member,
        "go_workspace_context": workspaces.build_location(root, "go", False)[0] if found else "",
    }


def rust(root: Path) -> dict[str, Any]:
    cargo = read(root / "Cargo.toml") + read(root / "Cargo.lock")
    packages = {lib for crate, lib in RUST_RUNTIME_LIBS.items() if f'"{crate}"' in cargo}
    if re.search(r"^diesel\b.*postgres|^postgres\s*=", cargo, re.M):
        packages.add("libpq5")
    return {"rust_runtime_packages": sorted(packages), **_cargo_output(root)}


def _cargo_output(root: Path) -> dict[str, Any]:
    """Which binary `cargo build --release` makes and where: Cargo.toml's default-run or its
    one [[bin]] (else the package name), and .cargo/config.toml's [build] target-dir/target
    (the file that also holds cargo's aliases; it is copied before the first build)."""
    from kctl import tomlio

    manifest = root / "Cargo.toml"
    data = tomlio.loads(read(manifest), manifest) if is_regular(manifest) else {}
    package: dict[str, Any] = data["package"] if isinstance(data.get("package"), dict) else {}
    bins = [b.get("name") for b in data.get("bin") or [] if isinstance(b, dict)]
    names = [b for b in bins if isinstance(b, str)]
    binary = package.get("default-run") if isinstance(package.get("default-run"), str) else None
    if binary is None and len(names) > 1 and package.get("name") not in names:
        raise PreconditionError(
            f"Cargo.toml builds {len(names)} binaries and names no default-run: kctl will not"
            " guess which one serves",
            location=Location(str(manifest)),
            details=names,
            hint='set default-run = "NAME" in [package], then run kctl create again',
        )
    binary = binary or (names[0] if len(names) == 1 else None)
    config_path = next(
        (root / ".cargo" / n for n in ("config.toml", "config") if is_regular(root / ".cargo" / n)),
        None,
    )
    config = tomlio.loads(read(config_path), config_path) if config_path else {}
    build: dict[str, Any] = config["build"] if isinstance(config.get("build"), dict) else {}
    out = str(build.get("target-dir") or "target").rstrip("/")
    if isinstance(build.get("target"), str):
        out += f"/{build['target']}"
    facts: dict[str, Any] = {"rust_out": f"{out}/release", "cargo_config": bool(config_path)}
    if binary:
        facts["binary"] = binary
    return facts


def jvm(root: Path) -> dict[str, Any]:
    """The project's build wrapper (gradlew, mvnw) wins; Quarkus runs its fast-jar; a module
    of a multi-module build is built from the build's root (its wrapper, its sibling modules)."""
    build = read(root / "pom.xml") + read(root / "build.gradle") + read(root / "build.gradle.kts")
    member = workspaces.jvm_build_of(root)
    _refuse_aggregator(root, build)
    top = member[0] if member else root
    gradlew = (top / "gradlew").is_file() and (top / "gradle" / "wrapper").is_dir()
    mvnw = (top / "mvnw").is_file() and (top / ".mvn" / "wrapper").is_dir()
    module = {
        "jvm_member": member[1] if member else "",
        "jvm_project": ":" + member[1].replace("/", ":") if member else "",
        "jvm_context": workspaces.build_location(root, "java", False)[0] if member else "",
    }
    return {
        "gradle": "./gradlew" if gradlew else "gradle",
        "maven": "./mvnw" if mvnw else "mvn",
        "wrapper": gradlew or mvnw,
        "quarkus": "io.quarkus" in build,
        **_gradle_application(root, build),
        **module,
    }


def _refuse_aggregator(root: Path, build: str) -> None:
    """The root of a multi-module build that is no app itself (a Maven `pom` packaging, a
    Gradle root without an app plugin): kctl builds one module and will not guess which."""
    modules = workspaces.maven_modules(root)
    if modules and not re.search(r"<packaging>\s*pom\s*</packaging>", read(root / "pom.xml")):
        modules = []
    if not modules:
        app_plugin = re.search(
            r"org\.springframework\.boot|['\"]application['\"]|io\.quarkus", build
        )
        modules = [] if app_plugin else workspaces.gradle_projects(root)
    if modules:
        raise PreconditionError(
            f"{root} is the root of a multi-module build ({len(modules)} modules): kctl builds"
            " one module, from this root",
            details=[f"{m}/" for m in modules],
            hint=f"run kctl create on the module to deploy, e.g. `kctl create {root / modules[0]}`",
        )


def _gradle_application(root: Path, build: str) -> dict[str, Any]:
    """Gradle's `application` plugin (not Spring Boot, whose bootJar runs with java -jar):
    `installDist` writes build/install/<project>/ with lib/ and a start script in bin/ named
    by `applicationName` (the first one set, as a custom start-script task does), else the
    project's name — the plain jar would not start (no Main-Class, no dependencies)."""
    plugin = re.search(
        r"""id\s*\(?\s*['"]application['"]|apply\s+plugin\s*:\s*['"]application['"]"""
        r"""|^\s*application\s*$|^\s*`?application`?\s*\{""",
        build,
        re.M,
    )
    if plugin is None or "org.springframework.boot" in build:
        return {"gradle_dist": "", "gradle_start_script": ""}
    settings = read(root / "settings.gradle") + read(root / "settings.gradle.kts")
    project = first(r"""rootProject\.name\s*=\s*['"]([\w.-]+)['"]""", settings) or root.name
    name = first(r"""applicationName\s*(?:=|\.set\()\s*['"]([\w.-]+)['"]""", build)
    return {"gradle_dist": project, "gradle_start_script": name or project}


def ruby(root: Path) -> dict[str, Any]:
    """What a production Rails/Rack image needs: precompiled assets, bootsnap, C headers."""
    gems = read(root / "Gemfile") + read(root / "Gemfile.lock")
    headers = ["build-essential", "git", "libyaml-dev", "pkg-config"]
    runtime = []
    for gem, dev, lib in (
        ("pg", "libpq-dev", "libpq5"),
        ("mysql2", "default-libmysqlclient-dev", "libmariadb3"),
        ("sqlite3", "libsqlite3-dev", "libsqlite3-0"),
    ):
        if re.search(rf"^\s*(?:gem\s+['\"]{gem}['\"]|{gem} \()", gems, re.M):
            headers.append(dev)
            runtime.append(lib)
    return {
        "procfile_web": _procfile_web(root),
        "ruby_build_packages": headers,
        "ruby_runtime_packages": runtime,
        "assets_precompile": (root / "app" / "assets").is_dir()
        or (root / "app" / "javascript").is_dir(),
        "bootsnap": "bootsnap" in gems,
    }


def elixir(root: Path) -> dict[str, Any]:
    mix = read(root / "mix.exs")
    return {"assets_deploy": '"assets.deploy"' in mix or (root / "assets").is_dir()}


def dotnet(root: Path, projects: list[str]) -> dict[str, Any]:
    text = "".join(read(root / p) for p in projects)
    return {"publish_aot": bool(re.search(r"<PublishAot>\s*true\s*</PublishAot>", text, re.I))}


def php(root: Path) -> dict[str, Any]:
    """The document root a Procfile gives Heroku's PHP boot scripts (heroku-php-apache2 DIR)."""
    web = _procfile_web(root) or ""
    stated = first(r"heroku-php-(?:apache2|nginx)\b.*?\s([\w./-]+)/?\s*$", web)
    if stated and ".." not in stated and (root / stated).is_dir():
        return {"docroot": stated.strip("./").rstrip("/")}
    return {}


def recipe_facts(
    pack: str, language: str, root: Path, module: str, package: dict[str, Any]
) -> dict[str, Any]:
    """The facts of the recipe families this pack belongs to."""
    facts: dict[str, Any] = {}
    if pack in NODE_SERVER_PACKS:
        facts.update(node(root, package))
    if pack == "deno":
        facts.update(deno(root))
    if language == "scala":
        facts.update(scala(root))
    if language == "python":
        facts.update(python(root, pack, module))
    families = {"go": go, "rust": rust, "ruby": ruby, "elixir": elixir, "php": php}
    if language in families:
        facts.update(families[language](root))
    if language in ("java", "kotlin"):
        facts.update(jvm(root))
    if language == "csharp":
        facts.update(dotnet(root, [f.name for f in sorted(root.glob("*.?sproj"))]))
    return facts
