"""Build contexts: .dockerignore semantics, content-addressed tags, real build and push."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kctl.dev.context import DockerIgnore, collect, digest, tag_for
from kctl.errors import InputError


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.mark.unit
@pytest.mark.parametrize(
    ("rules", "path", "excluded"),
    [
        ("*.log", "a.log", True),
        ("*.log", "sub/a.log", False),  # anchored at the context root, unlike .gitignore
        ("**/*.log", "sub/deep/a.log", True),
        ("node_modules", "node_modules/x/index.js", True),
        ("/build", "build/out.o", True),
        ("docs/*.md", "docs/a.md", True),
        ("docs/*.md", "docs/sub/a.md", False),
        ("*.md\n!README.md", "README.md", False),
        ("*.md\n!README.md", "CHANGES.md", True),
        ("!README.md\n*.md", "README.md", True),  # the last matching rule wins
        ("temp?", "temp1", True),
        ("[a-c].txt", "b.txt", True),
        ("# comment\n\n.git", ".git/HEAD", True),
        ("**", "anything/at/all", True),
    ],
)
def test_dockerignore_rules(rules: str, path: str, excluded: bool) -> None:
    assert DockerIgnore(rules).excluded(path) is excluded


@pytest.mark.unit
def test_bad_dockerignore_names_line(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("ok\n[broken\n")
    with pytest.raises(InputError) as err:
        DockerIgnore.load(tmp_path)
    assert err.value.location is not None and err.value.location.line == 2


@pytest.mark.unit
def test_collect_honours_dockerignore_but_keeps_dockerfile(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "Dockerfile": "FROM scratch\n",
            ".dockerignore": "Dockerfile\n*.tmp\nsecret/\n",
            "app.py": "x",
            "x.tmp": "y",
            "secret/key": "k",
            "keep/a.txt": "a",
        },
    )
    assert [f.rel for f in collect(tmp_path)] == [
        ".dockerignore",
        "Dockerfile",
        "app.py",
        "keep/a.txt",
    ]


@pytest.mark.unit
def test_digest_is_content_addressed(tmp_path: Path) -> None:
    a = tree(
        tmp_path / "a",
        {
            "Dockerfile": "FROM scratch\n",
            "src/x": "1",
            "ignored.log": "x",
            ".dockerignore": "*.log\n",
        },
    )
    b = tmp_path / "b"
    shutil.copytree(a, b)
    (b / "ignored.log").write_text("different, but ignored")
    base = digest(collect(a))
    assert digest(collect(b)) == base  # same tree after .dockerignore, other mtimes
    assert tag_for(base) == f"kctl-{base[:20]}"
    (b / "src" / "x").write_text("2")
    assert digest(collect(b)) != base
    (b / "src" / "x").write_text("1")
    os.chmod(b / "src" / "x", 0o755)
    assert digest(collect(b)) != base  # modes count
    os.chmod(b / "src" / "x", 0o644)
    assert digest(collect(b)) == base
    assert digest(collect(a), build_args={"V": "1"}) != base
    assert digest(collect(a), target="dev") != base
    assert digest(collect(a), dockerfile="Other") != base


@pytest.mark.integration
def test_build_push_and_skip_when_registry_has_the_tag(
    tmp_path, podman, registry, docker_host
) -> None:
    from kctl.dev.image import PushRef, build, push
    from kctl.dev.registry import remote_digest

    busybox = shutil.which("busybox") or "/bin/busybox"
    ctx = tree(
        tmp_path / "ctx",
        {
            "Dockerfile": "FROM scratch\nCOPY busybox /bin/busybox\n"
            "ARG GREETING\nCOPY www/ /www/\n"
            'ENTRYPOINT ["/bin/busybox", "httpd", "-f"]\n',
            "www/index.html": "hello\n",
            "notes.log": "x",
            ".dockerignore": "*.log\n",
        },
    )
    shutil.copy(busybox, ctx / "busybox")
    files = collect(ctx)
    ref = PushRef(
        registry.host, "kctl-test/ctx", tag_for(digest(files, build_args={"GREETING": "hi"}))
    )
    assert remote_digest(ref) is None
    lines: list[str] = []
    build(files, ref, build_args={"GREETING": "hi"}, on_output=lines.append)
    assert any("COPY" in line for line in lines)  # build output is streamed
    pushed = push(ref)
    assert pushed.startswith("sha256:")
    assert remote_digest(ref) == pushed
    assert registry.tags("kctl-test/ctx") == [ref.tag]
    assert ref.pinned(pushed).endswith(f":{ref.tag}@{pushed}")


@pytest.mark.integration
def test_broken_dockerfile_and_unreachable_registry_are_operation_errors(tmp_path, docker_host):
    from kctl.dev.image import PushRef, build
    from kctl.dev.registry import remote_digest
    from kctl.errors import OperationError
    from tests.support.services import free_port

    ctx = tree(tmp_path / "ctx", {"Dockerfile": "FROM scratch\nCOPY missing-file /x\n"})
    with pytest.raises(OperationError, match="build failed"):
        build(collect(ctx), PushRef(f"127.0.0.1:{free_port()}", "x/y", "t"))
    with pytest.raises(OperationError, match="unreachable") as err:
        remote_digest(PushRef(f"127.0.0.1:{free_port()}", "x/y", "t"), timeout=2)
    assert err.value.hint
