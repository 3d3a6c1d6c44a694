"""kctl convert's flag rules as a use case (kctl.app.convert_flags.to_request): Kompose's alias
flags become kctl's request; refused values and combinations are exit 2 before any file is
read — no CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.app.convert_flags import ConvertFlags, KomposeFlags, to_request
from kctl.errors import InputError

pytestmark = pytest.mark.unit


def test_kompose_aliases_become_kctl_options() -> None:
    kompose = KomposeFlags(
        emptyvols=True, daemon_set=True, multiple_container_mode=True, error_on_warning=True,
        push_image=True, push_image_registry="registry.test:5000",
    )  # fmt: skip
    request = to_request(ConvertFlags(file=["c.yaml"], volumes="persistentVolumeClaim",
                                      kompose=kompose))  # fmt: skip
    options = request.options
    assert (options.controller, options.volumes, options.service_group_mode) == (
        "daemonset", "emptyDir", "label",
    )  # fmt: skip
    assert request.strict and request.push and request.registry == "registry.test:5000"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (ConvertFlags(controller="pod"), "unknown --controller 'pod'"),
        (ConvertFlags(volumes="nfs"), "unknown --volumes 'nfs'"),
        (ConvertFlags(chart=True), "--chart needs -o DIR"),
        (ConvertFlags(stdout=True, output=Path("k8s")), "--stdout and -o exclude each other"),
        (ConvertFlags(service_group_name="x"), "needs --service-group-mode volume"),
        (ConvertFlags(json_output=True, kompose=KomposeFlags(yaml=True)), "-y/--yaml and -j"),
        (ConvertFlags(volumes="hostPath", kompose=KomposeFlags(emptyvols=True)), "--emptyvols"),
        (ConvertFlags(kompose=KomposeFlags(replication_controller=True)), "ReplicationControll"),
    ],
)
def test_refused_combinations_are_bad_input(flags: ConvertFlags, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("-", r"\-")):
        to_request(flags)


def test_a_format_word_for_a_path_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        to_request(ConvertFlags(output=Path("json")))
    assert "did you mean -j/--json" in (caught.value.hint or "")
