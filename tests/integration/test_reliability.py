"""Reliability of the ingest with real processes: kill the server, stop the database, restart the
broker, and check the promise of the device protocol (docs/device-protocol.md):

- ``200`` means durably stored, so a device may delete its buffer on ``200``;
- nothing is ever half-written: a batch commits or does not;
- a database outage answers ``503`` with ``Retry-After`` (bounded in time) and heals by itself;
- QoS 1 over MQTT loses nothing across a broker restart, and redelivery stores nothing twice.

Private PostgreSQL and Mosquitto instances run in temp dirs on free ports (``procs``); the shared
services of the machine are never stopped or reconfigured.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from procs import (
    FACILITY,
    MOSQUITTO,
    PHYTOWATCH,
    PROBES,
    Answer,
    Phytowatch,
    PrivateMosquitto,
    PrivatePostgres,
    free_port,
    post_batch,
    private_postgres_available,
    provision,
    wait_until,
)

from databases import need

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

# Device time of batch n: [BASE_S + n*SLOT_S, BASE_S + n*SLOT_S + size) seconds, well in the past
# (no "future" rejection) and disjoint between batches, so a stored reading names its batch.
BASE_S = int(time.time()) - 60 * 86_400
SLOT_S = 1_000


def batch(n: int, size: int) -> dict[str, Any]:
    start = BASE_S + n * SLOT_S
    readings = [
        {"probe": PROBES[i % len(PROBES)], "t": start + i, "v": round(40 + (n % 23) + i / 997, 4)}
        for i in range(size)
    ]
    return {"facility": FACILITY, "readings": readings}


def stored_per_batch(database_url: str) -> Counter[int]:
    """How many readings of each batch number are stored."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            times = conn.execute(text("SELECT t FROM readings")).scalars().all()
    finally:
        engine.dispose()
    return Counter((t // 1_000_000 - BASE_S) // SLOT_S for t in times)


def count_rows(database_url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


@dataclass
class Ledger:
    """What each posted batch got: an Answer, or the error of a request that never answered."""

    size: int
    answers: dict[int, Answer] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_number(self) -> int:
        with self.lock:
            return next(self.numbers)

    def post(self, port: int, token: str, timeout: float = 10) -> tuple[int, Answer | None]:
        n = self.next_number()
        try:
            answer = post_batch(port, token, batch(n, self.size), timeout=timeout)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, cut short…
            # …or timed out: the batch is "unknown"
            with self.lock:
                self.errors[n] = f"{type(error).__name__}: {error}"
            return n, None
        with self.lock:
            self.answers[n] = answer
        return n, answer

    def with_status(self, status: int) -> list[int]:
        with self.lock:
            return sorted(n for n, a in self.answers.items() if a.status == status)

    def check_stored(self, stored: Counter[int]) -> list[str]:
        """200 → all of it stored; 503 → none of it; no answer → all or none; nothing else."""
        problems: list[str] = []
        posted = set(self.answers) | set(self.errors)
        for n in sorted(set(stored) - posted):
            problems.append(f"readings of batch {n}, never posted, are stored ({stored[n]})")
        for n, answer in sorted(self.answers.items()):
            if answer.status == 200:
                if stored[n] != self.size:
                    problems.append(f"batch {n} got 200 but {stored[n]}/{self.size} are stored")
                elif answer.json().get("accepted") != self.size:
                    problems.append(f"batch {n}: 200 {answer.body[:200]!r}, expected all accepted")
            elif answer.status == 503 and stored[n] != 0:
                problems.append(f"batch {n} got 503 but {stored[n]}/{self.size} are stored")
        for n in sorted(self.errors):
            if stored[n] not in (0, self.size):
                problems.append(f"batch {n} (no answer) is half-written: {stored[n]}/{self.size}")
        return problems


# ------------------------------------------------------------------------ 1. SIGKILL the server


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_every_reading_that_got_a_200_survives_a_sigkill_of_the_server(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'phytowatch.db'}"
    else:  # a scratch database on the shared PostgreSQL: only phytowatch is killed, never PG
        url = request.getfixturevalue("postgres_url")
    token = provision(url)
    server = Phytowatch.serve(url, free_port(), tmp_path / "serve.log")
    ledger = Ledger(size=200)
    stop = threading.Event()

    def client() -> None:
        deadline = time.monotonic() + 20
        for _ in range(2_000):
            if stop.is_set() or time.monotonic() > deadline:
                return
            _, answer = ledger.post(server.port, token, timeout=10)
            if answer is None:
                return  # the server is gone: this batch is unknown, stop here

    threads = [threading.Thread(target=client, name=f"device-{k}") for k in range(3)]
    try:
        server.start()
        server.wait_healthy()
        for thread in threads:
            thread.start()
        wait_until(lambda: len(ledger.with_status(200)) >= 20, timeout=10)
        time.sleep(1.5)  # a steady stream, then the kill lands in the middle of it
        server.sigkill()
        for thread in threads:
            thread.join(timeout=15)
        assert not any(t.is_alive() for t in threads), "a client thread is stuck"

        server.start()  # the same database, after the crash
        server.wait_healthy()
        n, after = ledger.post(server.port, token)
        assert after is not None and after.status == 200, f"after restart batch {n}: {after}"
    finally:
        stop.set()
        server.stop()
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout=15)

    oks = ledger.with_status(200)
    print(f"{backend}: {len(oks)} batches got 200, no answer for {sorted(ledger.errors)}")
    others = {n: a for n, a in ledger.answers.items() if a.status not in (200, 503)}
    assert not others, f"unexpected answers: {others}\n{server.log()}"
    assert len(oks) >= 20, f"only {len(oks)} batches got 200 before the kill: {ledger.errors}"
    assert len(ledger.errors) <= len(threads), ledger.errors
    problems = ledger.check_stored(stored_per_batch(url))
    assert not problems, "\n".join(problems[:20])


# ------------------------------------------------------------- 2. PostgreSQL goes down and back


def test_devices_get_503_while_postgresql_is_down_and_the_service_recovers_by_itself(
    tmp_path: Path,
) -> None:
    ok, why = private_postgres_available()
    need("a private PostgreSQL", ok, why)
    pg = PrivatePostgres(free_port())
    server: Phytowatch | None = None
    ledger = Ledger(size=100)
    stop = threading.Event()

    def background_device() -> None:  # posts across the whole outage, never stops on errors
        deadline = time.monotonic() + 60
        for _ in range(3_000):
            if stop.is_set() or time.monotonic() > deadline:
                return
            ledger.post(server.port if server else 0, token, timeout=20)
            time.sleep(0.05)

    device = threading.Thread(target=background_device, name="device-bg")
    try:
        pg.initdb()
        pg.start()
        token = provision(pg.url)
        server = Phytowatch.serve(pg.url, free_port(), tmp_path / "serve.log")
        server.start()
        server.wait_healthy()
        for _ in range(3):
            n, answer = ledger.post(server.port, token)
            assert answer is not None and answer.status == 200, f"batch {n}: {answer}"
        device.start()
        time.sleep(0.5)

        pg.stop("fast")
        down: list[tuple[int, Answer | None]] = []
        for _ in range(4):
            down.append(ledger.post(server.port, token, timeout=20))
            time.sleep(0.2)
        detail = f"{down}\n{ledger.errors}\n--- phytowatch log:\n{server.log()}"
        assert all(a is not None for _, a in down), f"a post hung or failed: {detail}"
        assert all(a.status == 503 for _, a in down if a), f"expected 503: {detail}"
        assert all(a.headers.get("retry-after", "").isdigit() for _, a in down if a), detail
        slowest = max(a.seconds for _, a in down if a)
        assert slowest < 6, f"a 503 took {slowest:.1f}s: {detail}"

        pg.start()
        restarted = time.monotonic()
        recovered: float | None = None
        for _ in range(120):
            n, answer = ledger.post(server.port, token, timeout=20)
            if answer is not None and answer.status == 200:
                recovered = time.monotonic() - restarted
                break
            if time.monotonic() - restarted > 30:
                break
            time.sleep(0.25)
        assert recovered is not None, (
            f"no 200 within 30s after PostgreSQL came back (last: {answer})\n{server.log()}"
        )
        for _ in range(3):
            n, answer = ledger.post(server.port, token)
            assert answer is not None and answer.status == 200, f"batch {n}: {answer}"
        assert server.alive(), "phytowatch died"
    finally:
        stop.set()
        if device.is_alive():
            device.join(timeout=30)
        if server is not None:
            server.stop()
        try:
            if pg.running:
                stored = stored_per_batch(pg.url)
        finally:
            pg.cleanup()

    statuses = Counter(a.status for a in ledger.answers.values())
    print(f"answers {dict(statuses)}, no answer {len(ledger.errors)}, 503s {[a for _, a in down]}")
    print(f"200 again {recovered:.2f}s after PostgreSQL restarted")
    assert set(statuses) <= {200, 503}, f"answers {statuses}; see the log:\n{server.log()}"
    assert not ledger.errors, f"requests without an answer: {ledger.errors}"
    slowest_all = max(a.seconds for a in ledger.answers.values())
    assert slowest_all < 10, f"slowest answer {slowest_all:.1f}s"
    problems = ledger.check_stored(stored)
    assert not problems, "\n".join(problems[:20])


# --------------------------------------------------------------- 3. the MQTT broker restarts


def subscriber_built() -> bool:
    done = subprocess.run(
        [PHYTOWATCH, "ingest-mqtt", "--help"], capture_output=True, timeout=60, check=False
    )
    return done.returncode == 0


def test_the_mqtt_subscriber_reconnects_and_loses_no_qos1_message_when_the_broker_restarts(
    tmp_path: Path,
) -> None:
    need("Mosquitto", MOSQUITTO is not None, "no mosquitto binary (PHYTOWATCH_TEST_MOSQUITTO)")
    if not subscriber_built():
        pytest.skip("subscriber not built")
    import paho.mqtt.client as mqtt

    url = f"sqlite:///{tmp_path / 'phytowatch.db'}"
    provision(url)
    broker = PrivateMosquitto(free_port())
    env = dict(os.environ)
    env.update(PHYTOWATCH_MQTT_HOST="127.0.0.1", PHYTOWATCH_MQTT_PORT=str(broker.port))
    subscriber = Phytowatch(
        [
            "ingest-mqtt",
            "--database-url",
            url,
            "--client-id",
            f"pw-reliability-ingest-{os.getpid()}",
        ],
        tmp_path / "mqtt.log",
        env=env,
    )
    topic = f"phytowatch/v1/{FACILITY}/readings"
    size, total, early_count = 50, 60, 3
    acked: set[int] = set()
    mids: dict[int, int] = {}  # mid → batch number
    lock = threading.Lock()

    def on_publish(_c: Any, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        with lock:
            acked.add(mid)

    publisher = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"pw-reliability-pub-{os.getpid()}",
        clean_session=False,
        protocol=mqtt.MQTTv311,
    )
    publisher.on_publish = on_publish
    # A device is back within a fraction of a second of the broker (there are many devices and
    # one of them is always quick); the ingest worker may take longer. paho takes a float here.
    quick: Any = 0.2
    publisher.reconnect_delay_set(min_delay=quick, max_delay=1)
    publisher.max_queued_messages_set(0)

    def publish(n: int) -> None:
        info = publisher.publish(topic, json_bytes(batch(n, size)), qos=1)
        with lock:
            mids[info.mid] = n

    try:
        broker.start()
        subscriber.start()
        publisher.connect("127.0.0.1", broker.port, keepalive=10)
        publisher.loop_start()
        # batch 0 until it is stored: the subscriber is up and subscribed (a QoS 1 message to a
        # topic nobody subscribes to yet is dropped by the broker; resending it is harmless)
        for _ in range(30):
            publish(0)
            if wait_until(lambda: stored_per_batch(url)[0] == size, timeout=1, step=0.2):
                break
            assert subscriber.alive(), f"the subscriber exited:\n{subscriber.log()}"
        assert stored_per_batch(url)[0] == size, (
            f"the subscriber stored nothing:\n{subscriber.log()}"
        )

        for n in range(1, total + 1):
            publish(n)
            time.sleep(0.02)
            if n == total // 3:
                broker.stop()  # mid-stream; later batches wait in the publisher's queue
            if n == total // 2:
                broker.start()  # same persistence dir: sessions and queued messages survive
                # another device, connected as soon as the broker is back (before the worker is
                # sure to be): the worker's persistent session must keep these for it too
                early = [total + 1 + k for k in range(early_count)]
                publish_at_once(early, broker.port, mqtt, size)
        everything_acked = wait_until(lambda: set(mids) <= acked, timeout=20, step=0.2)
        assert everything_acked, f"the broker did not ack {len(set(mids) - acked)} messages"
        wanted = {n: size for n in range(total + 1 + early_count)}
        wait_until(lambda: stored_per_batch(url) == wanted, timeout=10, step=0.5)
        stored = stored_per_batch(url)
        assert subscriber.alive(), f"the subscriber exited:\n{subscriber.log()}"
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        subscriber.stop()
        broker.cleanup()

    # Seen with Mosquitto 2.0.11: the restarted broker restores the worker's persistent session
    # but not its $share/... subscription, so what is published before the worker subscribes
    # again goes to nobody (the early device's batches).
    missing = {n: stored[n] for n in wanted if stored[n] != size}
    assert not missing, (
        f"batches not fully stored (batch: readings of {size}): {missing}\n{subscriber.log()}"
    )
    assert sum(stored.values()) == len(wanted) * size
    assert count_rows(url, "reading_conflicts") == 0, "redelivery raised a tamper alarm"


def json_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def publish_at_once(numbers: list[int], port: int, mqtt: Any, size: int) -> None:
    """A device that connects, publishes these batches at QoS 1 (each acked), and leaves."""
    device = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"pw-reliability-early-{os.getpid()}",
        protocol=mqtt.MQTTv311,
    )
    device.connect("127.0.0.1", port, keepalive=10)
    device.loop_start()
    try:
        for n in numbers:
            info = device.publish(
                f"phytowatch/v1/{FACILITY}/readings", json_bytes(batch(n, size)), qos=1
            )
            info.wait_for_publish(timeout=5)
            assert info.is_published(), f"the broker did not ack batch {n}"
    finally:
        device.disconnect()
        device.loop_stop()
