"""Hand-written Kubernetes objects shaped like `kctl convert` output, for chart tests."""

from __future__ import annotations

from typing import Any


def labels(service: str, project: str = "demo") -> dict[str, str]:
    return {
        "io.kompose.service": service,
        "app.kubernetes.io/name": service,
        "app.kubernetes.io/part-of": project,
    }


def deployment(name: str, image: str, port: int | None = None, **pod: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image}
    if port:
        container["ports"] = [{"containerPort": port, "protocol": "TCP"}]
    container.update(pod.pop("container", {}))
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "replicas": pod.pop("replicas", 1),
            "selector": {"matchLabels": {"io.kompose.service": name}},
            "template": {
                "metadata": {"labels": labels(name)},
                "spec": {"containers": [container], **pod},
            },
        },
    }


def service(name: str, port: int, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "selector": {"io.kompose.service": name},
            "ports": [{"name": str(port), "port": port, "targetPort": port, "protocol": "TCP"}],
            **spec,
        },
    }


def pvc(name: str, size: str = "1Gi") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "labels": {"io.kompose.volume": name}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}},
    }


def demo_components() -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """A web app with a database, a shared volume, a secret, config, ingress and HPA."""
    web = deployment(
        "web",
        "127.0.0.1:5000/demo/web:1.2",
        8080,
        replicas=2,
        container={
            "env": [{"name": "DB_HOST", "value": "db"}, {"name": "PRICE", "value": "$5"}],
            "envFrom": [{"configMapRef": {"name": "web-env"}}],
            "resources": {"limits": {"memory": "128Mi"}},
            "livenessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 10},
            "volumeMounts": [
                {"name": "shared", "mountPath": "/shared"},
                {"name": "web-secret", "mountPath": "/run/secrets/token", "subPath": "token"},
            ],
        },
        volumes=[
            {"name": "shared", "persistentVolumeClaim": {"claimName": "shared"}},
            {"name": "web-secret", "secret": {"secretName": "token"}},
        ],
    )
    web_ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "web", "labels": labels("web")},
        "spec": {
            "rules": [
                {
                    "host": "web.example.test",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "web", "port": {"number": 8080}}},
                            }
                        ]
                    },
                }
            ],
        },
    }
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web-env", "labels": labels("web")},
        "data": {"MODE": "prod"},
    }
    db = deployment(
        "db",
        "postgres:16",
        5432,
        container={
            "volumeMounts": [
                {"name": "db-data", "mountPath": "/var/lib/postgresql"},
                {"name": "shared", "mountPath": "/shared"},
            ]
        },
        volumes=[
            {"name": "db-data", "persistentVolumeClaim": {"claimName": "db-data"}},
            {"name": "shared", "persistentVolumeClaim": {"claimName": "shared"}},
        ],
        nodeSelector={"disk": "ssd"},
    )
    worker = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "report", "labels": labels("report")},
        "spec": {
            "schedule": "*/5 * * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "metadata": {"labels": labels("report")},
                        "spec": {
                            "restartPolicy": "OnFailure",
                            "containers": [
                                {"name": "report", "image": "busybox", "command": ["echo", "hi"]}
                            ],
                        },
                    }
                }
            },
        },
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "token", "labels": labels("web")},
        "type": "Opaque",
        "data": {"token": "c2VjcmV0"},
    }
    components = {
        "web": [config, web, service("web", 8080), web_ingress, secret],
        "db": [db, service("db", 5432), pvc("db-data", "5Gi")],
        "report": [worker],
    }
    return components, [pvc("shared")]
