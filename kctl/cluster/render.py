"""What a node's files become at a target version: rewritten with ruamel, comments kept.

Every change is data-driven: image tags from the catalog entry of the target, flag and API
changes from the catalog transitions of each minor crossed. Unchanged files keep their bytes.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from msgspec import Struct

from kctl.cluster.catalog import Catalog, Patch, Transition, Version
from kctl.cluster.kubeadm_api import v1beta4_problems
from kctl.cluster.node import (
    CONFIG_FLAG,
    KUBELET_CONFIG,
    ManifestFile,
    Node,
    split_image,
)
from kctl.cluster.patches import PatchFile, apply_patches
from kctl.cluster.roles import CONTROL_PLANE_ROLE
from kctl.errors import InputError, Location

_INDENTED_SEQ = re.compile(r"^( *)[^\s#-][^:\n]*:[ \t]*\n\1  - ", re.MULTILINE)


class Rendered(Struct, frozen=True):
    """One file at the target version (bytes identical to the old ones when nothing changes)."""

    rel: str
    old: bytes
    new: bytes
    phase: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.preserve_quotes = True
    if _INDENTED_SEQ.search(text):
        yaml.indent(mapping=2, sequence=4, offset=2)
    else:
        yaml.indent(mapping=2, sequence=2, offset=0)
    # kubeadm writes `creationTimestamp: null`; ruamel would print an empty value.
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def _edit(file: ManifestFile, change: Callable[[list[Any]], bool]) -> bytes:
    """Apply `change` to the round-trip documents; the old bytes when it changes nothing."""
    text = file.raw.decode("utf-8")
    yaml = _yaml(text)
    documents = [d for d in yaml.load_all(text) if d is not None]
    if not change(documents):
        return file.raw
    parts = []
    for document in documents:
        out = io.StringIO()
        yaml.dump(document, out)
        parts.append(out.getvalue())
    lead = "---\n" if text.lstrip().startswith("---") else ""
    return (lead + "---\n".join(parts)).encode("utf-8")


def _flag_name(arg: str) -> str:
    return arg.split("=", 1)[0]


def apply_flag_transitions(command: list[Any], transitions: list[Transition]) -> bool:
    """Remove/rename/add command-line flags in place; True when something changed."""
    changed = False
    for t in transitions:
        renames = dict(t.rename_flags)
        for i, arg in enumerate(list(command)):
            name = _flag_name(str(arg))
            if name in renames:
                command[i] = renames[name] + str(arg)[len(name) :]
                changed = True
        kept = [a for a in command if _flag_name(str(a)) not in t.remove_flags]
        if len(kept) != len(command):
            command[:] = kept
            changed = True
        present = {_flag_name(str(a)) for a in command}
        for flag in t.add_flags:
            if _flag_name(flag) not in present:
                command.append(flag)
                changed = True
    return changed


def _section(node: Node, component: str) -> dict[str, Any]:
    """dns (CoreDNS) or etcd.local (etcd) of the ClusterConfiguration ({} when absent)."""
    doc = node.cluster_doc
    section: Any = doc.get("dns") if component == "coredns" else doc.get("etcd")
    if component == "etcd" and isinstance(section, dict):
        section = section.get("local")
    return section if isinstance(section, dict) else {}


def image_for(node: Node, component: str, tag: str) -> str:
    """The image a component runs at `tag`, as kubeadm names it: the imageRepository, except
    that etcd.local.imageRepository and dns.imageRepository win for etcd and CoreDNS, and
    CoreDNS lives under coredns/ in the default registry (images.GetDNSImage)."""
    repo = node.image_repository.rstrip("/")
    own = (
        _section(node, component).get("imageRepository")
        if component in ("etcd", "coredns")
        else None
    )
    if component == "coredns":
        if own:
            return f"{str(own).rstrip('/')}/coredns:{tag}"
        name = "coredns/coredns" if repo == "registry.k8s.io" else "coredns"
        return f"{repo}/{name}:{tag}"
    if own:
        return f"{str(own).rstrip('/')}/{component}:{tag}"
    return f"{repo}/{component}:{tag}"


def _tag_key(tag: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", tag))


def etcd_target(current: str, patch: Patch) -> str:
    """The etcd tag to run: the catalog's for the target, never a downgrade (like kubeadm)."""
    return current if _tag_key(current) > _tag_key(patch.etcd) else patch.etcd


def etcd_at_least(tag: str, version: str) -> bool:
    """Whether an etcd image tag (3.5.15-0) is at least `version` (3.6.0)."""
    return _tag_key(tag.split("-", maxsplit=1)[0])[:3] >= _tag_key(version)[:3]


def custom_tag(node: Node, component: str) -> str | None:
    """A tag the ClusterConfiguration pins (etcd.local.imageTag, dns.imageTag): kubeadm keeps
    custom tags across upgrades instead of choosing its own."""
    tag = _section(node, component).get("imageTag")
    return str(tag) if tag else None


def target_tag(node: Node, component: str, patch: Patch) -> str:
    custom = custom_tag(node, component) if component in ("etcd", "coredns") else None
    if custom:
        return custom
    if component == "etcd":
        return etcd_target(node.pods["etcd"].tag, patch)
    if component == "coredns":
        return patch.coredns
    return str(patch.version)


def render_static_pod(
    node: Node,
    component: str,
    catalog: Catalog,
    target: Version,
    patches: Sequence[PatchFile] = (),
) -> Rendered:
    pod = node.pods[component]
    patch = catalog.require(target)
    tag = target_tag(node, component, patch)
    # already at the target tag: keep the reference as written (a pinned digest stays)
    image = pod.image if pod.tag == tag else image_for(node, component, tag)
    transitions = [
        t
        for t in catalog.transitions_between(node.component_version(component), target)
        if t.component == component and (t.etcd_from is None or etcd_at_least(tag, t.etcd_from))
    ]

    def change(documents: list[Any]) -> bool:
        container = documents[0]["spec"]["containers"][0]
        changed = False
        if container["image"] != image:
            container["image"] = image
            changed = True
        if transitions and isinstance(container.get("command"), list):
            changed = apply_flag_transitions(container["command"], transitions) or changed
        if any(p.target == component for p in patches):  # --patches, after kctl's own edits
            before = json.loads(json.dumps(documents[0]))
            documents[0] = apply_patches(before, list(patches), component)
            changed = changed or documents[0] != before
        return changed

    return Rendered(pod.file.rel, pod.file.raw, _edit(pod.file, change), component)


def _v1beta4_args(args: Any) -> Any:
    """kubeadm v1beta3 extraArgs (a map) -> v1beta4 (a list of name/value)."""
    if isinstance(args, dict):
        return [{"name": k, "value": str(v)} for k, v in args.items()]
    return args


def render_cluster_config(node: Node, catalog: Catalog, target: Version) -> Rendered:
    file = node.cluster_config
    index = node.cluster_config_index
    api = next(
        (
            t.api_version
            for t in reversed(catalog.transitions_between(node.from_version, target))
            if t.component == "kubeadm-config" and t.api_version
        ),
        None,
    )

    def change(documents: list[Any]) -> bool:
        changed = False
        # Documents were filtered of empty ones the same way in node.py, so indexes agree.
        for i, doc in enumerate(documents):
            if not isinstance(doc, dict):
                continue
            kubeadm_doc = str(doc.get("apiVersion", "")).startswith("kubeadm.k8s.io/")
            if api and kubeadm_doc and doc["apiVersion"] != api:
                doc["apiVersion"] = api
                changed = True
                if api.endswith("v1beta4"):
                    _convert_v1beta4(documents, doc)
            if i == index and doc.get("kubernetesVersion") != str(target):
                doc["kubernetesVersion"] = str(target)
                changed = True
        problems = [
            f"{d.get('kind')}: {p}"
            for d in documents
            if isinstance(d, dict) and str(d.get("apiVersion")).endswith("/v1beta4")
            for p in v1beta4_problems(d)
        ]
        if problems:
            raise InputError(
                "the kubeadm configuration would not be valid v1beta4: " + "; ".join(problems),
                location=Location.of(file.path, 1),
                hint="fix these fields (kubeadm's v1beta4 API has none of them) and retry",
            )
        return changed

    if file.rel.startswith(CONFIG_FLAG):
        return Rendered(file.rel, file.raw, file.raw, "upload-config")  # the user's file
    return Rendered(file.rel, file.raw, _edit(file, change), "upload-config")


def _convert_v1beta4(documents: list[Any], doc: dict[str, Any]) -> None:
    """kubeadm's v1beta3 -> v1beta4 conversion of what kctl may meet: extraArgs become name/
    value lists; apiServer.timeoutForControlPlane moves to an InitConfiguration's
    timeouts.controlPlaneComponentHealthCheck (ClusterConfiguration v1beta4 has no timeout)."""
    _convert_extra_args(doc)
    api_server = doc.get("apiServer")
    if not isinstance(api_server, dict) or "timeoutForControlPlane" not in api_server:
        return
    timeout = api_server.pop("timeoutForControlPlane")
    for other in documents:
        if isinstance(other, dict) and other.get("kind") == "InitConfiguration":
            other.setdefault("timeouts", {})["controlPlaneComponentHealthCheck"] = timeout


def _convert_extra_args(doc: dict[str, Any]) -> None:
    for section in ("apiServer", "controllerManager", "scheduler"):
        part = doc.get(section)
        if isinstance(part, dict) and "extraArgs" in part:
            part["extraArgs"] = _v1beta4_args(part["extraArgs"])
    local = (doc.get("etcd") or {}).get("local") if isinstance(doc.get("etcd"), dict) else None
    if isinstance(local, dict) and "extraArgs" in local:
        local["extraArgs"] = _v1beta4_args(local["extraArgs"])
    reg = doc.get("nodeRegistration")
    if isinstance(reg, dict) and "kubeletExtraArgs" in reg:
        reg["kubeletExtraArgs"] = _v1beta4_args(reg["kubeletExtraArgs"])


def render_kubelet_config(
    node: Node, catalog: Catalog, target: Version, file: ManifestFile | None = None
) -> Rendered:
    """The node's kubelet config at `target` (or `file`: the kubelet-config ConfigMap's)."""
    file = file or node.kubelet_config
    transitions = [
        t
        for t in catalog.transitions_between(node.from_version, target)
        if t.component == "kubelet-config"
    ]

    def change(documents: list[Any]) -> bool:
        changed = False
        doc = documents[0]
        for t in transitions:
            if t.api_version and doc.get("apiVersion") != t.api_version:
                doc["apiVersion"] = t.api_version
                changed = True
            for field_name in t.remove_flags:  # for configs, "flags" are top-level fields
                if field_name in doc:
                    del doc[field_name]
                    changed = True
        return changed

    phase = "kubelet-config" if file is node.kubelet_config else "upload-config"
    return Rendered(file.rel, file.raw, _edit(file, change), phase)


def render_kubelet_files(node: Node, catalog: Catalog, target: Version) -> list[Rendered]:
    """upload-config's kubelet-config ConfigMap, then kubelet-config's local file: like kubeadm,
    the node's file is what the cluster's ConfigMap holds (downloaded), offline its own."""
    local = render_kubelet_config(node, catalog, target)
    if node.kubelet_cm is None:
        return [local]
    shared = render_kubelet_config(node, catalog, target, node.kubelet_cm)
    return [shared, Rendered(KUBELET_CONFIG, local.old, shared.new, "kubelet-config")]


def render_addon(node: Node, name: str, catalog: Catalog, target: Version) -> Rendered:
    addon = node.addons[name]
    patch = catalog.require(target)
    image = image_for(node, name, target_tag(node, name, patch))

    def change(documents: list[Any]) -> bool:
        changed = False
        for doc in documents:
            if not isinstance(doc, dict) or doc.get("kind") not in ("Deployment", "DaemonSet"):
                continue
            for c in doc["spec"]["template"]["spec"].get("containers") or []:
                if split_image(str(c.get("image", "")))[0].endswith(name) and c["image"] != image:
                    c["image"] = image
                    changed = True
        return changed

    return Rendered(addon.file.rel, addon.file.raw, _edit(addon.file, change), "addons")


def unupgraded_control_planes(node: Node, target: Version) -> list[str]:
    """Other control-plane nodes whose kube-apiserver is not at `target` yet (kubeadm's
    UnupgradedControlPlaneInstances: the addons wait for them)."""
    return sorted(
        name
        for name, version in node.control_plane_versions.items()
        if name != node.name and version != target
    )


def render_all(
    node: Node, catalog: Catalog, target: Version, patches: Sequence[PatchFile] = ()
) -> list[Rendered]:
    """Every file and cluster object of the node at `target`, in phase order (addons only
    once every other control plane runs the target); --patches applied to the static pods."""
    out = [render_static_pod(node, c, catalog, target, patches) for c in node.pods]
    if node.role == CONTROL_PLANE_ROLE:
        out.append(render_cluster_config(node, catalog, target))
    out.extend(render_kubelet_files(node, catalog, target))
    if node.role == CONTROL_PLANE_ROLE and not unupgraded_control_planes(node, target):
        out.extend(render_addon(node, name, catalog, target) for name in node.addons)
    return out


def unified_diff(item: Rendered, root_label: str = "", context: int = 3) -> str:
    """A unified diff of one file (empty when unchanged)."""
    import difflib

    if not item.changed:
        return ""
    lines = difflib.unified_diff(
        item.old.decode("utf-8").splitlines(keepends=True),
        item.new.decode("utf-8").splitlines(keepends=True),
        fromfile=f"a/{item.rel}",
        tofile=f"b/{item.rel}",
        n=context,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
