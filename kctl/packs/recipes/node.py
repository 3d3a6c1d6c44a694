"""Node's (and Deno's) production recipe: package manager, install/build/start commands, the
server a framework builds, Next.js standalone output, workspace members and roots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kctl.errors import Location, PreconditionError
from kctl.inputs import is_regular
from kctl.packs import workspaces
from kctl.packs.files import first, read

NODE_SERVER_PACKS = ("node", "node-express", "node-nextjs", "typescript", "typescript-nestjs")


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


def deno(root: Path) -> dict[str, Any]:
    """deno.json(c) `tasks.start`: the project's own way to start."""
    text = read(root / "deno.json") or read(root / "deno.jsonc")
    return {"deno_task_start": bool(re.search(r'"tasks"\s*:\s*\{[^}]*"start"\s*:', text))}
