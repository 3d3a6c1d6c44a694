"""One image reference parser for all of kctl (issue 16): as docker reads a name."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kctl.images import ImageRef

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("nginx", (None, "nginx", "", "")),
        ("nginx:1.25", (None, "nginx", "1.25", "")),
        ("library/redis:7", (None, "library/redis", "7", "")),
        ("localhost/app", ("localhost", "app", "", "")),
        ("localhost:5000/team/app:v1", ("localhost:5000", "team/app", "v1", "")),
        ("localhost:5000/app", ("localhost:5000", "app", "", "")),  # a port is not a tag
        ("registry.k8s.io/etcd:3.5.15-0@sha256:ab", ("registry.k8s.io", "etcd", "3.5.15-0", "sha256:ab")),
        ("registry.k8s.io/etcd@sha256:ab", ("registry.k8s.io", "etcd", "", "sha256:ab")),
    ],
)  # fmt: skip
def test_parse(image: str, expected: tuple[str | None, str, str, str]) -> None:
    ref = ImageRef.parse(image)
    assert (ref.registry, ref.path, ref.tag, ref.digest) == expected


NAME = st.from_regex(r"[a-z0-9]+(/[a-z0-9]+){0,2}", fullmatch=True)


@given(
    registry=st.sampled_from([None, "localhost", "localhost:5000", "ghcr.io", "r.io:443"]),
    path=NAME,
    tag=st.sampled_from(["", "1", "v1.2.3", "latest"]),
    digest=st.sampled_from(["", "sha256:" + "a" * 64]),
)
def test_parse_reads_back_what_it_is_given(registry, path, tag, digest) -> None:
    assume(registry is not None or path.split("/")[0] != "localhost")
    image = (f"{registry}/" if registry else "") + path
    image += f":{tag}" if tag else ""
    image += f"@{digest}" if digest else ""
    ref = ImageRef.parse(image)
    assert ref.tag == tag and ref.digest == digest
    assert ref.repository == ((f"{registry}/" if registry else "") + path)
