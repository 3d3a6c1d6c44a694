"""Go's and Rust's production recipes: cgo, the system libraries crates link, the binary Cargo
builds and where."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kctl.errors import Location, PreconditionError
from kctl.inputs import is_regular
from kctl.packs import workspaces
from kctl.packs.files import read

# Go modules that need cgo (a C compiler at build time, glibc at run time)
GO_CGO_MODULES = (
    "github.com/mattn/go-sqlite3",
    "github.com/confluentinc/confluent-kafka-go",
    "gopkg.in/gographics/imagick",
    "github.com/go-gl/glfw",
    "github.com/ceph/go-ceph",
)
# Rust crates that link a system library at run time → the Debian package that has it
RUST_RUNTIME_LIBS = {"pq-sys": "libpq5", "mysqlclient-sys": "libmariadb3", "rdkafka-sys": "libssl3"}


def go(root: Path) -> dict[str, Any]:
    mod = read(root / "go.mod")
    found = workspaces.go_workspace_of(root)
    member = found[1] if found else ""
    return {
        "go_cgo": any(m in mod for m in GO_CGO_MODULES),
        "go_workspace_member": member,
        "go_workspace_context": workspaces.build_location(root, "go", False)[0] if found else "",
    }


def rust(root: Path) -> dict[str, Any]:
    cargo = read(root / "Cargo.toml") + read(root / "Cargo.lock")
    packages = {lib for crate, lib in RUST_RUNTIME_LIBS.items() if f'"{crate}"' in cargo}
    if re.search(r"^diesel\b.*postgres|^postgres\s*=", cargo, re.M):
        packages.add("libpq5")
    return {"rust_runtime_packages": sorted(packages), **_cargo_output(root)}


def _cargo_output(root: Path) -> dict[str, Any]:
    """Which binary `cargo build --release` makes and where: Cargo.toml's default-run or its
    one [[bin]] (else the package name), and .cargo/config.toml's [build] target-dir/target
    (the file that also holds cargo's aliases; it is copied before the first build)."""
    from kctl import tomlio

    manifest = root / "Cargo.toml"
    data = tomlio.loads(read(manifest), manifest) if is_regular(manifest) else {}
    package: dict[str, Any] = data["package"] if isinstance(data.get("package"), dict) else {}
    bins = [b.get("name") for b in data.get("bin") or [] if isinstance(b, dict)]
    names = [b for b in bins if isinstance(b, str)]
    binary = package.get("default-run") if isinstance(package.get("default-run"), str) else None
    if binary is None and len(names) > 1 and package.get("name") not in names:
        raise PreconditionError(
            f"Cargo.toml builds {len(names)} binaries and names no default-run: kctl will not"
            " guess which one serves",
            location=Location(str(manifest)),
            details=names,
            hint='set default-run = "NAME" in [package], then run kctl create again',
        )
    binary = binary or (names[0] if len(names) == 1 else None)
    config_path = next(
        (root / ".cargo" / n for n in ("config.toml", "config") if is_regular(root / ".cargo" / n)),
        None,
    )
    config = tomlio.loads(read(config_path), config_path) if config_path else {}
    build: dict[str, Any] = config["build"] if isinstance(config.get("build"), dict) else {}
    out = str(build.get("target-dir") or "target").rstrip("/")
    if isinstance(build.get("target"), str):
        out += f"/{build['target']}"
    facts: dict[str, Any] = {"rust_out": f"{out}/release", "cargo_config": bool(config_path)}
    if binary:
        facts["binary"] = binary
    return facts
