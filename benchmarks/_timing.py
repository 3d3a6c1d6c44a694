"""Shared helpers for benchmarks: measure side by side in one run, print ratios.

Every benchmark prints lines `name: X s vs baseline Y s = ratio R (target <= T) PASS|MISS`.
Benchmarks never fail the test suite; they report.
"""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Measure kctl as installed: pip compiles a wheel's modules to bytecode, but an editable
# checkout under PYTHONDONTWRITEBYTECODE (set on these machines) would recompile every module
# on every run, ~0.1 s that no user pays.
compileall.compile_dir(REPO / "kctl", quiet=1)


def time_call(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of calling fn, in seconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_command(argv: Sequence[str], runs: int, **kwargs: object) -> float:
    """Median wall time of running a command to completion (it must succeed)."""

    def run() -> None:
        subprocess.run(
            argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
        )  # type: ignore[call-overload]

    run()  # warm the page cache once, untimed
    return time_call(run, runs)


def interleaved(commands: dict[str, Sequence[str]], runs: int) -> dict[str, float]:
    """Median wall time of several commands, run in alternation so noise hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def instructions(argv: Sequence[str]) -> int | None:
    """Instructions a command executes in user space, counted by valgrind's callgrind (None
    without valgrind): the same on a busy machine as on an idle one, where wall time on these
    virtual machines swings by a third. Hash randomization is fixed: dict layouts change counts."""
    import os
    import re
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    result = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    return int(found.group(1)) if found and result.returncode == 0 else None


def report(name: str, value: float, baseline: float, target: float, baseline_name: str) -> bool:
    """Print one ratio line; return whether the target was met."""
    ratio = value / baseline if baseline else float("inf")
    verdict = "PASS" if ratio <= target else "MISS"
    print(
        f"{name}: {value:.3f} s vs {baseline_name} {baseline:.3f} s = {ratio:.2f}x "
        f"(target <= {target}x) {verdict}",
        flush=True,
    )
    return ratio <= target


def report_absolute(name: str, value: float, target: float, unit: str = "s") -> bool:
    """Print one absolute measurement against its target."""
    verdict = "PASS" if value <= target else "MISS"
    print(f"{name}: {value:.3f} {unit} (target <= {target} {unit}) {verdict}", flush=True)
    return value <= target
