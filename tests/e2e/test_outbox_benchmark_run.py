"""benchmarks/outbox.py runs end to end in its quick mode (SQLite): messages put, the worker
failing against a receiver that is down, the receiver started, the drain and the floor. Nothing
is timed here: the figures are the benchmark's business; this checks that it still works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_outbox_benchmark_runs_in_its_quick_mode() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "outbox.py"), "--quick", "--database", "sqlite"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "- PASS: every message stored once at the receiver" in done.stdout, done.stdout
    assert re.search(r"^\| sqlite \|.*\| 300 / 0 \|$", done.stdout, re.MULTILINE), done.stdout
