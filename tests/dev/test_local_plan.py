"""How the local target lays a rendered chart out for Podman (no Podman needed): names and
aliases, per-environment isolation, secrets and configs as private files, Compose start order."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from kctl.compose import LoadOptions, load_project
from kctl.dev.local_plan import RELEASE_LABEL, plan_local, unit_argv
from kctl.dev.services import Dependency, ServiceFacts, Services, facts_of, start_order
from kctl.errors import InputError, OperationError


def workload(name: str, spec: dict[str, Any], labels: dict[str, str] | None = None) -> Any:
    labels = labels or {"io.kompose.service": name}
    return {
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {"template": {"metadata": {"labels": dict(labels)}, "spec": spec}},
    }


def container(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": "x", **extra}


@pytest.mark.unit
def test_every_pod_answers_to_its_service_aliases_and_selecting_services(tmp_path: Path) -> None:
    objects = [
        workload("api", {"containers": [container("api")]}),
        workload("web", {"containers": [container("web")]}),
        {
            "kind": "Service",
            "metadata": {"name": "api-svc"},
            "spec": {"selector": {"io.kompose.service": "api"}},
        },
        {"kind": "Service", "metadata": {"name": "other"}, "spec": {"selector": {"app": "nope"}}},
    ]
    services = Services({"api": ServiceFacts("api", aliases=("backend", "bad name!"))})
    plan = plan_local(objects, "shop", "development", tmp_path, services)
    api = next(u for u in plan.units if u.service == "api")
    assert api.aliases == ("api", "backend", "api-svc")  # invalid DNS names left out
    assert api.pod == "shop-api-pod-0"
    assert plan.network == "kctl-shop"
    assert unit_argv(api, plan.network) == [
        "--network",
        "kctl-shop:alias=api,alias=backend,alias=api-svc",
    ]
    labels = api.objects[0]["spec"]["template"]["metadata"]["labels"]
    assert labels[RELEASE_LABEL] == "shop"


@pytest.mark.unit
def test_environments_get_their_own_pods_network_and_volumes(tmp_path: Path) -> None:
    spec = {
        "containers": [container("web", volumeMounts=[{"name": "d", "mountPath": "/data"}])],
        "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}],
    }
    objects = [workload("web", spec), workload("shop", {"containers": [container("x")]})]
    dev = plan_local(objects, "shop", "development", tmp_path)
    staging = plan_local(objects, "shop", "staging", tmp_path)
    assert [u.pod for u in dev.units] == ["shop-web-pod-0", "shop-pod-0"]
    assert [u.pod for u in staging.units] == ["shop-web-staging-pod-0", "shop-staging-pod-0"]
    assert (dev.network, staging.network) == ("kctl-shop", "kctl-shop-staging")
    assert (dev.volumes, staging.volumes) == (["kctl-shop_data"], ["kctl-shop-staging_data"])
    assert staging.instance == "shop-staging"
    # one workload needs no network of its own
    assert plan_local(objects[:1], "shop", "development", tmp_path).network is None


@pytest.mark.unit
def test_secrets_and_configs_become_files_with_their_modes_and_env_is_inlined(
    tmp_path: Path,
) -> None:
    secret = {
        "kind": "Secret",
        "metadata": {"name": "token"},
        "data": {"token": base64.b64encode(b"s3cret").decode()},
    }
    config = {
        "kind": "ConfigMap",
        "metadata": {"name": "conf"},
        "data": {"conf": "a=1\n", "K": "v"},
    }
    mounts = [
        {"name": "tok", "mountPath": "/run/secrets/token", "subPath": "token", "readOnly": True},
        {"name": "cfg", "mountPath": "/etc/conf.d"},
    ]
    spec = {
        "containers": [
            container(
                "api",
                volumeMounts=mounts,
                envFrom=[{"configMapRef": {"name": "conf"}, "prefix": "C_"}],
                env=[
                    {"name": "C_K", "value": "mine"},  # env wins over envFrom, as in Kubernetes
                    {"name": "T", "valueFrom": {"secretKeyRef": {"name": "token", "key": "token"}}},
                    {
                        "name": "GONE",
                        "valueFrom": {"secretKeyRef": {"name": "no", "key": "k", "optional": True}},
                    },
                ],
            )
        ],
        "volumes": [
            {"name": "tok", "secret": {"secretName": "token"}},
            {
                "name": "cfg",
                "configMap": {
                    "name": "conf",
                    "defaultMode": 0o440,
                    "items": [{"key": "conf", "path": "app.conf", "mode": 0o400}],
                },
            },
        ],
    }
    plan = plan_local([secret, config, workload("api", spec)], "shop", "development", tmp_path)
    files = {f.path.relative_to(tmp_path.resolve()): (f.data, oct(f.mode)) for f in plan.files}
    assert files == {
        Path("shop-api-pod-0/tok/token"): (b"s3cret", "0o444"),
        Path("shop-api-pod-0/cfg/app.conf"): (b"a=1\n", "0o400"),
    }
    played = plan.units[0].objects[0]["spec"]["template"]["spec"]
    assert not any("secret" in v or "configMap" in v for v in played["volumes"])
    paths = {v["hostPath"]["path"]: v["hostPath"]["type"] for v in played["volumes"]}
    assert paths == {
        str(tmp_path.resolve() / "shop-api-pod-0/tok/token"): "File",
        str(tmp_path.resolve() / "shop-api-pod-0/cfg"): "Directory",
    }
    c = played["containers"][0]
    assert all(m["readOnly"] and "subPath" not in m for m in c["volumeMounts"])
    assert "envFrom" not in c
    assert c["env"] == [
        {"name": "C_conf", "value": "a=1\n"},
        {"name": "C_K", "value": "mine"},
        {"name": "T", "value": "s3cret"},
    ]
    # what may be printed (--dry-run, manifest.yaml) never holds the secret's value
    shown = plan.shown()[0]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert shown[2] == {"name": "T", "value": "(from a Secret: not shown)"}
    assert "s3cret" not in repr(plan.shown())


@pytest.mark.unit
def test_a_mount_of_an_undefined_secret_or_an_escaping_path_is_refused(tmp_path: Path) -> None:
    spec = {
        "containers": [container("a")],
        "volumes": [{"name": "s", "secret": {"secretName": "x"}}],
    }
    with pytest.raises(OperationError, match="does not define it"):
        plan_local([workload("a", spec)], "r", "development", tmp_path)
    secret = {"kind": "Secret", "metadata": {"name": "x"}, "data": {"k": ""}}
    spec["volumes"] = [
        {
            "name": "s",
            "secret": {"secretName": "x", "items": [{"key": "k", "path": "../../etc/passwd"}]},
        }
    ]
    with pytest.raises(OperationError, match="leaves its volume"):
        plan_local([secret, workload("a", spec)], "r", "development", tmp_path)


def project(tmp_path: Path, text: str) -> Any:
    (tmp_path / "compose.yaml").write_text(text)
    return load_project(LoadOptions(files=[], project_directory=tmp_path))


@pytest.mark.unit
def test_compose_facts_order_restart_and_healthcheck(tmp_path: Path) -> None:
    loaded = project(
        tmp_path,
        "services:\n"
        "  web:\n    image: x\n    depends_on:\n"
        "      api: {condition: service_healthy}\n"
        "      migrate: {condition: service_completed_successfully}\n"
        "  api:\n    image: x\n    restart: on-failure:3\n"
        "    healthcheck: {test: 'wget -q localhost', interval: 2s, retries: 5, start_period: 10s}\n"
        "  migrate:\n    image: x\n    depends_on: [db]\n"
        "  db:\n    image: x\n    restart: unless-stopped\n"
        "    healthcheck: {test: [CMD, pg_isready], disable: true}\n",
    )
    facts = facts_of(loaded)
    assert start_order(["web", "api", "migrate", "db"], facts) == ["api", "db", "migrate", "web"]
    assert facts.by_name["web"].depends_on == (
        Dependency("api", "service_healthy"),
        Dependency("migrate", "service_completed_successfully"),
    )
    api = facts.by_name["api"]
    assert (api.restart_policy, facts.by_name["db"].restart_policy) == ("OnFailure", "Always")
    assert facts.by_name["web"].restart_policy == "Never"  # Compose's default is `no`
    assert api.healthcheck is not None
    assert api.healthcheck.argv == ("/bin/sh", "-c", "wget -q localhost")
    assert (api.healthcheck.interval, api.healthcheck.retries) == (2.0, 5)
    assert api.healthcheck.start_period == 10.0
    assert facts.by_name["db"].healthcheck is None


@pytest.mark.unit
def test_a_run_once_service_may_finish_a_published_one_may_not(tmp_path: Path) -> None:
    port = {"containerPort": 80, "hostPort": 8080}
    objects = [
        workload("migrate", {"containers": [container("migrate")]}),
        workload("web", {"containers": [container("web", ports=[port])]}),
        workload("worker", {"containers": [container("worker")]}),
    ]
    facts = Services(
        {
            "migrate": ServiceFacts("migrate"),
            "web": ServiceFacts("web"),
            "worker": ServiceFacts("worker", restart="always"),
        }
    )
    plan = plan_local(objects, "shop", "development", tmp_path, facts)
    assert plan.run_once == ["migrate"]
    assert [u.restart for u in plan.units] == ["Never", "Never", "Always"]


@pytest.mark.unit
def test_an_unknown_restart_policy_is_bad_input_at_its_line(tmp_path: Path) -> None:
    loaded = project(tmp_path, "services:\n  a:\n    image: x\n    restart: sometimes\n")
    with pytest.raises(InputError, match="sometimes") as caught:
        facts_of(loaded)
    assert caught.value.location is not None and caught.value.location.line == 4


@pytest.mark.unit
def test_a_crash_loop_excerpt_is_one_run_not_every_restart() -> None:
    from kctl.dev.pods import last_run

    runs = ["out-1", "err-2", "out-3", "out-1", "out-3", "err-2", "out-1", "err-2", "out-3"]
    assert last_run(runs) == ["out-1", "err-2", "out-3"]
    assert last_run(["starting", "listening", "boom"]) is None  # no repetition: all of it
