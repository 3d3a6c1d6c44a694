"""The preflight apply, node and phase run before writing anything (plan runs the same checks
but etcd's live answer, plan.py): the one policy (lock, skew or node skew, health), what the
etcd snapshot needs, disk space for the backups, the Corefile's migration facts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kctl.cluster import corefile, docs
from kctl.cluster import health as health_mod
from kctl.cluster.corefile import CorefileVerdict
from kctl.cluster.node import Node, split_image
from kctl.cluster.phases import COMPONENT_PHASES, phase_files
from kctl.cluster.policy import (
    Finding,
    Preflight,
    disk_findings,
    etcd_files_findings,
    health_findings,
    lock_findings,
    node_findings,
    skew_findings,
)
from kctl.cluster.render import Rendered
from kctl.errors import OperationError, PreconditionError

if TYPE_CHECKING:
    from kctl.cluster.apply import Upgrader

NO_SNAPSHOT = "make etcd answer, or pass --no-etcd-backup to upgrade without a snapshot"


def snapshot_wanted(node: Node, etcd_backup: bool, phases: list[str]) -> bool:
    """An etcd snapshot before writing: local etcd only (kctl never touches external etcd)."""
    writes = [p for p in phases if p != "preflight"]
    local = "etcd" in node.pods
    return etcd_backup and local and ("backup" in writes or "etcd" in writes)


def corefile_verdict(node: Node, rendered: list[Rendered]) -> CorefileVerdict | None:
    """What becomes of the Corefile when the addons phase changes CoreDNS (None: no change)."""
    dns = node.addons.get("coredns")
    item = next((r for r in phase_files(rendered, "addons") if dns and r.rel == dns.file.rel), None)
    if dns is None or item is None or not item.changed or node.corefile is None:
        return None
    doc = docs.parse_all(item.new, Path(item.rel))[0]
    new = split_image(str(doc["spec"]["template"]["spec"]["containers"][0]["image"]))[1]
    return corefile.check(dns.tag, new, node.corefile.raw.decode("utf-8", "replace"))


def collect(up: Upgrader, phases: list[str]) -> Preflight:
    """Every preflight check for running `phases` on the upgrader's node, read-only."""
    opts = up.opts
    partial = [p for p in up.phase_list if p in phases] != list(up.phase_list)
    components = [p for p in phases if p in COMPONENT_PHASES] if partial else None
    probes = {n: p.probe for n, p in up.node.pods.items()}
    pending = health_mod.start_all(probes, opts.probe_timeout)
    findings = lock_findings(up.root, up.invocation)
    if opts.mode == "node":
        findings += node_findings(up.node, opts.target, up.catalog)
    else:
        findings += skew_findings(up.node, opts.target, up.catalog, components)
    findings += health_findings(pending())
    snapshot = snapshot_wanted(up.node, opts.etcd_backup, phases)
    etcd_files = etcd_files_findings(up.node, opts.etcd_endpoint, snapshot)
    findings += etcd_files
    db_size = 0
    if snapshot and not etcd_files:
        try:
            db_size = up.check_etcd()
        except (OperationError, PreconditionError) as exc:
            findings.append(Finding("etcd", exc.message, False, NO_SNAPSHOT))
    findings += disk_findings(up.node, opts.backup_root or up.tmp, db_size)
    verdict = corefile_verdict(up.node, up.rendered) if "addons" in phases else None
    findings += [Finding("corefile", p, False) for p in (verdict.problems if verdict else ())]
    return Preflight(findings, opts.ignore)
