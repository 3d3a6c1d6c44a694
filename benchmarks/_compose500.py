"""Generated 500-service Compose projects for benchmarks, in three shapes:

- bench:   interpolation, env_files, extends from another file (the original bench file;
           docker-compose is slow on its extends, which flatters kctl)
- plain:   image, environment, ports, volumes, healthcheck, resources, labels; no extends
- extends: a chain of extends in one file and little else
"""

from __future__ import annotations

from pathlib import Path

SERVICES = 500


def make_project(root: Path, services: int = SERVICES) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / ".env").write_text("REGISTRY=registry.example.test\nTAG=1.2.3\nLOG_LEVEL=info\n")
    (root / "common.env").write_text("COMMON_A=1\nCOMMON_B=two\n")
    (root / "base.yaml").write_text(
        'services:\n  base:\n    environment:\n      BASE: "yes"\n    labels:\n'
        '      com.example.base: "true"\n    restart: always\n'
    )
    lines = ["name: bench", "services:"]
    for i in range(services):
        lines += [
            f"  svc{i}:",
            "    extends:",
            "      file: base.yaml",
            "      service: base",
            f"    image: ${{REGISTRY}}/svc{i}:${{TAG:-latest}}",
            "    env_file: common.env",
            "    environment:",
            f'      INDEX: "{i}"',
            "      LOG_LEVEL: ${LOG_LEVEL:-debug}",
            f"      URL: http://svc{(i + 1) % services}:8080/",
            "    ports:",
            f'      - "{10000 + i}:8080"',
            "    volumes:",
            f"      - data{i % 50}:/data",
            "    healthcheck:",
            '      test: ["CMD", "true"]',
            "      interval: 30s",
            "    deploy:",
            "      resources:",
            "        limits:",
            "          memory: 256M",
            '          cpus: "0.5"',
        ]
        if i + 1 < services:
            lines += ["    depends_on:", f"      - svc{i + 1}"]
    lines.append("volumes:")
    lines += [f"  data{i}: {{}}" for i in range(50)]
    path = root / "compose.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def make_plain_project(root: Path, services: int = SERVICES) -> Path:
    """Services as people write them without extends (each key in its plainest form)."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["name: plain", "services:"]
    for i in range(services):
        lines += [
            f"  svc{i}:",
            f"    image: registry.example.test/team/svc{i}:1.{i}.0",
            "    environment:",
            f'      INDEX: "{i}"',
            "      LOG_LEVEL: info",
            f"      UPSTREAM: http://svc{(i + 1) % services}:8080/",
            "    ports:",
            f'      - "{10000 + i}:8080"',
            "    volumes:",
            f"      - data{i % 50}:/data",
            "    healthcheck:",
            '      test: ["CMD", "/bin/check"]',
            "      interval: 30s",
            "      timeout: 5s",
            "      retries: 3",
            "    deploy:",
            "      resources:",
            "        limits:",
            "          memory: 256M",
            '          cpus: "0.5"',
            "    labels:",
            "      com.example.team: platform",
            f'      com.example.index: "{i}"',
        ]
    lines.append("volumes:")
    lines += [f"  data{i}: {{}}" for i in range(50)]
    path = root / "compose.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def make_extends_project(root: Path, services: int = SERVICES) -> Path:
    """Every service extends the previous one (chains of 10) and sets one variable."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["name: extends", "services:"]
    for i in range(services):
        lines += [f"  svc{i}:"]
        if i % 10:
            lines += ["    extends:", f"      service: svc{i - 1}"]
        else:
            lines += [f"    image: registry.example.test/svc{i}:1", "    restart: always"]
        lines += ["    environment:", f'      LEVEL{i % 10}: "{i}"']
    path = root / "compose.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


SHAPES = {"bench": make_project, "plain": make_plain_project, "extends": make_extends_project}
