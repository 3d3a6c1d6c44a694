"""The local target's manifest: what Podman plays, which host ports, what is reported skipped."""

from __future__ import annotations

from typing import Any

import pytest

from kctl.dev.local_target import RELEASE_LABEL, local_manifest


def deployment(name: str, ports: list[int]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {"name": name, "image": "x", "ports": [{"containerPort": p} for p in ports]}
                    ]
                },
            },
        },
    }


@pytest.mark.unit
def test_ports_are_forwarded_on_loopback_and_unplayable_kinds_reported() -> None:
    documents = [
        deployment("web", [8080, 9090]),
        deployment("api", [8080]),  # same container port: its host port is taken by web
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}},
        None,
    ]
    played, endpoints, skipped = local_manifest(documents, "shop", [(18080, 8080)])
    assert [o["kind"] for o in played] == ["Deployment", "Deployment", "ConfigMap"]
    web_ports = played[0]["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert web_ports == [
        {"containerPort": 8080, "hostPort": 18080, "hostIP": "127.0.0.1"},
        {"containerPort": 9090, "hostPort": 9090, "hostIP": "127.0.0.1"},
    ]
    assert "hostPort" not in played[1]["spec"]["template"]["spec"]["containers"][0]["ports"][0]
    assert endpoints == ["http://127.0.0.1:18080", "http://127.0.0.1:9090"]
    assert skipped == ["Ingress/web"]  # Services are what host ports stand in for
    assert played[0]["spec"]["template"]["metadata"]["labels"][RELEASE_LABEL] == "shop"
