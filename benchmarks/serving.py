"""Starting `phytowatch serve` for a benchmark: a free port, and waiting until it answers."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(
    process: subprocess.Popen[bytes], port: int, log_name: str, timeout: float, poll: float
) -> bool:
    """True once /api/v1/health answers 200; raises if the server exits, False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"phytowatch serve exited: see {log_name}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return True
        except OSError:
            time.sleep(poll)
    return False
