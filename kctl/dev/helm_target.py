"""The `helm` target: `helm upgrade --install --wait` into the cluster KUBECONFIG points at.

An upgrade that does not become ready is rolled back by helm itself (`--atomic` in Helm 3,
`--rollback-on-failure` in Helm 4), so the previous revision keeps serving. What runs is what
`helm status` reports deployed, with the images of its manifest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from msgspec.structs import replace

from kctl.dev import proc
from kctl.dev.deploy import (
    Deployed,
    DeployState,
    RolledBackError,
    helm_values,
    load_state,
    notes_of,
    save_state,
)
from kctl.dev.source import Release
from kctl.errors import OperationError, PreconditionError
from kctl.progress import Progress

HINT = (
    "check KUBECONFIG and that the cluster is reachable (kubectl get nodes), or use --target local"
)
IMAGE_LINE = re.compile(r"""^\s*(?:-\s*)?image:\s*["']?([^"'\s]+)["']?\s*$""", re.M)


def manifest_images(manifest: str) -> list[str]:
    """The container images a rendered manifest runs."""
    return sorted(set(IMAGE_LINE.findall(manifest)))


def rollback_flag(helm: str) -> str:
    """Helm 4 renamed `--atomic` to `--rollback-on-failure`."""
    result = proc.run([helm, "version", "--short"], timeout=30, what="helm version")
    return "--atomic" if result.stdout.strip().startswith("v3") else "--rollback-on-failure"


class HelmTarget:
    """`helm upgrade --install --wait` into the cluster KUBECONFIG points at."""

    name = "helm"

    def __init__(self, timeout: float = 300.0, dry_run: bool = False) -> None:
        self.timeout = timeout
        self.dry_run = dry_run
        self._rollback: str | None = None

    def check_cluster(self, namespace: str) -> None:
        """A cluster answers (before anything is built for it); a dry run needs none."""
        if self.dry_run:
            return
        argv = [proc.binary("helm"), "list", "-q", "--max", "1", "-n", namespace]
        try:
            result = proc.run(argv, timeout=min(self.timeout, 30.0), what="helm list")
        except OperationError as err:
            raise PreconditionError(f"no cluster answered: {err.message}", hint=HINT) from None
        if not result.ok:
            lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
            raise PreconditionError(
                "no cluster reachable for --target helm", details=lines[-3:], hint=HINT
            )

    def prepare(self, state_dir: Path) -> None:
        """Nothing to do ahead: helm replaces pods with a rolling update."""

    def built(self, state_dir: Path, images: list[str]) -> None:
        """Nothing runs before helm upgrade."""

    def restore(self, state_dir: Path) -> None:
        """Nothing was stopped ahead."""

    def command(self, release: Release) -> list[str]:
        argv = [
            proc.binary("helm"),
            "upgrade",
            "--install",
            release.name,
            str(release.chart),
            "--namespace",
            release.namespace,
            "--create-namespace",
            "--wait",
            "--timeout",
            f"{int(self.timeout)}s",
            *helm_values(release),
        ]
        if self.dry_run:
            return [*argv, "--dry-run=client"]
        if self._rollback is None:
            self._rollback = rollback_flag(argv[0])
        return [*argv, self._rollback]

    def deploy(self, release: Release, state_dir: Path, progress: Progress) -> Deployed:
        argv = self.command(release)
        progress.step(f"helm upgrade --install {release.name} ({release.chart})")
        result = proc.run(argv, timeout=self.timeout + 30, what="helm upgrade --install")
        if not result.ok and self.dry_run and "cluster unreachable" in result.stderr:
            # upgrade needs the release history; with no cluster show what a first install does
            progress.step("no cluster reachable: showing what a first install would apply")
            install = ["install" if a == "upgrade" else a for a in argv if a != "--install"]
            install.remove("--wait")
            result = proc.run(install, timeout=self.timeout + 30, what="helm install --dry-run")
        hint = "check KUBECONFIG and that the cluster is reachable (kubectl get nodes)"
        try:
            proc.check(result, "helm upgrade --install", hint=hint)
        except OperationError as err:
            if "rolled back" in result.stderr:
                raise RolledBackError(
                    f"{err.message}; helm rolled back: the previous revision serves",
                    details=err.details,
                    hint="see `kubectl get events` for why the new pods were not ready",
                ) from None
            raise
        deployed = Deployed("helm", notes=notes_of(result.stdout))
        if self.dry_run:
            deployed.manifest = result.stdout
            return deployed
        state = DeployState("helm", release.name, release.namespace)
        save_state(state_dir, state)
        save_state(state_dir, replace(state, running=tuple(self.running(state_dir) or [])))
        return deployed

    def containers(self, state_dir: Path, images: list[str]) -> list[str]:
        """File sync needs the local target: in a cluster every change rebuilds."""
        return []

    def running(self, state_dir: Path) -> list[str] | None:
        """The images of the release when `helm status` reports it deployed, else None."""
        state = load_state(state_dir)
        if self.dry_run or not state or state.target != self.name:
            return None
        helm, name, namespace = proc.binary("helm"), state.release, state.namespace
        argv = [helm, "status", name, "-n", str(namespace), "-o", "json"]
        result = proc.run(argv, timeout=60, what="helm status")
        try:
            data = json.loads(result.stdout) if result.ok else {}
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("info", {}).get("status") != "deployed":
            return None
        manifest = data.get("manifest")
        if not isinstance(manifest, str):
            argv = [helm, "get", "manifest", name, "-n", str(namespace)]
            manifest = proc.run(argv, timeout=60, what="helm get manifest").stdout
        return manifest_images(manifest)

    @staticmethod
    def remove(state: DeployState, timeout: float, volumes: bool = False) -> list[str]:
        """`helm uninstall` the release (claims helm created go with it; volumes is moot)."""
        argv = [proc.binary("helm"), "uninstall", state.release, "-n", state.namespace]
        proc.check(proc.run(argv, timeout=timeout, what="helm uninstall"), "helm uninstall")
        return []
