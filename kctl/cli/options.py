"""The options several commands share, in one table (name, short flag, default, help, metavar):
convert, create, upgrade and pack draw from it, so a flag means one thing everywhere and its
value prints as a word in help (`<seconds>`, `<file>`), never as a type (`<float>`, `<str>`).
tests/test_cli_conventions.py checks every command against it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from msgspec import Struct

from kctl.console import OutputFormat


class Shared(Struct, frozen=True):
    """One shared option: its long name, short flag, default, help and metavar."""

    name: str
    short: str | None
    default: Any
    help: str
    metavar: str | None = None
    envvar: str | None = None

    def option(self, **overrides: Any) -> Any:
        """The typer.Option declaring it; a command may say more in its own help= or panel."""
        flags = [self.short, self.name] if self.short else [self.name]
        settings: dict[str, Any] = {"help": self.help, "metavar": self.metavar}
        if self.envvar:
            settings["envvar"] = self.envvar
        return typer.Option(self.default, *flags, **{**settings, **overrides})


SHARED: dict[str, Shared] = {
    s.name: s
    for s in (
        Shared("--output", "-o", OutputFormat.TABLE, "table|json|yaml"),
        Shared("--chart", "-c", False, "Write a Helm chart to -o DIR."),
        Shared("--context-lines", "-U", 3, "Lines of context.", "<n>"),
        Shared("--file", "-f", [], "Compose file (repeatable, - for stdin).", "<file>"),
        Shared("--env", "-e", None, "Environment (a table of kctl.toml).", "<name>", "KCTL_ENV"),
        Shared("--namespace", "-n", None, "Namespace of objects.", "<name>"),
        Shared("--yes", "-y", False, "Do not ask for confirmation."),
        Shared("--force", None, False, "Overwrite existing files."),
        Shared("--dry-run", None, False, "Show what would be written; write nothing."),
        Shared("--pack-dir", None, [], "Extra pack folder (repeatable).", "<dir>"),
        Shared(
            "--root",
            None,
            Path("/"),
            "Root of the control-plane node's filesystem.",
            "<dir>",
            "KCTL_ROOT",
        ),
        Shared(
            "--catalog",
            None,
            None,
            "Release catalog file (default: the shipped one).",
            "<file>",
            "KCTL_CATALOG",
        ),
        Shared(
            "--kubeconfig",
            None,
            None,
            "Read kubeadm-config and kubelet versions through this cluster's API.",
            "<file>",
            "KCTL_KUBECONFIG",
        ),
        Shared(
            "--kubelet-version",
            None,
            None,
            "The node's kubelet version (default: from --kubeconfig or the kubelet's read-only"
            " API; kctl never runs the kubelet binary).",
            "<version>",
        ),
        Shared("--timeout", None, 300.0, "Seconds to wait for each component.", "<seconds>"),
        # one default for plan, diff and apply: plan and diff judge health as apply's
        # preflight will (a component answering in 1.5 s passed apply but failed plan at 1.0)
        Shared("--probe-timeout", None, 2.0, "Seconds per health probe.", "<seconds>"),
        Shared("--backup-dir", None, None, "Parent dir for backups.", "<dir>"),
        Shared(
            "--etcd-endpoint",
            None,
            None,
            "etcd client URL (default: from the etcd manifest).",
            "<url>",
        ),
        Shared("--config", None, None, "kubeadm config file.", "<file>"),
        Shared("--registry", None, None, "Registry for built images.", "<host>", "KCTL_REGISTRY"),
        Shared("--kube-version", None, None, "Target Kubernetes.", "<version>"),
    )
}


def shared(name: str, *default: Any, **overrides: Any) -> Any:
    """The typer.Option of the shared option `name` (e.g. "--output"). A default given here
    (None: the value of the command's config file, kctl.toml) replaces the table's."""
    option = SHARED[name]
    if default:
        from msgspec.structs import replace

        option = replace(option, default=default[0])
    return option.option(**overrides)
