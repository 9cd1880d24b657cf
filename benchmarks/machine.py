"""The machine a benchmark ran on, for the figures written into docs/performance.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    system = platform.platform()
    try:
        release = Path("/etc/os-release").read_text(encoding="utf-8")
        pretty = [ln for ln in release.splitlines() if ln.startswith("PRETTY_NAME=")]
        if pretty:
            name = pretty[0].split("=", 1)[1].strip('"')
            system = f"{name}, kernel {platform.release()}"
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPUs (nproc)": str(cores),
        "CPU": cpu,
        "memory": memory,
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "OS": system,
        "load average (1 min) at the end": f"{os.getloadavg()[0]:.2f}",
    }
