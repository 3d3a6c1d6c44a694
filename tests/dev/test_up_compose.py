"""`kctl up` honours the Compose file: published ports, `-p` against declared ports, --build-arg.

Real Podman service, real registry, real `podman kube play`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kctl.dev.local_target import local_manifest
from kctl.dev.source import HostPort
from kctl.errors import InputError
from tests.support.kctl_cli import copy_example, fetch, kctl
from tests.support.services import Podman, Registry, free_port


def compose_with_ports(web: str, api: str) -> str:
    return (
        "name: two-services\n"
        "services:\n"
        "  web:\n"
        "    build: ./web\n"
        f"    ports: [{web}]\n"
        "  api:\n"
        "    build: ./api\n"
        "    labels:\n"
        "      kompose.service.tpye: nodeport\n"  # a typo: said once, with its line
        "    ports:\n"
        f"      - {api}\n"
    )


@pytest.mark.e2e
def test_published_ports_build_args_and_undeclared_port_forwards(
    tmp_path: Path, up_env: dict[str, str], registry: Registry, podman: Podman, busybox_base: str
) -> None:
    app = copy_example("two-services", tmp_path)
    web, api = free_port(), free_port()
    # short syntax with a host IP, long syntax; no `args:` in the file: BASE comes from the flag
    (app / "compose.yaml").write_text(
        compose_with_ports(f'"127.0.0.1:{web}:8080"', f'{{target: 8081, published: "{api}"}}')
    )
    args = ["up", "--once", "--registry", registry.host, "--target", "local"]
    args += ["--build-arg", f"BASE={busybox_base}"]

    bad = kctl([*args, "--port-forward", f"{free_port()}:9999"], up_env, app)
    assert bad.returncode == 2, bad.stderr
    assert "9999" in bad.stderr and "8080" in bad.stderr and "Traceback" not in bad.stderr
    assert "build" not in bad.stderr  # checked before anything is built

    result = kctl(args, up_env, app)
    assert result.returncode == 0, result.stderr
    assert fetch(web) == "<h1>web</h1>\n"
    assert fetch(api) == '{"service": "api"}\n'
    assert f"http://127.0.0.1:{web}" in result.stderr
    # what convert would warn about is said by kctl up too, at the file's line
    assert result.stderr.count("compose.yaml:9") == 1, result.stderr
    assert "did you mean 'kompose.service.type'" in result.stderr
    assert kctl(["down"], up_env, app).returncode == 0


def deployment(name: str, ports: list[int]) -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "template": {
                "metadata": {"labels": {"io.kompose.service": name}},
                "spec": {
                    "containers": [
                        {"name": name, "image": "x", "ports": [{"containerPort": p} for p in ports]}
                    ]
                },
            }
        },
    }


@pytest.mark.unit
def test_compose_published_ports_are_per_service_and_flags_win() -> None:
    documents = [deployment("web", [8080, 8081]), deployment("api", [8080])]
    published = [
        HostPort("web", 8080, 18080),
        HostPort("web", 8081, 18081, "0.0.0.0"),
        HostPort("api", 8080, 19080, "127.0.0.2"),
    ]
    played, endpoints, _ = local_manifest(documents, "shop", [], published)
    web = played[0]["spec"]["template"]["spec"]["containers"][0]["ports"]
    api = played[1]["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert [(p["hostPort"], p["hostIP"]) for p in web] == [
        (18080, "127.0.0.1"),
        (18081, "0.0.0.0"),
    ]
    assert [(p["hostPort"], p["hostIP"]) for p in api] == [(19080, "127.0.0.2")]
    assert endpoints == [
        "http://127.0.0.1:18080",
        "http://127.0.0.1:18081",
        "http://127.0.0.2:19080",
    ]
    # --port-forward LOCAL:CONTAINER wins over the Compose file
    documents = [deployment("web", [8080, 8081]), deployment("api", [8080])]
    played, endpoints, _ = local_manifest(documents, "shop", [(28080, 8080)], published)
    assert endpoints[0] == "http://127.0.0.1:28080"
    documents = [deployment("web", [8080, 8081]), deployment("api", [8080])]
    with pytest.raises(InputError, match=r"9999.*8080, 8081"):
        local_manifest(documents, "shop", [(28080, 9999)], published)
