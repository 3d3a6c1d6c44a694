"""A generated 500-service Compose project (interpolation, env_files, extends) for benchmarks."""

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
