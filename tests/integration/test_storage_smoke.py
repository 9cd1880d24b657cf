"""The same storage code on SQLite and PostgreSQL: a batch stored, resent, rewritten."""

from __future__ import annotations

import pytest
from pwsupport import Provisioned

from phytowatch.bootstrap import Services
from phytowatch.services.ports import ReadingBatch, StoredItem

pytestmark = pytest.mark.integration
T0 = 1_772_361_600_000_000


def _batch(kiln: Provisioned, values: list[float], *, start: int = 0) -> ReadingBatch:
    probe = kiln.facility.probes["C1"]
    items = tuple(
        StoredItem(k, probe.id, T0 + (start + k) * 60_000_000, v, None)
        for k, v in enumerate(values)
    )
    return ReadingBatch(kiln.facility.id, "http", T0, items)


def test_a_resend_is_a_duplicate_and_a_rewrite_is_refused_and_kept_as_evidence(
    services: Services, kiln: Provisioned
) -> None:
    first = services.writer.submit(_batch(kiln, [55.0, 56.0, 57.0])).result(timeout=10)
    assert (first.inserted, first.duplicates, first.conflicts) == (3, (), ())
    again = services.writer.submit(_batch(kiln, [55.0, 56.5, 57.0])).result(timeout=10)
    assert (again.inserted, again.duplicates, again.conflicts) == (0, (0, 2), (1,))
    stored = services.registry.readings_of(kiln.facility.id)
    assert [v for _, _, v, _ in stored] == [55.0, 56.0, 57.0]  # history is never overwritten
    [conflict] = services.registry.conflicts_of(kiln.facility.id)
    assert (conflict["stored_value"], conflict["offered_value"]) == (56.0, 56.5)
