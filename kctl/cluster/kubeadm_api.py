"""What a kubeadm.k8s.io/v1beta4 document may hold: the fields of kubeadm's v1beta4 types
(cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go as released in v1.31: extraArgs are name/value
lists, apiServer.timeoutForControlPlane is gone — kubernetes#125029 moved it to the timeouts of
Init/Join/Reset/UpgradeConfiguration, as controlPlaneComponentHealthCheck). Used to check every
v1beta4 document kctl writes, so a conversion that leaves a v1beta3 field behind fails here
instead of in kubeadm."""

from __future__ import annotations

from typing import Any

# kubeadm v1beta4's Timeouts (one struct in InitConfiguration, JoinConfiguration and
# UpgradeConfiguration alike)
TIMEOUTS = frozenset(
    {
        "controlPlaneComponentHealthCheck",
        "kubeletHealthCheck",
        "kubernetesAPICall",
        "etcdAPICall",
        "tlsBootstrap",
        "discovery",
        "upgradeManifests",
    }
)

_COMPONENT = {"extraArgs", "extraVolumes", "extraEnvs"}
_IMAGE = {"imageRepository", "imageTag"}
FIELDS: dict[str, dict[str, set[str] | None]] = {
    "ClusterConfiguration": {
        "etcd": None,
        "networking": {"serviceSubnet", "podSubnet", "dnsDomain"},
        "kubernetesVersion": None,
        "controlPlaneEndpoint": None,
        "apiServer": _COMPONENT | {"certSANs"},
        "controllerManager": _COMPONENT,
        "scheduler": _COMPONENT,
        "dns": _IMAGE | {"disabled"},
        "proxy": {"disabled"},
        "certificatesDir": None,
        "imageRepository": None,
        "featureGates": None,
        "clusterName": None,
        "encryptionAlgorithm": None,
        "certificateValidityPeriod": None,
        "caCertificateValidityPeriod": None,
    },
    "InitConfiguration": {
        "bootstrapTokens": None,
        "dryRun": None,
        "nodeRegistration": None,
        "localAPIEndpoint": {"advertiseAddress", "bindPort"},
        "certificateKey": None,
        "skipPhases": None,
        "patches": {"directory"},
        "timeouts": set(TIMEOUTS),
    },
}
_ETCD_LOCAL = _IMAGE | {"dataDir", "extraArgs", "extraEnvs", "serverCertSANs", "peerCertSANs"}
_ETCD_EXTERNAL = {"endpoints", "caFile", "certFile", "keyFile"}
_LISTS = ("apiServer", "controllerManager", "scheduler")


def _args_problem(where: str, args: Any) -> str | None:
    if args is None:
        return None
    ok = isinstance(args, list) and all(
        isinstance(a, dict) and set(a) == {"name", "value"} for a in args
    )
    return None if ok else f"{where}.extraArgs must be a list of name/value pairs in v1beta4"


def v1beta4_problems(doc: dict[str, Any]) -> list[str]:
    """Every field of a v1beta4 ClusterConfiguration or InitConfiguration that v1beta4 does not
    have (or has in another shape); [] when it is valid as far as these facts go."""
    kind = str(doc.get("kind"))
    fields = FIELDS.get(kind)
    if fields is None:
        return []
    problems = []
    for key, value in doc.items():
        if key in ("apiVersion", "kind"):
            continue
        if key not in fields:
            problems.append(f"{kind} v1beta4 has no field {key}")
            continue
        allowed = fields[key]
        if allowed is not None and isinstance(value, dict):
            problems += [f"{key}.{k} is not a v1beta4 field" for k in value if k not in allowed]
        if key in _LISTS and isinstance(value, dict):
            problem = _args_problem(key, value.get("extraArgs"))
            problems += [problem] if problem else []
    etcd = doc.get("etcd") if kind == "ClusterConfiguration" else None
    if isinstance(etcd, dict):
        for mode, allowed_etcd in (("local", _ETCD_LOCAL), ("external", _ETCD_EXTERNAL)):
            part = etcd.get(mode)
            if isinstance(part, dict):
                problems += [
                    f"etcd.{mode}.{k} is not a v1beta4 field" for k in part if k not in allowed_etcd
                ]
        local = etcd.get("local")
        if isinstance(local, dict):
            problem = _args_problem("etcd.local", local.get("extraArgs"))
            problems += [problem] if problem else []
        if isinstance(etcd.get("local"), dict) and isinstance(etcd.get("external"), dict):
            problems.append("etcd.local and etcd.external are mutually exclusive")
    return problems
