"""Benchmark of the bureau's figures: the KPI page and API over a province-year, on SQLite and
PostgreSQL, each against a floor measured in the same run.

    .venv/bin/python benchmarks/kpi.py [--database sqlite|postgresql|both]
        [--consignments N] [--runs N] [--alarms N] [--repeats R] [--write-doc]

For each database, a scratch database is migrated, then filled by bulk inserts (not through the
services: the records are what the figures read, and making 50,000 consignments through the use
cases would take hours): 200 enterprises in 10 cities with their standing (half e-supervised),
400 facilities with a probe and a few readings each, ``--runs`` runs over the year (nine in ten
PASS), ``--alarms`` alarms of every kind (four in five acknowledged, after 1 to 120 minutes),
``--consignments`` consignments over the year, each with its declaration, a line, a route (mode
and outcome), its timeline (submitted, certified, transferred, released one to 72 hours later),
an issued certificate and its transfer (one in five to a port that takes paper); one in fifty
with an interception.

Timed in-process (the application's own ``create_app``, the admin token), ``--repeats`` times
each, interleaved: the floor (``SELECT count(*)`` of each table the figures read, one pass), the
API ``GET /api/v1/kpi`` for the whole year, and the page ``GET /kpi`` for the whole year.
Target: < 1 s each (the median).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from harness import scratch, write_doc

ROOT = Path(__file__).resolve().parents[1]
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"
BEGIN, END = "<!-- kpi:begin -->", "<!-- kpi:end -->"
KINDS = ("hold_broken", "approaching_limit", "sensor_fault", "facility_silent", "tamper")
MODES = (("credit", "documents"), ("verification", "documents"), ("general", "inspect"))


def fill(url: str, args: argparse.Namespace) -> dict[str, int]:
    from sqlalchemy import insert

    from phytowatch.services.kpi import instant_of
    from phytowatch.storage.certificates.tables import certificate_issues, certificates
    from phytowatch.storage.database import make_engine
    from phytowatch.storage.supervision.assessment_tables import (
        assessments,
        consignment_routes,
        interceptions,
    )
    from phytowatch.storage.supervision.consignment_tables import (
        consignment_events,
        consignment_lines,
        consignments,
        declaration_versions,
    )
    from phytowatch.storage.supervision.standing_tables import enterprise_standing
    from phytowatch.storage.tables import alarms, enterprises, facilities, probes, readings, runs
    from phytowatch.storage.transfers.tables import transfers

    rng = random.Random(15)
    year0 = instant_of(date(args.year, 1, 1))
    span = instant_of(date(args.year + 1, 1, 1)) - year0
    h = 3_600_000_000
    engine = make_engine(url)
    rows: dict[str, list[dict[str, Any]]] = {}

    def add(name: str, **values: Any) -> None:
        rows.setdefault(name, []).append(values)

    for e in range(1, 201):
        add("enterprises", id=e, code=f"E{e:04d}", name_zh=f"企业{e}", name_en=f"E{e}",
            city=f"city{e % 10}", grade="B", created_at=year0 - 400 * 24 * h)  # fmt: skip
        add("standing", enterprise_id=e, scheme="s", **{"class": "B"}, e_supervised=e % 2 == 0,
            key_list=False, since=year0 - 30 * 24 * h, by="bench")  # fmt: skip
    for f in range(1, 401):
        add("facilities", id=f, code=f"K{f:04d}", enterprise_id=(f - 1) % 200 + 1, kind="kiln",
            created_at=year0 - 300 * 24 * h)  # fmt: skip
        add("probes", id=f, facility_id=f, code="P1", role="product", created_at=0)
        for _ in range(3):
            t = year0 + rng.randrange(span)
            add("readings", probe_id=f, t=t, facility_id=f, value=60.0, received_at=t)
    for r in range(1, args.runs + 1):
        started = year0 + rng.randrange(span - 24 * h)
        add("runs", id=r, facility_id=rng.randrange(1, 401), schedule_id=rng.choice(
            ("ispm15-ht", "citrus-cold", "mango-hwt")), schedule_version="1", load="l",
            started_at=started, closed_at=started + 6 * h, close_reason="pass",
            verdict="PASS" if rng.random() < 0.9 else "FAIL")  # fmt: skip
    for a in range(1, args.alarms + 1):
        raised = year0 + rng.randrange(span)
        acked = rng.random() < 0.8
        # cleared, every one: the server's alarm tick has nothing open to look at
        add("alarms", id=a, kind=rng.choice(KINDS), facility=f"K{rng.randrange(1, 401):04d}",
            subject="", severity="major", state="cleared", raised_at=raised,
            last_seen_at=raised, count=1, code="text", params='{"text": "bench"}',
            message="bench", cleared_at=raised + 3 * h, cleared_by="bench",
            acknowledged_at=raised + rng.randrange(1, 121) * 60_000_000 if acked else None,
        )  # fmt: skip
    for c in range(1, args.consignments + 1):
        submitted = year0 + rng.randrange(span - 100 * h)
        certified = submitted + rng.randrange(1, 24) * h
        released = certified + rng.randrange(1, 48) * h
        enterprise = rng.randrange(1, 201)
        mode, outcome = rng.choice(MODES)
        dest = rng.choice(("US", "GB", "CA", "AU", "SG"))
        add("consignments", id=c, number=f"C{c:06d}", enterprise_id=enterprise, state="released",
            version=1, destination=dest, consignee="c", created_at=submitted, created_by="bench",
            submitted_at=submitted, updated_at=released)  # fmt: skip
        content = {"declared_value": f"{rng.randrange(1000, 99999)}.00", "currency": "USD"}
        add("versions", consignment_id=c, version=1, content=json.dumps(content),
            content_hash="0" * 64, submitted_at=submitted, submitted_by="bench")  # fmt: skip
        add("lines", consignment_id=c, version=1, line_no=1, product=rng.choice(
            ("citrus", "tea", "wood")), quantity=rng.randrange(100, 20000), unit="kg",
            packages=10)  # fmt: skip
        add("routes", id=c, consignment_id=c, version=1, outcome=outcome, mode=mode, ratio="0",
            draw="0", rules_version="1", fired="[]", reasons="[]", inputs="{}", products=" ",
            destination=dest, at=submitted)  # fmt: skip
        for step, at in (
            ("submitted", submitted),
            ("certified", certified),
            ("released", released),
        ):
            add("events", consignment_id=c, step=step, at=at, actor="bench", version=1)
        add("certificates", id=c, kind="phytosanitary", consignment_id=c, office="JX",
            enterprise=f"E{enterprise:04d}", city=f"city{enterprise % 10}", created_at=certified,
            created_by="bench")  # fmt: skip
        add("issues", certificate_id=c, number=f"N{c:06d}", office="JX", year=args.year,
            sequence=c, revision=1, content_hash="0" * 64, signature="s", key_id="k",
            token=f"t{c}", check_code="c", payload_signature="p", officer="o",
            officer_actor="bench", place="p", issued_at=certified)  # fmt: skip
        paper = c % 5 == 0  # one in five to a port that takes paper
        add("transfers", id=c, number=f"T{c:06d}", origin_office="JX", year=args.year,
            sequence=c, consignment_id=c, consignment_number=f"C{c:06d}",
            enterprise=f"E{enterprise:04d}", city=f"city{enterprise % 10}",
            port="CNSHA" if paper else "CNXMN", port_office="" if paper else "XM",
            electronic=not paper, receiver="", version=1, declaration="{}", certificates="[]",
            ports_version="1", created_at=certified, created_by="bench")  # fmt: skip
        add("events", consignment_id=c, step="transferred", at=certified, actor="bench",
            version=1)  # fmt: skip
        if c % 50 == 0:
            add("assessments", id=c // 50, consignment_id=c, version=1, kind="inspection",
                conformity="nonconforming", inspected="", lab_results="", findings="",
                comment="", evidence="{}", by="bench", office="JX", at=certified)  # fmt: skip
            add("interceptions", assessment_id=c // 50, consignment_id=c, line_no=1,
                pest=rng.choice(("Bactrocera dorsalis", "Ceratitis capitata")), life_stage="larva",
                count=1, batches="", enterprise=f"E{enterprise:04d}",
                city=f"city{enterprise % 10}", products=" ", destination=dest, at=certified,
                by="bench")  # fmt: skip
    tables = {
        "enterprises": enterprises, "standing": enterprise_standing, "facilities": facilities,
        "probes": probes, "readings": readings, "runs": runs, "alarms": alarms,
        "consignments": consignments, "versions": declaration_versions,
        "lines": consignment_lines, "routes": consignment_routes, "events": consignment_events,
        "certificates": certificates, "issues": certificate_issues, "assessments": assessments,
        "interceptions": interceptions, "transfers": transfers,
    }  # fmt: skip
    with engine.begin() as conn:
        for name, table in tables.items():
            batch = rows.get(name, [])
            for i in range(0, len(batch), 5000):
                conn.execute(insert(table), batch[i : i + 5000])
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("COMMIT")
            conn.exec_driver_sql("ANALYZE")
            for name in ("enterprises", "facilities", "runs", "alarms", "consignments",
                         "consignment_routes", "certificates", "assessments",
                         "transfers"):  # fmt: skip
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {name}))"
                )
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return {name: len(rows.get(name, [])) for name in tables}


def bench(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.storage.database import make_engine
    from phytowatch.storage.migrate import upgrade
    from phytowatch.web.app import create_app

    with scratch(kind, workdir, "kpi") as url:
        migrating = make_engine(url)
        upgrade(migrating)
        migrating.dispose()
        started = time.perf_counter()
        counts = fill(url, args)
        filled = time.perf_counter() - started
        settings = load_settings(database_url=url, admin_token=ADMIN_TOKEN)
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        year = f"first={args.year}-01-01&last={args.year}-12-31"
        engine = make_engine(url)
        floor_tables = ("facilities", "readings", "runs", "alarms", "consignments",
                        "consignment_events", "consignment_routes", "consignment_lines",
                        "declaration_versions", "certificate_issues", "interceptions",
                        "transfers")  # fmt: skip
        times: dict[str, list[float]] = {"floor": [], "api": [], "page": []}
        with TestClient(create_app(settings, build=bootstrap)) as client:
            api = client.get(
                f"/api/v1/kpi?from={args.year}-01-01&to={args.year}-12-31", headers=auth
            )
            assert api.status_code == 200, api.text[:500]
            figures = api.json()
            page = client.get(f"/kpi?{year}", headers=auth)
            assert page.status_code == 200, page.text[:500]
            for _ in range(args.repeats):
                t = time.perf_counter()
                with engine.connect() as conn:
                    for name in floor_tables:
                        conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                times["floor"].append(time.perf_counter() - t)
                t = time.perf_counter()
                client.get(f"/api/v1/kpi?from={args.year}-01-01&to={args.year}-12-31", headers=auth)
                times["api"].append(time.perf_counter() - t)
                t = time.perf_counter()
                client.get(f"/kpi?{year}", headers=auth)
                times["page"].append(time.perf_counter() - t)
        engine.dispose()
    assert figures["e_declaration"]["denominator"] == args.consignments, figures["e_declaration"]
    assert figures["e_transfer"]["denominator"] == args.consignments, figures["e_transfer"]
    return {"kind": kind, "counts": counts, "filled_s": filled, "times": times,
            "released": figures["declaration_to_release"]["count"]}  # fmt: skip


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> str:
    ms = lambda v: f"{v * 1000:.0f}"  # noqa: E731
    out = [
        f"Command: `.venv/bin/python benchmarks/kpi.py --consignments {args.consignments} "
        f"--runs {args.runs} --alarms {args.alarms} --repeats {args.repeats}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.processor() or platform.platform()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end (shared); "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "| database | consignments / runs / alarms | filled in | floor (count(*) of 12 tables) "
        "median ms | API /api/v1/kpi median / max ms | page /kpi median / max ms |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        t, c = r["times"], r["counts"]
        out.append(
            f"| {r['kind']} | {c['consignments']} / {c['runs']} / {c['alarms']} | "
            f"{r['filled_s']:.0f} s | {ms(statistics.median(t['floor']))} | "
            f"{ms(statistics.median(t['api']))} / {ms(max(t['api']))} | "
            f"{ms(statistics.median(t['page']))} / {ms(max(t['page']))} |"
        )
    out.append("")
    for r in results:
        t = r["times"]
        for name in ("api", "page"):
            verdict = "PASS" if statistics.median(t[name]) < 1.0 else "MISS"
            out.append(f"- {verdict}: {r['kind']}: {name} for the whole year under 1 s (median)")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--consignments", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--alarms", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    with TemporaryDirectory() as tmp:
        results = [bench(kind, args, Path(tmp)) for kind in kinds]
    text = report(args, results)
    print(text)
    if args.write_doc:
        write_doc(text, begin=BEGIN, end=END, heading="## The bureau's figures (KPIs)",
                  script="benchmarks/kpi.py")  # fmt: skip
    return 0 if "MISS" not in text else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
