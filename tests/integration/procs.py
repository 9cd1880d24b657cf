"""Real processes for the reliability tests: phytowatch itself, a private PostgreSQL, a private
Mosquitto. Every instance lives in its own temporary directory on a free 127.0.0.1 port, so the
shared services of the machine (PostgreSQL on 5432, Mosquitto on 1883) are never touched.

Every wait here is bounded in time; every ``stop``/``kill`` is safe to call twice.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from acting import ctx_at

PHYTOWATCH = str(Path(sys.executable).with_name("phytowatch"))
PG_BIN = Path(os.environ.get("PHYTOWATCH_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
MOSQUITTO = os.environ.get("PHYTOWATCH_TEST_MOSQUITTO") or shutil.which(
    "mosquitto", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"])
)
FACILITY = "JX-0031-K2"
PROBES = ("C1", "C2")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition: Any, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def _stop_process(proc: subprocess.Popen[bytes] | None, sig: int, timeout: float) -> None:
    """Signal one process we started (by its pid), wait, and SIGKILL it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=10)


def provision(database_url: str) -> str:
    """Enterprise 0031 and kiln JX-0031-K2 (probes C1, C2); the device token.

    In-process, through the same services the CLI (``phytowatch facilities add``) uses: a CLI
    subprocess costs seconds of imports on a loaded machine, and the processes under test here
    are ``serve`` and ``ingest-mqtt``.
    """
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import add_enterprise, add_facility

    now = time.time_ns() // 1000
    services = bootstrap(load_settings(database_url=database_url))
    try:
        add_enterprise(
            services.registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(now)
        )
        probes = [f"{code}:product" for code in PROBES]
        issued = add_facility(services.registry, FACILITY, "0031", "kiln", probes, ctx=ctx_at(now))
    finally:
        services.close()
    return issued.token


# ------------------------------------------------------------------------------------ HTTP


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, seconds: float) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:200]!r} in {self.seconds:.2f}s>"


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Answer:
    """One HTTP request on a new connection; socket errors and timeouts propagate."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            data,
            time.monotonic() - started,
        )
    finally:
        conn.close()


def post_batch(port: int, token: str, payload: dict[str, Any], timeout: float = 10) -> Answer:
    return request(
        port,
        "POST",
        "/api/v1/ingest",
        json.dumps(payload).encode(),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=timeout,
    )


# ------------------------------------------------------------------------------ phytowatch


class Phytowatch:
    """``phytowatch serve`` (or another long-running command) as a subprocess."""

    def __init__(
        self, args: list[str], log_path: Path, port: int = 0, env: dict[str, str] | None = None
    ) -> None:
        self.args = args
        self.log_path = log_path
        self.port = port
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def serve(cls, database_url: str, port: int, log_path: Path) -> Phytowatch:
        return cls(
            ["serve", "--database-url", database_url, "--port", str(port), "--log-level", "info"],
            log_path,
            port,
        )

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start {' '.join(self.args)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [PHYTOWATCH, *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
            )

    def wait_healthy(self, timeout: float = 30) -> None:
        def healthy() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"phytowatch exited {self.proc.returncode}:\n{self.log()}")
            try:
                return request(self.port, "GET", "/api/v1/health", timeout=2).status == 200
            except (OSError, http.client.HTTPException):
                return False

        if not wait_until(healthy, timeout, step=0.1):
            raise AssertionError(f"phytowatch not healthy after {timeout}s:\n{self.log()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def sigkill(self) -> None:
        _stop_process(self.proc, signal.SIGKILL, 10)

    def stop(self) -> None:
        _stop_process(self.proc, signal.SIGTERM, 15)

    def log(self, tail: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


# ------------------------------------------------------------------------- private PostgreSQL


def _unprivileged(user: str) -> list[str]:
    """initdb and postgres refuse root: run them as ``user`` when we are root."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", user, "--"]


def private_postgres_available() -> tuple[bool, str]:
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return False, f"no initdb/pg_ctl in {PG_BIN} (set PHYTOWATCH_TEST_PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return False, "running as root and there is no 'postgres' user to run initdb as"
        if shutil.which("runuser") is None:
            return False, "running as root and there is no runuser"
    return True, str(PG_BIN)


class PrivatePostgres:
    """A throw-away PostgreSQL cluster: its own data dir, socket dir and port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.user = "postgres"
        self.root = Path(tempfile.mkdtemp(prefix="pw-reliability-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        if os.geteuid() == 0:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.running = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            [*_unprivileged(self.user), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def initdb(self) -> None:
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile),
            "-o", options, "-w", "-t", "30", "start",
        )  # fmt: skip
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop"
        )
        self.running = False

    def cleanup(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                    self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self, tail: int = 4000) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


# -------------------------------------------------------------------------- private Mosquitto


class PrivateMosquitto:
    """A throw-away Mosquitto with persistence, restartable on the same persistence dir."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="pw-reliability-mqtt-"))
        self.conf = self.root / "mosquitto.conf"
        self.logfile = self.root / "mosquitto.log"
        lines = [
            f"listener {port} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {self.root}/",
            "autosave_interval 1",
            f"log_dest file {self.logfile}",
            "log_type all",
        ]
        if os.geteuid() == 0:
            lines.append("user root")  # keep the files of the temp dir ours
        self.conf.write_text("\n".join(lines) + "\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10) -> None:
        assert MOSQUITTO is not None
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        if not wait_until(lambda: port_open(self.port) or self.proc.poll() is not None, timeout):
            raise AssertionError(f"mosquitto did not listen on {self.port}:\n{self.log()}")
        if self.proc.poll() is not None:
            raise AssertionError(f"mosquitto exited {self.proc.returncode}:\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM: Mosquitto saves its persistence file and exits."""
        _stop_process(self.proc, signal.SIGTERM, 10)

    def cleanup(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self, tail: int = 4000) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-tail:]
        except OSError:
            return ""
