"""The inlined per-kind schema is cached on disk: a cached schema is really the one used, a
damaged or unwritable cache never changes what is valid, and invalid objects stay refused."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.errors import OperationError
from kctl.kube.validate import validate

validate_module = importlib.import_module(
    "kctl.kube.validate"
)  # kctl.kube.validate is also a function

pytestmark = pytest.mark.unit

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]},
        },
    },
}
UNKNOWN_FIELD = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replica": 2}}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KCTL_CACHE_DIR", str(tmp_path / "cache"))
    validate_module._validator.cache_clear()
    yield tmp_path / "cache"
    validate_module._validator.cache_clear()


def cached_files(root: Path) -> list[Path]:
    return sorted(root.rglob("deployment-apps-v1-*.json"))


def test_first_use_writes_the_inlined_schema_and_the_next_process_reads_it(cache: Path) -> None:
    validate(DEPLOYMENT)
    (written,) = cached_files(cache)
    schema = json.loads(written.read_text())
    assert "$ref" not in json.dumps(schema["properties"]["spec"])  # self-contained
    # what the next run reads is what it validates with: a cached schema that refuses
    # everything makes the same valid object fail
    written.write_text(json.dumps({"not": {}}))
    validate_module._validator.cache_clear()
    with pytest.raises(OperationError):
        validate(DEPLOYMENT)


def test_a_cached_schema_still_refuses_unknown_fields(cache: Path) -> None:
    validate(DEPLOYMENT)
    validate_module._validator.cache_clear()
    with pytest.raises(OperationError, match="replica"):
        validate(UNKNOWN_FIELD)


def test_a_damaged_cache_file_is_rebuilt(cache: Path) -> None:
    validate(DEPLOYMENT)
    (written,) = cached_files(cache)
    good = written.read_text()
    for damage in ("{trunc", "[1, 2]", ""):
        written.write_text(damage)
        validate_module._validator.cache_clear()
        validate(DEPLOYMENT)
        with pytest.raises(OperationError):
            validate(UNKNOWN_FIELD)
        assert written.read_text() == good


def test_an_unusable_cache_dir_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("KCTL_CACHE_DIR", str(blocker))
    validate_module._validator.cache_clear()
    try:
        validate(DEPLOYMENT)
        with pytest.raises(OperationError):
            validate(UNKNOWN_FIELD)
    finally:
        validate_module._validator.cache_clear()
    assert blocker.read_text() == "a file where the cache folder would go"


def test_the_cache_key_follows_the_schema_files() -> None:
    folder, name = "v1.33.0-local-strict", "deployment-apps-v1.json"
    keys = {
        validate_module._cache_file(folder, name, v) for v in ("1-10-5-7", "2-10-5-7", "1-10-6-7")
    }
    assert len(keys) == 3 and None not in keys


def test_descriptions_are_not_cached_but_a_field_called_description_still_validates(
    cache: Path,
) -> None:
    validate(DEPLOYMENT)
    (written,) = cached_files(cache)
    assert '"description"' not in written.read_text()  # annotations only: 344 kB -> 83 kB
    # PriorityClass has a field named `description`: still known, still typed
    priority = {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": "high"},
        "value": 1000,
        "description": "for the web tier",
    }
    validate(priority)
    with pytest.raises(OperationError, match="description"):
        validate({**priority, "description": 7})
    with pytest.raises(OperationError):
        validate({**priority, "descriptio": "typo"})
    with pytest.raises(OperationError, match="replicas"):
        validate({**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": "two"}})
