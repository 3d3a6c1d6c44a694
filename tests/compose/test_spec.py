"""The typed service model (kctl/compose/spec.py): built once from the loaded project, with
durations in seconds and sizes in bytes, so the converter never parses a Compose value again."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.compose import LoadOptions, Project, load_project

COMPOSE = """\
services:
  web:
    image: nginx
    healthcheck:
      test: curl -f http://localhost
      interval: 1m30s
      timeout: 500ms
      retries: 4
    stop_grace_period: 1m
    mem_limit: 512m
    tmpfs: ["/cache:size=64m", /run]
    deploy:
      replicas: 3
      resources:
        limits: {cpus: "0.5", memory: 1g}
      restart_policy: {condition: on-failure, max_attempts: 2}
      update_config: {parallelism: 2, order: start-first, delay: 10s}
      placement: {constraints: ["node.role == worker"]}
    depends_on: [db]
    networks:
      front: {aliases: [www]}
    secrets:
      - source: token
        mode: "0440"
  db:
    image: postgres
secrets:
  token: {file: ./token.txt}
volumes:
  data:
    driver_opts: {type: nfs, o: "addr=10.0.0.1,ro", device: ":/export"}
networks:
  front: {}
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "token.txt").write_text("s3cret")
    compose = tmp_path / "compose.yaml"
    compose.write_text(COMPOSE)
    return load_project(LoadOptions(files=[str(compose)], environ={}))


def test_durations_are_seconds_and_sizes_bytes(project: Project) -> None:
    spec = project.services["web"].spec
    assert spec.healthcheck is not None
    assert spec.healthcheck.test == ("CMD-SHELL", "curl -f http://localhost")
    assert (spec.healthcheck.interval, spec.healthcheck.timeout) == (90.0, 0.5)
    assert spec.healthcheck.retries == 4
    assert spec.stop_grace_period == 60.0
    assert spec.mem_limit == 512 * 1024**2
    assert spec.deploy.resources.limits.memory == 1024**3
    assert spec.deploy.resources.limits.cpus == 0.5
    assert [(t.path, t.size) for t in spec.tmpfs] == [("/cache", 64 * 1024**2), ("/run", None)]
    assert spec.secrets[0].mode == 0o440


def test_deploy_and_links_are_typed(project: Project) -> None:
    web, db = project.services["web"].spec, project.services["db"].spec
    assert web.deploy.replicas == 3
    assert web.deploy.restart_policy is not None
    assert web.deploy.restart_policy.max_attempts == 2
    assert web.deploy.update_config is not None
    assert web.deploy.update_config.keys == ("parallelism", "order", "delay")
    assert web.deploy.placement.constraints == ("node.role == worker",)
    assert web.depends_on["db"].condition == "service_started"
    assert web.networks["front"].aliases == ("www",)
    assert db.healthcheck is None and db.deploy.keys == ()
    nfs = project.volume_specs["data"]
    assert (nfs.mount_type, nfs.device, nfs.mount_options) == (
        "nfs",
        ":/export",
        {"addr": "10.0.0.1", "ro": ""},
    )
    assert project.secret_specs["token"].file is not None


def test_built_once_and_frozen(project: Project) -> None:
    service = project.services["web"]
    assert service.spec is service.spec
    with pytest.raises(AttributeError, match="immutable"):
        service.spec.deploy.replicas = 1  # type: ignore[misc]
