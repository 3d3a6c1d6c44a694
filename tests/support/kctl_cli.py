"""Drive the real kctl CLI from tests: example copies, one-shot runs, a watch-mode process."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "up"


def fetch(port: int, timeout: float = 2) -> str | None:
    """The page served on 127.0.0.1:port, or None while nothing (or an error) answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=timeout) as response:
            return str(response.read().decode())
    except OSError:
        return None


def copy_example(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns(".kctl"))
    return target


def kctl(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI to completion."""
    return subprocess.run(
        [sys.executable, "-m", "kctl", *args],
        check=False,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class UpProcess:
    """`kctl up -o json` in watch mode, driven from a test: one JSON document per cycle."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "kctl", "up", "-o", "json", *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.cycles: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.popen.stdout is not None
        decoder, buffer = json.JSONDecoder(), ""
        for line in self.popen.stdout:
            buffer += line
            try:
                doc, end = decoder.raw_decode(buffer.lstrip())
            except ValueError:
                continue
            with self._lock:
                self.cycles.append(doc)
            buffer = buffer.lstrip()[end:]

    def _read_stderr(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr.append(line)

    def wait_cycles(self, count: int, timeout: float = 120) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.cycles) >= count:
                    return list(self.cycles)
            if self.popen.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(
            f"expected {count} cycles, got {len(self.cycles)}; stderr:\n"
            + "".join(self.stderr)[-3000:]
        )

    def interrupt(self, timeout: float = 30) -> int:
        self.popen.send_signal(signal.SIGINT)
        return self.popen.wait(timeout)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)
