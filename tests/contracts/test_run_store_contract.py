"""The RunStore port (services.runs): what InMemoryRunStore and SqlRunStore both do, on SQLite and
PostgreSQL, with the readings their writers store."""

from __future__ import annotations

import json

import pytest
from stores import T0, Site

from phytowatch.domain.instants import US_PER_D, US_PER_S
from phytowatch.domain.messages import Code, Instant, say
from phytowatch.services.ports import FacilityRef, ReadingBatch, StoredItem
from phytowatch.services.runs import RunRecord

pytestmark = pytest.mark.contract
S = US_PER_S
NOTES = [
    say(Code.NOTE_NO_CALIBRATION, probe="C2"),
    say(Code.NOTE_CALIBRATION_EXPIRED, probe="C3", due=Instant(T0 - US_PER_D)),
]


def _create(site: Site, facility: FacilityRef | None = None, started_at: int = T0) -> int:
    return site.runs.create_run(
        (facility or site.k1).id,
        "hwt-mango",
        "1",
        json.dumps({"fruit_class": "500g"}),
        json.dumps({"C1": "-0.30"}),
        NOTES,
        "mango, lot 7",
        "第一批",
        started_at,
    )


def _send(
    site: Site, facility: FacilityRef, received_at: int, readings: list[tuple[str, int, float]]
) -> None:
    items = tuple(
        StoredItem(k, facility.probes[probe].id, t, value, None)
        for k, (probe, t, value) in enumerate(readings)
    )
    site.writer.submit(ReadingBatch(facility.id, "http", received_at, items)).result(timeout=30)


def test_a_run_is_read_back_as_it_was_created(site: Site) -> None:
    run_id = _create(site)
    assert site.runs.run(run_id) == RunRecord(
        id=run_id,
        facility_id=site.k1.id,
        facility_code="K1",
        schedule_id="hwt-mango",
        schedule_version="1",
        params={"fruit_class": "500g"},
        offsets={"C1": "-0.30"},
        calibration_notes=NOTES,
        load="mango, lot 7",
        note="第一批",
        started_at=T0,
    )
    assert site.runs.run(run_id + 1) is None
    assert site.runs.facility_by_code("K1") == site.k1
    assert site.runs.facility_by_code("K9") is None


def test_the_open_runs_are_listed_by_id_until_closed_once(site: Site) -> None:
    first, second = _create(site), _create(site, site.k2)
    assert [r.id for r in site.runs.open_runs()] == [first, second]
    assert site.runs.open_run_ids() == {first, second}
    judgement = {"verdict": "PASS", "findings": [], "review_required": False}
    assert site.runs.close_run(first, T0 + 9, "pass", "PASS", json.dumps(judgement))
    assert not site.runs.close_run(first, T0 + 10, "operator", "FAIL", "{}")  # closed once
    closed = site.runs.run(first)
    assert closed is not None
    assert (closed.closed_at, closed.close_reason, closed.verdict, closed.judgement) == (
        T0 + 9,
        "pass",
        "PASS",
        judgement,
    )
    assert [r.id for r in site.runs.open_runs()] == [second]
    assert site.runs.open_run_ids() == {second}


def test_each_probes_latest_calibration_by_its_date_is_the_one_given(site: Site) -> None:
    c1, c2 = site.k1.probes["C1"].id, site.k1.probes["C2"].id
    site.registry.add_calibration(
        c1, T0 - 10 * US_PER_D, "0.40", T0 + 355 * US_PER_D, "new", now=T0
    )
    # an older certificate, entered after the current one
    site.registry.add_calibration(
        c1, T0 - 400 * US_PER_D, "-1.0", T0 - 35 * US_PER_D, "old", now=T0
    )
    site.registry.add_calibration(c2, T0 - 5 * US_PER_D, "0", T0 + 1, "c2", now=T0)
    assert site.runs.latest_calibrations(site.k1.id) == {
        "C1": ("0.40", T0 + 355 * US_PER_D),
        "C2": ("0", T0 + 1),
    }
    assert site.runs.latest_calibrations(site.k2.id) == {}


def test_a_facilitys_readings_are_read_by_time_and_by_when_they_were_received(site: Site) -> None:
    _send(site, site.k1, T0 + 10 * S, [("C1", T0, 56.0), ("C2", T0, 56.5), ("C1", T0 + S, 57.0)])
    _send(site, site.k1, T0 + 20 * S, [("C1", T0 + 2 * S, 58.0)])
    _send(site, site.k2, T0 + 20 * S, [("C1", T0 + S, 99.0)])
    every = sorted(site.runs.run_readings(site.k1.id, T0, None, None))
    assert every == [
        ("C1", T0, 56.0, None, T0 + 10 * S),
        ("C1", T0 + S, 57.0, None, T0 + 10 * S),
        ("C1", T0 + 2 * S, 58.0, None, T0 + 20 * S),
        ("C2", T0, 56.5, None, T0 + 10 * S),
    ]
    assert sorted(site.runs.run_readings(site.k1.id, T0 + S, T0 + S, None)) == [every[1]]
    assert site.runs.run_readings(site.k1.id, T0, None, T0 + 10 * S) == [every[2]]


def test_the_batches_received_are_counted_and_read_by_facility_and_instant(site: Site) -> None:
    _send(site, site.k1, T0 + 10 * S, [("C1", T0, 56.0), ("C2", T0, 56.5)])
    _send(site, site.k1, T0 + 20 * S, [("C1", T0 + S, 57.0)])
    _send(site, site.k2, T0 + 20 * S, [("C1", T0 + S, 99.0)])
    both = [site.k1.id, site.k2.id]
    assert sorted(site.runs.batches_received(both, T0)) == [
        (site.k1.id, T0 + 10 * S, 2),
        (site.k1.id, T0 + 20 * S, 1),
        (site.k2.id, T0 + 20 * S, 1),
    ]
    assert site.runs.batches_received([site.k2.id], T0 + 20 * S) == []
    wanted = [(site.k1.id, T0 + 20 * S), (site.k2.id, T0 + 20 * S)]
    assert sorted(site.runs.batch_readings(wanted)) == [
        (site.k1.id, "C1", T0 + S, 57.0, None, T0 + 20 * S),
        (site.k2.id, "C1", T0 + S, 99.0, None, T0 + 20 * S),
    ]
    assert site.runs.batch_readings([(site.k1.id, T0 + 30 * S)]) == []
