"""The options `kctl upgrade`'s commands declare (apply, phase and node take the same ones)."""

from __future__ import annotations

import math

import typer

from kctl.cli.options import shared


def _seconds(value: float) -> float:
    """A timeout: a finite number of seconds above zero (NaN, infinity, -1 are refused)."""
    if not math.isfinite(value) or value <= 0 or value > 86400:
        raise typer.BadParameter(f"{value} is not a number of seconds from 0 to 86400")
    return value


ROOT = shared("--root")
CATALOG = shared("--catalog")
KUBELET_VERSION = shared("--kubelet-version")
KUBECONFIG = shared("--kubeconfig")
TIMEOUT = shared("--timeout", callback=_seconds)
PROBE_TIMEOUT = shared("--probe-timeout", callback=_seconds)  # plan, diff, apply: one default
VERSION = typer.Argument(..., help="Target version, e.g. v1.31.14.")
YES = shared("--yes")
DRY_RUN = shared("--dry-run", help="Show diffs and phases; write nothing.")
BACKUP_DIR = shared(
    "--backup-dir", help="Parent dir for backups (default <root>/etc/kubernetes/tmp)."
)
ETCD_ENDPOINT = shared("--etcd-endpoint")
ETCD_BACKUP = typer.Option(
    True, "--etcd-backup/--no-etcd-backup", help="Take and verify an etcd snapshot first."
)
FORCE = shared(
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
    metavar="<phases>",
    help="Phases to skip, comma-separated: kctl's names or kubeadm's (control-plane,"
    " upload-config, kubelet-config, addon/coredns, addon/kube-proxy, ...).",
)
IGNORE_PREFLIGHT = typer.Option(
    None,
    "--ignore-preflight-errors",
    metavar="<checks>",
    help="Preflight checks to ignore, comma-separated (health, kubelet-skew, etcd, disk,"
    " corefile) or all; never the one-minor rule or a live lock.",
)
PRINT_CONFIG = typer.Option(
    False, "--print-config", help="Print the ClusterConfiguration the upgrade uses."
)
CONFIG = shared(
    "--config",
    help="kubeadm config file: an UpgradeConfiguration (kubeadm.k8s.io/v1beta4) and/or a"
    " ClusterConfiguration to use instead of the cluster's (read, never written).",
)
PATCHES = typer.Option(
    None,
    "--patches",
    metavar="<dir>",
    help="kubeadm's patch files (target[suffix][+strategic|merge|json].yaml|json) applied to"
    " the static pods, in name order.",
)
ALLOW_EXPERIMENTAL = typer.Option(
    False,
    "--allow-experimental-upgrades",
    help="Allow an alpha, beta or release-candidate target (kubeadm's flag).",
)
ALLOW_RC = typer.Option(
    False,
    "--allow-release-candidate-upgrades",
    help="Allow a release-candidate target (kubeadm's flag).",
)
RESULT_OUTPUT = shared("--output", help="table|json|yaml: the result (phases, backup).")
OUTPUT = shared("--output")


def boolean(text: str, flag: str) -> bool:
    """kubeadm's true|false flag values."""
    from kctl.errors import InputError

    value = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if text.lower() not in value:
        raise InputError(f"{flag}={text}: expected true or false")
    return value[text.lower()]
