"""The ports' own systems in the demo: the reference receiver (``phytowatch port-receiver``) as a
child process for each port of ``ports.json`` that has a ``receiver`` (and an office), listening
on a free local port, keeping what it receives in the demo's folder; the service's outbox
delivers the transfers to them (its settings name each receiver's address and shared secret).

A receiver that does not start is said and left out: its transfers wait in the outbox, as they
would for a port whose system is down. Each child is stopped by its own pid on the way out.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

if TYPE_CHECKING:
    from phytowatch.services.app import App

READY_S = 20.0  # wall seconds a receiver has to answer its health check


@dataclass
class Receiver:
    name: str  # as ports.json's ``receiver``
    url: str
    database: Path
    log: Path
    secret: str
    process: subprocess.Popen[bytes]


def receiver_names(app: App) -> list[str]:
    """The receivers of the ports that take e-transfers, each once."""
    ports = app.policy.policy().ports.ports.values()
    return sorted({p.receiver for p in ports if p.receiver and p.office})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_receivers(names: list[str], folder: Path) -> list[Receiver]:
    """Each receiver as a child process (its secret by environment, not on its command line)."""
    folder.mkdir(parents=True, exist_ok=True)
    started = []
    for name in names:
        port = _free_port()
        secret = secrets.token_urlsafe(24)
        database = folder / f"receiver-{name}.db"
        log = folder / f"receiver-{name}.log"
        env = {**os.environ, "PHYTOWATCH_RECEIVER_SECRET": secret}
        command = [
            sys.executable, "-m", "phytowatch", "port-receiver",
            "--listen", f"127.0.0.1:{port}", "--database", f"sqlite:///{database}",
        ]  # fmt: skip
        with log.open("ab") as out:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )
        started.append(Receiver(name, f"http://127.0.0.1:{port}", database, log, secret, process))
    return started


def ready(receivers: list[Receiver]) -> tuple[list[Receiver], list[Receiver]]:
    """(those answering their health check, those that did not start: stopped)."""
    deadline = time.monotonic() + READY_S
    up: list[Receiver] = []
    waiting = list(receivers)
    while waiting and time.monotonic() < deadline:
        for receiver in list(waiting):
            if receiver.process.poll() is not None:
                continue
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{receiver.url}/health", timeout=1) as answer,
            ):
                if answer.status == 200:
                    up.append(receiver)
                    waiting.remove(receiver)
        if waiting:
            time.sleep(0.1)
    stop_receivers(waiting)
    return sorted(up, key=lambda r: r.name), waiting


def outbox_settings(receivers: list[Receiver]) -> dict[str, Any]:
    """The service's settings that send each port's transfers to its receiver."""
    if not receivers:
        return {}
    return {
        "receivers": ",".join(f"{r.name}={r.url}" for r in receivers),
        "receiver_secrets": SecretStr(",".join(f"{r.name}={r.secret}" for r in receivers)),
    }


def stop_receivers(receivers: list[Receiver]) -> None:
    for receiver in receivers:
        process = receiver.process
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
