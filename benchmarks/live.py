"""Benchmark of live judging under load: alarm latency, server memory, ceiling, re-judging.

Run with the project's interpreter::

    .venv/bin/python benchmarks/live.py [--facilities N] [--step-s S] [--profile] [--write-doc]

1. Seeds a scratch SQLite file in-process (the project's own services): ``FACILITIES`` kilns of
   8 product probes each, an ``ispm15-ht`` run started on each a minute ago.
2. Starts ``phytowatch serve`` on it as a subprocess (admin token set), so that its memory
   (``VmRSS``, peak ``VmHWM``) is measured apart from the load generator.
3. Load: a separate load-generator process (threads, keep-alive ``http.client``) makes every
   facility post its 8 readings every ``INTERVAL_S`` seconds, device time = real time, values
   around 60 °C (every run holds). 1,000 facilities every 5 s = 1,600 readings/s.
4. Latency: this process reads ``GET /api/v1/events``; every ``BREAK_EVERY_S`` seconds a facility
   not broken before posts a hold-breaking batch (C1 at 50 °C). t0 = its ``200`` arrives; t1 = the
   ``alarm`` event (``raised``, kind ``hold_broken``) for that facility arrives on the stream
   (the ``run`` event of its phase change is recorded too). Target p99 <= 1 s.
5. Ceiling: the same facilities post more often (shorter steps) until p99 > 1 s, the server
   answers 503, or the offered load is not achieved; the highest step with p99 <= 1 s is reported.
6. Re-judging a 22-day cold run (``au-cold-citrus-medfly``, 6 pulp + 2 air, 1-minute readings)
   after a day of backfilled readings arrives late: in the engine (``Judge``, replayable), and in
   the service: through ``RunMonitor.tick`` (readings another process stored) and through
   ``RunMonitor.committed`` (a batch this process committed, as ``serve`` judges it).

With ``--write-doc`` the figures replace the live section of ``docs/performance.md`` (between
``<!-- live:begin -->`` and ``<!-- live:end -->``). Exit status 1 when a target is missed.
Everything is bounded (fixed durations, deadlines on every wait) and uses only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import multiprocessing as mp
import os
import queue
import random
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from machine import machine
from phytowatch.services.clock import FixedClock
from phytowatch.services.context import Context
from serving import free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- live:begin -->", "<!-- live:end -->"
HEADING = "## Live judging"
BIN = Path(sys.executable).parent
PHYTOWATCH = BIN / "phytowatch"
HOST = "127.0.0.1"

FACILITIES = 1_000
PROBES = [f"C{i}" for i in range(1, 9)]
SCHEDULE = "ispm15-ht"  # 56 °C for 30 min
HOLD_VALUE = 60.0
BREAK_VALUE = 50.0
INTERVAL_S = 5.0  # each facility posts its 8 readings this often: 1,000 x 8 / 5 = 1,600/s
# 2,000, 2,400, 2,800, 3,200, 4,000, 4,800 readings/s with 1,000 facilities: fine steps, since
# one serving process is bound by its requests (8 readings each) before its latency is
CEILING_INTERVALS = (4.0, 3.333, 2.857, 2.5, 2.0, 1.667)
LOADER_THREADS = 32
WARMUP_S = 20.0  # load before the first break (the server loads every run at its first tick)
BASE_S = 80.0  # breaks at the base load
STEP_S = 40.0  # breaks at each ceiling step
BREAK_EVERY_S = 1.5
ALARM_WAIT_S = 20.0  # how long a break's alarm is waited for after the step
TARGET_P99_S = 1.0
TARGET_RSS_MB = 300.0
REQUEST_TIMEOUT = 30.0
SERVER_START_TIMEOUT = 60.0

COLD_SCHEDULE = "au-cold-citrus-medfly"
COLD_DAYS = 22
LATE_DAY = 10  # the day whose readings arrive last, after days 0-21 without it
US = 1_000_000


# ------------------------------------------------------------------------------------ helpers


def now_us() -> int:
    return time.time_ns() // 1000


def facility_code(k: int) -> str:
    return f"LV-{k:04d}-K1"


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``; inf when empty."""
    if not values:
        return float("inf")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
    return ordered[rank - 1]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (empty when it is gone)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


# ------------------------------------------------------------------------------------ seeding


def seed(url: str, count: int) -> dict[str, str]:
    """``count`` kilns with 8 product probes and an open ``ispm15-ht`` run each; their tokens."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import add_enterprise, add_facility
    from phytowatch.services.runs import start_run

    now = now_us()
    tokens: dict[str, str] = {}
    services = bootstrap(load_settings(database_url=url))
    try:
        add_enterprise(
            services.registry,
            "9100",
            "负载",
            "Load",
            "Ganzhou",
            "A",
            ctx=Context.system(FixedClock(now)),
        )
        specs = [f"{p}:product" for p in PROBES]
        for k in range(count):
            code = facility_code(k)
            issued = add_facility(
                services.registry,
                code,
                "9100",
                "kiln",
                specs,
                treater_number=f"{k:04d}",
                ctx=Context.system(FixedClock(now)),
            )
            tokens[code] = issued.token
            start_run(
                services.runs,
                code,
                SCHEDULE,
                load="600 pallets, pine",
                ctx=Context.system(FixedClock(now - 60 * US)),
            )
    finally:
        services.close()
    return tokens


# ------------------------------------------------------------------------------------ server


class Server:
    """``phytowatch serve`` in a subprocess (optionally under cProfile)."""

    def __init__(self, url: str, workdir: Path, admin: str, profile: Path | None) -> None:
        self.port = free_port()
        self.log = (workdir / f"serve-{self.port}.log").open("w")
        argv = [str(PHYTOWATCH), "serve", "--database-url", url, "--port", str(self.port)]
        argv += ["--log-level", "error"]
        if profile is not None:
            argv = [sys.executable, "-m", "cProfile", "-o", str(profile), *argv]
        env = dict(os.environ, PHYTOWATCH_ADMIN_TOKEN=admin)
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        if wait_until_healthy(self.process, self.port, self.log.name, SERVER_START_TIMEOUT, 0.2):
            return
        self.stop()
        raise RuntimeError("phytowatch serve did not answer /api/v1/health in time")

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # uvicorn shuts down, cProfile writes
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


class MemoryWatch(threading.Thread):
    """Samples the server's VmRSS twice a second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int]] = []  # (monotonic, kB)
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            rss = proc_status(self.pid).get("VmRSS")
            if rss is None:
                return
            self.samples.append((time.monotonic(), rss))

    def peak_mb(self, since: float = 0.0) -> float:
        return max((kb for t, kb in self.samples if t >= since), default=0) / 1024


# ------------------------------------------------------------------------------------ load


def batch_body(code: str, values: dict[str, float]) -> bytes:
    t = round(time.time(), 3)
    readings = [{"probe": p, "t": t, "v": round(v, 2)} for p, v in values.items()]
    return json.dumps({"facility": code, "readings": readings}).encode()


def loader(
    port: int,
    tokens: list[tuple[str, str]],
    interval: float,
    start_at: float,
    stop_at: float,
    results: Any,
) -> None:
    """The load-generator process: each facility posts every ``interval`` s, phases spread."""
    counts = {"posts": 0, "readings": 0, "s503": 0, "errors": 0, "late": 0}
    lock = threading.Lock()
    slots = {code: k * interval / len(tokens) for k, (code, _) in enumerate(tokens)}

    def client(share: list[tuple[str, str]]) -> None:
        rng = random.Random(hash(share[0][0]))
        values = {c: {p: HOLD_VALUE + rng.uniform(-0.3, 0.3) for p in PROBES} for c, _ in share}
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        cycle = 0
        try:
            while True:
                for code, token in share:
                    due = start_at + cycle * interval + slots[code]
                    if due >= stop_at or time.time() >= stop_at:
                        return  # a thread that fell behind stops at the end, too
                    wait = due - time.time()
                    if wait > 0:
                        time.sleep(wait)
                    elif wait < -interval:
                        with lock:
                            counts["late"] += 1
                    walk = values[code]
                    for p in PROBES:  # a bounded random walk: no flatline, no implausible rate
                        v = walk[p] + rng.choice((-0.02, 0.02))
                        walk[p] = min(HOLD_VALUE + 0.5, max(HOLD_VALUE - 0.5, v))
                    headers = {"Authorization": f"Bearer {token}"}
                    try:
                        conn.request("POST", "/api/v1/ingest", batch_body(code, walk), headers)
                        answer = conn.getresponse()
                        answer.read()
                    except (OSError, http.client.HTTPException):
                        with lock:
                            counts["errors"] += 1
                        conn.close()
                        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
                        continue
                    what = "posts" if answer.status == 200 else "s503"
                    what = what if answer.status in (200, 503) else "errors"
                    with lock:  # counted as they happen: a thread still busy at the end counts
                        counts[what] += 1
                        counts["readings"] += len(PROBES) if answer.status == 200 else 0
                cycle += 1
        finally:
            conn.close()

    shares = [tokens[i::LOADER_THREADS] for i in range(LOADER_THREADS)]
    threads = [threading.Thread(target=client, args=(s,), daemon=True) for s in shares if s]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, stop_at - time.time()) + REQUEST_TIMEOUT + 5)
    results.put(counts)


# ------------------------------------------------------------------------------------ stream


class Stream(threading.Thread):
    """Reads ``GET /api/v1/events`` (HTTP/1.0 on a raw socket, so no chunked framing, read in
    large pieces: a ``runs`` summary of 1,000 runs is ~0.5 MB each second); notes when each
    facility's hold_broken alarm and phase change arrive, and each ``runs`` summary (ticks)."""

    def __init__(self, port: int, admin: str) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection((HOST, port), timeout=120)
        request = (
            f"GET /api/v1/events HTTP/1.0\r\nHost: {HOST}\r\nAuthorization: Bearer {admin}\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            data = self.sock.recv(65536)
            if not data:
                break
            head += data
        status, _, self.rest = head.partition(b"\r\n\r\n")
        if b" 200 " not in status.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"GET /api/v1/events answered {status[:80]!r}")
        self.alarms: dict[str, float] = {}  # facility -> monotonic arrival of hold_broken raised
        self.waiting: dict[str, float] = {}  # facility -> arrival of HOLDING -> WAITING
        self.ticks: list[float] = []  # arrivals of `runs` summaries
        self.overflow = False
        self.stopping = False

    def run(self) -> None:
        buf = bytearray(self.rest)
        scan = 0
        try:
            while not self.stopping:
                data = self.sock.recv(1 << 20)
                if not data:
                    return
                arrived = time.monotonic()
                buf += data
                while (end := buf.find(b"\n\n", scan)) >= 0:
                    self.frame(bytes(buf[:end]), arrived)
                    del buf[: end + 2]
                    scan = 0
                scan = max(0, len(buf) - 1)
        except (OSError, ValueError):
            return

    def frame(self, frame: bytes, arrived: float) -> None:
        name, data = "", b""
        for line in frame.split(b"\n", 2):
            if line.startswith(b"event: "):
                name = line[7:].decode()
            elif line.startswith(b"data: "):
                data = line[6:]
        if name == "runs":
            self.ticks.append(arrived)
        elif name == "overflow":
            self.overflow = True
        elif name == "alarm":
            body = json.loads(data)
            alarm = body["alarm"]
            if body["change"] == "raised" and alarm["kind"] == "hold_broken":
                self.alarms.setdefault(alarm["facility"], arrived)
        elif name == "run":
            body = json.loads(data)
            if body.get("phase") == "WAITING" and body.get("previous") == "HOLDING":
                self.waiting.setdefault(body["facility"], arrived)

    def close(self) -> None:
        self.stopping = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


# ------------------------------------------------------------------------------------ steps


@dataclass
class Step:
    interval: float
    facilities: int
    duration: float  # seconds of load (warm-up included)
    posts: int = 0
    readings: int = 0
    s503: int = 0
    errors: int = 0
    late: int = 0
    breaks: int = 0
    latencies: list[float] = field(default_factory=list)  # t1 - t0 (alarm), seconds
    phase_latencies: list[float] = field(default_factory=list)  # to the `run` phase event
    missing: int = 0  # breaks whose alarm never arrived
    break_errors: int = 0
    rss_peak_mb: float = 0.0
    server_cpu: float = 0.0  # server CPU seconds per second of the step
    tick_periods: list[float] = field(default_factory=list)
    load_s: float = 0.0
    overflow: bool = False

    @property
    def offered(self) -> float:
        return self.facilities * len(PROBES) / self.interval

    @property
    def achieved(self) -> float:
        return self.readings / self.load_s if self.load_s else 0.0

    @property
    def p50(self) -> float:
        return pct(self.latencies + [float("inf")] * self.missing, 0.50)

    @property
    def p99(self) -> float:
        return pct(self.latencies + [float("inf")] * self.missing, 0.99)

    @property
    def ok(self) -> bool:
        return (
            self.p99 <= TARGET_P99_S
            and self.s503 == 0
            and self.errors == 0
            and self.achieved >= 0.95 * self.offered
        )


def run_step(
    port: int,
    admin: str,
    tokens: dict[str, str],
    memory: MemoryWatch,
    server_pid: int,
    interval: float,
    warmup: float,
    breaks_for: float,
    unbroken: list[str],
) -> Step:
    items = sorted(tokens.items())
    step = Step(interval, len(items), warmup + breaks_for)
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    start_at = time.time() + 1.0
    stop_at = start_at + step.duration
    process = ctx.Process(
        target=loader, args=(port, items, interval, start_at, stop_at, results), daemon=True
    )
    process.start()
    cpu0, t0_mono = cpu_seconds(server_pid), time.monotonic()
    time.sleep(max(0.0, start_at - time.time()) + warmup)
    # connected after the warm-up: a tick in which many runs change phase at once (the first
    # one, when the loader starts) publishes more events than a subscriber's queue holds
    stream = Stream(port, admin)
    stream.start()
    ticks_from = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    sent: list[tuple[str, float]] = []
    deadline = time.monotonic() + breaks_for
    next_break = time.monotonic()
    while time.monotonic() < deadline and unbroken:
        time.sleep(max(0.0, next_break - time.monotonic()))
        next_break += BREAK_EVERY_S
        code = unbroken.pop()
        values = {p: HOLD_VALUE for p in PROBES}
        values["C1"] = BREAK_VALUE
        try:
            conn.request(
                "POST",
                "/api/v1/ingest",
                batch_body(code, values),
                {"Authorization": f"Bearer {tokens[code]}"},
            )
            answer = conn.getresponse()
            answer.read()
            done = time.monotonic()
        except (OSError, http.client.HTTPException):
            step.break_errors += 1
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            continue
        if answer.status != 200:
            step.break_errors += 1
            continue
        sent.append((code, done))
    conn.close()
    step.breaks = len(sent)
    ticks_to = time.monotonic()
    wait_until = time.monotonic() + ALARM_WAIT_S
    while time.monotonic() < wait_until and any(c not in stream.alarms for c, _ in sent):
        time.sleep(0.2)
    for code, t0 in sent:
        if code in stream.alarms:
            step.latencies.append(stream.alarms[code] - t0)
        else:
            step.missing += 1
        if code in stream.waiting:
            step.phase_latencies.append(stream.waiting[code] - t0)
    process.join(timeout=max(0.0, stop_at - time.time()) + REQUEST_TIMEOUT + 15)
    if process.is_alive():
        process.terminate()
        process.join(timeout=5)
    stream.close()
    step.overflow = stream.overflow
    try:
        counts = results.get(timeout=10)
    except queue.Empty:
        counts = {}
    step.load_s = step.duration
    for key in ("posts", "readings", "s503", "errors", "late"):
        setattr(step, key, int(counts.get(key, 0)))
    step.server_cpu = (cpu_seconds(server_pid) - cpu0) / (time.monotonic() - t0_mono)
    step.rss_peak_mb = memory.peak_mb(since=t0_mono)
    arrivals = [t for t in stream.ticks if ticks_from <= t <= ticks_to]
    step.tick_periods = [b - a for a, b in itertools.pairwise(arrivals)]
    return step


# ------------------------------------------------------------------------------------ re-judge


@dataclass
class Rejudge:
    readings: int = 0  # readings of the run (22 days)
    late: int = 0  # readings in the late day
    engine_feed_s: float = 0.0  # feeding the 21 days in order, a minute per call
    engine_late_s: float = 0.0  # the late day's feed + state() + result()
    engine_replays: int = 0
    engine_before: str = ""
    engine_after: str = ""
    service_first_s: float = 0.0  # first tick: 21 days read from the database and judged
    service_late_s: float = 0.0  # the tick after the late day was stored
    commit_late_s: float = 0.0  # the late day posted through the writer, judged on commit
    commit_events: list[str] = field(default_factory=list)
    service_events: list[str] = field(default_factory=list)
    service_note: str = ""


def cold_rows() -> list[tuple[int, list[float]]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from judge import generate_rows  # the judge benchmark's 22-day log, same seed

    return generate_rows(days=COLD_DAYS)


def rejudge_engine(rows: list[tuple[int, list[float]]], result: Rejudge) -> None:
    from phytowatch.domain.judgement.judge import Judge
    from phytowatch.domain.readings import Reading
    from phytowatch.schedules import load_one

    names = [f"C{i}" for i in range(1, 7)] + ["A1", "A2"]
    roles = {n: ("product" if n.startswith("C") else "air") for n in names}
    judge = Judge(load_one(COLD_SCHEDULE).resolve({}), roles)  # type: ignore[arg-type]
    late_from = rows[0][0] + LATE_DAY * 86_400 * US
    late_to = late_from + 86_400 * US
    on_time, late = [], []
    for t, values in rows:
        batch = [Reading(n, t, v) for n, v in zip(names, values, strict=True)]
        (late if late_from <= t < late_to else on_time).append(batch)
    result.readings = sum(len(b) for b in on_time + late)
    result.late = sum(len(b) for b in late)
    began = time.perf_counter()
    for batch in on_time:
        judge.feed(batch)
        judge.state(now=batch[0].t + 5 * US)
    result.engine_feed_s = time.perf_counter() - began
    end = rows[-1][0] + 60 * US
    before = judge.state(now=end)
    result.engine_before = f"{before.phase.value}, verdict {before.judgement.verdict}"
    replays = judge.replays
    began = time.perf_counter()
    judge.feed([r for batch in late for r in batch])
    after = judge.state(now=end)
    verdict = judge.result().verdict
    result.engine_late_s = time.perf_counter() - began
    result.engine_replays = judge.replays - replays
    result.engine_after = f"{after.phase.value}, verdict {verdict}"


def rejudge_on_commit(rows: list[tuple[int, list[float]]], workdir: Path, result: Rejudge) -> None:
    """The late day as ``serve`` takes it from a device: one batch through the writer, judged
    by ``RunMonitor.committed`` (as the live-judging thread calls it) once it is committed."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.ports import ReadingBatch, StoredItem
    from phytowatch.services.provisioning import add_enterprise, add_facility
    from phytowatch.services.runs import start_run

    url = f"sqlite:///{workdir / 'cold-commit.db'}"
    names = [f"C{i}" for i in range(1, 7)] + ["A1", "A2"]
    start = rows[0][0]
    late_from = start + LATE_DAY * 86_400 * US
    late_to = late_from + 86_400 * US
    end = rows[-1][0] + 60 * US
    services = bootstrap(load_settings(database_url=url))
    try:
        add_enterprise(
            services.registry,
            "9200",
            "冷处理",
            "Cold",
            "Ganzhou",
            "A",
            ctx=Context.system(FixedClock(start)),
        )
        specs = [f"C{i}:product" for i in range(1, 7)] + ["A1:air", "A2:air"]
        facility = add_facility(
            services.registry,
            "CR-0002-R1",
            "9200",
            "cold_room",
            specs,
            ctx=Context.system(FixedClock(start)),
        ).facility
        start_run(
            services.runs,
            "CR-0002-R1",
            COLD_SCHEDULE,
            load="citrus, 20 t",
            ctx=Context.system(FixedClock(start)),
        )
        ids = {code: probe.id for code, probe in facility.probes.items()}

        def batch(late: bool, received: int) -> ReadingBatch:
            items = [
                StoredItem(0, ids[n], t, v, None)
                for t, values in rows
                if (late_from <= t < late_to) is late
                for n, v in zip(names, values, strict=True)
            ]
            items = [item._replace(position=k) for k, item in enumerate(items)]
            return ReadingBatch(facility.id, "http", received, tuple(items))

        services.writer.submit(batch(False, end - 3600 * US)).result(timeout=300)
        services.monitor.tick(end)  # the run is watched, its 21 days judged
        late = batch(True, end + US)
        outcome = services.writer.submit(late).result(timeout=300)
        assert outcome.inserted == len(late.items)
        began = time.perf_counter()
        events, _ = services.monitor.committed(
            facility.id,
            late.received_at,
            ((i.probe_id, i.t, i.value, i.fault) for i in late.items),
            end + 2 * US,
        )
        result.commit_late_s = time.perf_counter() - began
        result.commit_events += [f"{e.kind} {e.phase}" for e in events]
    finally:
        services.close()


def rejudge_service(rows: list[tuple[int, list[float]]], workdir: Path, result: Rejudge) -> None:
    """The same through RunMonitor.tick on a SQLite file: the readings are written straight
    into the readings table (as ingest would store them), the late day last."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import add_enterprise, add_facility
    from phytowatch.services.runs import start_run

    path = workdir / "cold.db"
    url = f"sqlite:///{path}"
    names = [f"C{i}" for i in range(1, 7)] + ["A1", "A2"]
    start = rows[0][0]
    services = bootstrap(load_settings(database_url=url))
    try:
        add_enterprise(
            services.registry,
            "9200",
            "冷处理",
            "Cold",
            "Ganzhou",
            "A",
            ctx=Context.system(FixedClock(start)),
        )
        specs = [f"C{i}:product" for i in range(1, 7)] + ["A1:air", "A2:air"]
        add_facility(
            services.registry,
            "CR-0001-R1",
            "9200",
            "cold_room",
            specs,
            ctx=Context.system(FixedClock(start)),
        )
        start_run(
            services.runs,
            "CR-0001-R1",
            COLD_SCHEDULE,
            load="citrus, 20 t",
            ctx=Context.system(FixedClock(start)),
        )
        db = sqlite3.connect(path, isolation_level=None)
        ids = dict(db.execute("SELECT code, id FROM probes").fetchall())
        (facility_id,) = db.execute("SELECT id FROM facilities").fetchone()
        late_from = start + LATE_DAY * 86_400 * US
        late_to = late_from + 86_400 * US
        sql = (
            "INSERT INTO readings (probe_id, t, facility_id, value, fault, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?)"
        )
        end = rows[-1][0] + 60 * US
        received = end - 3600 * US
        db.execute("BEGIN")
        db.executemany(
            sql,
            [
                (ids[n], t, facility_id, v, None, received)
                for t, values in rows
                if not late_from <= t < late_to
                for n, v in zip(names, values, strict=True)
            ],
        )
        db.execute("COMMIT")
        began = time.perf_counter()
        events = services.monitor.tick(end)
        result.service_first_s = time.perf_counter() - began
        result.service_events += [f"{e.kind} {e.phase}" for e in events]
        db.execute("BEGIN")
        db.executemany(
            sql,
            [
                (ids[n], t, facility_id, v, None, end + US)
                for t, values in rows
                if late_from <= t < late_to
                for n, v in zip(names, values, strict=True)
            ],
        )
        db.execute("COMMIT")
        db.close()
        began = time.perf_counter()
        events = services.monitor.tick(end + 2 * US)
        result.service_late_s = time.perf_counter() - began
        result.service_events += [f"{e.kind} {e.phase}" for e in events]
    except Exception as error:  # report, do not lose the rest of the run
        result.service_note = f"{type(error).__name__}: {error}"
    finally:
        services.close()


# ------------------------------------------------------------------------------------ report


def secs(value: float) -> str:
    return "-" if value == float("inf") else f"{value:.2f} s"


def build_report(
    *,
    command: str,
    facilities: int,
    seed_s: float,
    base: Step | None,
    ceiling: list[Step],
    rss_hwm_mb: float,
    rejudge: Rejudge | None,
    checks: list[tuple[bool, str]],
    notes: list[str],
    whole_s: float,
) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"Command: `{command}` ({stamp})", ""]
    out.append("Machine: " + "; ".join(f"{k}: {v}" for k, v in machine().items()))
    out.append("")
    out.append(
        f"Setup: {facilities:,} kilns x {len(PROBES)} product probes, an `{SCHEDULE}` run open on "
        f"each (seeded in-process in {seed_s:.0f} s), `phytowatch serve` (uvicorn, one process, "
        f"SQLite file) as a subprocess on 127.0.0.1; the load from a separate process "
        f"({LOADER_THREADS} threads, keep-alive `http.client`, device time = real time, values "
        f"around {HOLD_VALUE:g} °C so every run holds) on the same 2 cores. Latency: every "
        f"{BREAK_EVERY_S:g} s another facility posts a hold-breaking batch (C1 at "
        f"{BREAK_VALUE:g} °C); t0 = its `200` arrives at the client, t1 = the `alarm` event "
        "(`raised`, `hold_broken`) for that facility arrives on `GET /api/v1/events`, read by "
        "the same client process. The `run` event (HOLDING -> WAITING) is shown too. "
        f"Whole benchmark: {whole_s:.0f} s."
    )
    out.append("")
    steps = ([base] if base else []) + ceiling
    if steps:
        out.append(
            "| load | readings/s offered | achieved | 503 / errors | breaks | alarm p50 | "
            "alarm p99 | alarm max | `run` event p50 | tick period median / max | server CPU "
            "| server RSS peak |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in steps:
            label = f"{s.facilities:,} facilities every {s.interval:g} s"
            periods = s.tick_periods or [float("inf")]
            out.append(
                f"| {label} | {s.offered:,.0f} | {s.achieved:,.0f} | {s.s503} / {s.errors} | "
                f"{s.breaks}{f' ({s.missing} no alarm)' if s.missing else ''} | "
                f"{secs(s.p50)} | {secs(s.p99)} | {secs(max(s.latencies, default=0))} | "
                f"{secs(pct(s.phase_latencies, 0.5))} | "
                f"{secs(statistics.median(periods))} / {secs(max(periods))} | "
                f"{s.server_cpu * 100:.0f}% | {s.rss_peak_mb:.0f} MB |"
            )
        out.append("")
        out.append(
            f"Server memory: peak resident set (`VmHWM`) {rss_hwm_mb:.0f} MB over the whole run."
        )
        out.append("")
    if rejudge is not None:
        r = rejudge
        out.append(
            f"Re-judging: a {COLD_DAYS}-day `{COLD_SCHEDULE}` run (6 pulp + 2 air, 1-minute "
            f"readings, {r.readings:,} readings; the judge benchmark's log). Days 0-21 arrive "
            f"in order except day {LATE_DAY}, whose {r.late:,} readings arrive last (a logger's "
            "late upload): the gap breaks the hold, the late day mends it and the run passes."
        )
        out.append("")
        out.append("| where | what is timed | time |")
        out.append("|---|---|---:|")
        out.append(
            f"| engine (`Judge`, replayable) | 21 days in order, a minute per `feed` + "
            f"`state()` | {r.engine_feed_s:.2f} s |"
        )
        out.append(
            f"| engine | the late day: one `feed` + `state()` + `result()` "
            f"({r.engine_replays} replay; {r.engine_before} -> {r.engine_after}) | "
            f"{r.engine_late_s:.2f} s |"
        )
        if not r.service_note:
            out.append(
                f"| service (`RunMonitor.tick`, SQLite) | first tick: the 21 days read and "
                f"judged | {r.service_first_s:.2f} s |"
            )
            out.append(
                f"| service | the tick after the late day is stored by another process (read, "
                f"re-judge, close) | {r.service_late_s:.2f} s |"
            )
            out.append(
                f"| service (`RunMonitor.committed`, as `serve` judges a committed batch) | the "
                f"late day posted as one batch: re-judge, close | {r.commit_late_s:.2f} s |"
            )
            out.append("")
            out.append(
                f"Service events: tick: {', '.join(r.service_events) or 'none'}; on commit: "
                f"{', '.join(r.commit_events) or 'none'}."
            )
        else:
            out.append("")
            out.append(f"Service re-judge not measured: {r.service_note}")
        out.append("")
    out.append("Checks:")
    out.append("")
    for ok, text in checks:
        out.append(f"- {'PASS' if ok else 'FAIL'}: {text}")
    for note in notes:
        out.append(f"- NOTE: {note}")
    return "\n".join(out)


def write_doc(section: str) -> None:
    block = f"{BEGIN}\n{section}\n{END}"
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        intro = (
            f"{HEADING}\n\nRegenerate this section with `python benchmarks/live.py --write-doc`."
        )
        text = text.rstrip("\n") + f"\n\n{intro}\n\n{block}\n"
    DOC.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=FACILITIES)
    parser.add_argument("--base-s", type=float, default=BASE_S, help="seconds of breaks at 5 s")
    parser.add_argument("--step-s", type=float, default=STEP_S, help="seconds per ceiling step")
    parser.add_argument("--skip-ceiling", action="store_true")
    parser.add_argument("--skip-rejudge", action="store_true")
    parser.add_argument("--profile", action="store_true", help="run the server under cProfile")
    parser.add_argument("--write-doc", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    began = time.monotonic()
    checks: list[tuple[bool, str]] = []
    notes: list[str] = []
    base: Step | None = None
    ceiling: list[Step] = []
    rss_hwm = 0.0
    rejudge: Rejudge | None = None
    with tempfile.TemporaryDirectory(prefix="phytowatch-live-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'live.db'}"
        print(f"seeding {args.facilities:,} facilities and runs ...", file=sys.stderr)
        t = time.monotonic()
        tokens = seed(url, args.facilities)
        seed_s = time.monotonic() - t
        admin = secrets.token_urlsafe(24)
        profile = work / "serve.prof" if args.profile else None
        server = Server(url, work, admin, profile)
        memory = MemoryWatch(server.pid)
        memory.start()
        unbroken = sorted(tokens)
        random.Random(7).shuffle(unbroken)
        try:
            print(f"base load, {WARMUP_S:g} + {args.base_s:g} s ...", file=sys.stderr)
            base = run_step(
                server.port,
                admin,
                tokens,
                memory,
                server.pid,
                INTERVAL_S,
                WARMUP_S,
                args.base_s,
                unbroken,
            )
            if not args.skip_ceiling:
                for interval in CEILING_INTERVALS:
                    print(f"ceiling step: every {interval:g} s ...", file=sys.stderr)
                    step = run_step(
                        server.port,
                        admin,
                        tokens,
                        memory,
                        server.pid,
                        interval,
                        5.0,
                        args.step_s,
                        unbroken,
                    )
                    ceiling.append(step)
                    saturated = step.s503 or step.errors or step.achieved < 0.95 * step.offered
                    if saturated or step.p99 > 3 * TARGET_P99_S:
                        break
            rss_hwm = proc_status(server.pid).get("VmHWM", 0) / 1024
        finally:
            memory.stopping.set()
            server.stop()
        if profile is not None and profile.exists():
            import pstats

            print("\nserver profile (cumulative, top 25):", file=sys.stderr)
            stats = pstats.Stats(str(profile), stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(25)
            stats.sort_stats("tottime").print_stats(20)
        if not args.skip_rejudge:
            print("re-judging a 22-day cold run ...", file=sys.stderr)
            rejudge = Rejudge()
            rows = cold_rows()
            rejudge_engine(rows, rejudge)
            rejudge_service(rows, work, rejudge)
            rejudge_on_commit(rows, work, rejudge)
    for s in ([base] if base else []) + ceiling:
        if s.overflow:
            notes.append(f"every {s.interval:g} s: the event stream was ended with `overflow`")
    if base is not None:
        checks.append(
            (
                base.p99 <= TARGET_P99_S,
                f"{base.offered:,.0f} readings/s (achieved {base.achieved:,.0f}): alarm latency "
                f"p99 {secs(base.p99)} (p50 {secs(base.p50)}, {base.breaks} breaks"
                f"{f', {base.missing} without alarm' if base.missing else ''}; target <= "
                f"{TARGET_P99_S:g} s"
                + (
                    f", missed by {base.p99 - TARGET_P99_S:.2f} s)"
                    if base.p99 > TARGET_P99_S
                    else ")"
                ),
            )
        )
        checks.append(
            (
                base.achieved >= 0.95 * base.offered and base.s503 == 0 and base.errors == 0,
                f"the base load is achieved: {base.achieved:,.0f} of {base.offered:,.0f} "
                f"readings/s, {base.s503} x 503, {base.errors} errors",
            )
        )
        peak = max(rss_hwm, base.rss_peak_mb)
        checks.append(
            (
                base.rss_peak_mb <= TARGET_RSS_MB,
                f"server memory at {base.offered:,.0f} readings/s: peak RSS "
                f"{base.rss_peak_mb:.0f} MB (whole run VmHWM {peak:.0f} MB; target <= "
                f"{TARGET_RSS_MB:g} MB)",
            )
        )
    if ceiling or base is not None:
        passing = [s for s in ([base] if base else []) + ceiling if s.ok]
        if passing:
            best = max(passing, key=lambda s: s.offered)
            text = f"ceiling: {best.offered:,.0f} readings/s is the highest load with p99 <= 1 s"
        else:
            text = "ceiling: no load measured keeps alarm p99 <= 1 s (not even the base load)"
        last = ceiling[-1] if ceiling else base
        if last is not None and last.ok:
            text += " (the last step still passed: the ceiling is higher)"
        elif last is not None:
            why = []
            if last.p99 > TARGET_P99_S:
                why.append(f"alarm p99 {secs(last.p99)}")
            if last.achieved < 0.95 * last.offered:
                why.append(
                    f"only {last.achieved:,.0f} of {last.offered:,.0f} readings/s taken (the "
                    f"server at {last.server_cpu * 100:.0f}% CPU), alarm p99 {secs(last.p99)}"
                )
            if last.s503 or last.errors:
                why.append(f"{last.s503} x 503, {last.errors} errors")
            text += f"; the next step failed: {'; '.join(why)}"
        notes.append(text)
        served = [s for s in ([base] if base else []) + ceiling if s.achieved >= 0.95 * s.offered]
        served = [s for s in served if not s.s503 and not s.errors]
        if served:
            top = max(served, key=lambda s: s.offered)
            notes.append(
                f"throughput: {top.offered:,.0f} readings/s is the highest load served in full "
                f"(no 503), alarm p99 {secs(top.p99)} there"
            )
    for s in ([base] if base else []) + ceiling:
        if s.tick_periods:
            period = statistics.median(s.tick_periods)
            notes.append(
                f"every {s.interval:g} s: the `runs` summary (the clock's tick: runs started "
                f"elsewhere, readings of other processes, silence, calibrations, then the "
                f"summary of {s.facilities:,} runs) comes every {period:.2f} s (median; the "
                "target is 1 s). Committed batches are judged between ticks, as they come"
            )
    if rejudge is not None:
        notes.append(
            f"re-judging after a day of late readings: engine {rejudge.engine_late_s:.2f} s "
            f"({rejudge.engine_replays} replay), service tick {rejudge.service_late_s:.2f} s, "
            f"on commit {rejudge.commit_late_s:.2f} s"
        )
    command = "python benchmarks/live.py" + (" " + " ".join(argv or sys.argv[1:])).rstrip()
    command = command.replace(" --write-doc", "")
    report = build_report(
        command=command,
        facilities=args.facilities,
        seed_s=seed_s,
        base=base,
        ceiling=ceiling,
        rss_hwm_mb=rss_hwm,
        rejudge=rejudge,
        checks=checks,
        notes=notes,
        whole_s=time.monotonic() - began,
    )
    print(report)
    if args.write_doc:
        write_doc(report)
        print(f"\nwrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
