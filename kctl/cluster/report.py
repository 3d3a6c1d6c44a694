"""Text renderings of upgrade results for terminals and runbooks (the CLI prints them).

Pure functions from data to text: plan (kubeadm's layout plus verdicts), catalog,
certificate expiration.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kctl.cluster.catalog import Catalog, Transition
from kctl.cluster.certs import Expiration


def columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _renewal_lines(renewals: list[dict[str, Any]]) -> list[str]:
    if not renewals:
        return []
    out = [
        "",
        "Certificates apply renews with each component (one year, keys kept;"
        " --certificate-renewal=false opts out):",
    ]
    rows = [["CERTIFICATE", "COMPONENT", "CA", "EXPIRES", "AFTER APPLY"]]
    for r in renewals:
        after = r["newExpirationDate"] if r["renew"] else f"not renewed: {r['reason']}"
        rows.append(
            [r["name"], r["component"], r["certificateAuthority"], r["expirationDate"], after]
        )
    return [*out, *columns(rows)]


def _catalog_age(date: str | None) -> str:
    if date is None:
        return " (undated)"

    days = (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(date)).days
    return f" (data as of {date}, {days} days old)"


def _verdict_lines(upgrade: dict[str, Any]) -> list[str]:
    """'You can now apply' only when apply's whole preflight passes."""
    out = [f"Version skew: {'ok' if upgrade['skew']['allowed'] else 'NOT ALLOWED'}"]
    out += [f"  - {reason}" for reason in upgrade["skew"]["reasons"]]
    verdict = upgrade["verdict"]
    if verdict["applyAllowed"]:
        out += ["You can now apply the upgrade by executing the following command:", ""]
        out.append(f"        {upgrade['command']}")
        return out
    out.append("Apply would be refused:")
    for finding in verdict["blockedBy"]:
        if finding["check"] not in ("skew", "kubelet-skew"):
            out.append(f"  - {finding['message']}")
            if finding.get("hint"):
                out.append(f"    next: {finding['hint']}")
    if verdict["allowedWithForce"]:
        out += ["Once fixed (or with --force, which overrides only these findings):", ""]
        out.append(f"        {upgrade['command']}")
    return out


def _health_lines(health: list[dict[str, Any]]) -> list[str]:
    if not health:
        return []
    rows = [["COMPONENT", "ENDPOINT", "HEALTHY", "STATUS", "VERSION"]]
    for h in health:
        healthy = "yes" if h["healthy"] else "NO"
        version = h["reportedVersion"] or "-"
        rows.append([h["component"], h["endpoint"] or "-", healthy, h["status"], version])
    return ["Component health (livenessProbe):", *columns(rows), ""]


def _expiring_lines(certificates: list[dict[str, Any]]) -> list[str]:
    if not certificates:
        return ["Certificates: none expire within 30 days"]
    rows = [["CERTIFICATE", "EXPIRES", "RESIDUAL DAYS", "CA"]]
    for c in certificates:
        ca = "yes" if c["certificateAuthority"] else "no"
        rows.append([c["name"], c["expirationDate"], str(c["residualDays"]), ca])
    return ["Certificates expiring within 30 days:", *columns(rows), ""]


def plan_text(data: dict[str, Any]) -> str:
    """The plan as text for runbooks (kubeadm's layout, plus health, skew and certificates)."""
    out = [
        f"[upgrade/versions] Node: {data['nodeName']}",
        f"[upgrade/versions] Cluster version: {data['clusterVersion']}",
        f"[upgrade/versions] Catalog: {data['catalog']}{_catalog_age(data['catalogDate'])}",
        "",
    ]
    out += _health_lines(data["health"])
    for upgrade in data["availableUpgrades"]:
        kubelets = [c for c in upgrade["components"] if c["name"] == "kubelet"]
        if kubelets:  # kubeadm's separate table: apply does not upgrade kubelets
            out.append(
                "Components that must be upgraded manually after you have upgraded the"
                " control plane with 'kctl upgrade apply':"
            )
            rows = [["COMPONENT", "NODE", "CURRENT", "TARGET"]]
            rows += [
                [c["name"], c["nodeName"], c["currentVersion"], c["newVersion"]] for c in kubelets
            ]
            out += [*columns(rows), ""]
        out.append(f"Upgrade to the {upgrade['description']}:")
        out.append("")
        rows = [["COMPONENT", "NODE", "CURRENT", "TARGET"]]
        rows += [
            [c["name"], c["nodeName"], c["currentVersion"], c["newVersion"]]
            for c in upgrade["components"]
            if c["name"] != "kubelet"
        ]
        out += columns(rows)
        out.append("")
        out += _verdict_lines(upgrade)
        out.append("_" * 69)
        out.append("")
    if data["configVersions"]:
        rows = [["API GROUP", "CURRENT VERSION", "PREFERRED VERSION", "MANUAL UPGRADE REQUIRED"]]
        rows += [
            [
                c["group"],
                c["currentVersion"],
                c["preferredVersion"],
                "yes" if c["manualUpgradeRequired"] else "no",
            ]
            for c in data["configVersions"]
        ]
        out += [*columns(rows), ""]
    out += _expiring_lines(data["certificates"])
    out += _renewal_lines(data["certificateRenewals"])
    out += [f"Note: {note}" for note in data["notes"]]
    return "\n".join(out)


def catalog_text(data: Catalog) -> str:
    """`kctl upgrade catalog` as text: one row per minor, then transitions and unverified."""
    rows = [["MINOR", "PATCHES", "LATEST", "ETCD", "COREDNS", "PAUSE", "KUBELET SKEW", "SOURCE"]]
    notes = []
    for release in data.releases:
        latest = release.latest
        skew = release.kubelet_skew
        rows.append(
            [
                release.minor,
                f"{release.patches[0].version}..{latest.version}",
                str(latest.version),
                latest.etcd,
                latest.coredns,
                latest.pause,
                str(skew) if skew is not None else "-",
                latest.source,
            ]
        )
        notes += [f"{release.minor}: {_transition_text(t)}" for t in release.transitions]
        if release.unverified:
            names = ", ".join(str(v) for v in release.unverified)
            notes.append(f"{release.minor}: {names} released, images not evidenced (refused)")
    head = f"Release catalog: {data.path}{_catalog_age(data.date)}\n"
    return head + "\n".join([*columns(rows), "", *notes]).rstrip()


def _transition_text(t: Transition) -> str:
    parts = [f"remove {f}" for f in t.remove_flags]
    parts += [f"rename {a} to {b}" for a, b in t.rename_flags]
    parts += [f"add {f}" for f in t.add_flags]
    if t.api_version:
        parts.append(f"apiVersion {t.api_version}")
    return f"{t.component}: {', '.join(parts)}"


def expiration_text(leaves: list[Expiration], cas: list[Expiration]) -> str:
    """Like `kubeadm certs check-expiration`: leaves, then CAs; a missing one is !MISSING!."""
    rows = [
        ["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"]
    ]
    for c in leaves:
        d = c.to_dict()
        if d["missing"]:
            rows.append([c.name, "!MISSING!", "", "", ""])
            continue
        managed = "yes" if c.externally_managed else "no"
        rows.append(
            [c.name, _when(d["expirationDate"]), str(d["residualTime"]), c.ca_name, managed]
        )
    ca_rows = [["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"]]
    for c in cas:
        d = c.to_dict()
        if d["missing"]:
            ca_rows.append([c.name, "!MISSING!", "", ""])
            continue
        managed = "yes" if c.externally_managed else "no"
        ca_rows.append([c.name, _when(d["expirationDate"]), str(d["residualTime"]), managed])
    return "\n".join([*columns(rows), "", *columns(ca_rows)])


def _when(stamp: Any) -> str:
    return dt.datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%SZ").strftime("%b %d, %Y %H:%M UTC")
