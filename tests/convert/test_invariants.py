"""What `kctl convert` writes holds together, for random Compose projects: every Service selects a
pod that serves its target ports, every mount has its volume, every claim, ConfigMap and Secret
a pod refers to is written, names are unique, autoscalers and Ingresses point at what exists.

Schema validation checks each object alone; these are the facts that make the objects work
together once applied (a Service that selects nothing validates fine)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl.compose import LoadOptions, load_project
from kctl.convert import ConvertOptions
from kctl.convert.labels import LABELS
from kctl.convert.pipeline import validated
from kctl.errors import KctlError
from tests.compose.test_oracle_random import _SERVICE, _top_level

pytestmark = pytest.mark.unit

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")
_LABEL_VALUES = {
    "kompose.service.type": ["nodeport", "loadbalancer", "headless", "clusterip"],
    "kompose.service.expose": ["true", "app.example.test", "a.test,b.test/api"],
    "kompose.controller.type": ["deployment", "statefulset", "daemonset"],
    "kompose.volume.type": ["persistentVolumeClaim", "emptyDir", "hostPath", "configMap"],
    "kompose.hpa.cpu": ["50", "80%"],
    "kompose.hpa.replicas.max": ["5"],
    "kompose.service.group": ["g"],
    "kompose.service.healthcheck.readiness.disable": ["true"],
}
_KNOWN = {spec.name for spec in LABELS}
assert set(_LABEL_VALUES) <= _KNOWN  # the sample uses real labels only
_KOMPOSE_LABELS = st.dictionaries(
    st.sampled_from(sorted(_LABEL_VALUES)),
    st.integers(0, 3),
    max_size=3,
).map(lambda picks: {k: _LABEL_VALUES[k][i % len(_LABEL_VALUES[k])] for k, i in picks.items()})


# settings that change which objects a service becomes (pods shared, Jobs, aliases, DaemonSets)
_SHAPE = st.fixed_dictionaries(
    {},
    optional={
        "network_mode": st.just("service:db"),
        "networks": st.just({"default": {"aliases": ["api", "backend"]}}),
        "restart": st.sampled_from(["no", "on-failure:2"]),
        "deploy": st.sampled_from(
            [{"mode": "global"}, {"mode": "replicated-job", "replicas": 2}, {"replicas": 3}]
        ),
        "scale": st.integers(0, 2),
    },
)


def pod_of(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "Pod":
        return obj
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"])


def check(objects: list[dict[str, Any]]) -> None:
    names = Counter((o["kind"], o["metadata"]["name"]) for o in objects)
    assert all(n == 1 for n in names.values()), names
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
    pods = [pod_of(o) for o in objects if o["kind"] in WORKLOADS]
    for obj in objects:
        if obj["kind"] in WORKLOADS:
            templates = obj["spec"].get("volumeClaimTemplates", [])
            _check_pod(pod_of(obj), by_kind, {t["metadata"]["name"] for t in templates})
    for service in by_kind.get("Service", {}).values():
        _check_service(service, pods)
    for hpa in by_kind.get("HorizontalPodAutoscaler", {}).values():
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["name"] in by_kind.get(ref["kind"], {}), hpa
    for ingress in by_kind.get("Ingress", {}).values():
        for rule in ingress["spec"].get("rules", []):
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = by_kind["Service"][backend["name"]]
                ports = {p["port"] for p in service["spec"]["ports"]}
                assert backend["port"]["number"] in ports, ingress


def _check_pod(
    pod: dict[str, Any], by_kind: dict[str, dict[str, dict[str, Any]]], claims: set[str]
) -> None:
    """claims: a StatefulSet's volumeClaimTemplates (each mountable by name, made per pod)."""
    spec = pod["spec"]
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    volumes.update({name: {} for name in claims})
    containers = [*spec.get("initContainers", []), *spec["containers"]]
    assert len({c["name"] for c in containers}) == len(containers), spec
    for container in containers:
        paths = [m["mountPath"] for m in container.get("volumeMounts", [])]
        assert len(paths) == len(set(paths)), container  # the API server refuses duplicates
        for mount in container.get("volumeMounts", []):
            assert mount["name"] in volumes, mount
        for source in container.get("envFrom", []):
            ref = source.get("configMapRef") or source.get("secretRef")
            kind = "ConfigMap" if "configMapRef" in source else "Secret"
            assert ref["name"] in by_kind.get(kind, {}), source
    for volume in volumes.values():
        if "persistentVolumeClaim" in volume:
            claim = volume["persistentVolumeClaim"]["claimName"]
            assert claim in by_kind.get("PersistentVolumeClaim", {}), volume
        if "configMap" in volume:
            assert volume["configMap"]["name"] in by_kind.get("ConfigMap", {}), volume
        if "secret" in volume:
            assert volume["secret"]["secretName"] in by_kind.get("Secret", {}), volume


def _check_service(service: dict[str, Any], pods: list[dict[str, Any]]) -> None:
    selector = service["spec"].get("selector") or {}
    assert selector, service
    chosen = [
        p for p in pods if selector.items() <= p.get("metadata", {}).get("labels", {}).items()
    ]
    assert chosen, f"Service {service['metadata']['name']} selects no pod"
    served: set[Any] = set()
    for pod in chosen:
        for container in pod["spec"]["containers"]:
            for port in container.get("ports", []):
                served.add((port["containerPort"], port.get("protocol", "TCP")))
                if "name" in port:
                    served.add((port["name"], port.get("protocol", "TCP")))
    for port in service["spec"].get("ports", []):
        target = port.get("targetPort", port["port"])
        assert (target, port.get("protocol", "TCP")) in served, (service, served)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    services=st.dictionaries(
        st.sampled_from(["web", "db", "worker"]), _SERVICE, min_size=1, max_size=3
    ),
    labels=st.dictionaries(st.sampled_from(["web", "db", "worker"]), _KOMPOSE_LABELS),
    shapes=st.dictionaries(st.sampled_from(["web", "worker"]), _SHAPE),
)
def test_converted_objects_hold_together(
    tmp_path_factory: pytest.TempPathFactory,
    services: dict[str, Any],
    labels: dict[str, dict[str, str]],
    shapes: dict[str, dict[str, Any]],
) -> None:
    root = tmp_path_factory.mktemp("project")
    (root / "src").mkdir()
    (root / "token.txt").write_text("s3cret\n")
    if "db" not in services:
        services = {**services, "db": {"image": "postgres"}}
    for name, shape in shapes.items():
        if name in services:
            services[name] = {**services[name], **shape}
    for name, extra in labels.items():
        if name in services:
            current = services[name].get("labels") or {}
            if isinstance(current, list):
                current = dict(item.partition("=")[::2] for item in current)
            services[name] = {**services[name], "labels": {**current, **extra}}
    document = {"name": "shop", "services": services, **_top_level(services)}
    (root / "compose.yaml").write_text(json.dumps(document))
    try:
        project = load_project(LoadOptions(files=[str(root / "compose.yaml")], environ={}))
        conversion = validated(project, ConvertOptions())
    except KctlError as exc:  # refused input: the fuzz tests check it names where
        assert exc.exit_code in (2, 3), exc
        return
    check(conversion.objects)
