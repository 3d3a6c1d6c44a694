"""The project's own fuzz suite (issue 17): every input format kctl reads, mutated from the
bundled examples (type swaps, deletions, NaN/infinity, huge numbers, special strings), run
in-process through the real CLI. A case fails on an internal error, a traceback, a hang
(run_kctl's per-case timeout), an exit code other than 0/2/3, an exit-2 message that does not name the
file, or a temp/backup file left behind. The budget is bounded (a few seconds per format)."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.run import run_kctl

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
CASE_SECONDS = 20

ODD_VALUES = st.sampled_from(
    [5, -1, 0, 10**30, 1.5, float("nan"), float("inf"), True, None, "", "x", "a b",
     "${UNSET:?boom}", "1-100000000", "\x00", "é", [1], [], {}, {"k": 5}, ["a", 5]]
)  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def _mutate(doc: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    if not path:
        return copy.deepcopy(value) if action == "swap" else doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "swap":
        parent[last] = copy.deepcopy(value)  # sampled values are shared between examples
    elif action == "nest":
        parent[last] = {"nested": parent[last]}
    return doc


MUTATIONS = st.lists(
    st.tuples(st.integers(0, 10**6), st.sampled_from(["swap", "delete", "nest"]), ODD_VALUES),
    min_size=1,
    max_size=3,
)


def mutated(text: str, mutations: list[tuple[int, str, Any]]) -> str:
    doc = yaml.safe_load(text)
    for pick, action, value in mutations:
        paths = _paths(doc)
        doc = _mutate(doc, paths[pick % len(paths)], action, value)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def run(argv: list[str], named: str, workdir: Path) -> int:
    """One case through the real CLI in-process; a hang fails it after CASE_SECONDS."""
    result = run_kctl(*argv, timeout=CASE_SECONDS)
    code, err = result.exit_code, result.stderr
    assert code in (0, 2, 3), f"exit {code}: {err}"
    assert "internal error" not in err and "Traceback" not in err, err
    if code == 2:
        assert named in err, f"exit 2 without naming {named}: {err}"
    left = [p for p in workdir.rglob("*") if p.name.endswith((".kctl-tmp", ".kctl-old"))]
    assert not left, left
    return code


# KCTL_FUZZ_EXAMPLES=1000 for a deeper run by hand; CI keeps the suite within minutes
SETTINGS = settings(
    max_examples=int(os.environ.get("KCTL_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(example=st.sampled_from(sorted(EXAMPLES.glob("compose/*/compose.yaml"))), muts=MUTATIONS)
def test_compose_files(tmp_path_factory: Any, example: Path, muts: Any) -> None:
    work = tmp_path_factory.mktemp("compose")
    shutil.copytree(example.parent, work, dirs_exist_ok=True)
    target = work / "compose.yaml"
    target.write_text(mutated(example.read_text(), muts))
    out = work / "out"
    run(["convert", "-f", str(target), "-o", str(out), "--force"], str(target), work)


@SETTINGS
@given(muts=MUTATIONS)
def test_pack_toml(tmp_path_factory: Any, muts: Any) -> None:
    import tomllib

    import tomlkit

    work = tmp_path_factory.mktemp("pack")
    pack = work / "packs" / "fz"
    shutil.copytree(REPO / "packs" / "python", pack)
    data = tomllib.loads((pack / "pack.toml").read_text())
    data["name"] = "fz"
    text = yaml.safe_dump(data)
    doc = yaml.safe_load(mutated(text, muts))
    if not isinstance(doc, dict):
        doc = {"language": doc}
    doc = {**_tomlable(doc), "name": "fz"}  # --pack fz must find it: its content is the test
    (pack / "pack.toml").write_text(tomlkit.dumps(doc))
    app = REPO / "examples" / "apps" / "python"
    argv = ["create", str(app), "--pack-dir", str(work / "packs"), "--pack", "fz", "--dry-run"]
    run(argv, str(pack), work)


def _tomlable(node: Any) -> Any:
    """TOML has no null and no mixed arrays of tables: replace what it cannot write."""
    if node is None:
        return "null"
    if isinstance(node, float) and node != node:
        return "nan"
    if isinstance(node, dict):
        return {str(k): _tomlable(v) for k, v in node.items()}
    if isinstance(node, list):
        items = [_tomlable(v) for v in node]
        return items if len({type(i) for i in items}) <= 1 else [str(i) for i in items]
    return node


NODE_FILES = [
    "etc/kubernetes/kubeadm-config.yaml",
    "etc/kubernetes/manifests/etcd.yaml",
    "etc/kubernetes/manifests/kube-apiserver.yaml",
    "etc/kubernetes/addons/coredns.yaml",
    "etc/kubernetes/addons/kube-proxy.yaml",
]


@SETTINGS
@given(rel=st.sampled_from(NODE_FILES), muts=MUTATIONS)
def test_kubeadm_node_files(tmp_path_factory: Any, rel: str, muts: Any) -> None:
    work = tmp_path_factory.mktemp("node")
    shutil.copytree(EXAMPLES / "kubeadm-node", work, dirs_exist_ok=True)
    path = work / rel
    docs = list(yaml.safe_load_all(path.read_text()))
    first = yaml.safe_dump(docs[0], sort_keys=False)
    docs[0] = yaml.safe_load(mutated(first, muts))
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True))
    run(["upgrade", "plan", "--root", str(work), "--no-health"], str(path), work)


@SETTINGS
@given(
    manifest=st.sampled_from(["package.json", "pyproject.toml", "go.mod", "Cargo.toml"]),
    content=st.one_of(
        st.binary(max_size=200),
        st.sampled_from(['{"scripts": 5}', '{"engines": {"node": 5}}', "[project]\n",
                         'requires-python = 5', "go 1.x\n", "[package]\nname = 5\n"]),
    ),
)  # fmt: skip
def test_source_trees(tmp_path_factory: Any, manifest: str, content: Any) -> None:
    work = tmp_path_factory.mktemp("tree")
    data = content if isinstance(content, bytes) else content.encode()
    (work / manifest).write_bytes(data)
    (work / "main.py").write_text("print(1)\n")
    run(["create", str(work), "--dry-run", "-o", "json"], str(work), work)
