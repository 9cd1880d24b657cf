"""Benchmark of the e-supervision chain under a province-year of history: routing on submission
at a sustained rate, and the inspector's queue with 1,000 waiting, on SQLite and PostgreSQL.

Run with the project's interpreter (PostgreSQL at ``--postgres``, a scratch database is created
and dropped)::

    .venv/bin/python benchmarks/supervision.py [--database sqlite|postgresql|both]
        [--history N] [--waiting N] [--rate R] [--seconds S] [--write-doc]

For each database:

1. Seeds it in-process with the project's own use cases: one office covering three cities, an
   inspector, ``--enterprises`` enterprises (a kiln, a declarant and a standing each: classes
   I-IV, e-supervised), and for each submission to come a closed PASS ``ispm15-ht`` run signed
   off by the inspector (plus one per enterprise for the history); then a draft per submission
   (wood packaging to the USA, backed by its run), made by the enterprise's declarant.
2. Starts ``phytowatch serve`` on it (a real process). Three template consignments are
   declared, routed and assessed over HTTP (one released on documents, one routed to inspect and
   left waiting, one inspected with an interception); the history (``--history`` consignments
   of a year, ``--waiting`` of them routed to inspect and waiting, the newest) is then written
   in bulk as copies of them (benchmarks/supervision_history.py).
3. The inspector's queue, before the submissions, with the waiting consignments:
   ``GET /inspections`` (the page) and ``GET /api/v1/inspections`` (the API), ``--repeats``
   requests each, median and p95. Target: < 500 ms.
4. Routing: the declarants submit their drafts (``POST /api/v1/consignments/{id}/submit``,
   each with its own session) at ``--rate`` per second for ``--seconds``: each submission is
   scheduled at its own instant, and a pool of clients sends it then. The routing is
   synchronous: the submission stores the version, routes it and (released on documents)
   assesses it in one transaction, and its answer carries the state it reached (``routed`` or
   ``assessed``). So a submission's time to its routing decision is the time from sending its
   request to reading its answer, which must say ``routed`` or ``assessed``. Target: p99 ≤ 200
   ms.

With ``--write-doc`` the figures replace the supervision section of ``docs/performance.md``
(between ``<!-- supervision:begin -->`` and ``<!-- supervision:end -->``). Exit status 1 when a
target is missed. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
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

import supervision_history as history
from harness import cpu_seconds, pct, scratch, write_doc
from machine import machine
from serving import free_port, wait_until_healthy

BEGIN, END = "<!-- supervision:begin -->", "<!-- supervision:end -->"
HEADING = "## E-supervision: routing and the inspector's queue"
PHYTOWATCH = Path(sys.executable).parent / "phytowatch"
HOST = "127.0.0.1"
PASSWORD = "correct horse battery staple"
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"
CITIES = ("赣州", "南昌", "九江")
CLASSES = ("I", "II", "II", "III", "III", "IV")
PROBES = ("C1", "C2", "C3")
US = 1_000_000
DAY_US = 86_400 * US
TARGET_ROUTE_P99_MS = 200.0
TARGET_QUEUE_MS = 500.0
PASS_JUDGEMENT = {"verdict": "PASS", "findings": [], "review_required": False}
CLIENTS = 16


def now_us() -> int:
    return time.time_ns() // 1000


def declaration(run: int, k: int) -> dict[str, Any]:
    return {
        "consignee": {"name": f"Pacific Timber Co. {k}", "address": "12 Harbour Rd, Long Beach"},
        "lines": [
            {
                "product": "wood-packaging",
                "quantity": "120",
                "unit": "pieces",
                "packages": 120,
                "package_type": "pallets",
            }
        ],
        "destination": "US",
        "port_of_exit": "CNSHA",
        "conveyance": "vessel COSCO Aries",
        "marks": f"PT-{k}",
        "containers": ["CSQU3054383"],
        "runs": [run],
    }


# ------------------------------------------------------------------------------------ seeding


@dataclass
class Seeded:
    enterprises: list[history.Enterprise] = field(default_factory=list)
    drafts: list[tuple[int, str]] = field(default_factory=list)  # (consignment id, declarant)
    spare_runs: dict[str, list[int]] = field(default_factory=dict)  # for the templates


def seed(url: str, enterprises: int, submissions: int) -> Seeded:
    """Office, inspector, enterprises with kiln, declarant and standing; signed-off PASS runs;
    a draft per submission."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.domain.accounts import Action, Principal, Role
    from phytowatch.formats import declaration_json
    from phytowatch.services.accounts import add_office, add_user
    from phytowatch.services.accounts.principals import principal_of
    from phytowatch.services.clock import FixedClock
    from phytowatch.services.context import Context
    from phytowatch.services.provisioning import add_calibration, add_enterprise, add_facility
    from phytowatch.services.runs import start_run
    from phytowatch.services.signoff import sign_off
    from phytowatch.services.supervision.declare import DeclarationService
    from phytowatch.services.supervision.standing import set_standing

    seeded = Seeded()
    services = bootstrap(load_settings(database_url=url))
    try:
        now = now_us()

        def system(at: int) -> Context:
            return Context.system(FixedClock(at), "cli:bench")

        add_office(
            services.accounts, services.audit, code="GZ", name="赣南", cities=list(CITIES),
            ctx=system(now),
        )  # fmt: skip
        add_user(
            services.accounts, services.audit, login="inspector", name="Inspector",
            role="inspector", password=PASSWORD, office="GZ", cost=10, ctx=system(now),
        )  # fmt: skip
        inspector_user = services.accounts.user_by_login("inspector")
        assert inspector_user is not None
        inspector = principal_of(services.accounts, inspector_user)
        admin = Principal(
            kind="user", actor="cli:bench", actions=frozenset(Action), role=Role.ADMINISTRATOR
        )
        declare = DeclarationService.of(services)
        per = -(-submissions // enterprises) + 2  # + the history's run and a template's
        k_of: dict[str, int] = {}
        for k in range(enterprises):
            code, city = f"{7000 + k}", CITIES[k % len(CITIES)]
            record = add_enterprise(
                services.registry, code, f"出口企业{k}", f"Exporter {k}", city, "II",
                ctx=system(now),
            )  # fmt: skip
            facility = f"SV-{k:03d}-K1"
            add_facility(services.registry, facility, code, "kiln", list(PROBES), ctx=system(now))
            for probe in PROBES:
                add_calibration(
                    services.registry, facility, probe, "0.0", calibrated_at=now - 400 * DAY_US,
                    due_at=now + 365 * DAY_US, certificate="JJF-1", ctx=system(now),
                )  # fmt: skip
            runs = []
            for r in range(per):
                began = now - 380 * DAY_US + r * 3_600 * US
                run = start_run(
                    services.runs, facility, "ispm15-ht", load="pallets", ctx=system(began)
                ).id
                services.runs.close_run(
                    run, began + 3_000 * US, "pass", "PASS", json.dumps(PASS_JUDGEMENT)
                )
                sign_off(
                    services.runs, services.accounts, services.audit, run,
                    ctx=Context.of(inspector, FixedClock(began + 3_600 * US)),
                    decision="signed_off", comment="",
                )  # fmt: skip
                runs.append(run)
            login = f"decl{k:03d}"
            add_user(
                services.accounts, services.audit, login=login, name=f"Declarant {k}",
                role="enterprise_declarant", password=PASSWORD, enterprise=code, cost=10,
                ctx=system(now),
            )  # fmt: skip
            set_standing(
                services.standing, services.policy, services.audit, code,
                ctx=Context.of(admin, FixedClock(now)), klass=CLASSES[k % len(CLASSES)],
                e_supervised=True, reason="benchmark",
            )  # fmt: skip
            assert record.id is not None
            seeded.enterprises.append(history.Enterprise(code, record.id, f"Exporter {k}", city,
                                                         runs[0]))  # fmt: skip
            seeded.spare_runs[code] = runs[1:]
            k_of[code] = k
        for n in range(submissions):
            k = n % enterprises
            code = seeded.enterprises[k].code
            user = services.accounts.user_by_login(f"decl{k:03d}")
            assert user is not None
            run = seeded.spare_runs[code].pop()
            made = declare.create(
                declaration_json.decode(declaration(run, n)),
                ctx=Context.of(principal_of(services.accounts, user), FixedClock(now)),
            )
            seeded.drafts.append((made.id, f"decl{k:03d}"))
    finally:
        services.close()
    return seeded


# ------------------------------------------------------------------------------------ server


class Server:
    """``phytowatch serve`` in a subprocess."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.port = free_port()
        self.log = (workdir / f"serve-{self.port}.log").open("w")
        argv = [str(PHYTOWATCH), "serve", "--database-url", url, "--port", str(self.port)]
        argv += ["--log-level", "error"]
        env = dict(os.environ, PHYTOWATCH_ADMIN_TOKEN=ADMIN_TOKEN, PHYTOWATCH_COOKIE_SECURE="false")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        if wait_until_healthy(self.process, self.port, self.log.name, 60.0, 0.2):
            return
        self.stop()
        raise RuntimeError("phytowatch serve did not answer /api/v1/health in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    sent = dict(headers or {})
    if data is not None:
        sent["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=sent)
    answer = conn.getresponse()
    return answer.status, answer.read()


def login(port: int, who: str) -> dict[str, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(
            "POST", "/api/v1/auth/login", json.dumps({"login": who, "password": PASSWORD}),
            {"Content-Type": "application/json"},
        )  # fmt: skip
        answer = conn.getresponse()
        body = json.loads(answer.read())
        assert answer.status == 200, body
        cookie = (answer.getheader("set-cookie") or "").split(";", 1)[0]
        return {"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]}
    finally:
        conn.close()


# ------------------------------------------------------------------------------------ history


def templates(port: int, seeded: Seeded) -> dict[str, history.Template]:
    """Three consignments declared, routed and assessed over HTTP: released on documents,
    waiting for inspection, inspected with an interception (each tried on the enterprises until
    the route says so)."""
    inspector = login(port, "inspector")
    found: dict[str, tuple[int, str]] = {}
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for n, enterprise in enumerate(seeded.enterprises):
            if len(found) == 3:
                break
            if not seeded.spare_runs[enterprise.code]:
                continue
            k = int(enterprise.code) - 7000
            headers = login(port, f"decl{k:03d}")
            run = seeded.spare_runs[enterprise.code].pop()
            status, body = call(
                conn, "POST", "/api/v1/consignments?submit=true",
                declaration(run, 900_000 + n), headers,
            )  # fmt: skip
            assert status == 201, body
            made = json.loads(body)
            if made["state"] == "assessed" and "documents" not in found:
                found["documents"] = (made["id"], enterprise.code)
            elif made["state"] == "routed":
                kind = "waiting" if "waiting" not in found else "intercepted"
                if kind in found:
                    continue
                if kind == "intercepted":
                    status, body = call(
                        conn, "POST", f"/api/v1/consignments/{made['id']}/assessment",
                        {
                            "inspected": "20 pallets opened, 2 % of the pieces split",
                            "samples": [{"sample_id": "S-1", "kind": "wood", "lab": "GZ lab"}],
                            "interceptions": [
                                {"pest": "Monochamus alternatus", "life_stage": "larva",
                                 "count": 2, "batches": "CSQU3054383"}
                            ],
                            "conformity": "not_conforming",
                            "disposal": "re_treatment",
                            "comment": "live larvae in two pallets",
                        },
                        inspector,
                    )  # fmt: skip
                    assert status in (200, 201), body
                found[kind] = (made["id"], enterprise.code)
    finally:
        conn.close()
    missing = {"documents", "waiting", "intercepted"} - set(found)
    if missing:
        raise RuntimeError(f"no template consignment routed as {sorted(missing)}")
    found["inspected"] = found["intercepted"]
    return found  # type: ignore[return-value]


def write_history(
    url: str, port: int, seeded: Seeded, total: int, waiting: int
) -> tuple[dict[str, int], float]:
    from sqlalchemy import create_engine

    made = templates(port, seeded)
    engine = create_engine(url)
    try:
        read = {
            kind: history.read_template(engine, cid, code) for kind, (cid, code) in made.items()
        }
        # an inspected consignment without interception: the intercepted one without its
        # interceptions (the inspection's record says it conformed)
        plain = history.Template(
            read["intercepted"].enterprise,
            {
                **read["intercepted"].rows,
                "interceptions": [],
                "assessments": [
                    {**a, "conformity": "conforming", "disposal": None, "comment": ""}
                    for a in read["intercepted"].rows["assessments"]
                ],
            },
        )
        read["inspected"] = plain
        inspected = total * 8 // 100
        intercepted = total // 100
        started = time.perf_counter()
        history.load(
            engine, read, seeded.enterprises, now=now_us() - DAY_US, total=total,
            waiting=waiting, inspected=inspected, intercepted=intercepted,
        )  # fmt: skip
        took = time.perf_counter() - started
        return history.counts(engine), took
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------ load


@dataclass
class Submission:
    scheduled: float
    sent: float = 0.0
    ms: float = 0.0
    status: int = 0
    state: str = ""


def submit_load(port: int, seeded: Seeded, rate: float, seconds: float) -> list[Submission]:
    """Every draft submitted at its own instant (``rate`` per second), by a pool of clients."""
    logins = sorted({who for _, who in seeded.drafts})
    sessions = {who: login(port, who) for who in logins}
    count = min(len(seeded.drafts), int(rate * seconds))
    start = time.perf_counter() + 1.0
    plan = [Submission(start + n / rate) for n in range(count)]
    lock = threading.Lock()
    cursor = [0]

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            while True:
                with lock:
                    n = cursor[0]
                    if n >= count:
                        return
                    cursor[0] = n + 1
                item = plan[n]
                wait = item.scheduled - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                consignment, who = seeded.drafts[n]
                item.sent = time.perf_counter()
                try:
                    status, body = call(
                        conn, "POST", f"/api/v1/consignments/{consignment}/submit",
                        None, sessions[who],
                    )  # fmt: skip
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=60)
                    status, body = 0, b"{}"
                item.ms = (time.perf_counter() - item.sent) * 1000
                item.status = status
                if status == 200:
                    item.state = json.loads(body).get("state", "")
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 600)
    return plan


def measure_queue(port: int, pid: int, repeats: int) -> dict[str, Any]:
    inspector = login(port, "inspector")
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    out: dict[str, Any] = {}
    try:
        for name, path in (("page", "/inspections"), ("api", "/api/v1/inspections")):
            times = []
            cpu = 0.0
            for n in range(repeats + 1):
                if n == 1:
                    cpu = cpu_seconds(pid)
                began = time.perf_counter()
                status, body = call(conn, "GET", path, None, inspector)
                times.append((time.perf_counter() - began) * 1000)
                assert status == 200, body[:500]
            out[name] = times[1:]  # the first one warms the process up
            out[name + "_cpu_ms"] = (cpu_seconds(pid) - cpu) * 1000 / max(1, repeats)
            out[name + "_bytes"] = len(body)
            if name == "api":
                out["waiting"] = len(json.loads(body))
    finally:
        conn.close()
    return out


# ------------------------------------------------------------------------------------ databases


def bench(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    began = time.perf_counter()
    submissions = int(args.rate * args.seconds)
    with tempfile.TemporaryDirectory(prefix="pw-supervision-") as root, scratch(
        kind, Path(root), "supervision"
    ) as url:  # fmt: skip
        t = time.perf_counter()
        seeded = seed(url, args.enterprises, submissions)
        seed_s = time.perf_counter() - t
        server = Server(url, Path(root))
        try:
            rows, history_s = write_history(url, server.port, seeded, args.history, args.waiting)
            queue = measure_queue(server.port, server.process.pid, args.repeats)
            cpu_before = cpu_seconds(server.process.pid)
            plan = submit_load(server.port, seeded, args.rate, args.seconds)
            cpu_s = cpu_seconds(server.process.pid) - cpu_before
        finally:
            server.stop()
    done = [p for p in plan if p.status == 200 and p.state in ("routed", "assessed")]
    ms = [p.ms for p in done]
    span = max((p.sent + p.ms / 1000 for p in plan), default=0) - min(
        (p.sent for p in plan), default=0
    )
    late = max((p.sent - p.scheduled for p in plan), default=0) * 1000
    if args.samples:
        first = min((p.scheduled for p in plan), default=0.0)
        samples = [
            {"at_s": round(p.scheduled - first, 3), "ms": round(p.ms, 1), "state": p.state}
            for p in plan
        ]
        Path(f"{args.samples}.{kind}.json").write_text(json.dumps(samples), encoding="utf-8")
    return {
        "database": kind,
        "rows": rows,
        "seed_s": seed_s,
        "history_s": history_s,
        "offered": len(plan),
        "ok": len(done),
        "routed": sum(p.state == "routed" for p in done),
        "assessed": sum(p.state == "assessed" for p in done),
        "failed": len(plan) - len(done),
        "rate": len(done) / span if span > 0 else 0.0,
        "late_ms": late,
        "cpu_ms": cpu_s * 1000 / max(1, len(plan)),
        "load": os.getloadavg()[0],
        "p50": pct(ms, 0.50),
        "p90": pct(ms, 0.90),
        "p99": pct(ms, 0.99),
        "max": max(ms, default=float("inf")),
        "queue": queue,
        "took": time.perf_counter() - began,
    }


# ------------------------------------------------------------------------------------ report


def checks(result: dict[str, Any]) -> list[tuple[str, bool]]:
    q = result["queue"]
    db = result["database"]
    return [
        (f"{db}: every submission answered and routed", result["failed"] == 0),
        (f"{db}: routing p99 ≤ {TARGET_ROUTE_P99_MS:.0f} ms", result["p99"] <= TARGET_ROUTE_P99_MS),
        (
            f"{db}: queue page p95 < {TARGET_QUEUE_MS:.0f} ms",
            pct(q["page"], 0.95) < TARGET_QUEUE_MS,
        ),
        (f"{db}: queue API p95 < {TARGET_QUEUE_MS:.0f} ms", pct(q["api"], 0.95) < TARGET_QUEUE_MS),
    ]


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    m = machine()
    first = results[0]
    rows = first["rows"]
    command = (
        f"python benchmarks/supervision.py --database {args.database} --history {args.history} "
        f"--enterprises {args.enterprises} "
        f"--waiting {args.waiting} --rate {args.rate:g} --seconds {args.seconds:g}"
    )
    lines = [
        f"Command: `{command}` ({when})",
        "",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in m.items()),
        "",
        f"Setup: `phytowatch serve` (one process) and the load generator ({CLIENTS} keep-alive "
        f"clients, one session per declarant) on the same cores. History: "
        f"{args.history:,} consignments of {args.enterprises} enterprises over a year "
        f"({rows['consignments']:,} in the database with the templates and the drafts to submit; "
        f"{rows['consignment_events']:,} timeline entries, {rows['consignment_routes']:,} "
        f"routes, {rows['assessments']:,} assessments, {rows['interceptions']:,} "
        f"interceptions; {args.waiting:,} routed to inspect and waiting), written in bulk as "
        "copies of consignments the application declared, routed and assessed "
        "(benchmarks/supervision_history.py).",
        "",
        f"Routing: {first['offered']:,} drafts (wood packaging to the USA, each backed by its own "
        f"signed-off PASS run) submitted at {args.rate:g}/s for {args.seconds:g} s, each at its "
        "own scheduled instant. Routing is synchronous: the submission stores the version, routes "
        "it and (released on documents) assesses it in one transaction, so the time to the "
        "routing decision is from sending `POST /api/v1/consignments/{id}/submit` to reading its "
        "answer, which says `routed` (to inspect) or `assessed` (released on documents).",
        "",
        "| database | submitted (ok) | achieved rate | p50 | p90 | p99 (target ≤ 200 ms) | max "
        "| routed to inspect / released | server CPU per submission | load average (1 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['offered']:,} ({r['ok']:,}) | {r['rate']:.1f}/s | "
            f"{r['p50']:.0f} ms | {r['p90']:.0f} ms | **{r['p99']:.0f} ms** | {r['max']:.0f} ms "
            f"| {r['routed']} / {r['assessed']} | {r['cpu_ms']:.0f} ms | {r['load']:.1f} |"
        )
    lines += [
        "",
        f"The inspector's queue with {first['queue']['waiting']:,} waiting (the history's "
        f"{args.waiting:,} and the templates left waiting), read before the submissions, "
        f"{args.repeats} requests each after one to warm up, one after another:",
        "",
        "| database | `GET /inspections` median | p95 (target < 500 ms) | bytes "
        "| `GET /api/v1/inspections` median | p95 (target < 500 ms) | bytes "
        "| server CPU per request (page / API) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        q = r["queue"]
        lines.append(
            f"| {r['database']} | {statistics.median(q['page']):.0f} ms | "
            f"**{pct(q['page'], 0.95):.0f} ms** | {q['page_bytes'] / 1024:.0f} KiB | "
            f"{statistics.median(q['api']):.0f} ms | **{pct(q['api'], 0.95):.0f} ms** | "
            f"{q['api_bytes'] / 1024:.0f} KiB | {q['page_cpu_ms']:.0f} ms / "
            f"{q['api_cpu_ms']:.0f} ms |"
        )
    lines += [
        "",
        "Whole run: "
        + "; ".join(
            f"{r['database']} {r['took']:.0f} s (seeding {r['seed_s']:.0f} s, history "
            f"{r['history_s']:.0f} s)"
            for r in results
        )
        + ".",
        "",
    ]
    for r in results:
        for name, ok in checks(r):
            lines.append(f"- {'PASS' if ok else 'FAIL'}: {name}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--history", type=int, default=50_000, help="consignments of a year")
    parser.add_argument("--waiting", type=int, default=1_000, help="of them, waiting")
    parser.add_argument("--enterprises", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=20, help="requests of the queue")
    parser.add_argument("--samples", help="write each submission's latency to SAMPLES.<db>.json")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    results = [bench(kind, args) for kind in kinds]
    section = report(args, results)
    print(section)
    if args.write_doc:
        write_doc(
            section, begin=BEGIN, end=END, heading=HEADING, script="benchmarks/supervision.py"
        )
    return 0 if all(ok for r in results for _, ok in checks(r)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
