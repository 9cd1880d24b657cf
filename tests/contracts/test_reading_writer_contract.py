"""The ReadingWriter port (services.ports): what InMemoryReadingWriter and the SQL writers (one
thread on SQLite, several on PostgreSQL) both do with a batch."""

from __future__ import annotations

import pytest
from stores import T0, Site

from phytowatch.domain.instants import US_PER_S
from phytowatch.services.ports import (
    ReadingBatch,
    StorageUnavailableError,
    StoredItem,
    StoreOutcome,
)

pytestmark = pytest.mark.contract
S = US_PER_S


def _store(
    site: Site, received_at: int, *readings: tuple[str, int, float | None, str | None]
) -> StoreOutcome:
    items = tuple(
        StoredItem(k, site.k1.probes[probe].id, t, value, fault)
        for k, (probe, t, value, fault) in enumerate(readings)
    )
    batch = ReadingBatch(site.k1.id, "http", received_at, items)
    return site.writer.submit(batch).result(timeout=30)


def _stored(site: Site) -> list[tuple[str, int, float | None, str | None, int]]:
    return sorted(site.runs.run_readings(site.k1.id, 0, None, None))


def test_new_readings_are_stored_with_when_they_were_received(site: Site) -> None:
    outcome = _store(site, T0 + S, ("C1", T0, 56.0, None), ("C2", T0, None, "ERR"))
    assert outcome == StoreOutcome(2, (), ())
    assert _stored(site) == [("C1", T0, 56.0, None, T0 + S), ("C2", T0, None, "ERR", T0 + S)]


def test_a_resend_is_a_duplicate_and_a_rewrite_is_refused_keeping_the_stored_value(
    site: Site,
) -> None:
    _store(site, T0 + S, ("C1", T0, 56.0, None), ("C2", T0, None, "ERR"))
    outcome = _store(
        site,
        T0 + 2 * S,
        ("C1", T0, 56.0, None),  # the same: a duplicate
        ("C2", T0, None, "ERR"),  # the same fault: a duplicate
        ("C1", T0 + S, 57.0, None),  # new
        ("C2", T0, 56.5, None),  # a value where a fault is stored: refused
        ("C2", T0, None, "open"),  # another fault: refused too
    )
    assert outcome == StoreOutcome(1, (0, 1), (3, 4))
    assert _stored(site) == [
        ("C1", T0, 56.0, None, T0 + S),
        ("C1", T0 + S, 57.0, None, T0 + 2 * S),
        ("C2", T0, None, "ERR", T0 + S),
    ]
    assert [(p, t) for _, _, p, t in site.alarms.conflicts_since(-1)] == [("C2", T0), ("C2", T0)]


def test_two_offers_in_one_batch_for_one_probe_and_instant_are_judged_by_the_first(
    site: Site,
) -> None:
    outcome = _store(
        site,
        T0 + S,
        ("C1", T0, 56.0, None),
        ("C1", T0, 56.0, None),  # the first again: a duplicate
        ("C1", T0, 58.0, None),  # another value: refused
    )
    assert outcome == StoreOutcome(1, (1,), (2,))
    assert _stored(site) == [("C1", T0, 56.0, None, T0 + S)]


def test_a_closed_writer_takes_no_batch(site: Site) -> None:
    site.writer.close()
    with pytest.raises(StorageUnavailableError):
        _store(site, T0 + S, ("C1", T0, 56.0, None))
