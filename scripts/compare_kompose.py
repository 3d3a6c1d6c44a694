"""Compare kctl convert with Kompose's own golden outputs, fact by fact.

Usage:  python scripts/compare_kompose.py KOMPOSE_CHECKOUT [--details]

KOMPOSE_CHECKOUT is a work tree of github.com/kubernetes/kompose (read as a reference, never
copied into this repository). Every `k8s_cmd` / `k8s_output` pair of its
script/test/cmd/tests.sh is run through kctl with the same arguments (kctl accepts Kompose's
flags), and the facts both outputs state are compared: object kinds and names, container
images, ports, env, mounts, probes, resources, replicas, Service ports and types. Prints the
share of Kompose's facts kctl states identically, per fixture and in total; --details lists
every difference (docs/kompose.md explains each kind of difference).
"""

from __future__ import annotations

import io
import os
import re
import shlex
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from kctl.cli.main import main as kctl_main  # noqa: E402

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}
Fact = tuple[str, ...]


Case = tuple[str, list[str], Path, dict[str, str]]


def cases(kompose: Path) -> list[Case]:
    """(name, kompose argv after `kompose`, expected output, environment) from tests.sh."""
    script = (kompose / "script/test/cmd/tests.sh").read_text()
    found: list[Case] = []
    variables, environ, command = {"KOMPOSE_ROOT": str(kompose)}, {}, None
    for line in script.splitlines():
        line = line.strip()
        if line.startswith("unset "):
            environ.pop(line.split()[1], None)
        match = re.match(r'^(?:export )?(DIR|k8s_cmd|k8s_output|COMPOSE_FILE)="(.*)"$', line)
        if not match:
            continue
        key, value = match.groups()
        value = re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), m.group(0)), value)
        if key == "DIR":
            variables["DIR"] = value
        elif key == "COMPOSE_FILE":
            environ["COMPOSE_FILE"] = value
        elif key == "k8s_cmd":
            command = value.replace("./script", f"{kompose}/script")
        elif command:
            argv = shlex.split(command)[1:]
            output = Path(value)
            name = str(output.parent.relative_to(kompose / "script/test/fixtures"))
            found.append((f"{name}:{output.name}", argv, output, dict(environ)))
            command = None
    return found


def documents(text: str) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for doc in yaml.safe_load_all(text):
        if isinstance(doc, dict) and doc.get("kind") == "List":
            docs += doc.get("items") or []
        elif isinstance(doc, dict):
            docs.append(doc)
    return docs


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    if obj["kind"] == "Pod":
        return spec
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"])


def facts(docs: list[dict[str, Any]]) -> set[Fact]:
    out: set[Fact] = set()
    for obj in docs:
        kind, name = obj["kind"], obj["metadata"]["name"]
        out.add(("object", "Workload" if kind in WORKLOADS else kind, name))
        if kind in WORKLOADS:
            out |= workload_facts(obj, name)
        elif kind == "Service":
            spec = obj["spec"]
            out.add(("service-type", name, spec.get("type", "ClusterIP")))
            for port in spec.get("ports") or []:
                target = str(port.get("targetPort", port["port"]))
                proto = port.get("protocol", "TCP")
                out.add(("service-port", name, str(port["port"]), target, proto))
    return out


def workload_facts(obj: dict[str, Any], name: str) -> set[Fact]:
    out: set[Fact] = set()
    spec = pod_spec(obj)
    if "replicas" in obj.get("spec", {}):
        out.add(("replicas", name, str(obj["spec"]["replicas"])))
    for c in spec.get("containers") or []:
        where = (name, c["name"])
        out.add(("image", *where, str(c.get("image"))))
        for p in c.get("ports") or []:
            out.add(("port", *where, str(p["containerPort"]), p.get("protocol", "TCP")))
        for e in c.get("env") or []:
            value = e.get("value", "") if "valueFrom" not in e else str(sorted(e["valueFrom"]))
            out.add(("env", *where, e["name"], str(value)))
        for m in c.get("volumeMounts") or []:
            out.add(("mount", *where, m["mountPath"]))
        for probe in ("livenessProbe", "readinessProbe"):
            if probe in c:
                handler = next(k for k in ("exec", "httpGet", "tcpSocket", "grpc") if k in c[probe])
                out.add(("probe", *where, probe, handler))
        for group, values in (c.get("resources") or {}).items():
            for key, value in values.items():
                out.add(("resources", *where, group, key, _quantity(value)))
    return out


def _quantity(value: Any) -> str:
    """Memory in bytes and CPU in millicores, so 1Gi and 1073741824 agree."""
    text = str(value)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6, "G": 10**9}
    match = re.fullmatch(r"(\d+(?:\.\d+)?(?:e\d+)?)(Ki|Mi|Gi|k|M|G|m)?", text)
    if not match:
        return text
    number, unit = float(match.group(1)), match.group(2)
    if unit == "m":
        return f"{number:g}m"
    return f"{number * units.get(unit or '', 1):g}"


def run_kctl(argv: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in environ}
    os.environ.update(environ)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = kctl_main(argv)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return code, out.getvalue(), err.getvalue()


def main() -> int:
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__ or "")
        return 2
    kompose, details = Path(sys.argv[1]).resolve(), "--details" in sys.argv
    total = agreed = 0
    for name, argv, expected, environ in cases(kompose):
        want = facts(documents(expected.read_text()))
        code, out, err = run_kctl(argv, environ)
        got = facts(documents(out)) if code == 0 else set()
        total += len(want)
        agreed += len(want & got)
        share = len(want & got) / len(want) if want else 1.0
        status = "" if code == 0 else f"  exit {code}: {err.strip().splitlines()[-1:]}"
        print(f"{share:6.1%}  {len(want & got):4}/{len(want):<4} {name}{status}")
        if details:
            for fact in sorted(want - got):
                print(f"          kompose only: {fact}")
            for fact in sorted(got - want):
                print(f"          kctl only:    {fact}")
    print(f"\n{agreed}/{total} of Kompose's facts agree: {agreed / total:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
