"""The AuditStore port (services.audit): what InMemoryAuditStore and SqlAuditStore both do, on
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from stores import T0

from phytowatch.domain.audit import GENESIS, Anchor, AnchorSource, AuditRecord, verify
from phytowatch.services.audit import AuditFilter, AuditStore

pytestmark = pytest.mark.contract


def _record(n: int, object_type: str = "run", object_id: str = "1") -> AuditRecord:
    return AuditRecord(
        at=T0 + n,
        actor="user:li",
        action=f"{object_type}.changed",
        object_type=object_type,
        object_id=object_id,
        before=None if n == 1 else f'{{"n":{n - 1}}}',
        after=f'{{"n":{n}}}',
    )


def test_an_empty_trail_has_no_head_no_entries_and_all_its_guards(audit_store: AuditStore) -> None:
    assert audit_store.head() is None
    assert list(audit_store.entries()) == []
    assert audit_store.latest(limit=10) == []
    assert audit_store.broken_guards() == []
    assert audit_store.anchors() == [] and audit_store.latest_anchor() is None


def test_each_entry_is_sealed_onto_the_one_before_and_read_back_as_sealed(
    audit_store: AuditStore,
) -> None:
    appended = [audit_store.append(_record(n)) for n in (1, 2, 3)]
    assert [e.seq for e in appended] == [1, 2, 3]
    assert appended[0].prev_hash == GENESIS
    assert [e.prev_hash for e in appended[1:]] == [e.hash for e in appended[:-1]]
    assert list(audit_store.entries()) == appended
    assert audit_store.head() == appended[-1]
    report = verify(audit_store.entries())
    assert report.intact and report.count == 3


def test_the_latest_entries_come_newest_first_of_one_object_when_asked(
    audit_store: AuditStore,
) -> None:
    for n, (kind, key) in enumerate(
        [("run", "1"), ("alarm", "7"), ("run", "2"), ("run", "1"), ("alarm", "7")], start=1
    ):
        audit_store.append(_record(n, kind, key))
    assert [e.seq for e in audit_store.latest(limit=3)] == [5, 4, 3]
    assert [e.seq for e in audit_store.latest(limit=10, object_type="run")] == [4, 3, 1]
    assert [e.seq for e in audit_store.latest(limit=10, object_type="run", object_id="1")] == [4, 1]
    assert [e.seq for e in audit_store.latest(limit=1, object_type="alarm")] == [5]
    assert audit_store.latest(limit=10, object_type="user") == []


def test_what_is_appended_in_a_unit_that_fails_is_not_kept(audit_store: AuditStore) -> None:
    kept = audit_store.append(_record(1))
    with pytest.raises(RuntimeError), audit_store.atomic():
        audit_store.append(_record(2))
        with audit_store.atomic():  # a unit inside a unit is the same unit
            audit_store.append(_record(3))
        raise RuntimeError("the change failed")
    assert list(audit_store.entries()) == [kept]
    with audit_store.atomic():
        after = audit_store.append(_record(4))
    assert (after.seq, after.prev_hash) == (2, kept.hash)
    assert audit_store.head() == after


def test_anchors_read_back_as_added_and_the_latest_is_the_highest_seq(
    audit_store: AuditStore,
) -> None:
    entries = [audit_store.append(_record(n)) for n in (1, 2, 3)]
    added = [
        Anchor(2, entries[1].hash, at=T0 + 10, source=AnchorSource.SERVE),
        Anchor(3, entries[2].hash, at=T0 + 11, source=AnchorSource.VERIFY),
        Anchor(3, entries[2].hash, at=T0 + 12, source=AnchorSource.SERVE),
        Anchor(1, entries[0].hash, at=T0 + 13, source=AnchorSource.VERIFY),
    ]
    for anchor in added:
        audit_store.add_anchor(anchor)
    assert audit_store.anchors() == added
    assert audit_store.latest_anchor() == added[2]  # seq 3, the newer of the two
    assert added[0].signature is None
    assert audit_store.entry(2) == entries[1]
    assert audit_store.entry(4) is None


def test_an_anchor_added_in_a_unit_that_fails_is_not_kept(audit_store: AuditStore) -> None:
    entry = audit_store.append(_record(1))
    with pytest.raises(RuntimeError), audit_store.atomic():
        audit_store.add_anchor(Anchor(1, entry.hash, at=T0, source=AnchorSource.SERVE))
        raise RuntimeError("the change failed")
    assert audit_store.anchors() == []


def test_entries_are_searched_newest_first_a_page_at_a_time_and_counted(
    audit_store: AuditStore,
) -> None:
    for n in range(1, 11):
        audit_store.append(
            AuditRecord(
                at=T0 + n * 1000,
                actor="user:li.wei" if n % 2 else "cli:root",
                action="facility.added" if n <= 6 else "run.started",
                object_type="facility" if n <= 6 else "run",
                object_id=f"K{n}_x" if n == 3 else f"K{n}",
                before=None,
                after=None,
            )
        )
    found = audit_store.search(AuditFilter(), offset=0, limit=3)
    assert [e.seq for e in found.items] == [10, 9, 8] and found.total == 10
    mine = audit_store.search(AuditFilter(actor="LI.WEI"), offset=1, limit=2)
    assert [e.seq for e in mine.items] == [7, 5] and mine.total == 5
    kind = audit_store.search(AuditFilter(object_type="run", action="run.started"), offset=0,
                              limit=9)  # fmt: skip
    assert [e.seq for e in kind.items] == [10, 9, 8, 7]
    literal = audit_store.search(AuditFilter(subject="_x"), offset=0, limit=9)
    assert [e.seq for e in literal.items] == [3]
    days = audit_store.search(AuditFilter(since=T0 + 4000, until=T0 + 6000), offset=0, limit=9)
    assert [e.seq for e in days.items] == [5, 4]  # until excluded
    upto = audit_store.search(AuditFilter(upto=2), offset=0, limit=9)
    assert [e.seq for e in upto.items] == [2, 1] and upto.total == 2
