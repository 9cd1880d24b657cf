"""Benchmark of sustained HTTP ingest (device protocol v1), SQLite and PostgreSQL, against floors.

Run with the project's interpreter::

    .venv/bin/python benchmarks/ingest.py [--rounds N] [--batches N] [--write-doc]

For each database (a scratch SQLite file; a scratch PostgreSQL database, created and dropped):

1. ``phytowatch db upgrade`` and ``phytowatch facilities add`` provision the schema and
   ``FACILITIES`` facilities of ``PROBES`` probes each (one device token per facility).
2. ``phytowatch serve`` runs as a subprocess on 127.0.0.1; ``CLIENTS`` client threads (one per
   facility, ``http.client`` with keep-alive) post batches of 500 readings (list form, bodies
   encoded before the clock starts) until each has sent its share.
3. The floor, measured in the same run and interleaved with the HTTP rounds: the same readings
   written straight into the same ``readings`` table, one transaction per batch of 500 (the unit a
   device's ``200`` stands for): ``executemany`` on a sqlite3 connection with the server's pragmas
   (WAL, ``synchronous=FULL``), and ``COPY ... FROM STDIN`` with psycopg.
4. After each database's rounds: every response said accepted=500, duplicates=0, nothing rejected,
   and the table holds exactly the readings sent (each once).

MQTT (target 20,000 readings/s through Mosquitto) is measured only when ``phytowatch ingest-mqtt``
exists. Targets: HTTP >= 30 % of the SQLite floor, >= 20 % of the PostgreSQL floor. With
``--write-doc`` the figures replace the ingest section of ``docs/performance.md`` (between
``<!-- ingest:begin -->`` and ``<!-- ingest:end -->``). Exit status 1 when a check fails.
Everything is bounded: counts are fixed, every wait has a deadline, only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
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
BEGIN, END = "<!-- ingest:begin -->", "<!-- ingest:end -->"
BIN = Path(sys.executable).parent
PHYTOWATCH = BIN / "phytowatch"

HOST = "127.0.0.1"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"


def pg_dsn(db: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{db}"


BATCH = 500  # readings per request
PROBES = [f"C{i}" for i in range(1, 11)]  # 10 probes x 50 instants = one batch of 500
INSTANTS = BATCH // len(PROBES)
FACILITIES = 4
PG_FLOOR_CONNECTIONS = 4  # = the server's default PHYTOWATCH_WRITE_WORKERS
CLIENTS = FACILITIES  # one client thread per facility, as one device per facility
START_S = 1_772_323_200  # 2026-03-01T00:00:00Z, device time of the first reading
TARGETS = {"sqlite": 0.30, "postgresql": 0.20}
MQTT_TARGET = 20_000  # readings/s
REQUEST_TIMEOUT = 60.0  # seconds, per request
SERVER_START_TIMEOUT = 30.0
ROUND_DEADLINE = 60.0  # seconds for one round of one method, whatever happens


# ------------------------------------------------------------------------------------ data


def facility_code(k: int) -> str:
    return f"BENCH-{k:02d}"


def batch_rows(facility: int, number: int) -> list[tuple[str, int, float]]:
    """The 500 readings of batch ``number`` of a facility: (probe, unix seconds, value)."""
    first = START_S + number * INSTANTS
    return [
        (probe, first + i, round(20.0 + 0.01 * ((facility * 7 + number + i + p) % 500), 2))
        for i in range(INSTANTS)
        for p, probe in enumerate(PROBES)
    ]


def batch_body(facility: int, number: int) -> bytes:
    readings = [{"probe": p, "t": t, "v": v} for p, t, v in batch_rows(facility, number)]
    return json.dumps({"facility": facility_code(facility), "readings": readings}).encode()


# ------------------------------------------------------------------------------------ processes


def provision(url: str) -> dict[int, str]:
    """Schema (the project's migrations), one enterprise, FACILITIES facilities; their tokens.

    In-process through the project's own services (``phytowatch facilities add`` does the same,
    at ~3 s of start-up per call).
    """
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import add_enterprise, add_facility

    now = time.time_ns() // 1000
    services = bootstrap(load_settings(database_url=url))
    try:
        add_enterprise(
            services.registry,
            "9001",
            "基准",
            "Bench",
            "Ganzhou",
            "A",
            ctx=Context.system(FixedClock(now)),
        )
        specs = [f"{p}:product" for p in PROBES]
        issued = [
            add_facility(
                services.registry,
                facility_code(k),
                "9001",
                "kiln",
                specs,
                ctx=Context.system(FixedClock(now)),
            )
            for k in range(FACILITIES)
        ]
        return {k: item.token for k, item in enumerate(issued)}
    finally:
        services.close()


class Server:
    """``phytowatch serve`` in a subprocess; optionally under cProfile."""

    def __init__(self, url: str, workdir: Path, profile: Path | None = None) -> None:
        self.port = free_port()
        self.log = (workdir / f"serve-{self.port}.log").open("w")
        argv = [str(PHYTOWATCH), "serve", "--database-url", url, "--port", str(self.port)]
        argv += ["--log-level", "warning"]
        if profile is not None:
            argv = [sys.executable, "-m", "cProfile", "-o", str(profile), *argv]
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        if wait_until_healthy(self.process, self.port, self.log.name, SERVER_START_TIMEOUT, 0.1):
            return
        self.stop()
        raise RuntimeError("phytowatch serve did not answer /api/v1/health in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(2)  # SIGINT: uvicorn shuts down, cProfile writes its file
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


# ------------------------------------------------------------------------------------ runs


@dataclass
class Method:
    label: str
    rates: list[float] = field(default_factory=list)  # readings/s per round
    readings: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0


def post_all(port: int, tokens: dict[int, str], bodies: dict[int, list[bytes]]) -> list[str]:
    """Every facility's bodies, one client thread per facility; problems seen (empty: all ok)."""
    problems: list[str] = []
    deadline = time.monotonic() + ROUND_DEADLINE

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        headers = {"Authorization": f"Bearer {tokens[k]}", "Content-Type": "application/json"}
        try:
            for body in bodies[k]:
                for _attempt in range(20):  # 503 + Retry-After: wait and resend, bounded
                    if time.monotonic() > deadline:
                        problems.append(f"facility {k}: round deadline passed")
                        return
                    conn.request("POST", "/api/v1/ingest", body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    if response.status != 503:
                        break
                    time.sleep(float(response.getheader("Retry-After") or "1"))
                answer = json.loads(data) if response.status == 200 else None
                if answer != {"accepted": BATCH, "duplicates": 0, "rejected": []}:
                    problems.append(f"facility {k}: {response.status} {data[:200]!r}")
                    return
        except (OSError, http.client.HTTPException) as error:
            problems.append(f"facility {k}: {type(error).__name__}: {error}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=ROUND_DEADLINE + REQUEST_TIMEOUT)
    return problems


def sqlite_floor(path: Path, probe_ids: dict[tuple[int, str], int], work: list[Any]) -> None:
    """executemany into readings, one transaction per batch, the server's pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    sql = (
        "INSERT INTO readings (probe_id, t, facility_id, value, fault, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    try:
        for facility_id, k, rows in work:
            now = time.time_ns() // 1000
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                sql,
                [(probe_ids[k, p], t * 1_000_000, facility_id, v, None, now) for p, t, v in rows],
            )
            conn.execute("COMMIT")
    finally:
        conn.close()


def pg_floor(db: str, probe_ids: dict[tuple[int, str], int], work: list[Any]) -> None:
    """COPY into readings, one transaction per batch, PG_FLOOR_CONNECTIONS connections at once."""
    import psycopg

    def copy_some(share: list[Any]) -> None:
        with psycopg.connect(pg_dsn(db)) as conn:
            for facility_id, k, rows in share:
                now = time.time_ns() // 1000
                with (
                    conn.cursor() as cursor,
                    cursor.copy(
                        "COPY readings (probe_id, t, facility_id, value, received_at) FROM STDIN"
                    ) as copy,
                ):
                    for p, t, v in rows:
                        copy.write_row((probe_ids[k, p], t * 1_000_000, facility_id, v, now))
                conn.commit()

    threads = [
        threading.Thread(target=copy_some, args=(work[i::PG_FLOOR_CONNECTIONS],))
        for i in range(PG_FLOOR_CONNECTIONS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=ROUND_DEADLINE)


@dataclass
class Target:
    kind: str  # "sqlite" | "postgresql"
    url: str  # the server's database
    floor_where: str  # the floor's database: a file path or a database name
    tokens: dict[int, str]
    floor_probe_ids: dict[tuple[int, str], int]
    floor_facility_ids: dict[int, int]


def ids_of(kind: str, where: str) -> tuple[dict[tuple[int, str], int], dict[int, int]]:
    sql = (
        "SELECT f.code, f.id, p.code, p.id FROM facilities f JOIN probes p ON p.facility_id = f.id"
    )
    if kind == "sqlite":
        conn = sqlite3.connect(where)
        rows = conn.execute(sql).fetchall()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(pg_dsn(where)) as pg:
            rows = pg.execute(sql).fetchall()
    code_to_k = {facility_code(k): k for k in range(FACILITIES)}
    probes = {(code_to_k[f], p): pid for f, _, p, pid in rows}
    facilities = {code_to_k[f]: fid for f, fid, _, _ in rows}
    return probes, facilities


def count_readings(kind: str, where: str) -> tuple[int, int]:
    """(rows, distinct (probe_id, t)) in readings."""
    sql = "SELECT count(*), count(DISTINCT probe_id * 10000000000000000 + t) FROM readings"
    if kind == "sqlite":
        conn = sqlite3.connect(where)
        found = conn.execute(sql).fetchone()
        conn.close()
    else:
        import psycopg

        sql = (
            "SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT probe_id, t FROM readings) d)"
            " FROM readings"
        )
        with psycopg.connect(pg_dsn(where)) as pg:
            found = pg.execute(sql).fetchone()
    return int(found[0]), int(found[1])


def run_target(
    target: Target, rounds: int, batches: int, workdir: Path, profile: Path | None
) -> tuple[Method, Method]:
    floor = Method(
        "floor: sqlite3 executemany" if target.kind == "sqlite" else "floor: psycopg COPY"
    )
    http_run = Method("phytowatch serve, HTTP")
    per_facility = batches // FACILITIES
    server = Server(target.url, workdir, profile)
    try:
        for r in range(rounds):
            numbers = range(r * per_facility, (r + 1) * per_facility)
            # the floor: the same readings, facility after facility in round-robin order
            work = [
                (target.floor_facility_ids[k], k, batch_rows(k, n))
                for n in numbers
                for k in range(FACILITIES)
            ]
            start = time.perf_counter()
            if target.kind == "sqlite":
                sqlite_floor(Path(target.floor_where), target.floor_probe_ids, work)
            else:
                pg_floor(target.floor_where, target.floor_probe_ids, work)
            floor.rates.append(len(work) * BATCH / (time.perf_counter() - start))
            floor.readings += len(work) * BATCH
            bodies = {k: [batch_body(k, n) for n in numbers] for k in range(FACILITIES)}
            start = time.perf_counter()
            problems = post_all(server.port, target.tokens, bodies)
            elapsed = time.perf_counter() - start
            http_run.problems += problems
            http_run.rates.append(per_facility * FACILITIES * BATCH / elapsed)
            http_run.readings += per_facility * FACILITIES * BATCH
            print(
                f"  {target.kind} round {r + 1}: floor {floor.rates[-1]:,.0f}/s, "
                f"HTTP {http_run.rates[-1]:,.0f}/s",
                file=sys.stderr,
            )
    finally:
        server.stop()
    if target.kind == "sqlite":
        server_db = target.url.split("///")[-1]
    else:
        server_db = target.url.rsplit("/", 1)[-1]
    for method, where in ((floor, target.floor_where), (http_run, server_db)):
        rows, distinct = count_readings(target.kind, where)
        if rows != method.readings or distinct != method.readings:
            method.problems.append(
                f"{rows:,} rows ({distinct:,} distinct) stored, {method.readings:,} sent"
            )
    return floor, http_run


# ------------------------------------------------------------------------------------ MQTT


def mqtt_available() -> bool:
    try:
        done = subprocess.run(
            [str(PHYTOWATCH), "ingest-mqtt", "--help"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def run_mqtt(
    url: str, kind: str, where: str, batches: int, workdir: Path, profile: Path | None
) -> Method:
    """Publish batches (QoS 1) to Mosquitto; time until the subscriber has stored them all."""
    import paho.mqtt.client as mqtt

    method = Method("phytowatch ingest-mqtt via Mosquitto")
    log_path = workdir / "ingest-mqtt.log"
    log = log_path.open("w")
    client_id = f"phytowatch-bench-{os.getpid()}"
    # its own share group and client id: no other worker on this broker takes these messages
    env = {**os.environ, "PHYTOWATCH_MQTT_SHARE_GROUP": f"bench{os.getpid()}"}
    argv = [str(PHYTOWATCH), "ingest-mqtt", "--database-url", url, "--client-id", client_id]
    if profile is not None:
        argv = [sys.executable, "-m", "cProfile", "-o", str(profile), *argv]
    process = subprocess.Popen(
        argv,
        stdout=log,
        stderr=log,
        env=env,
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while "subscribed to" not in log_path.read_text() and time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"ingest-mqtt exited: {log_path.read_text()[-500:]}")
            time.sleep(0.1)
        before, _ = count_readings(kind, where)
        offset = 50_000  # batch numbers beyond the HTTP rounds' (at most 10,000)
        per_facility = batches // FACILITIES
        bodies = [
            (facility_code(k), batch_body(k, offset + n))
            for n in range(per_facility)
            for k in range(FACILITIES)
        ]
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="phytowatch-bench")
        client.max_inflight_messages_set(100)
        client.connect(HOST, 1883)
        client.loop_start()
        start = time.perf_counter()
        infos = [client.publish(f"phytowatch/v1/{c}/readings", b, qos=1) for c, b in bodies]
        for info in infos:
            info.wait_for_publish(timeout=30)
        expected = before + len(bodies) * BATCH
        deadline = time.monotonic() + ROUND_DEADLINE
        stored = before
        while time.monotonic() < deadline:
            stored, _ = count_readings(kind, where)
            if stored >= expected:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        client.loop_stop()
        client.disconnect()
        method.readings = stored - before
        method.rates.append(method.readings / elapsed)
        if stored != expected:
            method.problems.append(f"{stored - before:,} stored of {len(bodies) * BATCH:,}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        forget_session(client_id)
    return method


def forget_session(client_id: str) -> None:
    """End the worker's persistent session in the broker (clean start, expiry 0)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
    )
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0
    try:
        client.connect(HOST, 1883, clean_start=True, properties=properties)
        client.loop(timeout=1.0)
        client.disconnect()
    except OSError:
        pass


# ------------------------------------------------------------------------------------ report


def pg_version() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


def build_report(
    command: str,
    elapsed: float,
    rounds: int,
    batches: int,
    results: dict[str, tuple[Method, Method]],
    mqtt: Method | None,
    mqtt_note: str,
    checks: list[tuple[bool, str]],
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts = "; ".join(f"{k}: {v}" for k, v in machine().items())
    lines = [
        f"Command: `{command}` ({when})",
        "",
        f"Machine: {facts}; PostgreSQL {pg_version()} on the same machine (127.0.0.1)",
        "",
        f"Load: {rounds} interleaved rounds per database (floor, then HTTP); each round "
        f"{batches} batches of {BATCH} readings ({batches * BATCH:,} readings: "
        f"{FACILITIES} facilities x {len(PROBES)} probes, device time in whole seconds), posted "
        f"by {CLIENTS} client threads (one per facility, `http.client` with keep-alive, bodies "
        "encoded before the clock starts) to `phytowatch serve` (uvicorn, one process) on "
        "the same machine, list form, every batch answered `200` with accepted=500. The floor "
        "writes the same readings into the same table (made by the project's migrations), one "
        "transaction per batch of 500: sqlite3 `executemany` in one thread with the server's "
        "pragmas (WAL, `synchronous=FULL`); psycopg `COPY ... FROM STDIN` on "
        f"{PG_FLOOR_CONNECTIONS} connections at once (the server's default "
        "`PHYTOWATCH_WRITE_WORKERS`). MQTT: the same batches published at QoS 1 by one paho "
        "client to Mosquitto on 127.0.0.1, one `phytowatch ingest-mqtt` worker, timed until "
        f"the last reading is in the table. Whole run: {elapsed:.0f} s.",
        "",
        "| database | method | median readings/s | rounds | % of floor (median) |",
        "|---|---|---:|---|---:|",
    ]
    for kind, (floor, http_run) in results.items():
        for method in (floor, http_run):
            share = method.median / floor.median if floor.median else 0.0
            each = ", ".join(f"{rate:,.0f}" for rate in method.rates)
            lines.append(
                f"| {kind} | {method.label} | {method.median:,.0f} | {each} | {share:.0%} |"
            )
    if mqtt is not None:
        lines.append(f"| postgresql | {mqtt.label} | {mqtt.median:,.0f} | | |")
    lines += ["", f"MQTT: {mqtt_note}", "", "Checks:", ""]
    lines += [f"- {'PASS' if ok else 'FAIL'}: {text}" for ok, text in checks]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = (
            text.rstrip("\n")
            + "\n\n## Ingest\n\nRegenerate this section with "
            + "`python benchmarks/ingest.py --write-doc`.\n\n"
            + block
            + "\n"
        )
    DOC.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per database")
    parser.add_argument(
        "--batches", type=int, default=160, help="batches of 500 per round (multiple of 4)"
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--profile", type=Path, help="cProfile the server into DIR/<db>.prof")
    parser.add_argument("--write-doc", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.rounds > 20 or args.batches < FACILITIES or args.batches > 2000:
        parser.error("--rounds 1..20, --batches 4..2000")
    args.batches -= args.batches % FACILITIES
    command = "python benchmarks/ingest.py" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:]) if a != "--write-doc"
    )
    began = time.monotonic()
    results: dict[str, tuple[Method, Method]] = {}
    checks: list[tuple[bool, str]] = []
    scratch = f"phytowatch_bench_{os.getpid()}"
    floor_scratch = f"{scratch}_floor"
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    mqtt: Method | None = None
    mqtt_note = "not measured (no subscriber yet: `phytowatch ingest-mqtt` does not exist)"
    with tempfile.TemporaryDirectory(prefix="phytowatch-ingest-") as tmp:
        workdir = Path(tmp)
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True) if "postgresql" in kinds else None
        try:
            for kind in kinds:
                print(f"{kind}: provisioning ...", file=sys.stderr)
                if kind == "sqlite":
                    url = f"sqlite:///{workdir / 'serve.db'}"
                    floor_where = str(workdir / "floor.db")
                else:
                    assert admin is not None
                    admin.execute(f'CREATE DATABASE "{scratch}"')
                    url, floor_where = PG_URL.format(db=scratch), floor_scratch
                tokens = provision(url)
                if kind == "sqlite":  # the floor's table: a copy of the provisioned database
                    shutil.copyfile(workdir / "serve.db", floor_where)
                else:
                    assert admin is not None
                    admin.execute(f'CREATE DATABASE "{floor_scratch}" TEMPLATE "{scratch}"')
                probe_ids, facility_ids = ids_of(kind, floor_where)
                target = Target(kind, url, floor_where, tokens, probe_ids, facility_ids)
                profile = args.profile / f"{kind}.prof" if args.profile else None
                if args.profile:
                    args.profile.mkdir(parents=True, exist_ok=True)
                floor, http_run = run_target(target, args.rounds, args.batches, workdir, profile)
                results[kind] = (floor, http_run)
                goal = TARGETS[kind]
                share = http_run.median / floor.median if floor.median else 0.0
                checks.append(
                    (
                        share >= goal,
                        f"{kind}: HTTP ingest {http_run.median:,.0f} readings/s = {share:.0%} of "
                        f"the floor {floor.median:,.0f}/s (target >= {goal:.0%})",
                    )
                )
                for method in (floor, http_run):
                    ok = not method.problems
                    checks.append(
                        (
                            ok,
                            f"{kind}, {method.label}: {method.readings:,} readings sent, each "
                            "stored exactly once"
                            + ("" if ok else f": {'; '.join(method.problems[:3])}"),
                        )
                    )
                if kind == "postgresql" and mqtt_available():
                    print("mqtt ...", file=sys.stderr)
                    mqtt_profile = args.profile / "mqtt.prof" if args.profile else None
                    mqtt = run_mqtt(url, kind, scratch, args.batches, workdir, mqtt_profile)
                    mqtt_note = (
                        f"{mqtt.median:,.0f} readings/s through Mosquitto (QoS 1) into PostgreSQL"
                    )
                    checks.append(
                        (
                            mqtt.median >= MQTT_TARGET and not mqtt.problems,
                            f"MQTT ingest {mqtt.median:,.0f} readings/s (target >= "
                            f"{MQTT_TARGET:,})"
                            + (f": {'; '.join(mqtt.problems)}" if mqtt.problems else ""),
                        )
                    )
        finally:
            if admin is not None:
                for db in (scratch, floor_scratch):
                    admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                admin.close()
    print(f"MQTT: {mqtt_note}")
    elapsed = time.monotonic() - began
    report = build_report(
        command, elapsed, args.rounds, args.batches, results, mqtt, mqtt_note, checks
    )
    print(report)
    if args.write_doc:
        write_doc(report)
        print(f"\nwrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
