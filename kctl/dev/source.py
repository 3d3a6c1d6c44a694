"""What `kctl up` builds and deploys: an app with a kctl.toml, or a Compose project.

A source answers three questions each cycle: which images to build (artifacts), which chart
to deploy with which values once they are pushed (release), and which paths mean "redeploy"
even when no image changed (deploy inputs: the chart, the Compose files).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from msgspec import Struct, field

from kctl.dev.config import Environment
from kctl.dev.image import PushRef
from kctl.dev.services import Services, facts_of
from kctl.errors import InputError, KctlError, Location
from kctl.images import ImageRef, is_image


class Artifact(Struct, frozen=True):
    """One image to build: a context, its Dockerfile, and where it is pushed."""

    component: str
    context: Path
    repository: str  # registry/path, no tag
    dockerfile: str = "Dockerfile"
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None

    @property
    def registry(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def path(self) -> str:
        return self.repository.split("/", 1)[1]


class Built(Struct, frozen=True):
    """An artifact as it is in the registry: the tag and the digest a deployment pins."""

    artifact: Artifact
    ref: PushRef
    digest: str
    built: bool  # False: the registry already had this content, nothing was built or pushed

    @property
    def pinned(self) -> str:
        """tag@digest once pushed; the tag alone for a local-only build."""
        return self.ref.pinned(self.digest) if self.digest else self.ref.name


class HostPort(Struct, frozen=True):
    """A port a source publishes on the host (Compose `ports:`), for the local target."""

    component: str
    container_port: int
    host_port: int
    host_ip: str = "127.0.0.1"


class Release(Struct, frozen=True):
    """A chart to deploy and the values that point it at the pushed images."""

    name: str
    namespace: str
    chart: Path
    set_values: Sequence[str] = ()
    set_strings: Sequence[str] = ()
    host_ports: Sequence[HostPort] = ()
    warnings: Sequence[str] = ()  # what the sources say was not (fully) translated, file:line
    services: Services | None = None  # Compose start-up facts, for the local target
    images: Sequence[str] = ()  # the images kctl pinned the release to (what a target pulls)
    renderer: str = "helm"  # or "manifests" / "kustomize": chart is then that folder
    app_image: str | None = None  # the image name the manifests run (replaced by images[0])

    def services_ordered(self) -> bool:
        """Whether a service waits for another (depends_on): the local target then plays
        every pod in that order instead of swapping containers."""
        return self.services is not None and any(
            facts.depends_on for facts in self.services.by_name.values()
        )


class Source(Protocol):
    env: Environment

    def artifacts(self) -> list[Artifact]: ...

    def release(self, built: Sequence[Built]) -> Release: ...

    def deploy_inputs(self) -> list[Path]: ...

    def release_name(self) -> str:
        """The name the release is deployed under (a Compose project's own name)."""
        ...

    def declared_ports(self) -> set[int] | None:
        """Container ports the source declares, when known before rendering (else None)."""
        ...

    def check(self) -> None:
        """Refuse (InputError) what would only fail after a build: before anything is built."""
        ...


def image_path(image: str | None, fallback: str) -> str:
    """The repository path of an image name, without its registry and tag."""
    return ImageRef.parse(image).path if image else fallback


class AppSource:
    """An app folder configured by kctl.toml/draft.toml: one image, one chart."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def release_name(self) -> str:
        return self.env.name

    def artifacts(self) -> list[Artifact]:
        env = self.env
        return [
            Artifact(
                component=env.name,
                context=env.context,
                repository=f"{env.registry}/{image_path(env.image, env.name)}",
                dockerfile=env.dockerfile,
                build_args=env.build_args,
                target=env.build_target,
            )
        ]

    def chart(self) -> Path:
        chart = self.env.chart
        if chart is None or not (chart / "Chart.yaml").is_file():
            raise InputError(
                f"no Helm chart at {chart}" if chart else "no chart configured",
                location=Location.of(self.env.source) if self.env.source else None,
                hint="set `chart` in kctl.toml (kctl create scaffolds one)",
            )
        return chart

    def release(self, built: Sequence[Built]) -> Release:
        if self.env.deploy_files is not None:
            kind, folder = self.env.deploy_files
            (image,) = built
            return Release(
                self.env.name,
                self.env.namespace,
                folder,
                images=[image.pinned],
                renderer=kind,
                app_image=self.env.image,
            )
        chart = self.chart()
        prefix = image_values_prefix(chart, self.env.name)
        (image,) = built
        return Release(
            self.env.name,
            self.env.namespace,
            chart,
            set_values=self.env.set_values,
            set_strings=image_values(prefix, image),
            images=[image.pinned],
        )

    def deploy_inputs(self) -> list[Path]:
        """Paths whose change means redeploying even when no image changed."""
        if self.env.deploy_files is not None:
            return [self.env.deploy_files[1]]
        return [self.env.chart] if self.env.chart else []

    def declared_ports(self) -> set[int] | None:
        return None  # in the chart's templates: checked once rendered

    def check(self) -> None:
        """The Dockerfile and the chart exist, and the chart says where the app's image goes
        (or the manifests run the app's image)."""
        for artifact in self.artifacts():
            check_dockerfile(artifact)
        if self.env.deploy_files is not None:
            check_deploy_files(self.env)
            return
        image_values_prefix(self.chart(), self.env.name)


def check_deploy_files(env: Environment) -> None:
    """Manifests or a kustomization: there, deployable by the target, running the app's image."""
    from kctl.dev import manifests

    assert env.deploy_files is not None
    kind, folder = env.deploy_files
    where = Location.of(env.source) if env.source else None
    manifests.check_folder(kind, folder, where)  # the target says whether it deploys them
    if not env.image:
        raise InputError(
            f"`{kind}` needs `image`: the image name its containers run (kctl pins it)",
            location=where,
        )
    documents = manifests.render(kind, folder)
    if not manifests.app_containers(documents, env.image):
        raise InputError(
            f"no container in {folder} runs {ImageRef.parse(env.image).repository}"
            " (any tag): kctl would deploy without the image it builds",
            location=where,
            hint="set `image` in kctl.toml to the image the manifests name",
        )


def check_dockerfile(artifact: Artifact) -> None:
    """The Dockerfile exists, and has the stage the build targets."""
    dockerfile = artifact.context / artifact.dockerfile
    if not dockerfile.is_file():
        raise InputError(
            f"no Dockerfile {artifact.dockerfile} in the build context of {artifact.component}",
            location=Location.of(Path(artifact.context) / artifact.dockerfile),
            hint="set `dockerfile` (kctl.toml) or build.dockerfile (Compose)",
        )
    if artifact.target:
        import re

        text = dockerfile.read_text(encoding="utf-8", errors="replace")
        stages = re.findall(r"(?im)^\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+(\S+)\s*$", text)
        if artifact.target.lower() not in {s.lower() for s in stages}:
            raise InputError(
                f"build target {artifact.target!r}: {artifact.dockerfile} has no such stage"
                f" (stages: {', '.join(stages) or 'none named'})",
                location=Location.of(dockerfile),
                hint="set `build-target` (kctl.toml) or build.target (Compose) to a stage name",
            )


def image_values(prefix: str, image: Built) -> list[str]:
    """--set-string values pointing a chart's image block at a pushed digest."""
    return [
        f"{prefix}repository={image.ref.registry}/{image.ref.repository}",
        f"{prefix}tag={image.ref.tag}@{image.digest}",
    ]


def image_values_prefix(chart: Path, name: str) -> str:
    """Where the chart keeps its image: `image.` (helm create) or `<component>.image.` (kctl)."""
    from kctl import yamlio
    from kctl.chart import values_key

    path = chart / "values.yaml"
    values = yamlio.load(path) if path.is_file() else {}
    values = values or {}
    if not isinstance(values, dict):
        raise InputError("values.yaml must be a mapping", location=Location.of(path, 1))
    if isinstance(values.get("image"), dict):
        return "image."
    key = values_key(name)
    if isinstance(values.get(key), dict) and isinstance(values[key].get("image"), dict):
        return f"{key}.image."
    blocks = [
        k for k, v in values.items() if isinstance(v, dict) and isinstance(v.get("image"), dict)
    ]
    if len(blocks) == 1:
        return f"{blocks[0]}.image."
    raise InputError(
        "cannot tell which image in the chart is the app's",
        location=Location.of(path),
        hint="give values.yaml an `image:` block with repository and tag",
    )


def compose_artifacts(
    project: Any, registry: str | None, build_args: Mapping[str, str] | None = None
) -> list[Artifact]:
    """An artifact per service with `build:`, pushed to registry (else the one in `image:`).

    With neither, the image stays local (`localhost/<project>-<service>`) and cannot be pushed.
    build_args (--build-arg, kctl.toml) are merged into every build's `args`, and win.
    """
    found = []
    for name, service in sorted(project.services.items()):
        build = service.get("build")
        if not build:
            continue
        if service.image and not is_image(service.image):
            raise InputError(
                f"service {name!r}: image {service.image!r} is not a name to push a build to",
                location=service.location("image"),
                hint="a lowercase [registry/]path[:tag], e.g. my-org/app:dev",
            )
        path = image_path(service.image, f"{project.name}-{name}")
        named = ImageRef.parse(service.image).registry if service.image else None
        host = registry or named or "localhost"
        args = build.get("args") or {}
        found.append(
            Artifact(
                component=name,
                context=Path(build["context"]),
                repository=f"{host}/{path}",
                dockerfile=str(build.get("dockerfile") or "Dockerfile"),
                build_args={**args, **(build_args or {})},  # unset args: left out by the loader
                target=build.get("target"),
            )
        )
    return found


class ComposeSource:
    """A Compose project: every service with `build:` is an artifact; the chart is generated."""

    def __init__(self, env: Environment, files: Sequence[str] = (), *, ordered: bool) -> None:
        self.env = env
        self.files = list(files)
        # the target starts services in depends_on order itself (kctl/dev/targets.py)
        self.ordered = ordered
        self._project: Any = None

    def project(self) -> Any:
        from kctl.compose import LoadOptions, load_project

        self._project = load_project(LoadOptions(files=self.files, project_directory=self.env.root))
        return self._project

    def artifacts(self) -> list[Artifact]:
        """Services with `build:`; a project of ready-made images has none and is deployed."""
        return compose_artifacts(self.project(), self.env.registry, self.env.build_args)

    def release(self, built: Sequence[Built]) -> Release:
        from kctl import fsio
        from kctl.convert import ConvertOptions
        from kctl.convert.pipeline import chart_files, validated

        project = self._project or self.project()
        images = {image.artifact.component: image.pinned for image in built}
        # a target that starts services in depends_on order needs no wait-for init containers
        waits = not self.ordered
        options = ConvertOptions(namespace=None, images=images, wait_for_deps=waits)
        conversion = validated(project, options)
        files = chart_files(
            conversion, project.name, f"{project.name} (generated by kctl up from Compose)"
        )
        chart = self.env.state_dir / "chart"
        fsio.write_tree(chart, files, force=True)
        return Release(
            project.name,
            self.env.namespace,
            chart,
            set_values=self.env.set_values,
            host_ports=published_ports(project),
            warnings=[str(w) for w in conversion.warnings],
            services=facts_of(project),
            images=list(images.values()),
        )

    def deploy_inputs(self) -> list[Path]:
        project = self._project or self.project()
        return [Path(f) for f in project.files]

    def check(self) -> None:
        """Nothing: the project is loaded, and refused, before the first build of a cycle."""

    def release_name(self) -> str:
        """The project's name (`name:`, COMPOSE_PROJECT_NAME, else its folder's, as docker
        compose names it); the folder's while the file does not load (the cycle reports it)."""
        try:
            return str((self._project or self.project()).name)
        except KctlError:
            return self.env.name

    def declared_ports(self) -> set[int] | None:
        """`ports:` targets and `expose:` entries of every service."""
        from kctl.convert.container import exposed_ports

        project = self._project or self.project()
        found: set[int] = set()
        for service in project.services.values():
            found |= {p.target for p in service.ports}
            found |= {number for number, _ in exposed_ports(service)}
        return found


def published_ports(project: Any) -> list[HostPort]:
    """Host ports the Compose services publish (TCP; the first of a published range)."""
    found = []
    for name, service in sorted(project.services.items()):
        for port in service.ports:
            if port.protocol == "tcp" and port.published:
                host = int(str(port.published).split("-")[0])
                found.append(HostPort(name, port.target, host, port.host_ip or "127.0.0.1"))
    return found


def compose_files(root: Path) -> list[Path]:
    """The Compose files docker compose would pick up in root."""
    from kctl.compose.discover import DEFAULT_FILES

    return [root / name for name in DEFAULT_FILES if (root / name).is_file()]


def open_source(env: Environment, compose: Sequence[str] = (), *, ordered: bool) -> Source:
    """The source for an environment: kctl.toml app, or the Compose project in its folder.
    ordered: the target starts Compose services in depends_on order itself."""
    if compose or (env.source is None and compose_files(env.root)):
        return ComposeSource(env, compose, ordered=ordered)
    if env.source is None:
        raise InputError(
            f"nothing to run in {env.root}: no kctl.toml, draft.toml or Compose file",
            hint="run `kctl create` to scaffold one",
        )
    return AppSource(env)


def as_dict(built: Sequence[Built]) -> list[dict[str, Any]]:
    """Machine-readable summary of a cycle's images."""
    return [{"component": b.artifact.component, "image": b.pinned, "built": b.built} for b in built]
