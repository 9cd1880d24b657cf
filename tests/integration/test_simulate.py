"""``phytowatch simulate`` against a real ``phytowatch serve`` on a SQLite file.

One accelerated run (2 simulated hours at 600×, a sample a minute, an outage, a resend) is
shared by the tests; the database is read with sqlite3 once the server has stopped.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from procs import MOSQUITTO, PHYTOWATCH, Phytowatch, PrivateMosquitto, free_port, wait_until

from acting import ctx_at
from phytowatch.domain.instants import parse_instant
from phytowatch.simulate.models import Reading
from phytowatch.simulate.spec import facility_spec

pytestmark = pytest.mark.integration

FACILITY = "JX-0031-K2"
PROBES = ["C1:product", "C2:product", "C3:product", "A1:air"]
FAULTS = ["error:C2@10m:5m", "dropout:C1@20m:5m", "outage@40m:30m", "resend@100m"]
START = "2026-03-01T08:00:00Z"
MINUTE = 60_000_000


@dataclass
class Run:
    result: subprocess.CompletedProcess[str]
    token: str
    stored: dict[tuple[str, int], tuple[float | None, str | None, int]]  # → value, fault, recv
    conflicts: list[tuple[str, int, float | None, float | None]]


def provision(database_url: str) -> str:
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import add_enterprise, add_facility

    now = time.time_ns() // 1000
    services = bootstrap(load_settings(database_url=database_url))
    try:
        add_enterprise(
            services.registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(now)
        )
        issued = add_facility(services.registry, FACILITY, "0031", "kiln", PROBES, ctx=ctx_at(now))
    finally:
        services.close()
    return issued.token


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("simulate")
    db = folder / "phytowatch.db"
    url = f"sqlite:///{db}"
    token = provision(url)
    port = free_port()
    server = Phytowatch.serve(url, port, folder / "serve.log")
    server.start()
    try:
        server.wait_healthy()
        argv = [PHYTOWATCH, "simulate", "--url", f"http://127.0.0.1:{port}"]
        argv += ["--facility", FACILITY, "--token", token, "--kind", "kiln"]
        argv += [a for p in PROBES for a in ("--probe", p)]
        argv += [a for f in FAULTS for a in ("--fault", f)]
        argv += ["--speed", "600", "--interval", "60", "--duration", "2h", "--start", START]
        argv += ["--seed", "7", "--report-every", "30m"]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)
    finally:
        server.stop()
    yield Run(result, token, *_read(db))


def _read(db: Path) -> tuple[dict[tuple[str, int], tuple[float | None, str | None, int]], list]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT p.code, r.t, r.value, r.fault, r.received_at FROM readings r "
            "JOIN probes p ON p.id = r.probe_id"
        ).fetchall()
        conflicts = conn.execute(
            "SELECT p.code, c.t, c.stored_value, c.offered_value FROM reading_conflicts c "
            "JOIN probes p ON p.id = c.probe_id"
        ).fetchall()
    conn.close()
    return {(code, t): (value, fault, received) for code, t, value, fault, received in rows}, [
        tuple(c) for c in conflicts
    ]


def expected() -> list[Reading]:
    spec = facility_spec(FACILITY, "x", "kiln", PROBES, FAULTS, seed=7, interval_s=60)
    model = spec.model(parse_instant(START))
    return [r for _ in range(121) for r in model.next_sample().readings]


def test_the_simulator_finishes_and_reports_every_half_hour(run: Run) -> None:
    assert run.result.returncode == 0, run.result.stderr + run.result.stdout
    lines = run.result.stdout.splitlines()
    assert sum(f"{FACILITY}  kiln  sent" in line for line in lines) == 4
    assert "0 left unsent" in run.result.stdout


def test_the_server_stored_exactly_the_readings_the_simulator_sent(run: Run) -> None:
    readings = expected()
    assert len(run.stored) == len(readings) == 121 * 4 - 5  # C1 dropped out for 5 samples
    for r in readings:
        value, fault, _ = run.stored[(r.probe, r.t)]
        assert (value, fault) == (r.value, r.fault)
    assert f"{len(readings)} accepted" in run.result.stdout


def test_the_backlog_of_an_outage_is_stored_when_the_network_is_back(run: Run) -> None:
    start = parse_instant(START)
    before = run.stored[("A1", start + 39 * MINUTE)][2]
    during = [run.stored[("A1", start + m * MINUTE)][2] for m in range(40, 70)]
    assert len(during) == 30
    # 30 simulated minutes at 600× are 3 s of wall time: the backlog came in after them
    assert min(during) - before > 2_000_000
    assert "sending the backlog" in run.result.stdout


def test_a_conflicting_resend_is_refused_and_kept_as_evidence(run: Run) -> None:
    assert len(run.conflicts) == 1
    probe, t, stored, offered = run.conflicts[0]
    assert run.stored[(probe, t)][0] == stored
    assert offered is not None and stored is not None
    assert offered == pytest.approx(stored + 0.5)
    assert "1 duplicates" not in run.result.stdout  # the identical resend: one per reading
    assert "1 rejected" in run.result.stdout


@pytest.mark.skipif(MOSQUITTO is None, reason="needs the mosquitto binary")
def test_over_mqtt_every_reading_reaches_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'phytowatch.db'}"
    token = provision(url)
    broker = PrivateMosquitto(free_port())
    broker.start()
    env = {**os.environ, "PHYTOWATCH_DATABASE_URL": url, "PHYTOWATCH_MQTT_PORT": str(broker.port)}
    env["PHYTOWATCH_MQTT_HOST"] = "127.0.0.1"
    worker = Phytowatch(["ingest-mqtt"], tmp_path / "worker.log", env=env)
    worker.start()
    try:
        subscribed = wait_until(lambda: "phytowatch/v1/+/readings" in broker.log(), 20)
        assert subscribed, worker.log() + broker.log()
        argv = [PHYTOWATCH, "simulate", "--mqtt", f"127.0.0.1:{broker.port}"]
        argv += ["--facility", FACILITY, "--token", token]
        argv += [a for p in PROBES for a in ("--probe", p)]
        argv += ["--speed", "600", "--duration", "20m", "--start", START]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)
    finally:
        worker.stop()
        broker.cleanup()
    assert result.returncode == 0, result.stdout + result.stderr + worker.log()
    stored, _ = _read(tmp_path / "phytowatch.db")
    assert len(stored) == 21 * 4
