"""The offline release catalog: Kubernetes patch releases -> etcd/CoreDNS/pause, and transitions.

The data lives in `catalog.yaml` beside this module (shipped in the wheel); `--catalog FILE`
loads another file with the same schema (schemaVersion 1).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from pathlib import Path
from typing import Any

from msgspec import Struct

from kctl.cluster import docs
from kctl.errors import InputError

SCHEMA_VERSION = 1
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-(alpha|beta|rc)\.(\d+))?$")
_PRE_RANK = {"alpha": 0, "beta": 1, "rc": 2}  # a pre-release sorts below its release
_MINOR = re.compile(r"^(\d+)\.(\d+)$")


class Version(Struct, frozen=True):
    """A Kubernetes release version vMAJOR.MINOR.PATCH, or a pre-release of one
    (vMAJOR.MINOR.PATCH-alpha.N, -beta.N, -rc.N: what kubeadm's --allow-*-upgrades allow)."""

    major: int
    minor: int
    patch: int
    pre: tuple[str, int] | None = None  # ("rc", 1) for v1.35.0-rc.1

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a Kubernetes version like v1.31.2")
        pre = (match[4], int(match[5])) if match[4] else None
        return cls(int(match[1]), int(match[2]), int(match[3]), pre)

    @property
    def stability(self) -> str:
        """stable, rc, or experimental (alpha and beta), as kubeadm's flags class them."""
        if self.pre is None:
            return "stable"
        return "rc" if self.pre[0] == "rc" else "experimental"

    def _key(self) -> tuple[int, int, int, int, int]:
        rank, number = (_PRE_RANK[self.pre[0]], self.pre[1]) if self.pre else (3, 0)
        return (self.major, self.minor, self.patch, rank, number)

    @property
    def minor_key(self) -> str:
        return f"{self.major}.{self.minor}"

    def minors_after(self, other: Version) -> int:
        """How many minors this version is ahead of `other` (negative when behind)."""
        return (self.major - other.major) * 1000 + self.minor - other.minor

    # Written out: a Struct defines every rich comparison, so functools.total_ordering
    # would fill in none of them.
    def __lt__(self, other: object) -> bool:
        return self._key() < other._key() if isinstance(other, Version) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self._key() <= other._key() if isinstance(other, Version) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self._key() > other._key() if isinstance(other, Version) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self._key() >= other._key() if isinstance(other, Version) else NotImplemented

    def __str__(self) -> str:
        pre = f"-{self.pre[0]}.{self.pre[1]}" if self.pre else ""
        return f"v{self.major}.{self.minor}.{self.patch}{pre}"


def unstable_refusal(target: Version, allow_experimental: bool, allow_rc: bool) -> str | None:
    """kubeadm's rule for a pre-release target (EnforceVersionPolicies): an rc needs
    --allow-release-candidate-upgrades or --allow-experimental-upgrades, an alpha or beta the
    latter; the sentence that refuses it, or None."""
    if target.stability == "stable" or allow_experimental:
        return None
    if target.stability == "rc" and allow_rc:
        return None
    flag = (
        "--allow-release-candidate-upgrades"
        if target.stability == "rc"
        else ("--allow-experimental-upgrades")
    )
    return f"{target} is an unstable version and such upgrades are not allowed without {flag}"


def parse_version(text: str, what: str = "version") -> Version:
    """Parse a user-given version, raising an InputError (exit 2) when it is not one."""
    try:
        return Version.parse(text)
    except ValueError as exc:
        raise InputError(f"{what}: {exc}", hint="use a release like v1.31.2") from None


class Patch(Struct, frozen=True):
    """One patch release and the image versions kubeadm deploys with it."""

    version: Version
    etcd: str
    coredns: str
    pause: str
    source: str
    released: str | None = None  # the release's git tag date


class Transition(Struct, frozen=True):
    """A change kctl applies when a node moves into a minor (flags, config API versions)."""

    component: str
    remove_flags: tuple[str, ...] = ()
    rename_flags: tuple[tuple[str, str], ...] = ()
    add_flags: tuple[str, ...] = ()
    api_version: str | None = None
    source: str = ""
    etcd_from: str | None = None  # etcd flags: only when the etcd image is at least this


class Release(Struct, frozen=True):
    """One minor: its patches (ascending) and the transitions into it."""

    minor: str
    patches: tuple[Patch, ...]
    transitions: tuple[Transition, ...] = ()
    kubelet_skew: int | None = None  # minors a kubelet may lag a control plane of this minor
    unverified: tuple[Version, ...] = ()  # released, but their images are not evidenced

    @property
    def latest(self) -> Patch:
        """The newest stable patch (pre-releases only when the minor has nothing else)."""
        stable = [p for p in self.patches if p.version.pre is None]
        return (stable or list(self.patches))[-1]


class ConfigAPI(Struct, frozen=True):
    group: str
    version: str
    since: str


class Catalog(Struct, frozen=True, dict=True):
    """The whole catalog, with lookups by version and minor."""

    path: Path
    image_repository: str
    releases: tuple[Release, ...]
    config_apis: tuple[ConfigAPI, ...] = ()
    date: str | None = None  # when the catalog's data was compiled (YYYY-MM-DD)

    @cached_property
    def _patches(self) -> dict[Version, Patch]:
        return {patch.version: patch for release in self.releases for patch in release.patches}

    def patch(self, version: Version) -> Patch | None:
        return self._patches.get(version)

    def release(self, minor: str) -> Release | None:
        return next((r for r in self.releases if r.minor == minor), None)

    def require(self, version: Version) -> Patch:
        """The catalog entry of a target version, or an input error listing what is known."""
        found = self.patch(version)
        release = self.release(version.minor_key)
        if found is None and release is not None and version in release.unverified:
            raise InputError(
                f"{version} is released, but the images kubeadm uses with it are not evidenced"
                f" in the release catalog {self.path}; kctl does not guess them",
                hint=f"target {release.latest.version}, or install a newer catalog with"
                " `kctl upgrade catalog update --from URL|FILE`",
            )
        if found is None:
            known = (
                f"{release.patches[0].version}..{release.latest.version}"
                if release
                else ", ".join(r.minor for r in self.releases)
            )
            raise InputError(
                f"{version} is not in the release catalog {self.path} (known: {known})",
                hint="pass --catalog FILE with a newer catalog",
            )
        return found

    def latest_in_minor(self, minor: str) -> Patch | None:
        release = self.release(minor)
        return release.latest if release else None

    def next_minor(self, version: Version) -> str:
        return f"{version.major}.{version.minor + 1}"

    def preferred_api(self, group: str, version: Version) -> str | None:
        """The component-config API version kctl prefers for `group` at a Kubernetes version."""
        best: tuple[tuple[int, int], str] | None = None
        for api in self.config_apis:
            if api.group != group:
                continue
            major, minor = (int(x) for x in api.since.split("."))
            if (major, minor) <= (version.major, version.minor) and (
                best is None or (major, minor) > best[0]
            ):
                best = ((major, minor), api.version)
        return best[1] if best else None

    def transitions_between(self, current: Version, target: Version) -> list[Transition]:
        """Transitions of every minor after `current`'s up to and including `target`'s."""
        out: list[Transition] = []
        for release in self.releases:
            major, minor = (int(x) for x in release.minor.split("."))
            if (current.major, current.minor) < (major, minor) <= (target.major, target.minor):
                out.extend(release.transitions)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The catalog as plain data (for `kctl upgrade catalog -o json|yaml`)."""
        return {
            "schemaVersion": SCHEMA_VERSION,
            "kind": "ReleaseCatalog",
            "source": str(self.path),
            **({"date": self.date} if self.date else {}),
            "imageRepository": self.image_repository,
            "configAPIs": [
                {"group": a.group, "version": a.version, "since": a.since} for a in self.config_apis
            ],
            "releases": [
                {
                    "minor": r.minor,
                    **({"kubeletSkew": r.kubelet_skew} if r.kubelet_skew is not None else {}),
                    "transitions": [_transition_dict(t) for t in r.transitions],
                    "patches": [
                        {
                            "version": str(p.version),
                            "etcd": p.etcd,
                            "coredns": p.coredns,
                            "pause": p.pause,
                            **({"released": p.released} if p.released else {}),
                            "source": p.source,
                        }
                        for p in r.patches
                    ],
                    **(
                        {"unverified": [{"version": str(v)} for v in r.unverified]}
                        if r.unverified
                        else {}
                    ),
                }
                for r in self.releases
            ],
        }


def _transition_dict(t: Transition) -> dict[str, Any]:
    out: dict[str, Any] = {"component": t.component}
    if t.remove_flags:
        out["removeFlags"] = list(t.remove_flags)
    if t.rename_flags:
        out["renameFlags"] = dict(t.rename_flags)
    if t.add_flags:
        out["addFlags"] = list(t.add_flags)
    if t.api_version:
        out["apiVersion"] = t.api_version
    if t.etcd_from:
        out["etcdFrom"] = t.etcd_from
    out["source"] = t.source
    return out


def default_catalog_path() -> Path:
    return Path(__file__).resolve().parent / "catalog.yaml"


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate a catalog file (the shipped one by default); errors name file:line."""
    path = path or default_catalog_path()
    data = docs.parse_one(docs.read_bytes(path, "release catalog"), path)
    if data.get("schemaVersion") != SCHEMA_VERSION:
        raise docs.invalid(
            path,
            ["schemaVersion"],
            f"unsupported catalog schemaVersion {data.get('schemaVersion')!r}"
            f" (this kctl reads {SCHEMA_VERSION})",
        )
    releases_data = data.get("releases")
    if not isinstance(releases_data, list) or not releases_data:
        raise docs.invalid(path, ["releases"], "catalog needs a non-empty 'releases' list")
    releases = []
    for i, item in enumerate(releases_data):
        releases.append(_release(path, i, item))
    releases.sort(key=lambda r: tuple(int(x) for x in r.minor.split(".")))
    apis = []
    for j, api in enumerate(data.get("configAPIs") or []):
        if not isinstance(api, dict) or not all(
            isinstance(api.get(k), str) for k in ("group", "version", "since")
        ):
            raise docs.invalid(
                path, ["configAPIs", j], "configAPIs entries need string group, version, since"
            )
        if not _MINOR.match(api["since"]):
            raise docs.invalid(path, ["configAPIs", j, "since"], "since must be a minor like 1.31")
        apis.append(ConfigAPI(api["group"], api["version"], api["since"]))
    return Catalog(
        path=path,
        image_repository=str(data.get("imageRepository") or "registry.k8s.io"),
        releases=tuple(releases),
        config_apis=tuple(apis),
        date=_date(path, data.get("date"), ["date"]),
    )


def _date(path: Path, value: Any, where: list[str | int]) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise docs.invalid(path, where, "dates are written YYYY-MM-DD") from None
    return text


def _unverified(path: Path, where: list[str | int], items: Any, minor: str) -> tuple[Version, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise docs.invalid(path, where, "unverified must be a list of {version: ...}")
    out = []
    for k, item in enumerate(items):
        text = item.get("version") if isinstance(item, dict) else None
        try:
            version = Version.parse(str(text))
        except ValueError:
            raise docs.invalid(path, [*where, k], "unverified entries need a version") from None
        if version.minor_key != minor:
            raise docs.invalid(path, [*where, k], f"{version} is not in minor {minor}")
        out.append(version)
    return tuple(out)


def _release(path: Path, i: int, item: Any) -> Release:
    where: list[str | int] = ["releases", i]
    if not isinstance(item, dict):
        raise docs.invalid(path, where, "each release must be a mapping with minor and patches")
    minor = item.get("minor")
    if not isinstance(minor, str) or not _MINOR.match(minor):
        raise docs.invalid(path, [*where, "minor"], "release 'minor' must be a string like '1.31'")
    patches_data = item.get("patches")
    if not isinstance(patches_data, list) or not patches_data:
        raise docs.invalid(path, [*where, "patches"], f"release {minor} needs a 'patches' list")
    patches = []
    for j, p in enumerate(patches_data):
        ploc: list[str | int] = [*where, "patches", j]
        if not isinstance(p, dict):
            raise docs.invalid(path, ploc, "a patch entry must be a mapping")
        for key in ("version", "etcd", "coredns", "pause"):
            if not isinstance(p.get(key), str | int | float) or p.get(key) == "":
                raise docs.invalid(path, ploc, f"patch entry needs a string '{key}'")
        try:
            version = Version.parse(str(p["version"]))
        except ValueError as exc:
            raise docs.invalid(path, [*ploc, "version"], str(exc)) from None
        if version.minor_key != minor:
            raise docs.invalid(path, [*ploc, "version"], f"{version} is not in minor {minor}")
        patches.append(
            Patch(
                version,
                str(p["etcd"]),
                str(p["coredns"]),
                str(p["pause"]),
                str(p.get("source", "unknown")),
                _date(path, p.get("released"), [*ploc, "released"]),
            )
        )
    patches.sort(key=lambda p: p.version)
    transitions = _transitions(path, where, item.get("transitions") or [])
    skew = item.get("kubeletSkew")
    if skew is not None and (not isinstance(skew, int) or isinstance(skew, bool) or skew < 0):
        raise docs.invalid(path, [*where, "kubeletSkew"], "kubeletSkew must be a whole number")
    unverified = _unverified(path, [*where, "unverified"], item.get("unverified"), minor)
    return Release(minor, tuple(patches), tuple(transitions), skew, unverified)


def _transitions(path: Path, where: list[str | int], items: Any) -> list[Transition]:
    transitions = []
    for k, t in enumerate(items):
        tloc: list[str | int] = [*where, "transitions", k]
        if not isinstance(t, dict) or not isinstance(t.get("component"), str):
            raise docs.invalid(path, tloc, "a transition needs a 'component'")
        rename = t.get("renameFlags") or {}
        remove = t.get("removeFlags") or []
        add = t.get("addFlags") or []
        if (
            not isinstance(rename, dict)
            or not isinstance(remove, list)
            or not isinstance(add, list)
        ):
            raise docs.invalid(
                path, tloc, "renameFlags is a mapping; removeFlags and addFlags are lists"
            )
        transitions.append(
            Transition(
                component=t["component"],
                remove_flags=tuple(str(x) for x in remove),
                rename_flags=tuple((str(a), str(b)) for a, b in rename.items()),
                add_flags=tuple(str(x) for x in add),
                api_version=str(t["apiVersion"]) if t.get("apiVersion") else None,
                source=str(t.get("source", "")),
                etcd_from=str(t["etcdFrom"]) if t.get("etcdFrom") else None,
            )
        )
    return transitions
