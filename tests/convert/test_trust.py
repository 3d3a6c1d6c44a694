"""Issue 18's defects: each Compose setting or kompose.* label means what it says, is reported
with file:line, or is refused with exit 2 — never dropped, inverted or crashed on.

Every test asserts the meaning (the claim exists and is mounted, the Service selects the pod,
the probe is absent), not only that some bytes appear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kctl.cli.main import main
from kctl.compose import LoadOptions, load_project
from kctl.convert import ConvertOptions, convert_project
from kctl.errors import InputError
from kctl.kube import validate

pytestmark = pytest.mark.unit


def convert(tmp_path: Path, text: str, **options: Any) -> Any:
    (tmp_path / "compose.yaml").write_text(text)
    project = load_project(LoadOptions(files=[str(tmp_path / "compose.yaml")]))
    conversion = convert_project(project, ConvertOptions(**options))
    for obj in conversion.objects:
        validate(obj)
    return conversion


def objects(conversion: Any, kind: str) -> list[dict[str, Any]]:
    return [o for o in conversion.objects if o["kind"] == kind]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"])


def pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["metadata"]["labels"])


def selects(service: dict[str, Any], workload: dict[str, Any]) -> bool:
    """The Service's selector matches the workload's pods."""
    wanted = service["spec"]["selector"].items()
    return all(pod_labels(workload).get(k) == v for k, v in wanted)


def mounted_claims(workload: dict[str, Any]) -> dict[str, str]:
    """{mountPath: claimName} of the claims the first container really mounts."""
    spec = pod_spec(workload)
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    out = {}
    for mount in spec["containers"][0].get("volumeMounts", []):
        claim = volumes[mount["name"]].get("persistentVolumeClaim")
        if claim:
            out[mount["mountPath"]] = claim["claimName"]
    return out


def refused(tmp_path: Path, text: str, line: int) -> str:
    (tmp_path / "compose.yaml").write_text(text)
    with pytest.raises(InputError) as info:
        convert(tmp_path, text)
    assert info.value.location is not None
    assert info.value.location.line == line, str(info.value)
    return str(info.value)


# data loss ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["persistentVolumeClaim", "pvc"])
def test_volume_type_pvc_label_mounts_a_claim(tmp_path: Path, value: str) -> None:
    c = convert(
        tmp_path,
        "services:\n  db:\n    image: postgres\n    volumes: [data:/var/lib/postgresql]\n"
        f"    labels:\n      kompose.volume.type: {value}\nvolumes:\n  data: {{}}\n",
    )
    (claim,) = objects(c, "PersistentVolumeClaim")
    (workload,) = objects(c, "Deployment")
    assert mounted_claims(workload) == {"/var/lib/postgresql": claim["metadata"]["name"]}


def test_unknown_volume_type_is_refused(tmp_path: Path) -> None:
    message = refused(
        tmp_path,
        "services:\n  db:\n    image: x\n    volumes: [data:/d]\n    labels:\n"
        "      kompose.volume.type: persistent\nvolumes:\n  data: {}\n",
        6,
    )
    assert "persistentVolumeClaim" in message


def test_external_volume_mounts_the_named_claim(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  db:\n    image: x\n    volumes: [ext:/d]\n"
        "volumes:\n  ext:\n    external: true\n    name: legacy-claim\n",
    )
    assert objects(c, "PersistentVolumeClaim") == []
    assert mounted_claims(objects(c, "Deployment")[0]) == {"/d": "legacy-claim"}


def test_volume_selector_label_selects_volumes(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  db:\n    image: x\n    volumes: [data:/d]\n"
        "volumes:\n  data:\n    labels:\n      kompose.volume.selector: fast\n",
    )
    (claim,) = objects(c, "PersistentVolumeClaim")
    assert claim["spec"]["selector"] == {"matchLabels": {"io.kompose.service": "fast"}}


def test_volume_subpath_label(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  db:\n    image: x\n    volumes: [data:/d]\n    labels:\n"
        "      kompose.volume.subpath: pgdata\nvolumes:\n  data: {}\n",
    )
    mount = pod_spec(objects(c, "Deployment")[0])["containers"][0]["volumeMounts"][0]
    assert mount["subPath"] == "pgdata"


# unreachable services ---------------------------------------------------------------------------
@pytest.mark.parametrize("restart", ['"no"', "on-failure"])
def test_job_with_ports_keeps_a_service_that_selects_it(tmp_path: Path, restart: str) -> None:
    c = convert(
        tmp_path,
        f"services:\n  seed:\n    image: x\n    restart: {restart}\n    ports: ['8080']\n"
        "  app:\n    image: y\n    depends_on: [seed]\n",
    )
    (job,) = objects(c, "Job")
    service = next(s for s in objects(c, "Service") if s["metadata"]["name"] == "seed")
    assert selects(service, job)
    init = pod_spec(objects(c, "Deployment")[0])["initContainers"][0]
    assert "nc -z seed 8080" in init["command"][-1]


def test_headless_without_ports_still_gives_a_service(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  peer:\n    image: x\n    labels:\n      kompose.service.type: headless\n",
    )
    (service,) = objects(c, "Service")
    assert service["spec"]["clusterIP"] == "None"
    assert selects(service, objects(c, "Deployment")[0])


def test_udp_only_dependency_gets_no_tcp_wait_and_a_warning(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  dns:\n    image: x\n    ports: ['53:53/udp']\n"
        "  app:\n    image: y\n    depends_on: [dns]\n",
    )
    app = next(o for o in objects(c, "Deployment") if o["metadata"]["name"] == "app")
    assert "initContainers" not in pod_spec(app)
    (warning,) = [w for w in c.warnings if w.key == "depends_on"]
    assert "no TCP port" in warning.message and warning.location.line == 7


# unschedulable or broken pods -------------------------------------------------------------------
def test_manager_constraint_targets_control_plane_nodes(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    deploy:\n      placement:\n"
        "        constraints: [node.role == manager, node.labels.disk == ssd]\n",
    )
    spec = pod_spec(objects(c, "Deployment")[0])
    assert spec["nodeSelector"] == {"disk": "ssd"}  # no made-up node-role label
    terms = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}
    ]
    assert spec["tolerations"][0]["key"] == "node-role.kubernetes.io/control-plane"


def test_worker_constraint_avoids_control_plane_and_unknown_keys_are_reported(
    tmp_path: Path,
) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    deploy:\n      placement:\n"
        "        constraints: [node.role == worker, node.id == abc]\n",
    )
    spec = pod_spec(objects(c, "Deployment")[0])
    expressions = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert expressions["nodeSelectorTerms"][0]["matchExpressions"][0]["operator"] == "DoesNotExist"
    assert "nodeSelector" not in spec and "tolerations" not in spec
    assert any("node.id" in w.message for w in c.warnings)


def test_dns_keeps_cluster_dns(tmp_path: Path) -> None:
    c = convert(tmp_path, "services:\n  app:\n    image: x\n    dns: [1.1.1.1]\n")
    spec = pod_spec(objects(c, "Deployment")[0])
    assert spec.get("dnsPolicy", "ClusterFirst") == "ClusterFirst"
    assert spec["dnsConfig"]["nameservers"] == ["1.1.1.1"]


# inverted or invented values --------------------------------------------------------------------
def test_readiness_disable_removes_every_readiness_probe(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    healthcheck:\n      test: [CMD, /bin/check]\n"
        "    labels:\n      kompose.service.healthcheck.readiness.disable: 'true'\n",
    )
    container = pod_spec(objects(c, "Deployment")[0])["containers"][0]
    assert "readinessProbe" not in container
    assert container["livenessProbe"]["exec"]["command"] == ["/bin/check"]


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("kompose.service.expose.tls-secret", "Not A Name"),
        ("kompose.image-pull-policy", "sometimes"),
        ("kompose.service.external-traffic-policy", "global"),
        ("kompose.cronjob.concurrency_policy", "never"),
        ("kompose.hpa.cpu", "eighty"),
        ("kompose.hpa.replicas.max", "1.5"),
        ("kompose.security-context.fsgroup", "staff"),
        ("kompose.cronjob.backoff_limit", "-1"),
        ("kompose.service.nodeport.port", "99999"),
        ("kompose.service.healthcheck.readiness.disable", "maybe"),
        ("kompose.controller.type", "pod"),
    ],
)
def test_bad_label_values_are_refused_at_their_line(tmp_path: Path, label: str, value: str) -> None:
    message = refused(
        tmp_path,
        f"services:\n  app:\n    image: x\n    ports: ['80']\n    labels:\n      {label}: '{value}'\n",
        6,
    )
    assert label in message and value in message


def test_bad_label_value_exits_2_through_the_cli(tmp_path: Path, capsys: Any) -> None:
    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  app:\n    image: x\n    labels:\n      kompose.hpa.cpu: lots\n")
    assert main(["convert", "-f", str(src)]) == 2
    err = capsys.readouterr().err
    assert f"{src}:5" in err and "internal error" not in err


def test_canonical_spellings_are_written(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    ports: ['80:80']\n    labels:\n"
        "      kompose.service.type: NodePort\n"
        "      kompose.service.external-traffic-policy: local\n"
        "      kompose.image-pull-policy: always\n",
    )
    (service,) = objects(c, "Service")
    assert service["spec"]["externalTrafficPolicy"] == "Local"
    container = pod_spec(objects(c, "Deployment")[0])["containers"][0]
    assert container["imagePullPolicy"] == "Always"


def test_unknown_kompose_label_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    labels:\n      kompose.service.tpye: nodeport\n",
    )
    (warning,) = c.warnings
    assert warning.location.line == 5
    assert "did you mean 'kompose.service.type'" in warning.message


# crashes ----------------------------------------------------------------------------------------
def test_hpa_memory_quantity_is_an_average_value_target(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    labels:\n      kompose.hpa.memory: 512Mi\n"
        "      kompose.hpa.cpu: '50'\n      kompose.hpa.replicas.max: '5'\n",
    )
    (hpa,) = objects(c, "HorizontalPodAutoscaler")
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in hpa["spec"]["metrics"]}
    assert targets == {
        "cpu": {"type": "Utilization", "averageUtilization": 50},
        "memory": {"type": "AverageValue", "averageValue": "512Mi"},
    }
    assert hpa["spec"]["maxReplicas"] == 5


def test_hpa_max_below_min_is_refused(tmp_path: Path) -> None:
    refused(
        tmp_path,
        "services:\n  app:\n    image: x\n    labels:\n      kompose.hpa.replicas.min: '4'\n"
        "      kompose.hpa.replicas.max: '2'\n",
        6,
    )


def test_kube_version_latest_is_an_input_error(tmp_path: Path, capsys: Any) -> None:
    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  app:\n    image: x\n")
    assert main(["convert", "-f", str(src), "--kube-version", "latest"]) == 2
    err = capsys.readouterr().err
    assert "--kube-version" in err and "internal error" not in err


# silent drops -----------------------------------------------------------------------------------
def test_restart_on_failure_retry_count_is_the_backoff_limit(tmp_path: Path) -> None:
    c = convert(tmp_path, "services:\n  task:\n    image: x\n    restart: on-failure:4\n")
    (job,) = objects(c, "Job")
    assert job["spec"]["backoffLimit"] == 4
    assert pod_spec(job)["restartPolicy"] == "OnFailure"


def test_deploy_restart_policy_makes_a_job(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  task:\n    image: x\n    deploy:\n      restart_policy:\n"
        "        condition: on-failure\n        max_attempts: 2\n",
    )
    (job,) = objects(c, "Job")
    assert job["spec"]["backoffLimit"] == 2


def test_replicated_job_runs_replicas_completions(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  task:\n    image: x\n    deploy:\n      mode: replicated-job\n"
        "      replicas: 3\n",
    )
    (job,) = objects(c, "Job")
    assert (job["spec"]["completions"], job["spec"]["parallelism"]) == (3, 3)


def test_global_job_is_a_job_with_a_warning(tmp_path: Path) -> None:
    c = convert(tmp_path, "services:\n  task:\n    image: x\n    deploy:\n      mode: global-job\n")
    assert objects(c, "DaemonSet") == [] and len(objects(c, "Job")) == 1
    assert any(w.key == "deploy.mode" for w in c.warnings)


def test_gpu_reservations_become_device_plugin_limits(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  ml:\n    image: x\n    deploy:\n      resources:\n        reservations:\n"
        "          devices:\n            - driver: nvidia\n              count: 2\n"
        "              capabilities: [gpu]\n",
    )
    container = pod_spec(objects(c, "Deployment")[0])["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 2


def test_ephemeral_storage_labels(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    deploy:\n      labels:\n"
        "        kompose.ephemeral-storage.limit: 2Gi\n"
        "        kompose.ephemeral-storage.request: 1Gi\n",
    )
    resources = pod_spec(objects(c, "Deployment")[0])["containers"][0]["resources"]
    assert resources["limits"]["ephemeral-storage"] == "2Gi"
    assert resources["requests"]["ephemeral-storage"] == "1Gi"


def test_controller_port_expose_sets_host_ports(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    ports: ['8080:80']\n    labels:\n"
        "      kompose.controller.port.expose: 'true'\n",
    )
    port = pod_spec(objects(c, "Deployment")[0])["containers"][0]["ports"][0]
    assert (port["containerPort"], port["hostPort"]) == (80, 8080)


# collisions and names ---------------------------------------------------------------------------
def test_services_that_collide_in_kubernetes_are_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, "services:\n  web_1:\n    image: x\n  web-1:\n    image: y\n", 4)
    assert "'web_1' and 'web-1'" in message


def test_name_override_renames_objects_and_selectors(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  web:\n    image: x\n    ports: ['80']\n    labels:\n"
        "      kompose.service.name_override: frontend\n",
    )
    (service,) = objects(c, "Service")
    (workload,) = objects(c, "Deployment")
    assert service["metadata"]["name"] == workload["metadata"]["name"] == "frontend"
    assert selects(service, workload)


# more silent drops ------------------------------------------------------------------------------
def test_deploy_labels_label_the_workload(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    deploy:\n      labels:\n        team: web\n"
        "        note: two words\n",
    )
    (workload,) = objects(c, "Deployment")
    assert workload["metadata"]["labels"]["team"] == "web"
    assert workload["metadata"]["annotations"]["note"] == "two words"
    assert [w.key for w in c.warnings] == ["deploy.labels.note"]


def test_network_aliases_resolve_to_the_pods(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    ports: ['80']\n    networks:\n"
        "      front:\n        aliases: [api]\n        ipv4_address: 10.0.0.5\n"
        "networks:\n  front: {}\n",
    )
    services = {s["metadata"]["name"]: s for s in objects(c, "Service")}
    assert set(services) == {"app", "api"}
    assert selects(services["api"], objects(c, "Deployment")[0])
    assert [w.key for w in c.warnings] == ["networks.front.ipv4_address"]


def test_nfs_driver_opts_mount_the_nfs_export(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    volumes: [shared:/data]\nvolumes:\n  shared:\n"
        "    driver_opts: {type: nfs, o: 'addr=10.1.1.1,ro', device: ':/exports/data'}\n",
    )
    assert objects(c, "PersistentVolumeClaim") == []
    volume = pod_spec(objects(c, "Deployment")[0])["volumes"][0]
    assert volume["nfs"] == {"server": "10.1.1.1", "path": "/exports/data", "readOnly": True}


def test_other_driver_opts_are_reported(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    volumes: [vol:/data]\nvolumes:\n  vol:\n"
        "    driver_opts: {type: tmpfs, device: tmpfs}\n",
    )
    assert len(objects(c, "PersistentVolumeClaim")) == 1
    assert any("driver_opts" in w.message and w.location.line == 4 for w in c.warnings)


def test_secret_owner_and_start_interval_are_reported(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("x")
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    secrets: [{source: s, uid: '1000'}]\n"
        "    healthcheck: {test: [CMD, /c], start_interval: 2s}\n"
        "secrets:\n  s: {file: ./s.txt}\n",
    )
    assert {w.key for w in c.warnings} == {"secrets", "healthcheck.start_interval"}


def test_deployment_with_a_single_writer_claim_is_recreated(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  db:\n    image: x\n    volumes: [data:/d]\nvolumes:\n  data: {}\n",
    )
    (claim,) = objects(c, "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert objects(c, "Deployment")[0]["spec"]["strategy"] == {"type": "Recreate"}


# services that share a pod ----------------------------------------------------------------------
def _containers(workload: dict[str, Any]) -> list[str]:
    return [c["name"] for c in pod_spec(workload)["containers"]]


def test_service_group_label_merges_services_into_one_pod(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  web:\n    image: nginx\n    ports: ['80']\n    volumes: [data:/d]\n"
        "    labels: {kompose.service.group: shop}\n"
        "  php:\n    image: php\n    ports: ['9000']\n    volumes: [data:/d]\n"
        "    labels: {kompose.service.group: shop}\n"
        "  db:\n    image: postgres\nvolumes:\n  data: {}\n",
        service_group_mode="label",
    )
    shop = next(o for o in objects(c, "Deployment") if o["metadata"]["name"] == "shop")
    assert _containers(shop) == ["web", "php"]
    assert len(pod_spec(shop)["volumes"]) == 1  # the shared claim once
    services = {s["metadata"]["name"]: s for s in objects(c, "Service")}
    assert selects(services["web"], shop) and selects(services["php"], shop)
    assert {o["metadata"]["name"] for o in objects(c, "Deployment")} == {"shop", "db"}


def test_service_group_label_without_the_mode_is_reported(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  web:\n    image: x\n    labels: {kompose.service.group: g}\n",
    )
    assert len(objects(c, "Deployment")) == 1
    assert [w.key for w in c.warnings] == ["labels.kompose.service.group"]


def test_volume_group_mode_and_name(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  a:\n    image: x\n    volumes: [vol:/d]\n  b:\n    image: y\n"
        "    volumes: [vol:/d]\nvolumes:\n  vol: {}\n",
        service_group_mode="volume",
        service_group_name="pair",
    )
    (workload,) = objects(c, "Deployment")
    assert workload["metadata"]["name"] == "pair" and _containers(workload) == ["a", "b"]


def test_network_mode_service_joins_that_pod(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  vpn:\n    image: vpn\n    ports: ['8080']\n"
        "  app:\n    image: app\n    network_mode: service:vpn\n",
    )
    (workload,) = objects(c, "Deployment")
    assert _containers(workload) == ["vpn", "app"]
    (service,) = objects(c, "Service")
    assert selects(service, workload)
    assert c.warnings == []


def test_grouped_services_listening_on_one_port_are_refused(tmp_path: Path) -> None:
    message = refused(
        tmp_path,
        "services:\n  a:\n    image: x\n    ports: ['80']\n"
        "  b:\n    image: y\n    network_mode: service:a\n    ports: ['80']\n",
        8,
    )
    assert "80/TCP" in message


def test_grouped_services_with_different_replicas_are_refused(tmp_path: Path) -> None:
    refused(
        tmp_path,
        "services:\n  a:\n    image: x\n    scale: 2\n  b:\n    image: y\n"
        "    network_mode: service:a\n",
        5,
    )


def test_data_bind_mount_becomes_one_shared_claim(tmp_path: Path) -> None:
    """A bind-mounted data folder persists (a claim, as Kompose), shared by its users."""
    c = convert(
        tmp_path,
        "services:\n  a:\n    image: x\n    volumes: [./missing:/data]\n"
        "  b:\n    image: y\n    volumes: ['./missing:/data:ro']\n",
    )
    (claim,) = objects(c, "PersistentVolumeClaim")
    assert claim["metadata"]["name"] == "a-claim0"
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for workload in objects(c, "Deployment"):
        assert mounted_claims(workload) == {"/data": "a-claim0"}
    assert all("starts empty" in w.message for w in c.warnings)


def test_container_name_names_the_container(tmp_path: Path) -> None:
    c = convert(tmp_path, "services:\n  minio:\n    image: x\n    container_name: ragflow-minio\n")
    assert pod_spec(objects(c, "Deployment")[0])["containers"][0]["name"] == "ragflow-minio"
    assert c.warnings == []


def test_group_members_with_their_own_hostnames_keep_the_first_with_a_warning(
    tmp_path: Path,
) -> None:
    c = convert(
        tmp_path,
        "services:\n  a:\n    image: x\n    hostname: a\n"
        "  b:\n    image: y\n    hostname: b\n    network_mode: service:a\n",
    )
    (workload,) = objects(c, "Deployment")
    assert pod_spec(workload)["hostname"] == "a"
    (warning,) = c.warnings
    assert (warning.service, warning.key, warning.location.line) == ("b", "hostname", 7)


def test_small_binary_file_is_mounted_from_binary_data(tmp_path: Path) -> None:
    blob = bytes(range(256))
    (tmp_path / "configs.tar").write_bytes(blob)
    c = convert(tmp_path, "services:\n  db:\n    image: x\n    volumes: [./configs.tar:/c.tar]\n")
    (config_map,) = objects(c, "ConfigMap")
    import base64

    assert base64.b64decode(config_map["binaryData"]["configs.tar"]) == blob
    spec = pod_spec(objects(c, "Deployment")[0])
    mount = spec["containers"][0]["volumeMounts"][0]
    assert mount["subPath"] == "configs.tar"
    assert spec["volumes"][0]["configMap"]["name"] == config_map["metadata"]["name"] == "db-cm0"


def test_extends_is_merged_not_reported(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        "services:\n  base:\n    image: x\n    ports: ['80']\n  a:\n    extends: base\n",
    )
    assert c.warnings == []
    assert len(objects(c, "Deployment")) == 2


def test_top_level_attributes_are_translated_or_reported(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("x")
    c = convert(
        tmp_path,
        "services:\n  a:\n    image: x\n    networks: [front]\n    volumes: [vol:/d]\n"
        "networks:\n  front:\n    driver: overlay\n    internal: true\n"
        "  back:\n    driver: bridge\n"
        "volumes:\n  vol:\n    labels: {team: web, note: two words}\n"
        "secrets:\n  s:\n    file: ./s.txt\n    labels: {a: b}\n",
    )
    reported = {(w.key, w.location.line) for w in c.warnings}
    assert reported == {
        ("networks.front.driver", 8),
        ("networks.front.internal", 9),
        ("secrets.s.labels", 18),
    }
    (claim,) = objects(c, "PersistentVolumeClaim")
    assert claim["metadata"]["labels"]["team"] == "web"
    assert claim["metadata"]["annotations"] == {"note": "two words"}


def test_kompose_compose_file_form_converts_every_file_with_a_warning(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script written for Kompose (COMPOSE_FILE="a.yaml b.yaml") keeps working: both files'
    services are converted and the Service selects its pod; the warning names the portable form,
    and --strict refuses it with exit 3 and writes nothing."""
    (tmp_path / "a.yaml").write_text("services:\n  web:\n    image: nginx\n    ports: ['80:80']\n")
    (tmp_path / "b.yaml").write_text("services:\n  worker:\n    image: busybox\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPOSE_FILE", "a.yaml b.yaml")
    assert main(["convert", "-o", "out"]) == 0
    assert "COMPOSE_FILE: files separated by spaces" in capsys.readouterr().err
    project = load_project(LoadOptions(environ={"COMPOSE_FILE": "a.yaml b.yaml"}))
    conversion = convert_project(project, ConvertOptions())
    services = {o["metadata"]["name"]: o for o in objects(conversion, "Service")}
    workloads = {o["metadata"]["name"]: o for o in objects(conversion, "Deployment")}
    assert sorted(workloads) == ["web", "worker"] and selects(services["web"], workloads["web"])
    assert selects(services["worker"], workloads["worker"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "web-deployment.yaml",
        "web-service.yaml",
        "worker-deployment.yaml",
        "worker-service.yaml",
    ]
    assert main(["convert", "--strict", "-o", "strict-out"]) == 3
    assert not (tmp_path / "strict-out").exists()


def test_a_label_without_a_value_is_empty_not_the_text_none(tmp_path: Path) -> None:
    """`labels: {k: }` is the empty value to docker compose; it was written as "None"."""
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    labels:\n      com.x.a:\n"
        "    deploy:\n      labels:\n        tier:\n",
    )
    (deployment,) = objects(c, "Deployment")
    assert deployment["metadata"]["annotations"]["com.x.a"] == ""
    assert deployment["metadata"]["labels"]["tier"] == ""


def test_two_mounts_at_one_path_keep_the_later_as_docker_compose_does(tmp_path: Path) -> None:
    """docker compose keeps the later of two mounts at one target; kctl mounts that claim only
    (two volumeMounts at one path is a pod the API server refuses) and says so at the line."""
    c = convert(
        tmp_path,
        "services:\n  app:\n    image: x\n    volumes:\n      - data:/data\n      - logs:/data\n"
        "volumes:\n  data: {}\n  logs: {}\n",
    )
    (deployment,) = objects(c, "Deployment")
    assert mounted_claims(deployment) == {"/data": "logs"}
    (warning,) = c.warnings
    assert warning.location.line == 4 and "/data twice" in warning.message


def test_a_statefulset_without_ports_gets_a_headless_service_without_a_placeholder_port(
    tmp_path: Path,
) -> None:
    """The governing Service is for DNS: no port that nothing serves (Kompose lists 55555)."""
    c = convert(
        tmp_path,
        "services:\n  db:\n    image: x\n    labels:\n      kompose.controller.type: statefulset\n",
    )
    (service,) = objects(c, "Service")
    (statefulset,) = objects(c, "StatefulSet")
    assert service["spec"]["clusterIP"] == "None" and "ports" not in service["spec"]
    assert statefulset["spec"]["serviceName"] == service["metadata"]["name"]
    assert selects(service, statefulset)
