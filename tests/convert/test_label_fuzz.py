"""Random kompose.* label values and Compose settings never end in an internal error: every run
converts (exit 0), refuses with a location (exit 2) or stops on --strict warnings (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl.compose import LoadOptions, load_project
from kctl.convert import ConvertOptions, convert_project
from kctl.convert.labels import LABELS
from kctl.errors import KctlError
from kctl.kube import validate

pytestmark = pytest.mark.unit

LABEL_NAMES = [spec.name for spec in LABELS]
VALUES = st.one_of(
    st.sampled_from(
        ["true", "false", "0", "1", "-1", "80", "80%", "512Mi", "1.5", "", " ", "NodePort",
         "headless", "pvc", "emptyDir", "Local", "Forbid", "*/5 * * * *", "@daily", "/health",
         "http", "99999", "10s", "a b", "x" * 70, "é", "1e3", "nan", "inf", "[1,2]", "${X}"]
    ),
    st.text(max_size=12),
)  # fmt: skip
SCALARS = st.one_of(st.integers(-5, 70000), st.booleans(), st.text(max_size=8), st.none())
SERVICE_SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "ports": st.lists(st.sampled_from(["80", "8080:80", "53:53/udp", "1000-1002:1000-1002"])),
        "restart": st.sampled_from(
            ["no", "always", "on-failure", "on-failure:3", "unless-stopped"]
        ),
        "network_mode": st.sampled_from(["host", "bridge", "none", "service:other"]),
        "volumes": st.lists(st.sampled_from(["data:/data", "/tmp:/host", "/anon"]), max_size=2),
        "dns": st.lists(st.sampled_from(["1.1.1.1", "8.8.8.8", "9.9.9.9"]), max_size=3),
        "scale": st.integers(0, 3),
        "deploy": st.fixed_dictionaries(
            {},
            optional={
                "mode": st.sampled_from(["replicated", "global", "replicated-job", "global-job"]),
                "replicas": st.integers(0, 3),
                "labels": st.dictionaries(st.sampled_from(["a", "kompose.x", "b c"]), SCALARS),
                "placement": st.fixed_dictionaries(
                    {
                        "constraints": st.lists(
                            st.sampled_from(
                                [
                                    "node.role == manager",
                                    "node.role != worker",
                                    "node.id == x",
                                    "node.labels.zone == a",
                                    "node.platform.arch == x86_64",
                                    "bogus",
                                ]
                            )
                        )
                    }
                ),
            },
        ),
    },
)


def run(tmp_path: Path, compose: dict[str, Any], **options: Any) -> int:
    path = tmp_path / "compose.yaml"
    path.write_text(json.dumps(compose))  # JSON is YAML: no quoting surprises in the generator
    try:
        project = load_project(LoadOptions(files=[str(path)], environ={}))
        conversion = convert_project(project, ConvertOptions(**options))
        for obj in conversion.objects:
            validate(obj)
    except KctlError as exc:
        assert exc.exit_code in (2, 3), exc
        assert exc.location is not None or "--" in (exc.hint or "") or "--" in exc.message, exc
        return int(exc.exit_code)
    for warning in conversion.warnings:
        assert warning.location.file, warning
    return 0


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    labels=st.dictionaries(st.sampled_from(LABEL_NAMES), VALUES, max_size=6),
    settings_=SERVICE_SETTINGS,
    group_mode=st.sampled_from([None, "label", "volume"]),
)
def test_random_labels_and_settings_never_crash(
    tmp_path: Path, labels: dict[str, str], settings_: dict[str, Any], group_mode: str | None
) -> None:
    other = {"image": "y", "ports": ["9000"], "labels": {"kompose.service.group": "g"}}
    compose = {
        "services": {"app": {"image": "x", "labels": labels, **settings_}, "other": other},
        "volumes": {"data": {"labels": {k: v for k, v in labels.items() if "volume" in k}}},
    }
    run(tmp_path, compose, service_group_mode=group_mode)
