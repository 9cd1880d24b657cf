"""Live runs: judged as readings are stored, closed by their verdict, exported for evaluate.

The contract: a run's readings exported as a CSV and judged by ``phytowatch evaluate`` (with the
run's schedule, params and offsets) give exactly the run's verdict, for every schedule.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.domain.instants import US_PER_D, US_PER_S
from phytowatch.domain.messages import Code, Kind
from phytowatch.domain.schedule import Role
from phytowatch.formats.csvlog import parse_log, read_log, write_log
from phytowatch.schedules import load_one
from phytowatch.services.evaluation import judge_rows
from phytowatch.services.ports import FacilityRef, ReadingBatch, StoredItem
from phytowatch.services.provisioning import add_calibration, add_enterprise, add_facility
from phytowatch.services.reporting import judgement_dict
from phytowatch.services.runs import evaluate_command, start_run
from refusals import refused

pytestmark = pytest.mark.integration
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cases"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))
COMPARED = ("verdict", "step", "hold_start", "hold_end", "longest_hold_s")
Rows = list[tuple[int, list[float | None]]]  # a wide log: (t, each probe's value)


def _provision(services: Services, case: str) -> tuple[str, list[str], dict[str, str], Rows]:
    spec = json.loads((GOLDEN / f"{case}.json").read_text(encoding="utf-8"))
    log = read_log(GOLDEN / f"{case}.csv")
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    add_facility(
        services.registry, "F1", "E1", "kiln", [f"{p}:{r}" for p, r in log.probes], ctx=ctx_at(1)
    )
    first = log.rows[0][0] if log.rows else 2_000_000_000 * US_PER_S
    for probe, offset in spec.get("offsets", {}).items():
        add_calibration(
            services.registry,
            "F1",
            probe,
            str(Decimal(str(offset))),
            calibrated_at=first - 10 * US_PER_D,
            due_at=first + 400 * US_PER_D,
            certificate="test",
            ctx=ctx_at(first),
        )
    return spec["schedule"], [p for p, _ in log.probes], spec.get("params", {}), log.rows


def _store(services: Services, rows: Rows, facility: FacilityRef, names: list[str]) -> None:
    probe_ids = {p.code: p.id for p in facility.probes.values()}
    items: list[StoredItem] = []
    for t, values in rows:
        for name, value in zip(names, values, strict=True):
            if value is None:
                continue
            fault = "ERR" if value != value else None
            items.append(
                StoredItem(len(items), probe_ids[name], t, None if fault else value, fault)
            )
    for start in range(0, len(items), 500):
        batch = ReadingBatch(facility.id, "test", 0, tuple(items[start : start + 500]))
        services.writer.submit(batch).result(timeout=30)


@pytest.mark.parametrize("case", CASES)
def test_a_run_exported_and_evaluated_gives_the_runs_own_verdict(
    services: Services, case: str
) -> None:
    schedule_id, names, params, rows = _provision(services, case)
    facility = services.registry.facility_by_code("F1")
    assert facility is not None
    first = rows[0][0] if rows else 2_000_000_000 * US_PER_S
    run = start_run(
        services.runs,
        "F1",
        schedule_id,
        params=params,
        load="test load",
        ctx=ctx_at(first - US_PER_S),
    )
    _store(services, rows, facility, names)
    last = rows[-1][0] if rows else first
    events = services.monitor.tick(now=last + US_PER_S)
    record = services.runs.run(run.id)
    assert record is not None
    if record.closed_at is None:  # no verdict by itself: the operator closes it
        events += services.monitor.close(run.id, ctx=ctx_at(last + 2 * US_PER_S))
        record = services.runs.run(run.id)
        assert record is not None and record.close_reason == "operator"
    assert record.judgement is not None and record.verdict == record.judgement["verdict"]
    assert [e.kind for e in events][-1] == "closed"

    exported = services.runs.run_readings(facility.id, record.started_at, record.closed_at, None)
    # the registry keeps a probe's role as text (ProbeRef.role), the log writer wants a Role
    probe_order = [(p, cast(Role, facility.probes[p].role)) for p in names]
    by_t: dict[int, list[float | None]] = {}
    for probe, t, value, fault, _ in sorted(exported, key=lambda r: r[1]):
        row = by_t.setdefault(t, [None] * len(names))
        row[names.index(probe)] = float("nan") if fault is not None else value
    text = write_log(probe_order, sorted(by_t.items()))
    log = parse_log(text, "run.csv")
    schedule = load_one(schedule_id).resolve(params)
    offsets = {k: Decimal(v) for k, v in record.offsets.items()}
    offline = judgement_dict(
        judge_rows(schedule, log.probes, log.rows, offsets=offsets, faults=log.faults), schedule
    )
    for key in COMPARED:
        assert offline[key] == record.judgement[key], (key, evaluate_command(record))


def test_a_facility_has_one_open_run_at_a_time(services: Services) -> None:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    add_facility(services.registry, "F1", "E1", "kiln", ["C1:product"], ctx=ctx_at(1))
    start_run(services.runs, "F1", "ispm15-ht", load="pallets", ctx=ctx_at(10))
    with refused(Code.RUN_OPEN_ALREADY, Kind.CONFLICT):
        start_run(services.runs, "F1", "ispm15-ht", load="pallets", ctx=ctx_at(20))


@pytest.mark.parametrize(
    ("load", "note", "field"),
    [("pallets\udcff", "", "load"), ("pallets\x00", "", "load"), ("pallets", "a\x1bb", "note")],
)
def test_a_load_or_note_that_is_not_printable_text_is_refused_and_nothing_starts(
    services: Services, load: str, note: str, field: str
) -> None:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    add_facility(services.registry, "F1", "E1", "kiln", ["C1:product"], ctx=ctx_at(1))
    with refused(Code.RUN_LOAD_PRINTABLE if field == "load" else Code.RUN_NOTE_PRINTABLE):
        start_run(services.runs, "F1", "ispm15-ht", load=load, note=note, ctx=ctx_at(10))
    assert services.runs.open_runs() == []
    record = start_run(
        services.runs, "F1", "ispm15-ht", load="松木托盘", note="第一行\n\t第二行", ctx=ctx_at(20)
    )
    assert record.note == "第一行\n\t第二行"


def test_a_run_notes_an_expired_calibration_and_judges_that_probe_raw(services: Services) -> None:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    add_facility(services.registry, "F1", "E1", "kiln", ["C1:product", "C2:product"], ctx=ctx_at(1))
    now = 2_000_000_000 * US_PER_S
    add_calibration(
        services.registry,
        "F1",
        "C1",
        "-0.3",
        calibrated_at=now - 400 * US_PER_D,
        due_at=now - US_PER_D,
        certificate="old",
        ctx=ctx_at(now),
    )
    add_calibration(
        services.registry,
        "F1",
        "C2",
        "0.2",
        calibrated_at=now - 10 * US_PER_D,
        due_at=now + 300 * US_PER_D,
        certificate="new",
        ctx=ctx_at(now),
    )
    run = start_run(services.runs, "F1", "ispm15-ht", load="pallets", ctx=ctx_at(now))
    assert run.offsets == {"C2": "0.2"}
    [note] = run.calibration_notes
    assert note.code is Code.NOTE_CALIBRATION_EXPIRED and note.params["probe"] == "C1"
    stored = services.runs.run(run.id)
    assert stored is not None and stored.calibration_notes == [note]  # stored as code and params


@pytest.mark.parametrize(
    ("schedule", "params", "code"),
    [
        ("nope", {}, Code.SCHEDULE_UNKNOWN),
        ("hwt-mango", {}, Code.PARAM_MISSING),
        ("hwt-mango", {"fruit_class": "2kg"}, Code.PARAM_VALUE),
    ],
)
def test_a_run_with_a_bad_schedule_or_param_is_refused(
    services: Services, schedule: str, params: dict[str, str], code: Code
) -> None:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    add_facility(services.registry, "F1", "E1", "hot_water_tank", ["W1:water"], ctx=ctx_at(1))
    with refused(code, Kind.INVALID):
        start_run(services.runs, "F1", schedule, params=params, load="mangoes", ctx=ctx_at(10))
    assert services.runs.open_runs() == []
