"""The options `kctl upgrade`'s commands declare (apply, phase and node take the same ones)."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from kctl.console import OutputFormat


def _seconds(value: float) -> float:
    """A timeout: a finite number of seconds above zero (NaN, infinity, -1 are refused)."""
    if not math.isfinite(value) or value <= 0 or value > 86400:
        raise typer.BadParameter(f"{value} is not a number of seconds from 0 to 86400")
    return value


ROOT = typer.Option(
    Path("/"), "--root", envvar="KCTL_ROOT", help="Root of the control-plane node's filesystem."
)
CATALOG = typer.Option(
    None,
    "--catalog",
    envvar="KCTL_CATALOG",
    help="Release catalog file (default: the shipped one).",
)
KUBELET_VERSION = typer.Option(
    None,
    "--kubelet-version",
    help="The node's kubelet version (default: from --kubeconfig or the kubelet's read-only"
    " API; kctl never runs the kubelet binary).",
)
KUBECONFIG = typer.Option(
    None,
    "--kubeconfig",
    envvar="KCTL_KUBECONFIG",
    help="Read kubeadm-config and kubelet versions through this cluster's API.",
)
TIMEOUT = typer.Option(
    300.0, "--timeout", callback=_seconds, help="Seconds to wait for each component."
)
PROBE_TIMEOUT = typer.Option(
    1.0, "--probe-timeout", callback=_seconds, help="Seconds per health probe."
)
VERSION = typer.Argument(..., help="Target version, e.g. v1.31.14.")
YES = typer.Option(False, "-y", "--yes", help="Do not ask for confirmation.")
DRY_RUN = typer.Option(False, "--dry-run", help="Show diffs and phases; write nothing.")
APPLY_PROBE_TIMEOUT = typer.Option(
    2.0, "--probe-timeout", callback=_seconds, help="Seconds per health probe."
)
BACKUP_DIR = typer.Option(
    None, "--backup-dir", help="Parent dir for backups (default <root>/etc/kubernetes/tmp)."
)
ETCD_ENDPOINT = typer.Option(
    None, "--etcd-endpoint", help="etcd client URL (default: from the etcd manifest)."
)
ETCD_BACKUP = typer.Option(
    True, "--etcd-backup/--no-etcd-backup", help="Take and verify an etcd snapshot first."
)
FORCE = typer.Option(
    False,
    "--force",
    help="Proceed despite health and kubelet-skew findings (never past the one-minor rule).",
)
CERT_RENEWAL = typer.Option(
    "true",
    "--certificate-renewal",
    metavar="true|false",
    help="Renew the kubeadm-managed leaf certificates of each upgraded component"
    " (keys kept, one year); --certificate-renewal=false opts out.",
)
ETCD_UPGRADE = typer.Option(
    "true",
    "--etcd-upgrade",
    metavar="true|false",
    help="Upgrade etcd (kubeadm's flag); --etcd-upgrade=false leaves etcd as it is.",
)
SKIP_PHASES = typer.Option(
    None,
    "--skip-phases",
    help="Phases to skip, comma-separated: kctl's names or kubeadm's (control-plane,"
    " upload-config, kubelet-config, addon/coredns, addon/kube-proxy, ...).",
)
IGNORE_PREFLIGHT = typer.Option(
    None,
    "--ignore-preflight-errors",
    help="Preflight checks to ignore, comma-separated (health, kubelet-skew, etcd, disk,"
    " corefile) or all; never the one-minor rule or a live lock.",
)
PRINT_CONFIG = typer.Option(
    False, "--print-config", help="Print the ClusterConfiguration the upgrade uses."
)
CONFIG = typer.Option(
    None,
    "--config",
    help="kubeadm config file: an UpgradeConfiguration (kubeadm.k8s.io/v1beta4) and/or a"
    " ClusterConfiguration to use instead of the cluster's (read, never written).",
)
RESULT_OUTPUT = typer.Option(
    OutputFormat.TABLE, "-o", "--output", help="table|json|yaml: the result (phases, backup)."
)
OUTPUT = typer.Option(OutputFormat.TABLE, "-o", "--output", help="table|json|yaml")


def boolean(text: str, flag: str) -> bool:
    """kubeadm's true|false flag values."""
    from kctl.errors import InputError

    value = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if text.lower() not in value:
        raise InputError(f"{flag}={text}: expected true or false")
    return value[text.lower()]
