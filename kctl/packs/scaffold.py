"""Render a pack for a detected project: Dockerfile, .dockerignore, chart and kctl.toml."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from kctl.detect.detector import Detection
from kctl.errors import InputError, Location
from kctl.kube.naming import SELECTOR_LABEL
from kctl.packs.facts import project_facts
from kctl.packs.model import Pack
from kctl.templating import environment

IMAGE_OVERRIDE_ENV = "KCTL_PACK_IMAGE_"  # e.g. KCTL_PACK_IMAGE_BASE=127.0.0.1:5000/nginx:1


class Scaffold(Struct, frozen=True):
    """The files `kctl create` writes, relative to the project folder."""

    app: str
    files: dict[str, str]
    image: str
    variables: dict[str, Any]  # the values the templates were filled with (app, port, versions)


def _render(env: Any, template: str, context: Mapping[str, Any]) -> str:
    """A pack template rendered; any failure is the pack's (exit 2 naming the template)."""
    where = Location(str(Path(env.loader.searchpath[0]) / template))
    with _template_errors(where):
        return str(env.get_template(template).render(**context))


def _render_setting(env: Any, text: str, context: Mapping[str, Any], pack_dir: Path) -> str:
    """A pack.toml setting that is itself a template (build.images, build.run)."""
    with _template_errors(Location(str(pack_dir / "pack.toml"))):
        return str(env.from_string(text).render(**context))


@contextlib.contextmanager
def _template_errors(where: Location) -> Iterator[None]:
    import jinja2

    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"template error: {exc.message}",
            location=Location(exc.filename or where.file, exc.lineno),
        ) from None
    except jinja2.UndefinedError as exc:
        raise InputError(f"template uses an unknown value: {exc.message}", location=where) from None
    except UnicodeDecodeError:
        raise InputError("template is not valid UTF-8", location=where) from None
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        raise InputError(f"template failed: {type(exc).__name__}: {exc}", location=where) from None
    except RecursionError:
        raise InputError("template includes itself", location=where) from None


def app_objects(app: str, image: str, port: int, health: str | None) -> list[dict[str, Any]]:
    """The Deployment and Service of a single-app chart."""
    labels = {
        SELECTOR_LABEL: app,
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": app,
    }
    container: dict[str, Any] = {
        "name": app,
        "image": image,
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
    }
    if health:
        probe = {"httpGet": {"path": health, "port": "http"}}
        container["livenessProbe"] = {**probe, "initialDelaySeconds": 10, "periodSeconds": 10}
        container["readinessProbe"] = {**probe, "periodSeconds": 5}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": app, "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {SELECTOR_LABEL: app}},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": app, "labels": labels},
        "spec": {
            "selector": {SELECTOR_LABEL: app},
            "ports": [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}],
        },
    }
    return [deployment, service]


def kctl_toml(
    app: str,
    image: str,
    port: int,
    namespace: str,
    chart: tuple[str, str] | None,
    sync: Mapping[str, Any] | None = None,
    context: str = ".",
    dockerfile: str = "Dockerfile",
) -> str:
    """kctl.toml with a development environment ready for `kctl up` (tomlkit, commented);
    sync: the pack's live-update rules, written as the environment's sync table."""
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment("kctl configuration: `kctl up --env development` uses this table."))
    envs = tomlkit.table(is_super_table=True)
    dev = tomlkit.table()
    dev.add("name", app)
    dev.add("namespace", namespace)
    dev.add("registry", "localhost:5000")
    dev["registry"].comment("where `kctl up` pushes images")
    dev.add("target", "local")
    dev["target"].comment("local (podman kube play) or helm (the cluster in KUBECONFIG)")
    dev.add("image", image)
    dev.add("dockerfile", dockerfile)
    dev.add("context", context)
    if context != ".":
        dev["context"].comment("the workspace root: the member builds with its siblings")
    if chart:  # (key, folder): chart, or kustomize / manifests (the local target plays them)
        dev.add(*chart)
    dev.add("watch", True)
    dev.add("watch-delay", 0.3)
    dev.add("port-forward", [f"{port}:{port}"])
    if sync:
        rules = tomlkit.table()
        rules.add(tomlkit.comment("live update: a change to these files is copied into the"))
        rules.add(tomlkit.comment("running container (no build, no push); anything else rebuilds"))
        for key, value in sync.items():
            rules.add(key, value)
        dev.add("sync", rules)
    envs.add("development", dev)
    doc.add("environments", envs)
    return tomlkit.dumps(doc)


class ScaffoldOptions(Struct, frozen=True):
    """What to write: --variable values, --deploy-type, --dockerfile-only/--deployment-only."""

    variables: Mapping[str, str | int] = field(default_factory=dict)  # checked by resolve()
    deploy_type: str = "helm"  # helm | kustomize | manifests
    parts: str = "all"  # all | dockerfile | deployment


def _dockerfile_files(
    detection: Detection[Pack], app: str, values: Mapping[str, Any], environ: Mapping[str, str]
) -> dict[str, str]:
    """Dockerfile, .dockerignore and the pack's extra files ([files] in pack.toml)."""
    pack = detection.pack
    env = environment(pack.directory)
    context: dict[str, Any] = {
        **project_facts(detection, app),
        "pack": pack,
        "versions": detection.versions,
        "port": detection.port,
        "health": pack.health_path,
        **values,  # pack-specific --variable values (entrypoint, spa_output, ...)
    }
    images = {}
    for key, value in dict(pack.build.get("images", {})).items():
        override = environ.get(IMAGE_OVERRIDE_ENV + key.upper())
        images[key] = override or _render_setting(env, str(value), context, pack.directory)
    context["images"] = images
    context["run"] = [
        _render_setting(env, str(arg), context, pack.directory) for arg in pack.build.get("run", [])
    ]
    return {
        **{path: _render(env, template, context) for path, template in pack.extra_files.items()},
        "Dockerfile": _render(env, "Dockerfile.j2", context),
        ".dockerignore": _render(env, "dockerignore.j2", context),
    }


def _build_location(detection: Detection[Pack]) -> tuple[str, str]:
    """(context, Dockerfile relative to it): a workspace member builds from the root."""
    from kctl.packs.recipes import NODE_SERVER_PACKS
    from kctl.packs.workspaces import build_location

    pack = detection.pack
    return build_location(detection.root, pack.language, pack.name in NODE_SERVER_PACKS)


def scaffold(
    detection: Detection[Pack],
    app: str,
    environ: Mapping[str, str] = os.environ,
    options: ScaffoldOptions = ScaffoldOptions(),
) -> Scaffold:
    """Render every file `kctl create` writes for this detection."""
    from kctl.chart import chart_name
    from kctl.packs.deploy import deployment_files

    variables = dict(options.variables)
    port = int(variables.pop("port", detection.port))
    versions = {k: str(variables.pop(k, v)) for k, v in detection.versions.items()}
    entrypoint = variables.pop("entrypoint", detection.entrypoint)  # facts derive from it
    detection = replace(
        detection, port=port, versions=versions, entrypoint=str(entrypoint) if entrypoint else None
    )
    name = chart_name(str(variables.pop("app", app)))
    namespace = str(variables.pop("namespace", "default"))
    repository = str(variables.pop("image", f"localhost:5000/{name}"))
    image = repository if ":" in repository.rsplit("/", 1)[-1] else f"{repository}:latest"
    files: dict[str, str] = {}
    if options.parts in ("all", "dockerfile"):
        files.update(_dockerfile_files(detection, name, variables, environ))
    objects = app_objects(name, image, port, detection.pack.health_path)
    if options.parts in ("all", "deployment"):
        files.update(
            deployment_files(detection.pack, name, objects, options.deploy_type, namespace)
        )
    if options.parts == "all":
        chart = {
            "helm": ("chart", f"charts/{name}"),
            "kustomize": ("kustomize", "base"),
            "manifests": ("manifests", "manifests"),
        }.get(options.deploy_type)
        sync = detection.pack.sync
        build = _build_location(detection)
        files["kctl.toml"] = kctl_toml(name, image, port, namespace, chart, sync, *build)
    values = {"app": name, "port": port, "image": image, "namespace": namespace, **versions}
    if entrypoint:
        values["entrypoint"] = str(entrypoint)
    return Scaffold(name, files, image, {**values, **variables})
