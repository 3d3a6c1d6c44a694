"""Each Compose feature maps to the exact Kubernetes field (and every output validates)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.compose import LoadOptions, load_project
from kctl.convert import ConvertOptions, convert_project
from kctl.kube import validate

pytestmark = pytest.mark.unit


def convert(tmp_path: Path, text: str, files: dict[str, str] | None = None, **options: Any) -> Any:
    (tmp_path / "compose.yaml").write_text(text)
    for rel, content in (files or {}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content)
    project = load_project(
        LoadOptions(files=[str(tmp_path / "compose.yaml")], environ={"SECRET_ENV": "from-env"})
    )
    conversion = convert_project(project, ConvertOptions(**options))
    for obj in conversion.objects:
        validate(obj)
    return conversion


def find(conversion: Any, kind: str, name: str | None = None) -> dict[str, Any]:
    return next(
        o
        for o in conversion.objects
        if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)
    )


def container(conversion: Any, kind: str = "Deployment", name: str | None = None) -> Any:
    obj = find(conversion, kind, name)
    spec = obj["spec"]["jobTemplate"]["spec"] if kind == "CronJob" else obj["spec"]
    return spec["template"]["spec"]["containers"][0]


def pod(conversion: Any, kind: str = "Deployment") -> Any:
    return find(conversion, kind)["spec"]["template"]["spec"]


S = "services:\n  app:\n    image: busybox\n"
CASES: dict[str, tuple[str, dict[str, str], dict[str, Any], Callable[[Any], None]]] = {
    "default-deployment": (S, {}, {}, lambda c: find(c, "Deployment", "app")),
    "replicas-deploy": (
        S + "    deploy:\n      replicas: 4\n",
        {},
        {},
        lambda c: _eq(find(c, "Deployment")["spec"]["replicas"], 4),
    ),
    "replicas-scale": (
        S + "    scale: 2\n",
        {},
        {},
        lambda c: _eq(find(c, "Deployment")["spec"]["replicas"], 2),
    ),
    "replicas-flag": (
        S + "    scale: 2\n",
        {},
        {"replicas": 7},
        lambda c: _eq(find(c, "Deployment")["spec"]["replicas"], 7),
    ),
    "controller-flag-daemonset": (
        S,
        {},
        {"controller": "daemonset"},
        lambda c: find(c, "DaemonSet", "app"),
    ),
    "controller-label": (
        S + "    labels:\n      kompose.controller.type: statefulset\n    ports: ['80']\n",
        {},
        {},
        lambda c: _eq(find(c, "StatefulSet")["spec"]["serviceName"], "app"),
    ),
    "deploy-mode-global": (
        S + "    deploy:\n      mode: global\n",
        {},
        {},
        lambda c: find(c, "DaemonSet"),
    ),
    "restart-no-job": (
        S + "    restart: 'no'\n",
        {},
        {},
        lambda c: _eq(pod(c, "Job")["restartPolicy"], "Never"),
    ),
    "restart-on-failure-job": (
        S + "    restart: on-failure\n",
        {},
        {},
        lambda c: _eq(pod(c, "Job")["restartPolicy"], "OnFailure"),
    ),
    "cronjob-labels": (
        S
        + "    labels:\n      kompose.cronjob.schedule: '*/5 * * * *'\n      kompose.cronjob.concurrency_policy: Forbid\n      kompose.cronjob.backoff_limit: '2'\n",
        {},
        {},
        lambda c: _eq(
            (
                find(c, "CronJob")["spec"]["schedule"],
                find(c, "CronJob")["spec"]["concurrencyPolicy"],
                find(c, "CronJob")["spec"]["jobTemplate"]["spec"]["backoffLimit"],
            ),
            ("*/5 * * * *", "Forbid", 2),
        ),
    ),
    "build-only-image-name": (
        "name: proj\nservices:\n  app:\n    build: .\n",
        {"Dockerfile": "FROM scratch\n"},
        {},
        lambda c: (_eq(container(c)["image"], "proj-app"), _eq(c.warnings[0].key, "build")),
    ),
    "command-entrypoint": (
        S + "    entrypoint: [/bin/sh, -c]\n    command: echo hi\n",
        {},
        {},
        lambda c: _eq(
            (container(c)["command"], container(c)["args"]), (["/bin/sh", "-c"], ["echo", "hi"])
        ),
    ),
    "dollar-preserved": (
        S + "    command: [echo, '$$HOME', '$$(date)']\n    environment:\n      P: 'a$$b'\n",
        {},
        {},
        lambda c: _eq(
            (container(c)["args"], container(c)["env"]),
            (["echo", "$HOME", "$$(date)"], [{"name": "P", "value": "a$b"}]),
        ),
    ),
    "working-dir": (
        S + "    working_dir: /srv\n",
        {},
        {},
        lambda c: _eq(container(c)["workingDir"], "/srv"),
    ),
    "env-file-configmap": (
        S + "    env_file: a.env\n    environment:\n      B: override\n",
        {"a.env": "A=1\nB=file\n"},
        {},
        lambda c: (
            _eq(find(c, "ConfigMap", "a-env")["data"], {"A": "1", "B": "file"}),
            _eq(container(c)["envFrom"], [{"configMapRef": {"name": "a-env"}}]),
            _eq(container(c)["env"], [{"name": "B", "value": "override"}]),
        ),
    ),
    "ports-service": (
        S + "    ports: ['8080:80', '53:53/udp']\n",
        {},
        {},
        lambda c: _eq(
            [
                (p["port"], p["targetPort"], p["protocol"])
                for p in find(c, "Service")["spec"]["ports"]
            ],
            [(8080, 80, "TCP"), (53, 53, "UDP")],
        ),
    ),
    "port-range": (
        S + "    ports: ['9000-9001:9000-9001']\n",
        {},
        {},
        lambda c: _eq([p["containerPort"] for p in container(c)["ports"]], [9000, 9001]),
    ),
    "port-host-ip-warning": (
        S + "    ports: ['127.0.0.1:80:80']\n",
        {},
        {},
        lambda c: _eq(c.warnings[0].key, "ports"),
    ),
    "expose-service": (
        S + "    expose: ['3000']\n",
        {},
        {},
        lambda c: _eq(find(c, "Service")["spec"]["ports"][0]["port"], 3000),
    ),
    "service-nodeport": (
        S
        + "    ports: ['80']\n    labels:\n      kompose.service.type: nodeport\n      kompose.service.nodeport.port: '30080'\n",
        {},
        {},
        lambda c: _eq(
            (
                find(c, "Service")["spec"]["type"],
                find(c, "Service")["spec"]["ports"][0]["nodePort"],
            ),
            ("NodePort", 30080),
        ),
    ),
    "service-loadbalancer-etp": (
        S
        + "    ports: ['80']\n    labels:\n      kompose.service.type: LoadBalancer\n      kompose.service.external-traffic-policy: local\n",
        {},
        {},
        lambda c: _eq(
            (
                find(c, "Service")["spec"]["type"],
                find(c, "Service")["spec"]["externalTrafficPolicy"],
            ),
            ("LoadBalancer", "Local"),
        ),
    ),
    "service-headless": (
        S + "    ports: ['80']\n    labels:\n      kompose.service.type: headless\n",
        {},
        {},
        lambda c: _eq(find(c, "Service")["spec"]["clusterIP"], "None"),
    ),
    "ingress-expose": (
        S
        + "    ports: ['80']\n    labels:\n      kompose.service.expose: a.test/api,b.test\n      kompose.service.expose.tls-secret: tls\n      kompose.service.expose.ingress-class-name: nginx\n",
        {},
        {},
        lambda c: _eq(
            (
                find(c, "Ingress")["spec"]["ingressClassName"],
                [r["host"] for r in find(c, "Ingress")["spec"]["rules"]],
                find(c, "Ingress")["spec"]["rules"][0]["http"]["paths"][0]["path"],
                find(c, "Ingress")["spec"]["tls"][0]["secretName"],
            ),
            ("nginx", ["a.test", "b.test"], "/api", "tls"),
        ),
    ),
    "user-group": (
        S + "    user: '1000:2000'\n",
        {},
        {},
        lambda c: _eq(container(c)["securityContext"], {"runAsUser": 1000, "runAsGroup": 2000}),
    ),
    "user-name-warning": (
        S + "    user: nobody\n",
        {},
        {},
        lambda c: _eq(c.warnings[0].key, "user"),
    ),
    "capabilities-privileged-readonly": (
        S
        + "    cap_add: [NET_ADMIN]\n    cap_drop: [ALL]\n    privileged: true\n    read_only: true\n",
        {},
        {},
        lambda c: _eq(
            container(c)["securityContext"],
            {
                "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]},
                "privileged": True,
                "readOnlyRootFilesystem": True,
            },
        ),
    ),
    "stdin-tty": (
        S + "    stdin_open: true\n    tty: true\n",
        {},
        {},
        lambda c: _eq((container(c)["stdin"], container(c)["tty"]), (True, True)),
    ),
    "hostname-hostaliases-dns": (
        S
        + "    hostname: box\n    extra_hosts: ['db.local:127.0.0.1', 'cache.local=127.0.0.1']\n    dns: [127.0.0.53]\n    dns_search: [example.test]\n",
        {},
        {},
        lambda c: _eq(
            (pod(c)["hostname"], pod(c)["hostAliases"], pod(c)["dnsConfig"]),
            (
                "box",
                [{"ip": "127.0.0.1", "hostnames": ["db.local", "cache.local"]}],
                {"nameservers": ["127.0.0.53"], "searches": ["example.test"]},
            ),
        ),
    ),
    "sysctls-grace": (
        S + "    sysctls:\n      net.core.somaxconn: 1024\n    stop_grace_period: 1m30s\n",
        {},
        {},
        lambda c: _eq(
            (pod(c)["securityContext"]["sysctls"], pod(c)["terminationGracePeriodSeconds"]),
            ([{"name": "net.core.somaxconn", "value": "1024"}], 90),
        ),
    ),
    "pull-policy": (
        S + "    pull_policy: always\n",
        {},
        {},
        lambda c: _eq(container(c)["imagePullPolicy"], "Always"),
    ),
    "pull-policy-label": (
        S
        + "    labels:\n      kompose.image-pull-policy: Never\n      kompose.image-pull-secret: regcred\n      kompose.serviceaccount-name: sa\n      kompose.security-context.fsgroup: '1001'\n",
        {},
        {},
        lambda c: _eq(
            (
                container(c)["imagePullPolicy"],
                pod(c)["imagePullSecrets"],
                pod(c)["serviceAccountName"],
                pod(c)["securityContext"]["fsGroup"],
            ),
            ("Never", [{"name": "regcred"}], "sa", 1001),
        ),
    ),
    "healthcheck-exec": (
        S
        + "    healthcheck:\n      test: ['CMD', 'true']\n      interval: 10s\n      timeout: 2s\n      retries: 4\n      start_period: 30s\n",
        {},
        {},
        lambda c: _eq(
            container(c)["livenessProbe"],
            {
                "exec": {"command": ["true"]},
                "periodSeconds": 10,
                "timeoutSeconds": 2,
                "initialDelaySeconds": 30,
                "failureThreshold": 4,
            },
        ),
    ),
    "healthcheck-shell": (
        S + "    healthcheck:\n      test: curl -f localhost\n",
        {},
        {},
        lambda c: _eq(
            container(c)["readinessProbe"]["exec"]["command"],
            ["/bin/sh", "-c", "curl -f localhost"],
        ),
    ),
    "healthcheck-disabled": (
        S + "    healthcheck:\n      disable: true\n",
        {},
        {},
        lambda c: _eq("livenessProbe" in container(c), False),
    ),
    "healthcheck-http-label": (
        S
        + "    ports: ['8080']\n    labels:\n      kompose.service.healthcheck.liveness.http_get_path: /health\n      kompose.service.healthcheck.readiness.tcp_port: '8080'\n",
        {},
        {},
        lambda c: _eq(
            (container(c)["livenessProbe"], container(c)["readinessProbe"]),
            ({"httpGet": {"path": "/health", "port": 8080}}, {"tcpSocket": {"port": 8080}}),
        ),
    ),
    "resources": (
        S
        + "    deploy:\n      resources:\n        limits: {cpus: '1.5', memory: 256M}\n        reservations: {cpus: '0.1', memory: 64M}\n",
        {},
        {},
        lambda c: _eq(
            container(c)["resources"],
            {
                "limits": {"memory": "268435456", "cpu": "1500m"},
                "requests": {"memory": "67108864", "cpu": "100m"},
            },
        ),
    ),
    "placement": (
        S
        + "    deploy:\n      placement:\n        constraints: ['node.labels.disk == ssd', 'node.hostname != bad']\n",
        {},
        {},
        lambda c: _eq(
            (
                pod(c)["nodeSelector"],
                pod(c)["affinity"]["nodeAffinity"][
                    "requiredDuringSchedulingIgnoredDuringExecution"
                ]["nodeSelectorTerms"][0]["matchExpressions"],
            ),
            (
                {"disk": "ssd"},
                [{"key": "kubernetes.io/hostname", "operator": "NotIn", "values": ["bad"]}],
            ),
        ),
    ),
    "update-config": (
        S
        + "    deploy:\n      update_config:\n        parallelism: 2\n        order: start-first\n",
        {},
        {},
        lambda c: _eq(
            find(c, "Deployment")["spec"]["strategy"],
            {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2, "maxUnavailable": 0}},
        ),
    ),
    "labels-annotations": (
        S + "    labels:\n      com.example.team: web\n",
        {},
        {},
        lambda c: _eq(
            find(c, "Deployment")["metadata"]["annotations"], {"com.example.team": "web"}
        ),
    ),
    "host-namespaces": (
        S + "    network_mode: host\n    pid: host\n    ipc: host\n",
        {},
        {},
        lambda c: _eq(
            (pod(c)["hostNetwork"], pod(c)["hostPID"], pod(c)["hostIPC"]), (True, True, True)
        ),
    ),
    "named-volume-shared-pvc": (
        "services:\n  a:\n    image: busybox\n    volumes: [data:/data]\n  b:\n    image: busybox\n    volumes: ['data:/d:ro']\nvolumes:\n  data:\n    labels:\n      kompose.volume.size: 3Gi\n",
        {},
        {},
        lambda c: (
            _eq(len([o for o in c.objects if o["kind"] == "PersistentVolumeClaim"]), 1),
            _eq(
                find(c, "PersistentVolumeClaim")["spec"]["resources"]["requests"]["storage"], "3Gi"
            ),
            _eq(find(c, "PersistentVolumeClaim")["spec"]["accessModes"], ["ReadWriteMany"]),
            _eq(len(c.shared), 1),
        ),
    ),
    "pvc-size-flag": (
        S + "    volumes: [data:/data]\nvolumes:\n  data: {}\n",
        {},
        {"pvc_request_size": "7Gi"},
        lambda c: _eq(
            find(c, "PersistentVolumeClaim")["spec"]["resources"]["requests"]["storage"], "7Gi"
        ),
    ),
    "volumes-emptydir-mode": (
        S + "    volumes: [data:/data]\nvolumes:\n  data: {}\n",
        {},
        {"volumes": "emptyDir"},
        lambda c: _eq(pod(c)["volumes"], [{"name": "data", "emptyDir": {}}]),
    ),
    "bind-file-configmap": (
        S + "    volumes: ['./nginx.conf:/etc/nginx/nginx.conf:ro']\n",
        {"nginx.conf": "events {}\n"},
        {},
        lambda c: (
            _eq(find(c, "ConfigMap", "app-cm0")["data"], {"nginx.conf": "events {}\n"}),
            _eq(
                container(c)["volumeMounts"][0],
                {
                    "name": "app-nginx-conf-0",
                    "mountPath": "/etc/nginx/nginx.conf",
                    "readOnly": True,
                    "subPath": "nginx.conf",
                },
            ),
        ),
    ),
    "tmpfs-memory": (
        S + "    tmpfs: ['/run:size=64m']\n",
        {},
        {},
        lambda c: _eq(
            pod(c)["volumes"][0]["emptyDir"], {"medium": "Memory", "sizeLimit": "67108864"}
        ),
    ),
    "secret-file-mount": (
        S + "    secrets: [token]\nsecrets:\n  token:\n    file: ./token.txt\n",
        {"token.txt": "s3cret"},
        {},
        lambda c: (
            _eq(find(c, "Secret")["data"], {"token": "czNjcmV0"}),
            _eq(container(c)["volumeMounts"][0]["mountPath"], "/run/secrets/token"),
        ),
    ),
    "secret-environment": (
        S + "    secrets: [fromenv]\nsecrets:\n  fromenv:\n    environment: SECRET_ENV\n",
        {},
        {},
        lambda c: _eq(find(c, "Secret")["data"], {"fromenv": "ZnJvbS1lbnY="}),
    ),
    "secret-external": (
        S + "    secrets: [ext]\nsecrets:\n  ext:\n    external: true\n",
        {},
        {},
        lambda c: (
            _eq([o for o in c.objects if o["kind"] == "Secret"], []),
            _eq(pod(c)["volumes"][0]["secret"], {"secretName": "ext"}),
        ),
    ),
    "config-mount": (
        S
        + "    configs:\n      - source: conf\n        target: /etc/app.conf\nconfigs:\n  conf:\n    file: ./app.conf\n",
        {"app.conf": "x=1\n"},
        {},
        lambda c: (
            _eq(find(c, "ConfigMap", "conf")["data"], {"conf": "x=1\n"}),
            _eq(container(c)["volumeMounts"][0]["mountPath"], "/etc/app.conf"),
        ),
    ),
    "depends-on-init": (
        "services:\n  app:\n    image: busybox\n    depends_on: [db]\n  db:\n    image: postgres\n    expose: ['5432']\n",
        {},
        {},
        lambda c: _eq(
            pod(c)["initContainers"][0]["command"][-1],
            "until nc -z db 5432; do echo waiting for db:5432; sleep 2; done",
        ),
    ),
    "no-wait-for-deps": (
        "services:\n  app:\n    image: busybox\n    depends_on: [db]\n  db:\n    image: postgres\n    expose: ['5432']\n",
        {},
        {"wait_for_deps": False},
        lambda c: _eq(
            "initContainers" in find(c, "Deployment", "app")["spec"]["template"]["spec"], False
        ),
    ),
    "network-policies": (
        "services:\n  a:\n    image: busybox\n    networks: [back]\nnetworks:\n  back: {}\n",
        {},
        {"network_policies": True},
        lambda c: _eq(
            find(c, "NetworkPolicy")["spec"]["podSelector"]["matchLabels"],
            {
                k: v
                for k, v in find(c, "Deployment")["spec"]["template"]["metadata"]["labels"].items()
                if k.startswith("io.kompose.network/") and k.endswith("-back")
            },
        ),
    ),
    "hpa-labels": (
        S
        + "    labels:\n      kompose.hpa.cpu: '60'\n      kompose.hpa.replicas.min: '2'\n      kompose.hpa.replicas.max: '5'\n",
        {},
        {},
        lambda c: _eq(
            (
                find(c, "HorizontalPodAutoscaler")["spec"]["minReplicas"],
                find(c, "HorizontalPodAutoscaler")["spec"]["maxReplicas"],
                find(c, "HorizontalPodAutoscaler")["spec"]["metrics"][0]["resource"]["target"][
                    "averageUtilization"
                ],
            ),
            (2, 5, 60),
        ),
    ),
    "namespace": (
        S + "    ports: ['80']\n",
        {},
        {"namespace": "shop", "create_namespace": True},
        lambda c: (
            _eq(
                {o["metadata"].get("namespace") for o in c.objects if o["kind"] != "Namespace"},
                {"shop"},
            ),
            find(c, "Namespace", "shop"),
        ),
    ),
    "untranslated-warning": (
        S + "    cgroup_parent: x\n    deploy:\n      endpoint_mode: vip\n",
        {},
        {},
        lambda c: _eq(sorted(w.key for w in c.warnings), ["cgroup_parent", "deploy.endpoint_mode"]),
    ),
    "dns1123-names": (
        "services:\n  My_App.v2:\n    image: busybox\n    ports: ['80']\n",
        {},
        {},
        lambda c: _eq({o["metadata"]["name"] for o in c.objects}, {"my-app.v2", "my-app-v2"}),
    ),
    "service-group-label": (
        "services:\n  web:\n    image: busybox\n    ports: ['80']\n"
        "    labels: {kompose.service.group: shop}\n  php:\n    image: busybox\n"
        "    ports: ['9000']\n    labels: {kompose.service.group: shop}\n",
        {},
        {"service_group_mode": "label"},
        lambda c: _eq(
            len(find(c, "Deployment", "shop")["spec"]["template"]["spec"]["containers"]), 2
        ),
    ),
    "network-mode-service": (
        "services:\n  vpn:\n    image: busybox\n    ports: ['8080']\n"
        "  app:\n    image: busybox\n    network_mode: service:vpn\n",
        {},
        {},
        lambda c: _eq([x["name"] for x in pod(c)["containers"]], ["vpn", "app"]),
    ),
    "job-keeps-service": (
        S + "    restart: 'no'\n    ports: ['8080']\n",
        {},
        {},
        lambda c: _eq(find(c, "Service", "app")["spec"]["selector"], {"io.kompose.service": "app"}),
    ),
    "headless-no-ports": (
        S + "    labels: {kompose.service.type: headless}\n",
        {},
        {},
        lambda c: _eq(find(c, "Service", "app")["spec"]["clusterIP"], "None"),
    ),
    "network-alias": (
        S + "    ports: ['80']\n    networks:\n      front:\n        aliases: [api]\n"
        "networks:\n  front: {}\n",
        {},
        {},
        lambda c: _eq(find(c, "Service", "api")["spec"]["selector"], {"io.kompose.service": "app"}),
    ),
}


def _eq(actual: Any, expected: Any) -> None:
    assert actual == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_feature_maps_to_field(case: str, tmp_path: Path) -> None:
    text, files, options, check = CASES[case]
    check(convert(tmp_path, text, files, **options))


def test_warnings_carry_file_and_line(tmp_path: Path) -> None:
    conversion = convert(tmp_path, S + "    cgroup_parent: x\n")
    warning = conversion.warnings[0]
    assert (warning.service, warning.key, warning.location.line) == ("app", "cgroup_parent", 4)
    assert str(warning).startswith(f"{tmp_path / 'compose.yaml'}:4:5: service 'app'")


def test_untranslated_table_covers_what_it_claims() -> None:
    from kctl.compose.services import SERVICE_KEYS
    from kctl.convert import TRANSLATED
    from kctl.convert.translate import TOP_LEVEL_TRANSLATED

    assert set(TRANSLATED) <= SERVICE_KEYS
    import inspect

    for key, rules in TRANSLATED.items():  # each key names the functions that translate it
        assert rules, key
        for rule in rules:
            assert rule.__module__.startswith(("kctl.convert.", "kctl.compose.")), (key, rule)
            assert key in inspect.getsource(rule), (key, rule.__qualname__)
    for section, attrs in TOP_LEVEL_TRANSLATED.items():
        for attr, rules in attrs.items():
            for rule in rules:
                assert attr in inspect.getsource(rule), (section, attr, rule.__qualname__)
