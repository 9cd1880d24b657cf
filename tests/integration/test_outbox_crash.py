"""The test the issue names, on SQLite and PostgreSQL: the outbox's worker and a real port
receiver, each its own process. The receiver is down at first, then started, then killed with
SIGKILL mid-delivery and started again; the worker is killed with SIGKILL once mid-batch and
started again. At the end every message was received, each key is stored once, and the
duplicates the kills caused were recognised as such by the receiver."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from procs import PHYTOWATCH, _stop_process, free_port, port_open, wait_until
from sqlalchemy import ColumnElement, func, select

from phytowatch.bootstrap import Services
from phytowatch.storage.outbox.tables import outbox_deliveries as D  # noqa: N812

pytestmark = [pytest.mark.integration, pytest.mark.reliability]
MESSAGES = 300
SECRET = "port-secret-7"


def _received(path: Path) -> tuple[int, int]:
    """(keys stored, duplicates recognised) in the receiver's own file."""
    if not path.exists():
        return 0, 0
    with sqlite3.connect(path) as conn:
        try:
            row = conn.execute("SELECT count(*), coalesce(sum(duplicates), 0) FROM received")
        except sqlite3.OperationalError:  # not created yet
            return 0, 0
        count, duplicates = row.fetchone()
    return int(count), int(duplicates)


@contextmanager
def _processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for proc in started:
            _stop_process(proc, signal.SIGKILL, 5)


def test_every_message_arrives_once_across_a_receiver_and_a_worker_killed(
    services: Services, tmp_path: Path
) -> None:
    now = services.clock.now()
    with services.audit.atomic():
        for n in range(MESSAGES):
            body = {"number": f"T{n:05d}", "goods": "柑橘", "lines": ["x" * 40] * 20}
            services.outbox.put(topic="transfer.created", key=f"T{n:05d}", destination="port-sz",
                                body=body, at=now)  # fmt: skip
    port = free_port()
    store = tmp_path / "port.db"
    env = {
        **os.environ,
        "PHYTOWATCH_DATABASE_URL": services.settings.database_url,
        "PHYTOWATCH_RECEIVERS": f"port-sz=http://127.0.0.1:{port}/transfers",
        "PHYTOWATCH_RECEIVER_SECRETS": f"port-sz={SECRET}",
        "PHYTOWATCH_RECEIVER_SECRET": SECRET,
        "PHYTOWATCH_OUTBOX_BACKOFF_CAP_S": "1",
        "PHYTOWATCH_OUTBOX_LEASE_S": "2",
        "PHYTOWATCH_OUTBOX_BATCH": "100",
    }
    worker_cmd = [PHYTOWATCH, "outbox", "deliver", "--idle", "0.05"]
    receiver_cmd = [PHYTOWATCH, "port-receiver", "--listen", f"127.0.0.1:{port}",
                    "--database", f"sqlite:///{store}"]  # fmt: skip

    def spawn(cmd: list[str]) -> subprocess.Popen[bytes]:
        with (tmp_path / f"{cmd[1]}.log").open("ab") as log:
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        running.append(proc)
        return proc

    def outbox(*where: ColumnElement[bool]) -> int:
        with services.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(D).where(*where)).scalar_one())

    with _processes() as running:
        worker = spawn(worker_cmd)
        # the receiver is down: attempts fail and are put off, nothing is lost
        assert wait_until(lambda: outbox(D.c.attempts > 0) > 0, 60), "no attempt made"
        assert outbox(D.c.state == "waiting") == MESSAGES
        receiver = spawn(receiver_cmd)
        assert wait_until(lambda: port_open(port), 30)
        # the worker killed mid-batch: messages received but not yet recorded as delivered
        caught = wait_until(
            lambda: _received(store)[0] - outbox(D.c.state == "delivered") >= 5, 60, step=0.005
        )
        assert caught, "the worker was never caught mid-batch"
        worker.kill()
        worker.wait(10)
        unrecorded = _received(store)[0] - outbox(D.c.state == "delivered")
        assert unrecorded > 0
        worker = spawn(worker_cmd)
        # the receiver killed mid-delivery, then started again on its file
        assert wait_until(lambda: _received(store)[0] >= MESSAGES // 2, 60, step=0.005)
        receiver.kill()
        receiver.wait(10)
        assert _received(store)[0] < MESSAGES, "delivered before the receiver was killed"
        assert wait_until(lambda: outbox(D.c.last_error.like("%no_answer%")) > 0, 30)
        receiver = spawn(receiver_cmd)
        assert wait_until(lambda: outbox(D.c.state == "delivered") == MESSAGES, 120), (
            f"{outbox(D.c.state == 'delivered')} of {MESSAGES} delivered"
        )
        # a clean stop: SIGTERM ends the worker's loop
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    stored, duplicates = _received(store)
    assert stored == MESSAGES
    with sqlite3.connect(store) as conn:
        keys = [k for (k,) in conn.execute("SELECT key FROM received ORDER BY key")]
    assert keys == [f"T{n:05d}" for n in range(MESSAGES)]
    assert duplicates >= unrecorded  # each sent again after the kill, and recognised
