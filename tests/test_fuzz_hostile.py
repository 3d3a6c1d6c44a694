"""The fuzz suite's second round (issue 22): what the mutation fuzzer of test_fuzz_inputs.py
cannot reach — bytes that are not text or not PEM, lock files, kubeconfig shapes, nesting depth
in every format (YAML, JSON, TOML, Compose interpolation), undecodable file names, special files
and permissions in every tree kctl walks, a folder where a file should be and the reverse.

Each case runs the real CLI in-process and holds it to the same contract as the first round
(tests/test_fuzz_inputs.run): exit 0/2/3 only, no internal error or traceback, an exit 2 names
the file, nothing half-written. CI draws a fixed derandomized sample (the "ci" profile);
KCTL_FUZZ_EXAMPLES=N with a fresh seed explores locally."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.run import run_kctl
from tests.test_fuzz_inputs import EXAMPLES, SETTINGS, run

pytestmark = pytest.mark.unit

NODE = EXAMPLES / "kubeadm-node"
PEM_FILES = [
    "etc/kubernetes/pki/ca.crt",
    "etc/kubernetes/pki/apiserver.crt",
    "etc/kubernetes/pki/etcd/ca.crt",
    "etc/kubernetes/pki/front-proxy-client.crt",
]


def _pem_like(body: bytes, label: str) -> bytes:
    return b"-----BEGIN " + label.encode() + b"-----\n" + body + b"\n-----END " + label.encode()


PEM_GARBAGE = st.one_of(
    st.binary(max_size=300),
    st.builds(_pem_like, st.binary(max_size=200), st.sampled_from(["CERTIFICATE", "PRIVATE KEY"])),
    st.builds(
        _pem_like,
        st.text(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", max_size=400
        ).map(str.encode),
        st.sampled_from(["CERTIFICATE", "EC PRIVATE KEY", "RSA PRIVATE KEY"]),
    ),
)


@SETTINGS
@given(
    rel=st.sampled_from([*PEM_FILES, "etc/kubernetes/pki/ca.key"]),
    data=PEM_GARBAGE,
    command=st.sampled_from(["check-expiration", "plan", "apply"]),
)
def test_certificates_and_keys(tmp_path_factory: Any, rel: str, data: bytes, command: str) -> None:
    work = tmp_path_factory.mktemp("pem")
    shutil.copytree(NODE, work, dirs_exist_ok=True)
    (work / rel).write_bytes(data)
    argv = {
        "check-expiration": ["upgrade", "certs", "check-expiration", "--root", str(work)],
        "plan": ["upgrade", "plan", "--root", str(work), "--no-health"],
        "apply": ["upgrade", "apply", "v1.30.14", "--root", str(work), "-y", "--dry-run"],
    }[command]
    run(argv, str(work / rel), work)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=200), st.sampled_from([b"{}", b"[]", b'{"pid": "x"}',
       b'{"pid": 1, "done": 5}', b'{"pid": 99999999, "backupDir": 5}', b"null", b"\xff\xfe"])))  # fmt: skip
def test_lock_files(tmp_path_factory: Any, data: bytes) -> None:
    work = tmp_path_factory.mktemp("lock")
    shutil.copytree(NODE, work, dirs_exist_ok=True)
    lock = work / "etc/kubernetes/tmp/kctl-upgrade.lock"
    lock.parent.mkdir(parents=True)
    lock.write_bytes(data)
    for argv in (
        ["upgrade", "plan", "--root", str(work), "--no-health"],
        ["upgrade", "apply", "v1.30.14", "--root", str(work), "-y"],
        ["upgrade", "rollback", "--root", str(work)],
    ):
        run(argv, str(lock), work)


@pytest.mark.parametrize("kind", ["fifo", "socket", "dir"])
def test_a_lock_or_catalog_that_is_no_regular_file_is_never_read(tmp_path: Path, kind: str) -> None:
    """A FIFO blocks a plain read forever (root can open one): the lock is then a lock that
    names no process, the catalog exit 2 naming it (both hung before)."""
    work = tmp_path / "node"
    shutil.copytree(NODE, work)
    lock = work / "etc/kubernetes/tmp/kctl-upgrade.lock"
    lock.parent.mkdir(parents=True)
    _special(lock, kind)
    run(["upgrade", "plan", "--root", str(work), "--no-health"], str(lock), work)
    catalog = tmp_path / "catalog.yaml"
    _special(catalog, kind)
    store = tmp_path / "store"
    env = {"KCTL_CACHE_DIR": str(store), "XDG_DATA_HOME": str(store)}
    result = run_kctl("upgrade", "catalog", "update", "--from", str(catalog), env=env, timeout=20)
    assert result.exit_code == 2 and str(catalog) in result.stderr, result.stderr


KUBECONFIG_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["", "c", "k", "u",
              "https://127.0.0.1:1", "http://127.0.0.1:1", "not a url", "\x00"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["name", "cluster", "user", "context",
                                            "server", "token", "certificate-authority-data",
                                            "client-certificate-data", "client-key-data",
                                            "insecure-skip-tls-verify"]), inner, max_size=4)),
    max_leaves=12,
)  # fmt: skip


@SETTINGS
@given(
    shape=st.fixed_dictionaries(
        {},
        optional={
            "apiVersion": KUBECONFIG_VALUES,
            "current-context": KUBECONFIG_VALUES,
            "contexts": KUBECONFIG_VALUES,
            "clusters": KUBECONFIG_VALUES,
            "users": KUBECONFIG_VALUES,
        },
    )
)
def test_kubeconfig_shapes(tmp_path_factory: Any, shape: dict[str, Any]) -> None:
    import json

    work = tmp_path_factory.mktemp("kubeconfig")
    shutil.copytree(NODE, work / "node")
    kubeconfig = work / "kc.conf"
    kubeconfig.write_text(json.dumps(shape))  # JSON is YAML: every shape is writable
    argv = ["upgrade", "plan", "--root", str(work / "node"), "--no-health"]
    run(
        [*argv, "--kubeconfig", str(kubeconfig), "--probe-timeout", "0.2"],
        str(kubeconfig),
        work,
    )


# -- nesting depth in every format ---------------------------------------------------------


def _nested_yaml(depth: int, flow: bool) -> str:
    if flow:
        return "x: " + "[" * depth + "]" * depth + "\n"
    return "x:\n" + "".join("  " * (i + 1) + "- \n" for i in range(depth)).replace("- \n", "-\n")


DEPTHS = st.sampled_from([50, 150, 400, 1200, 5000])


@SETTINGS
@given(depth=DEPTHS, flow=st.booleans(), where=st.sampled_from(["compose", "node", "pack"]))
def test_yaml_nesting(tmp_path_factory: Any, depth: int, flow: bool, where: str) -> None:
    work = tmp_path_factory.mktemp("deep")
    deep = _nested_yaml(depth, flow)
    if where == "compose":
        target = work / "compose.yaml"
        target.write_text(f"services:\n  web:\n    image: nginx\n    x-deep:\n      {deep}")
        argv = ["convert", "-f", str(target), "-o", str(work / "out")]
    elif where == "node":
        shutil.copytree(NODE, work, dirs_exist_ok=True)
        target = work / "etc/kubernetes/manifests/kube-scheduler.yaml"
        target.write_text(target.read_text() + deep)
        argv = ["upgrade", "plan", "--root", str(work), "--no-health"]
    else:
        target = work / "compose.yaml"
        target.write_text("services:\n  web:\n    image: nginx\n    labels:\n      " + deep)
        argv = ["convert", "-f", str(target), "--chart", "-o", str(work / "chart")]
    run(argv, str(target), work)


@SETTINGS
@given(depth=DEPTHS, kind=st.sampled_from(["array", "object"]))
def test_json_nesting(tmp_path_factory: Any, depth: int, kind: str) -> None:
    work = tmp_path_factory.mktemp("deepjson")
    opening, closing = ("[", "]") if kind == "array" else ('{"a":', "}")
    (work / "package.json").write_text(
        '{"name": "x", "dependencies": ' + opening * depth + "1" + closing * depth + "}"
    )
    (work / "index.js").write_text("console.log(1)\n")
    run(["create", str(work), "--dry-run", "-o", "json"], str(work / "package.json"), work)


@SETTINGS
@given(depth=DEPTHS, where=st.sampled_from(["pyproject", "kctl"]))
def test_toml_nesting(tmp_path_factory: Any, depth: int, where: str) -> None:
    work = tmp_path_factory.mktemp("deeptoml")
    value = "[" * depth + "1" + "]" * depth
    if where == "pyproject":
        target = work / "pyproject.toml"
        target.write_text(f'[project]\nname = "x"\ndependencies = {value}\n')
        (work / "main.py").write_text("print(1)\n")
        argv = ["create", str(work), "--dry-run", "-o", "json"]
    else:
        shutil.copytree(EXAMPLES / "up" / "hello", work / "app")
        target = work / "app" / "kctl.toml"
        target.write_text(target.read_text() + f"\n[environments.deep]\nbuild-args = {value}\n")
        argv = ["up", str(work / "app"), "-e", "deep", "--once", "--dry-run"]
    with _no_engine():
        run(argv, str(target), work)


@SETTINGS
@given(depth=st.sampled_from([10, 100, 400, 1000, 3000]), form=st.sampled_from([":-", "-", ":+", "+"]),
       place=st.sampled_from(["compose", "env_file", ".env"]))  # fmt: skip
def test_interpolation_nesting(tmp_path_factory: Any, depth: int, form: str, place: str) -> None:
    work = tmp_path_factory.mktemp("deepvar")
    value = "${A" + form + "" + ("${B" + form) * depth + "x" + "}" * (depth + 1)
    compose = work / "compose.yaml"
    service = "services:\n  web:\n    image: nginx\n"
    target = compose
    if place == "compose":
        compose.write_text(service + f"    environment:\n      V: '{value}'\n")
    elif place == "env_file":
        target = work / "web.env"
        target.write_text(f"V={value}\n")
        compose.write_text(service + "    env_file: web.env\n")
    else:
        target = work / ".env"
        target.write_text(f"V={value}\n")
        compose.write_text(service + "    environment:\n      V: ${V}\n")
    run(["convert", "-f", str(compose), "-o", str(work / "out")], str(target), work)


# -- names, special files and permissions in the trees kctl walks ----------------------------

NAMES = st.one_of(
    st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")),
    st.sampled_from([b"\xff\xfe.py", b"caf\xe9.js", b"-rf", b"..x", b"a\nb.go", b"\x1b[31m.rb"]),
).filter(lambda b: b not in (b".", b".."))

SPECIALS = st.sampled_from(["fifo", "socket", "unreadable-dir", "unreadable-file", "loop",
                            "dangling", "dir-named-manifest"])  # fmt: skip


def _special(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))
    elif kind == "unreadable-dir":
        path.mkdir()
        (path / "inside.py").write_text("x = 1\n")
        path.chmod(0)
    elif kind == "unreadable-file":
        path.write_text("x = 1\n")
        path.chmod(0)
    elif kind == "loop":
        path.symlink_to(path.name)
    elif kind == "dangling":
        path.symlink_to("nowhere-at-all")
    else:
        path.mkdir()


@SETTINGS
@given(names=st.lists(NAMES, min_size=1, max_size=4, unique=True), kind=SPECIALS,
       manifest=st.sampled_from(["package.json", "requirements.txt", "go.mod", "Cargo.toml",
                                 "pyproject.toml", "pom.xml"]))  # fmt: skip
def test_source_tree_names_and_special_files(
    tmp_path_factory: Any, names: list[bytes], kind: str, manifest: str
) -> None:
    work = tmp_path_factory.mktemp("names")
    app = work / "app"
    shutil.copytree(EXAMPLES / "apps" / "python", app)
    for name in names:
        (Path(os.fsdecode(bytes(app) + b"/" + name))).write_text("print(1)\n")
    target = app / (manifest if kind == "dir-named-manifest" else "special")
    if kind == "dir-named-manifest":
        shutil.rmtree(target, ignore_errors=True)
        target.unlink(missing_ok=True)
    _special(target, kind)
    try:
        run(["create", str(app), "--dry-run", "-o", "json"], str(app), work)
        run(["create", str(app), "--force"], str(app), work)
    finally:
        _unlock(app)


@SETTINGS
@given(kind=SPECIALS, what=st.sampled_from(["bind", "env_file", "config", "secret", "compose"]))
def test_compose_inputs_that_are_special_files(tmp_path_factory: Any, kind: str, what: str) -> None:
    work = tmp_path_factory.mktemp("special")
    compose = work / "compose.yaml"
    target = work / "thing"
    service = "services:\n  web:\n    image: nginx\n"
    compose.write_text(
        {
            "bind": service + "    volumes: ['./thing:/etc/thing:ro']\n",
            "env_file": service + "    env_file: thing\n",
            "config": service + "    configs: [c]\nconfigs:\n  c:\n    file: ./thing\n",
            "secret": service + "    secrets: [s]\nsecrets:\n  s:\n    file: ./thing\n",
            "compose": service,
        }[what]
    )
    if what == "compose":
        compose.unlink()
        target = compose
    _special(target, kind if kind != "dir-named-manifest" else "unreadable-dir")
    try:
        # exit 2 names the special file, or the Compose file's line that refers to it
        run(["convert", "-f", str(compose), "-o", str(work / "out")], str(work), work)
    finally:
        _unlock(work)


@SETTINGS
@given(
    swap=st.sampled_from(["out-is-file", "out-parent-is-file", "chart-is-file", "manifests-dir",
                          "pki-is-file", "kctl-toml-dir", "dockerfile-dir"])
)  # fmt: skip
def test_folder_where_a_file_should_be_and_the_reverse(tmp_path_factory: Any, swap: str) -> None:
    work = tmp_path_factory.mktemp("swap")
    compose = EXAMPLES / "compose" / "guestbook" / "compose.yaml"
    if swap in ("out-is-file", "out-parent-is-file", "chart-is-file"):
        blocker = work / "out"
        blocker.write_text("a file of the user's\n")
        out = {"out-is-file": blocker, "out-parent-is-file": blocker / "k8s"}.get(swap, blocker)
        extra = ["--chart", "--force"] if swap == "chart-is-file" else []
        result = run_kctl("convert", "-f", str(compose), "-o", str(out), *extra)
        code, err = result.exit_code, result.stderr
        # an output kctl cannot write is a failed operation (exit 1) or a refusal (3), named
        assert code in ((0, 1, 3) if swap == "out-is-file" else (1, 3)), err
        assert code == 0 or str(out) in err
        assert "internal error" not in err
        assert blocker.read_text() == "a file of the user's\n"
        return
    if swap in ("manifests-dir", "pki-is-file"):
        shutil.copytree(NODE, work, dirs_exist_ok=True)
        if swap == "manifests-dir":
            target = work / "etc/kubernetes/manifests/etcd.yaml"
            target.unlink()
            target.mkdir()
        else:
            target = work / "etc/kubernetes/pki"
            shutil.rmtree(target)
            target.write_text("not a folder\n")
        for argv in (["upgrade", "plan", "--no-health"], ["upgrade", "certs", "check-expiration"]):
            run([*argv, "--root", str(work)], str(target), work)
        return
    app = work / "app"
    shutil.copytree(EXAMPLES / "up" / "hello", app)
    target = app / ("kctl.toml" if swap == "kctl-toml-dir" else "Dockerfile")
    target.unlink()
    target.mkdir()
    with _no_engine():
        run(["up", str(app), "--once", "--dry-run"], str(target), work)


class _no_engine:
    """No container engine reachable: `kctl up` must judge its inputs before it looks."""

    def __enter__(self) -> None:
        self.saved = os.environ.get("DOCKER_HOST")
        os.environ["DOCKER_HOST"] = "unix:///nonexistent/kctl-fuzz.sock"

    def __exit__(self, *exc: object) -> None:
        if self.saved is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = self.saved


def _unlock(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
