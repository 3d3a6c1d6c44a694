"""`kctl convert` of 500-service projects vs `docker-compose config` on the same files, and
`--chart` vs plain convert.

Targets: convert (schema validation included) <= 0.8x of docker-compose config on every
shape of project (_compose500.SHAPES: the original bench file with extends and env_file,
plain services, and a chain of extends with little else — issue 24 names the first two; the
third is ours); --chart <= 1.5x plain convert (issue 24).

Where valgrind is installed, the --chart ratio is also counted in instructions (callgrind):
no target, the same number on a busy machine as on an idle one.

The last line is no target: kctl converting a one-service project, the start-up every ratio
carries (Python, typer, PyYAML, jsonschema_rs, msgspec, kctl's modules, one validator), as a
share of docker-compose config's time on the extends shape, where docker-compose is fastest.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from _compose500 import SHAPES
from _timing import instructions, interleaved, report
from bench_compose import oracle

RUNS = 5


def console_script() -> list[str]:
    """The `kctl` console script as pip installs it for this interpreter (bin/kctl beside
    python): what a user runs. A version manager's shim on PATH (pyenv's is a bash script that
    re-executes pyenv, ~60 ms here) is not part of kctl; `python -m kctl` is the last resort."""
    beside = Path(sys.executable).with_name("kctl")
    if beside.is_file():
        return [str(beside)]
    kctl = shutil.which("kctl")
    return [kctl] if kctl else [sys.executable, "-m", "kctl"]


def main() -> None:
    base = console_script()
    with tempfile.TemporaryDirectory() as tmp:
        commands: dict[str, list[str]] = {}
        for shape, make in SHAPES.items():
            path = str(make(Path(tmp) / shape))
            out = str(Path(tmp) / f"{shape}.yaml")
            commands[f"oracle-{shape}"] = [oracle(), "-f", path, "config", "--format", "json"]
            commands[f"convert-{shape}"] = [
                *base,
                "-q",
                "convert",
                "-f",
                path,
                "-o",
                out,
                "--force",
            ]
        chart = str(Path(tmp) / "chart")
        bench = str(Path(tmp) / "bench" / "compose.yaml")
        commands["chart"] = [*base, "-q", "convert", "-f", bench, "--chart", "-o", chart, "--force"]
        one = Path(tmp) / "one" / "compose.yaml"
        one.parent.mkdir()
        one.write_text("services:\n  app:\n    image: registry.example.test/app:1\n")
        commands["one"] = [*base, "-q", "convert", "-f", str(one), "-o", f"{tmp}/one.yaml"]
        commands["one"] += ["--force"]
        times = interleaved(commands, RUNS)
        counted = {name: instructions(commands[name]) for name in ("chart", "convert-bench")}
    for shape in SHAPES:
        report(
            f"kctl convert (500 services, {shape})",
            times[f"convert-{shape}"],
            times[f"oracle-{shape}"],
            0.8,
            "docker-compose config",
        )
    report(
        "kctl convert --chart (500 services)",
        times["chart"],
        times["convert-bench"],
        1.5,
        "kctl convert",
    )
    if counted["chart"] and counted["convert-bench"]:
        print(
            f"--chart vs plain convert in instructions (callgrind, no target: a noise-free"
            f" view of the line above): {counted['chart'] / 1e6:,.0f} M vs"
            f" {counted['convert-bench'] / 1e6:,.0f} M = "
            f"{counted['chart'] / counted['convert-bench']:.3f}x",
            flush=True,
        )
    print(
        f"start-up (no target): kctl convert of one service {times['one']:.3f} s ="
        f" {times['one'] / times['oracle-extends']:.2f}x of docker-compose config on the"
        " extends shape",
        flush=True,
    )


if __name__ == "__main__":
    main()
