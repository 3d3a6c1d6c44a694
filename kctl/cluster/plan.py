"""`kctl upgrade plan`: available upgrades, skew verdict, health and certificates.

The JSON/YAML schema (apiVersion kctl.dev/v1alpha1, kind UpgradePlan) is documented in
kctl/cluster/README.md and is stable: fields are only ever added.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from msgspec import Struct, field

from kctl.cluster import health as health_mod
from kctl.cluster.catalog import Catalog, Version, default_catalog_path
from kctl.cluster.certs import CertInfo, read_certificates
from kctl.cluster.node import PKI_DIR, TMP_DIR, Node, split_image
from kctl.cluster.policy import (
    Finding,
    SkewVerdict,
    disk_findings,
    etcd_files_findings,
    health_findings,
    lock_findings,
    skew_verdict,
)
from kctl.cluster.render import target_tag
from kctl.cluster.renew import Renewal, plan_renewals
from kctl.cluster.runbook import Invocation

API_VERSION = "kctl.dev/v1alpha1"
CERT_WARNING_DAYS = 30


class ComponentRow(Struct, frozen=True):
    name: str
    node_name: str
    current: str
    target: str

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "nodeName": self.node_name,
            "currentVersion": self.current,
            "newVersion": self.target,
        }


class AvailableUpgrade(Struct, frozen=True):
    description: str
    target: Version
    components: tuple[ComponentRow, ...]
    skew: SkewVerdict
    invocation: Invocation = field(default_factory=Invocation)
    findings: tuple[Finding, ...] = ()  # the whole preflight: skew, health, lock

    @property
    def command(self) -> str:
        return self.invocation.command("apply", str(self.target))

    @property
    def apply_allowed(self) -> bool:
        return not self.findings

    def verdict(self) -> dict[str, Any]:
        return {
            "applyAllowed": self.apply_allowed,
            "allowedWithForce": all(f.overridable for f in self.findings),
            "blockedBy": [f.to_dict() for f in self.findings],
        }


class UpgradePlan(Struct):
    node: Node
    cluster_version: Version
    catalog_source: str
    upgrades: list[AvailableUpgrade]
    health: list[health_mod.Health]
    certificates: list[CertInfo]
    config_versions: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    health_checked: bool = True
    catalog_date: str | None = None
    renewals: list[Renewal] = field(default_factory=list)

    def verdict(self) -> dict[str, Any]:
        allowed = [str(u.target) for u in self.upgrades if u.apply_allowed]
        return {
            "upgradeAllowed": bool(allowed),
            "allowedTargets": allowed,
            "healthChecked": self.health_checked,
        }

    def to_dict(self) -> dict[str, Any]:
        """The stable, documented UpgradePlan document (see kctl/cluster/README.md)."""
        return {
            "apiVersion": API_VERSION,
            "kind": "UpgradePlan",
            "nodeName": self.node.name,
            "clusterVersion": str(self.cluster_version),
            "catalog": self.catalog_source,
            "catalogDate": self.catalog_date,
            "verdict": self.verdict(),
            "availableUpgrades": [
                {
                    "description": u.description,
                    "targetVersion": str(u.target),
                    "command": u.command,
                    "components": [c.to_dict() for c in u.components],
                    "skew": u.skew.to_dict(),
                    "verdict": u.verdict(),
                }
                for u in self.upgrades
            ],
            "health": [
                {
                    "component": h.component,
                    "endpoint": h.endpoint,
                    "healthy": h.healthy,
                    "status": h.status,
                    "reportedVersion": h.version,
                }
                for h in self.health
            ],
            "certificates": [
                {
                    "name": c.name,
                    "expirationDate": c.expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "residualDays": c.residual_days,
                    "certificateAuthority": c.is_ca,
                }
                for c in self.certificates
                if c.expiring(CERT_WARNING_DAYS)
            ],
            "certificateRenewals": [r.to_dict() for r in self.renewals],
            "configVersions": self.config_versions,
            "notes": self.notes,
        }


def catalog_label(catalog: Catalog) -> str:
    """'builtin' for the shipped catalog (keeps plan output machine-independent), else its path."""
    return "builtin" if catalog.path == default_catalog_path() else str(catalog.path)


def _rows(node: Node, catalog: Catalog, target: Version) -> tuple[ComponentRow, ...]:
    patch = catalog.require(target)
    rows = []
    for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        for node_name, tag in _per_node(node, name).items():
            rows.append(ComponentRow(name, node_name, tag, str(target)))
    proxy = node.addons.get("kube-proxy")
    rows.append(ComponentRow("kube-proxy", "", proxy.tag if proxy else "-", str(target)))
    dns = node.addons.get("coredns")
    rows.append(
        ComponentRow("CoreDNS", "", dns.tag if dns else "-", target_tag(node, "coredns", patch))
    )
    if "etcd" in node.pods:  # external etcd: never touched, no version suggested (kubeadm)
        for node_name, tag in _per_node(node, "etcd").items():
            rows.append(ComponentRow("etcd", node_name, tag, target_tag(node, "etcd", patch)))
    kubelets = node.all_kubelets() or {node.name: "unknown"}
    for name, version in kubelets.items():
        rows.append(ComponentRow("kubelet", name, version, str(target)))
    return tuple(rows)


def _per_node(node: Node, component: str) -> dict[str, str]:
    """{node: version} of a component: this node's manifest, then every other control plane's
    mirror pod the cluster reports (kubeadm's plan: one row per control-plane node)."""
    out = {node.name: node.pods[component].version} if component in node.pods else {}
    images = node.cluster.component_images(component) if node.cluster else {}
    for name, image in sorted(images.items()):
        out.setdefault(name, split_image(image)[1] or image)
    return out


def _config_versions(node: Node, catalog: Catalog, target: Version) -> list[dict[str, Any]]:
    out = []
    current = {
        "kubeadm.k8s.io": str(node.cluster_doc.get("apiVersion", "")).rpartition("/")[2],
        "kubelet.config.k8s.io": str(node.kubelet_config.docs[0].get("apiVersion", "")).rpartition(
            "/"
        )[2],
    }
    for group, version in current.items():
        preferred = catalog.preferred_api(group, target) or version
        out.append(
            {
                "group": group,
                "currentVersion": version,
                "preferredVersion": preferred,
                "manualUpgradeRequired": False,  # kctl converts the ones it knows (catalog)
            }
        )
    return out


def _targets(
    node: Node, catalog: Catalog, wanted: Version | None, notes: list[str]
) -> list[tuple[str, Version]]:
    """(description, target): the one asked for, else the latest patch of the current minor
    and the latest of the next minor."""
    current = node.cluster_version
    if wanted is not None:
        catalog.require(wanted)
        return [(f"requested version {wanted}", wanted)]
    out = []
    same = catalog.latest_in_minor(current.minor_key)
    if same is None:
        notes.append(f"the catalog has no {current.minor_key} series; pass --catalog FILE")
    elif same.version > current:
        out.append((f"latest version in the v{current.minor_key} series", same.version))
    nxt = catalog.latest_in_minor(catalog.next_minor(current))
    if nxt is not None:
        out.append((f"latest stable version v{nxt.version.minor_key}", nxt.version))
    elif same is not None:
        notes.append(f"the catalog knows no release after v{current.minor_key}")
    if not out:
        notes.append(f"the node is at the latest release the catalog knows ({current})")
    return out


def plan_upgrade(
    node: Node,
    catalog: Catalog,
    *,
    probe_timeout: float = 1.0,
    check_health: bool = True,
    now: dt.datetime | None = None,
    target: Version | None = None,
    invocation: Invocation | None = None,
    renew_certificates: bool = True,
) -> UpgradePlan:
    """The plan for one node: targets from the catalog and, for each, the same preflight
    apply runs (skew, health, lock); certificates and config API versions."""
    probes = {name: pod.probe for name, pod in node.pods.items()}
    pending = health_mod.start_all(probes, probe_timeout) if check_health else None
    invocation = invocation or Invocation()
    notes: list[str] = []
    targets = _targets(node, catalog, target, notes)
    if not node.all_kubelets():
        notes.append(
            "kubelet version unknown (kctl never runs the kubelet binary): pass"
            " --kubelet-version or --kubeconfig; kubelet skew was not checked"
        )
    if not check_health:
        notes.append("health was not checked (--no-health); apply checks it")
    certificates = read_certificates(node.root / PKI_DIR, now)  # while the probes run
    health = pending() if pending else []
    # the preflight apply runs, but etcd's answer to `etcdctl endpoint status` (its livez is
    # in health): lock, health, what the etcd snapshot needs, disk space for the backups
    shared = lock_findings(node.root, invocation) + health_findings(health)
    shared += etcd_files_findings(node, invocation.etcd_endpoint, invocation.etcd_backup)
    shared += disk_findings(node, node.root / TMP_DIR, 0)
    upgrades = []
    for description, version in targets:
        skew = skew_verdict(node, version, catalog)
        upgrades.append(
            AvailableUpgrade(
                description,
                version,
                _rows(node, catalog, version),
                skew,
                invocation,
                (*skew.findings, *shared),
            )
        )
    current = node.cluster_version
    newest = upgrades[-1].target if upgrades else current
    return UpgradePlan(
        node=node,
        cluster_version=current,
        catalog_source=catalog_label(catalog),
        upgrades=upgrades,
        health=health,
        certificates=certificates,
        config_versions=_config_versions(node, catalog, newest),
        notes=notes,
        health_checked=check_health,
        catalog_date=catalog.date,
        renewals=plan_renewals(node.root, now) if renew_certificates else [],
    )
