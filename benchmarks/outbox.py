"""Benchmark of the durable outbox: 10,000 waiting transfer messages, the port's receiver down,
then back: the time to drain, on SQLite and PostgreSQL, against a floor measured in the same run.

Run with the project's interpreter (PostgreSQL at ``PHYTOWATCH_BENCH_POSTGRES``; a scratch
database is created and dropped)::

    .venv/bin/python benchmarks/outbox.py [--database sqlite|postgresql|both]
        [--messages N] [--down S] [--cap S] [--write-doc] [--quick]

For each database:

1. ``--messages`` transfer messages are put in the outbox (``App.outbox.put``, 500 to a unit),
   each a transfer document of about 2 KiB (the consignment, its lines, containers, the
   certificate; Chinese and English names), for receiver ``port-bench``.
2. The delivery worker (``OutboxDelivery.run``, the loop ``phytowatch outbox deliver`` and the
   thread of ``phytowatch serve`` run) starts with the receiver down, and keeps failing for
   ``--down`` seconds: every message is claimed, put off with its backoff (capped at
   ``--cap`` seconds), claimed again.
3. The reference receiver (``phytowatch port-receiver``, a real process, its own SQLite file)
   starts; timed from its first answer to the health check until the outbox says every message
   delivered: the wait before a message's backoff brings it round (at most the cap; then the
   destination's waiting messages are made due at once) and the drain itself.
4. The floor: the same messages (same bodies, same headers and signatures, through the same
   HTTP transport and keep-alive connection) POSTed straight to a second, fresh receiver
   process, one after the other, with no outbox bookkeeping.

With ``--write-doc`` the figures replace the outbox section of ``docs/performance.md``
(between ``<!-- outbox:begin -->`` and ``<!-- outbox:end -->``). ``--quick``: 300 messages,
2 s down (a test of the benchmark itself). Exit status 1 when a message was lost or stored
twice. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import scratch, write_doc
from machine import machine

BEGIN = "<!-- outbox:begin -->"
END = "<!-- outbox:end -->"
HEADING = "## The outbox: 10,000 waiting transfers, the receiver down then back"
PHYTOWATCH = str(Path(sys.executable).with_name("phytowatch"))
SECRET = "bench-secret"
DESTINATION = "port-bench"


def transfer_document(n: int) -> dict[str, Any]:
    """About 2 KiB of JSON, like a transfer document (docs/transfer-format.md)."""
    return {
        "format": "phytowatch.transfer/1",
        "transfer": {"number": f"ZD3600{n:08d}", "created_at": "2026-12-05T03:00:00Z",
                     "origin_office": "GZ", "port_office": "SZ", "port": "CNSZX"},
        "declaration": {
            "number": f"GZ2026{n:06d}", "mode": "documents",
            "exporter": {"code": f"E{n % 40:03d}", "name": "赣州市南康区家具出口有限公司",
                         "name_en": "Ganzhou Nankang Furniture Export Co., Ltd."},
            "consignee": {"name": "Rotterdam Timber Trading B.V.", "country": "NL",
                          "address": "Waalhaven Oostzijde 10, 3087 BM Rotterdam"},
            "destination": "NL", "transport": "sea", "vessel": "COSCO SHIPPING ARIES",
            "voyage": "047W", "departure": "2026-12-12",
            "lines": [
                {"line": i + 1, "hs": "9403609990", "goods": "实木家具（松木）",
                 "goods_en": "wooden furniture, pine", "quantity": "120", "unit": "pieces",
                 "weight_kg": "2350.5", "value": "18400.00", "currency": "USD",
                 "packaging": "wooden crates, ISPM 15 marked", "origin": "赣州"}
                for i in range(4)
            ],
            "containers": [{"number": f"CSNU{(n * 7 + i) % 10_000_000:07d}", "size": "40HQ",
                            "seal": f"SL{n:06d}{i}"} for i in range(3)],
        },
        "certificate": {
            "number": f"GZ2026-{n:06d}", "kind": "phytosanitary", "issued_at": "2026-12-04",
            "treatment": {"schedule": "ispm15-ht", "run": n, "facility": "JX-0031-K2",
                          "verdict": "PASS", "temperature_c": "56", "minutes": 30},
            "additional_declaration": "The consignment was inspected and found free from "
            "quarantine pests, and is considered to conform with the current phytosanitary "
            "requirements of the importing country.",
            "check_code": "7F3K-92QD",
        },
    }  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def health(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/health")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def start_receiver(port: int, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PHYTOWATCH, "port-receiver", "--listen", f"127.0.0.1:{port}",
         "--database", f"sqlite:///{path}"],
        env={**os.environ, "PHYTOWATCH_RECEIVER_SECRET": SECRET},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def received(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        count, duplicates = conn.execute(
            "SELECT count(*), coalesce(sum(duplicates), 0) FROM received"
        ).fetchone()
    return int(count), int(duplicates)


def bench(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.notify.outbox_http import HttpTransport
    from phytowatch.services.outbox import Due

    port = free_port()
    with scratch(kind, workdir, "outbox") as url:
        settings = load_settings(
            database_url=url,
            receivers=f"{DESTINATION}=http://127.0.0.1:{port}/transfers",
            receiver_secrets=f"{DESTINATION}={SECRET}",
            outbox_backoff_cap_s=args.cap,
        )
        services = bootstrap(settings)
        try:
            t0 = time.perf_counter()
            now = services.clock.now()
            for start in range(0, args.messages, 500):
                with services.audit.atomic():
                    for n in range(start, min(args.messages, start + 500)):
                        services.outbox.put(topic="transfer.created", key=f"ZD3600{n:08d}",
                                            destination=DESTINATION, body=transfer_document(n),
                                            at=now)  # fmt: skip
            put_s = time.perf_counter() - t0
            from sqlalchemy import text

            with services.engine.connect() as conn:
                bodies = conn.execute(text("SELECT avg(length(body)) FROM outbox_messages"))
                body_bytes = float(bodies.scalar_one())
            deliveries = services.deliveries
            stopping = threading.Event()
            worker = threading.Thread(
                target=deliveries.run, args=(stopping,), kwargs={"idle_s": 0.05}, daemon=True
            )
            worker.start()
            time.sleep(args.down)
            down_status = deliveries.status()[0]
            receiver_file = workdir / f"received-{kind}.db"
            receiver = start_receiver(port, receiver_file)
            try:
                while not health(port):
                    time.sleep(0.005)
                up = time.time()
                waiting = text("SELECT count(*) FROM outbox_deliveries WHERE state = 'waiting'")
                while True:  # an index-only count, every 50 ms: the watching costs little
                    with services.engine.connect() as conn:
                        if conn.execute(waiting).scalar_one() == 0:
                            break
                    time.sleep(0.05)
                drained = time.time()
                stopping.set()
                worker.join(30)
                stored, duplicates = received(receiver_file)
                with sqlite3.connect(receiver_file) as conn:
                    earliest = conn.execute("SELECT min(received_at) FROM received")
                    first = earliest.fetchone()[0] / 1e6
            finally:
                stop(receiver)
            # the floor: the same POSTs straight to a fresh receiver, no bookkeeping
            floor_file = workdir / f"floor-{kind}.db"
            floor_port = free_port()
            floor_receiver = start_receiver(floor_port, floor_file)
            try:
                while not health(floor_port):
                    time.sleep(0.005)
                from phytowatch.services.outbox import Receiver

                target = Receiver(DESTINATION, f"http://127.0.0.1:{floor_port}/transfers", SECRET)
                with services.engine.connect() as conn:
                    rows = conn.execute(
                        text(
                            "SELECT id, topic, key, destination, body, created_at "
                            "FROM outbox_messages ORDER BY id"
                        )
                    ).all()
                messages = [Due(r[0], r[1], r[2], r[3], r[4], r[5], 0, None) for r in rows]
                transport = HttpTransport()
                f0 = time.perf_counter()
                statuses = [transport.post(target, m).status for m in messages]
                floor_s = time.perf_counter() - f0
                transport.close()
                floor_stored, _ = received(floor_file)
            finally:
                stop(floor_receiver)
        finally:
            services.close()
    return {
        "database": kind,
        "put_s": put_s,
        "body_bytes": body_bytes,
        "attempted_while_down": down_status.waiting,
        "last_error": str(down_status.last_error or ""),
        "wait_s": max(0.0, first - up),  # the first may be stored as the health check answers
        "drain_s": drained - max(first, up),
        "total_s": drained - up,
        "stored": stored,
        "duplicates": duplicates,
        "floor_s": floor_s,
        "floor_ok": sum(1 for s in statuses if s == 201) == args.messages
        and floor_stored == args.messages,
    }


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = (
        f"python benchmarks/outbox.py --database {args.database} --messages {args.messages} "
        f"--down {args.down:g} --cap {args.cap}"
    )
    lines = [
        f"Command: `{command}` ({when})",
        "",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine().items()),
        "",
        f"{args.messages} transfer messages of about {results[0]['body_bytes'] / 1024:.1f} KiB "
        f"each, waiting; the worker (one, in-process, batches of 100) fails against the "
        f"receiver for {args.down:g} s, backoff capped at {args.cap} s; then the reference "
        "receiver (`phytowatch port-receiver`, its own SQLite file, committed before each "
        "answer) starts. The floor: the same POSTs, bodies, signatures and keep-alive "
        "connection, straight to a fresh receiver, one after the other, no outbox.",
        "",
        "| database | put (in units of 500) | receiver up → first delivered | first → all "
        "delivered | receiver up → drained | messages/s draining | floor | floor messages/s "
        "| drain ÷ floor | stored / duplicates |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        n = args.messages
        lines.append(
            f"| {r['database']} | {r['put_s']:.1f} s | {r['wait_s']:.2f} s | {r['drain_s']:.1f} s "
            f"| **{r['total_s']:.1f} s** | {n / r['drain_s']:.0f} | {r['floor_s']:.1f} s "
            f"| {n / r['floor_s']:.0f} | {r['drain_s'] / r['floor_s']:.2f} "
            f"| {r['stored']} / {r['duplicates']} |"
        )
    lines += [
        "",
        "The wait before the first delivery is the backoff of the message due first (at most "
        "the cap, less with the jitter); the first success makes the destination's other "
        "waiting messages due at once. The drain's cost over the floor is the outbox's own "
        "bookkeeping: a claim (one transaction) and the results (one transaction) per batch "
        "of 100 (the benchmark itself counts the waiting messages every 50 ms: the drain's "
        "end is seen to 50 ms). "
        "The first delivery is when the receiver stored its first message (its own clock, "
        "the same machine).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--down", type=float, default=20.0, help="seconds the receiver is down")
    parser.add_argument("--cap", type=int, default=5, help="backoff cap, seconds")
    parser.add_argument("--quick", action="store_true", help="300 messages, 2 s down")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.down, args.cap = 300, 2.0, 2
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    with tempfile.TemporaryDirectory(prefix="pw-outbox-bench-") as tmp:
        results = [bench(kind, args, Path(tmp)) for kind in kinds]
    section = report(args, results)
    print(section)
    ok = all(r["stored"] == args.messages and r["floor_ok"] for r in results)
    print(f"- {'PASS' if ok else 'FAIL'}: every message stored once at the receiver")
    if args.write_doc:
        write_doc(section, begin=BEGIN, end=END, heading=HEADING, script="benchmarks/outbox.py")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
