"""Issue 24, part 1: every service on a network answers by its Compose name (and aliases).

In Compose every service resolves by its name on every port. Here each such name gets a
Service that selects the service's pod: ClusterIP with the declared ports, else headless
without ports (which resolves to the pod IPs: EndpointSlice controller and CoreDNS, see
docs/kompose.md). A name another service reaches that still has no Service is reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.convert.test_trust import convert, objects, selects

pytestmark = pytest.mark.unit


def services_by_name(conversion: Any) -> dict[str, dict[str, Any]]:
    return {s["metadata"]["name"]: s for s in objects(conversion, "Service")}


def workload_of(conversion: Any, service: str) -> dict[str, Any]:
    kinds = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
    return next(
        o
        for o in conversion.objects
        if o["kind"] in kinds and o["metadata"]["labels"]["io.kompose.service"] == service
    )


WEB_DB_CACHE_QUEUE = """
services:
  web:
    image: example/web:1
    ports: ["8000:8000"]
    environment:
      DATABASE_URL: postgres://db:5432/app
      REDIS_URL: redis://cache:6379/0
      AMQP_URL: amqp://guest:guest@queue:5672/
  db:
    image: postgres:16
  cache:
    image: redis:7
  queue:
    image: rabbitmq:3
"""


def test_every_name_web_reaches_has_a_service_selecting_its_pod(tmp_path: Path) -> None:
    c = convert(tmp_path, WEB_DB_CACHE_QUEUE)
    by_name = services_by_name(c)
    for name in ("db", "cache", "queue"):
        assert name in by_name, f"{name} has no Service: it would not resolve"
        svc = by_name[name]
        assert svc["spec"].get("clusterIP") == "None"  # headless: resolves to the pod IPs
        assert "ports" not in svc["spec"]  # no port guessed
        assert selects(svc, workload_of(c, name))
        others = {"web", "db", "cache", "queue"} - {name}
        assert not any(selects(svc, workload_of(c, other)) for other in others)
    assert by_name["web"]["spec"]["ports"][0]["port"] == 8000
    assert "clusterIP" not in by_name["web"]["spec"]
    assert not [w for w in c.warnings if "no Service" in w.message]


def test_aliases_of_a_portless_service_resolve_too(tmp_path: Path) -> None:
    c = convert(
        tmp_path,
        """
services:
  db:
    image: postgres:16
    networks:
      back:
        aliases: [database, pg]
networks:
  back: {}
""",
    )
    by_name = services_by_name(c)
    for name in ("db", "database", "pg"):
        assert by_name[name]["spec"]["clusterIP"] == "None"
        assert selects(by_name[name], workload_of(c, "db"))


@pytest.mark.parametrize("mode", ["host", "none"])
def test_services_off_the_network_get_no_service_and_reaching_them_is_reported(
    tmp_path: Path, mode: str
) -> None:
    c = convert(
        tmp_path,
        f"""
services:
  web:
    image: example/web:1
    environment:
      METRICS: http://agent:9100/metrics
    command: ["serve", "--db", "db:5432"]
  agent:
    image: example/agent:1
    network_mode: {mode}
  db:
    image: postgres:16
""",
    )
    by_name = services_by_name(c)
    assert "agent" not in by_name and "db" in by_name
    reported = [w for w in c.warnings if w.service == "web" and "'agent'" in w.message]
    assert len(reported) == 1, [w.message for w in c.warnings]
    assert reported[0].location.line == 6  # the METRICS line
