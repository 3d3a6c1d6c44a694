"""The shipped catalog (KUBEADM-CATALOG table, copied in) and `kctl upgrade catalog update`."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.cli.main import main
from kctl.cluster.catalog import Version, default_catalog_path, load_catalog
from kctl.errors import InputError
from tests.cluster.nodes import NodeSpec, make_node

pytestmark = pytest.mark.unit

# (etcd, CoreDNS, pause) per release as kubeadm lists them (KUBEADM-CATALOG.md, section 1)
TABLE = {
    "v1.27.12": ("3.5.12-0", "v1.10.1", "3.9"),
    "v1.28.15": ("3.5.15-0", "v1.10.1", "3.9"),
    "v1.29.15": ("3.5.16-0", "v1.11.1", "3.9"),
    "v1.32.13": ("3.5.24-0", "v1.11.3", "3.10"),
    "v1.33.13": ("3.5.24-0", "v1.12.0", "3.10"),
    "v1.34.10": ("3.6.5-0", "v1.12.1", "3.10.1"),
    "v1.35.0": ("3.6.6-0", "v1.13.1", "3.10.1"),
    "v1.35.7": ("3.6.6-0", "v1.13.1", "3.10.1"),
    "v1.36.0": ("3.6.8-0", "v1.14.2", "3.10.2"),
    "v1.36.3": ("3.6.8-0", "v1.14.2", "3.10.2"),
}
LAST = {"1.27": 16, "1.28": 15, "1.29": 15, "1.30": 14, "1.31": 14, "1.32": 13, "1.33": 13}
LAST |= {"1.34": 10, "1.35": 7, "1.36": 3}


def test_every_stable_patch_from_1_27_0_to_1_36_3() -> None:
    catalog = load_catalog()
    for release in catalog.releases:
        patches = [p.version.patch for p in release.patches]
        assert patches == list(range(LAST[release.minor] + 1)), release.minor
    for version, images in TABLE.items():
        patch = catalog.require(Version.parse(version))
        assert (patch.etcd, patch.coredns, patch.pause) == images, version
    assert sum(len(r.patches) for r in catalog.releases) == 130
    assert catalog.date == "2026-08-23"


def test_kubelet_skew_is_per_minor() -> None:
    skews = {r.minor: r.kubelet_skew for r in load_catalog().releases}
    assert skews["1.27"] == skews["1.28"] == 1
    assert {skews[f"1.{m}"] for m in range(29, 37)} == {3}


@pytest.mark.parametrize("version", ["v1.34.11", "v1.35.8", "v1.36.4"])
def test_releases_without_evidenced_images_are_refused(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError, match="not evidenced"):
        load_catalog().require(Version.parse(version))
    root = make_node(tmp_path / "n", NodeSpec(version="v1.35.1", etcd="3.6.6-0", pki=False))
    assert main(["upgrade", "diff", version, "--root", str(root), "--force"]) == 2
    assert "kctl does not guess them" in capsys.readouterr().err


def test_plan_says_how_old_the_catalog_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_node(tmp_path / "n", NodeSpec(pki=False))
    assert main(["upgrade", "plan", "--root", str(root), "--no-health"]) == 0
    out = capsys.readouterr().out
    assert "Catalog: builtin (data as of 2026-08-23, " in out and " days old)" in out
    main(["upgrade", "plan", "--root", str(root), "--no-health", "-o", "json"])
    assert json.loads(capsys.readouterr().out)["catalogDate"] == "2026-08-23"


# catalog update ------------------------------------------------------------------------------


def _newer_catalog() -> bytes:
    text = default_catalog_path().read_text()
    text = text.replace('date: "2026-08-23"', 'date: "2026-09-30"')
    extra = (
        '      - {version: v1.36.4, etcd: 3.6.8-0, coredns: v1.14.2, pause: "3.10.2",'
        " source: kubeadm-defaults}\n"
    )
    text = text.replace('      - {version: v1.36.4, released: "2026-08-20"}\n', "")
    text = text.replace(
        "    unverified:  # released, but kubeadm's image list for it is NOT EVIDENCED\n"
        '  - minor: "1.35"',
        '  - minor: "1.35"',
    )
    return (text.rstrip("\n").rsplit("\n    unverified:", 1)[0] + "\n" + extra).encode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server over tmp_path/www: (base URL, directory)."""
    www = tmp_path / "www"
    www.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(www), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", www
    server.shutdown()
    server.server_close()


def test_update_from_url_is_used_by_default_afterwards(
    served: tuple[str, Path],
    user_config_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, www = served
    (www / "catalog.yaml").write_bytes(_newer_catalog())
    assert main(["upgrade", "catalog", "update", "--from", f"{url}/catalog.yaml"]) == 0
    installed = user_config_dir / "kctl" / "catalog.yaml"
    assert installed.read_bytes() == (www / "catalog.yaml").read_bytes()
    assert "2026-09-30" in capsys.readouterr().err
    root = make_node(tmp_path / "n", NodeSpec(version="v1.35.1", etcd="3.6.6-0", pki=False))
    assert main(["upgrade", "plan", "--root", str(root), "--no-health", "-o", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["catalog"] == str(installed) and plan["catalogDate"] == "2026-09-30"
    assert [u["targetVersion"] for u in plan["availableUpgrades"]] == ["v1.35.7", "v1.36.4"]


@pytest.mark.parametrize(
    ("body", "path", "rc", "message"),
    [
        (b"schemaVersion: 2\nreleases: []\n", "catalog.yaml", 2, "not valid (line 1)"),
        (b"not: [yaml\n", "catalog.yaml", 2, "not valid"),
        (b"", "missing.yaml", 1, "HTTP 404"),
    ],
)
def test_bad_catalog_update_changes_nothing(
    served: tuple[str, Path],
    user_config_dir: Path,
    capsys: pytest.CaptureFixture[str],
    body: bytes,
    path: str,
    rc: int,
    message: str,
) -> None:
    url, www = served
    (www / "catalog.yaml").write_bytes(body)
    assert main(["upgrade", "catalog", "update", "--from", f"{url}/{path}"]) == rc
    assert message in capsys.readouterr().err
    assert not (user_config_dir / "kctl").exists() or not any((user_config_dir / "kctl").iterdir())


def test_older_catalog_needs_force(
    tmp_path: Path, user_config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(default_catalog_path().read_text().replace("2026-08-23", "2025-01-01"))
    assert main(["upgrade", "catalog", "update", "--from", str(old)]) == 3
    assert "older than the one in use" in capsys.readouterr().err
    assert main(["upgrade", "catalog", "update", "--from", str(old), "--force"]) == 0
    assert load_catalog(user_config_dir / "kctl" / "catalog.yaml").date == "2025-01-01"
