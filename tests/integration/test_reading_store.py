"""Storing batches of readings through the writers, on SQLite and PostgreSQL alike.

A resend is a harmless duplicate, a rewrite is refused (the stored value stays, the offer is kept
as evidence), a batch commits whole or not at all, and values and times come back exactly.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from pwsupport import Provisioned, writes_blocked
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from acting import ctx_at
from phytowatch.bootstrap import Services, bootstrap
from phytowatch.config import load_settings
from phytowatch.services.ports import ReadingBatch, StoredItem, StoreOutcome
from phytowatch.services.provisioning import add_enterprise, add_facility
from phytowatch.storage.tables import readings

pytestmark = pytest.mark.integration

T0 = 1_772_361_600_000_000  # 2026-03-01T10:40:00Z, in µs
MIN = 60_000_000
RECEIVED = T0 + 3_600_000_000
NO_PROBE = 987_654_321  # a probe id that does not exist: the foreign key refuses it


def _item(index: int, probe: int, t: int, v: float | None, fault: str | None = None) -> StoredItem:
    return StoredItem(index, probe, t, v, fault)


def _batch(
    kiln: Provisioned,
    rows: list[tuple[str | int, int, float | None, str | None]],
    *,
    channel: str = "http",
    received_at: int = RECEIVED,
) -> ReadingBatch:
    """``rows`` of (probe code or id, t, value, fault), indexed in order."""
    probes = kiln.facility.probes
    items = tuple(
        _item(k, probes[p].id if isinstance(p, str) else p, t, v, fault)
        for k, (p, t, v, fault) in enumerate(rows)
    )
    return ReadingBatch(kiln.facility.id, channel, received_at, items)


def _store(services: Services, batch: ReadingBatch) -> StoreOutcome:
    return services.writer.submit(batch).result(timeout=30)


def _outcome(outcome: StoreOutcome) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    return outcome.inserted, outcome.duplicates, outcome.conflicts


def _stored_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                readings.c.probe_id,
                readings.c.t,
                readings.c.facility_id,
                readings.c.value,
                readings.c.fault,
                readings.c.received_at,
            ).order_by(readings.c.probe_id, readings.c.t)
        ).all()
    return [tuple(row) for row in rows]


def _wait_until_taken(services: Services) -> None:
    deadline = time.monotonic() + 10
    while services.writer.backlog:
        assert time.monotonic() < deadline, "the writer never took the batch"
        time.sleep(0.005)


# -- duplicates and conflicts -----------------------------------------------------------------


def test_a_reading_identical_to_a_stored_one_is_a_harmless_duplicate(
    services: Services, kiln: Provisioned
) -> None:
    rows: list[tuple[str | int, int, float | None, str | None]] = [
        ("C1", T0, 55.8, None),
        ("C2", T0, None, "open_circuit"),
        ("C1", T0 + MIN, 56.1, None),
    ]
    first = _store(services, _batch(kiln, rows))
    assert _outcome(first) == (3, (), ())
    stored = _stored_rows(services.engine)

    again = _store(services, _batch(kiln, rows, received_at=RECEIVED + MIN))
    assert _outcome(again) == (0, (0, 1, 2), ())
    assert _stored_rows(services.engine) == stored  # not even received_at moved
    assert services.registry.conflicts_of(kiln.facility.id) == []

    # the same instant on another probe is another reading, not a duplicate
    other = _store(services, _batch(kiln, [("C3", T0, 55.8, None), ("A1", T0, 55.8, None)]))
    assert _outcome(other) == (2, (), ())
    assert services.registry.reading_count(kiln.facility.id) == 5


def test_a_different_reading_for_a_stored_probe_and_time_is_refused_and_kept_as_evidence(
    services: Services, kiln: Provisioned
) -> None:
    c1, c2 = kiln.facility.probes["C1"].id, kiln.facility.probes["C2"].id
    _store(services, _batch(kiln, [("C1", T0, 55.8, None), ("C2", T0, None, "open_circuit")]))

    offered = _batch(
        kiln,
        [
            ("C1", T0, 60.0, None),  # another value
            ("C1", T0 + MIN, 56.0, None),  # new
            ("C2", T0, 54.0, None),  # a value where a fault was stored
            ("C1", T0, None, "short_circuit"),  # second offer in the batch, also different
        ],
        channel="mqtt",
        received_at=RECEIVED + 5,
    )
    assert _outcome(_store(services, offered)) == (1, (), (0, 2, 3))

    assert services.registry.readings_of(kiln.facility.id) == [
        ("C1", T0, 55.8, None),
        ("C2", T0, None, "open_circuit"),
        ("C1", T0 + MIN, 56.0, None),
    ]
    evidence = [
        {k: v for k, v in row.items() if k != "id"}
        for row in services.registry.conflicts_of(kiln.facility.id)
    ]
    common = {"facility_id": kiln.facility.id, "received_at": RECEIVED + 5, "channel": "mqtt"}
    assert sorted(evidence, key=lambda r: (r["probe_id"], str(r["offered_fault"]))) == [
        {
            **common,
            "probe_id": c1,
            "t": T0,
            "stored_value": 55.8,
            "stored_fault": None,
            "offered_value": 60.0,
            "offered_fault": None,
        },
        {
            **common,
            "probe_id": c1,
            "t": T0,
            "stored_value": 55.8,
            "stored_fault": None,
            "offered_value": None,
            "offered_fault": "short_circuit",
        },
        {
            **common,
            "probe_id": c2,
            "t": T0,
            "stored_value": None,
            "stored_fault": "open_circuit",
            "offered_value": 54.0,
            "offered_fault": None,
        },
    ]


def test_two_offers_of_one_probe_and_time_in_a_batch_are_judged_against_the_first(
    services: Services, kiln: Provisioned
) -> None:
    outcome = _store(
        services,
        _batch(
            kiln,
            [
                ("C1", T0, 50.0, None),
                ("C1", T0, 50.0, None),  # the same again: duplicate
                ("C1", T0, 51.0, None),  # another value: conflict with the first
                ("C2", T0, 50.0, None),
            ],
        ),
    )
    assert _outcome(outcome) == (2, (1,), (2,))
    assert services.registry.readings_of(kiln.facility.id) == [
        ("C1", T0, 50.0, None),
        ("C2", T0, 50.0, None),
    ]
    [conflict] = services.registry.conflicts_of(kiln.facility.id)
    assert (conflict["stored_value"], conflict["offered_value"]) == (50.0, 51.0)

    # against a stored reading: a differing first offer and an identical second one
    outcome = _store(services, _batch(kiln, [("C1", T0, 49.0, None), ("C1", T0, 50.0, None)]))
    assert _outcome(outcome) == (0, (1,), (0,))
    assert services.registry.readings_of(kiln.facility.id)[0] == ("C1", T0, 50.0, None)


# -- atomicity and concurrency ------------------------------------------------------------------


def test_a_batch_that_cannot_be_stored_leaves_nothing_and_spares_the_batches_around_it(
    services: Services, kiln: Provisioned
) -> None:
    good_before = _batch(kiln, [("C1", T0, 55.0, None), ("C2", T0, 55.1, None)])
    bad = _batch(
        kiln,
        [
            ("C1", T0 + MIN, 56.0, None),
            (NO_PROBE, T0 + MIN, 56.1, None),  # violates the foreign key
            ("C2", T0 + MIN, 56.2, None),
        ],
    )
    good_after = _batch(kiln, [("C3", T0, 57.0, None), ("A1", T0, 90.0, None)])
    with writes_blocked(services.engine):
        # the first batch is taken and waits for the lock; the next two queue up behind it, so
        # on SQLite the bad batch is committed in one group with a good one
        first = services.writer.submit(good_before)
        _wait_until_taken(services)
        futures = [services.writer.submit(bad), services.writer.submit(good_after)]
    assert _outcome(first.result(timeout=30)) == (2, (), ())
    error = futures[0].exception(timeout=30)
    assert error is not None
    assert "IntegrityError" in {cls.__name__ for cls in type(error).__mro__}, repr(error)
    assert _outcome(futures[1].result(timeout=30)) == (2, (), ())

    assert services.registry.readings_of(kiln.facility.id) == [
        ("A1", T0, 90.0, None),
        ("C1", T0, 55.0, None),
        ("C2", T0, 55.1, None),
        ("C3", T0, 57.0, None),
    ]
    # the writer is still alive, and the failed batch can be stored once corrected
    fixed = _batch(kiln, [("C1", T0 + MIN, 56.0, None), ("C2", T0 + MIN, 56.2, None)])
    assert _outcome(_store(services, fixed)) == (2, (), ())


def test_batches_submitted_concurrently_from_many_threads_are_all_stored_exactly_once(
    services: Services, kiln: Provisioned
) -> None:
    codes = ["C1", "C2", "C3", "A1"]
    batches = [
        _batch(
            kiln, [(codes[k % 4], T0 + (b * 25 + k) * MIN, b + k / 100, None) for k in range(25)]
        )
        for b in range(24)
    ]
    # every batch is offered twice (a device that resends), by two different threads
    offers = [batch for batch in batches for _ in range(2)]

    def submit(batch: ReadingBatch) -> Future[StoreOutcome]:
        return services.writer.submit(batch)

    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = list(pool.map(submit, offers))
    outcomes = [future.result(timeout=60) for future in futures]

    assert sum(o.inserted for o in outcomes) == 24 * 25
    assert sum(len(o.duplicates) for o in outcomes) == 24 * 25
    assert all(o.conflicts == () for o in outcomes)
    for b in range(24):  # of the two offers of a batch, one stored it and one found it stored
        pair = sorted(_outcome(o) for o in outcomes[2 * b : 2 * b + 2])
        assert pair == [(0, tuple(range(25)), ()), (25, (), ())]
    stored = services.registry.readings_of(kiln.facility.id)
    assert len(stored) == len(set(stored)) == 24 * 25
    assert {(code, t, v) for code, t, v, _ in stored} == {
        (_code_of(kiln, item.probe_id), item.t, item.value)
        for batch in batches
        for item in batch.items
    }


def _code_of(kiln: Provisioned, probe_id: int) -> str:
    return next(p.code for p in kiln.facility.probes.values() if p.id == probe_id)


# -- exactness -------------------------------------------------------------------------------


def test_values_and_faults_round_trip_exactly(services: Services, kiln: Provisioned) -> None:
    values = [55.8, 0.56, -0.1, 0.1 + 0.2, 1e-7, 123456.789, -40.25, 1.7976931348623157e308, 0.0]
    faults = ["open_circuit", "short_circuit", "断线", "x" * 64, "over range (>200 °C)"]
    rows: list[tuple[str | int, int, float | None, str | None]] = [
        ("C1", T0 + k * MIN, v, None) for k, v in enumerate(values)
    ] + [("C2", T0 + k * MIN, None, f) for k, f in enumerate(faults)]
    assert _outcome(_store(services, _batch(kiln, rows))) == (len(rows), (), ())

    stored = services.registry.readings_of(kiln.facility.id)
    got_values = [v for code, _, v, _ in stored if code == "C1"]
    assert [repr(v) for v in got_values] == [repr(v) for v in values]
    assert all(isinstance(v, float) for v in got_values)
    assert [f for code, _, _, f in stored if code == "C2"] == faults
    assert all(v is None for code, _, v, _ in stored if code == "C2")
    # and exactly equal values are recognised as the same reading when resent
    again = _store(services, _batch(kiln, rows))
    assert _outcome(again) == (0, tuple(range(len(rows))), ())


def test_device_times_and_received_times_are_kept_to_the_exact_microsecond(
    services: Services, kiln: Provisioned
) -> None:
    times = [T0, T0 + 1, T0 + 999_999, T0 + 1_000_001, -1, 0, 253_402_300_799_999_999, 2**62]
    batch = _batch(kiln, [("C1", t, 20.0, None) for t in times], received_at=T0 + 7)
    assert _outcome(_store(services, batch)) == (len(times), (), ())
    stored = _stored_rows(services.engine)
    assert [row[1] for row in stored] == sorted(times)
    assert {row[5] for row in stored} == {T0 + 7}
    assert {row[2] for row in stored} == {kiln.facility.id}
    # a reading one microsecond away from a stored one is another reading
    near = _batch(kiln, [("C1", T0 + 2, 20.0, None), ("C1", T0 + 1, 20.0, None)])
    assert _outcome(_store(services, near)) == (1, (1,), ())


def test_overlapping_batches_in_opposite_orders_are_stored_without_a_deadlock(
    postgres_url: str,
) -> None:
    services = bootstrap(load_settings(database_url=postgres_url, write_workers=2))
    try:
        add_enterprise(
            services.registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(1)
        )
        facility = add_facility(
            services.registry, "K1", "0031", "kiln", ["C1"], ctx=ctx_at(1)
        ).facility
        c1 = facility.probes["C1"].id
        t1, t2, held_a, held_b = T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN

        def batch(*times: int) -> ReadingBatch:
            items = tuple(_item(k, c1, t, 1.0) for k, t in enumerate(times))
            return ReadingBatch(facility.id, "http", RECEIVED, items)

        with services.engine.connect() as holder:
            # another transaction has inserted two readings, uncommitted: each batch inserts
            # its first reading and then waits on one of these
            holder.execute(
                text(
                    "INSERT INTO readings (probe_id, t, facility_id, value, received_at) "
                    "VALUES (:p, :t, :f, 1.0, 0), (:p, :u, :f, 1.0, 0)"
                ),
                {"p": c1, "t": held_a, "u": held_b, "f": facility.id},
            )
            a = services.writer.submit(batch(t1, held_a, t2))
            b = services.writer.submit(batch(t2, held_b, t1))
            deadline = time.monotonic() + 10
            while _waiting(services.engine) < 2:
                assert time.monotonic() < deadline, "the writers never blocked"
                time.sleep(0.02)
            holder.rollback()
        outcomes = [a.result(timeout=30), b.result(timeout=30)]
        assert sum(o.inserted for o in outcomes) == 4
        assert services.registry.reading_count(facility.id) == 4
    finally:
        services.close()


def _waiting(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )
