"""The `helm` target: `helm upgrade --install --wait` into the cluster KUBECONFIG points at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kctl.dev import proc
from kctl.dev.deploy import Deployed, helm_values, notes_of, save_state
from kctl.dev.source import Release


class HelmTarget:
    """`helm upgrade --install --wait` into the cluster KUBECONFIG points at."""

    name = "helm"

    def __init__(self, timeout: float = 300.0, dry_run: bool = False) -> None:
        self.timeout = timeout
        self.dry_run = dry_run

    def prepare(self, state_dir: Path) -> None:
        """Nothing to do ahead: helm replaces pods with a rolling update."""

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
        return argv + (["--dry-run=client"] if self.dry_run else [])

    def deploy(self, release: Release, state_dir: Path, on_step: Callable[[str], None]) -> Deployed:
        argv = self.command(release)
        on_step(f"helm upgrade --install {release.name} ({release.chart})")
        result = proc.run(argv, timeout=self.timeout + 30, what="helm upgrade --install")
        if not result.ok and self.dry_run and "cluster unreachable" in result.stderr:
            # upgrade needs the release history; with no cluster show what a first install does
            on_step("no cluster reachable: showing what a first install would apply")
            install = ["install" if a == "upgrade" else a for a in argv if a != "--install"]
            install.remove("--wait")
            result = proc.run(install, timeout=self.timeout + 30, what="helm install --dry-run")
        proc.check(
            result,
            "helm upgrade --install",
            hint="check KUBECONFIG and that the cluster is reachable (kubectl get nodes)",
        )
        deployed = Deployed("helm", notes=notes_of(result.stdout))
        if self.dry_run:
            deployed.manifest = result.stdout
            return deployed
        save_state(
            state_dir,
            {"target": "helm", "release": release.name, "namespace": release.namespace},
        )
        return deployed

    @staticmethod
    def remove(state: dict[str, Any], timeout: float) -> None:
        argv = [proc.binary("helm"), "uninstall", state["release"], "-n", state["namespace"]]
        proc.check(proc.run(argv, timeout=timeout, what="helm uninstall"), "helm uninstall")
