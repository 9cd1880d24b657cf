"""Storing a batch of readings: new ones inserted, resends recognised, rewrites refused.

A reading identical to a stored one (same probe, time and value) is a harmless duplicate. A
reading for a stored probe and time with a different value is refused: the stored value stays and
the offer is kept in ``reading_conflicts`` for the tamper alarm. Two readings in one batch for the
same probe and time are judged the same way against the first of them.

Runs on a DBAPI cursor inside the caller's transaction; the caller commits, and only then answers
the device.
"""

from __future__ import annotations

from typing import Any

from phytowatch.services.ports import ReadingBatch, StoredItem, StoreOutcome

_KEYS_PER_QUERY = 400  # (probe, t) pairs per lookup: 800 parameters, well under SQLite's limit
_INSERT = (
    "INSERT INTO readings (probe_id, t, facility_id, value, fault, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_CONFLICT = (
    "INSERT INTO reading_conflicts (facility_id, probe_id, t, stored_value, stored_fault, "
    "offered_value, offered_fault, received_at, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _same(a_value: float | None, a_fault: str | None, item: StoredItem) -> bool:
    return a_value == item.value and a_fault == item.fault


def _split_within(
    batch: ReadingBatch,
) -> tuple[list[StoredItem], list[tuple[StoredItem, StoredItem]]]:
    """First offer of each (probe, t), and the later offers paired with their first."""
    first: dict[tuple[int, int], StoredItem] = {}
    repeats: list[tuple[StoredItem, StoredItem]] = []
    for item in batch.items:
        key = (item.probe_id, item.t)
        earlier = first.get(key)
        if earlier is None:
            first[key] = item
        else:
            repeats.append((item, earlier))
    return list(first.values()), repeats


def _conflict_row(
    batch: ReadingBatch, item: StoredItem, stored: tuple[Any, Any]
) -> tuple[Any, ...]:
    return (
        batch.facility_id,
        item.probe_id,
        item.t,
        stored[0],
        stored[1],
        item.value,
        item.fault,
        batch.received_at,
        batch.channel,
    )


def store_sqlite(cursor: Any, batch: ReadingBatch) -> StoreOutcome:
    """SQLite: one writer, so look up what exists, then insert the rest with executemany."""
    firsts, repeats = _split_within(batch)
    existing: dict[tuple[int, int], tuple[Any, Any]] = {}
    # exactly the keys offered (not a time range: one old reading in a batch must not make the
    # writer read the facility's whole history)
    for start in range(0, len(firsts), _KEYS_PER_QUERY):
        part = firsts[start : start + _KEYS_PER_QUERY]
        rows = ",".join("(?,?)" for _ in part)
        # a join from the offered keys: SQLite plans ``(probe_id, t) IN (VALUES …)`` as a scan
        # of the whole table, which grows with every reading ever stored
        cursor.execute(
            "SELECT r.probe_id, r.t, r.value, r.fault "
            f"FROM (VALUES {rows}) AS k JOIN readings AS r "
            "ON r.probe_id = k.column1 AND r.t = k.column2",
            [key for item in part for key in (item.probe_id, item.t)],
        )
        existing.update({(r[0], r[1]): (r[2], r[3]) for r in cursor.fetchall()})
    new: list[tuple[Any, ...]] = []
    duplicates: list[int] = []
    conflicts: list[int] = []
    conflict_rows: list[tuple[Any, ...]] = []
    for item in firsts:
        stored = existing.get((item.probe_id, item.t))
        if stored is None:
            new.append(
                (
                    item.probe_id,
                    item.t,
                    batch.facility_id,
                    item.value,
                    item.fault,
                    batch.received_at,
                )
            )
        elif _same(stored[0], stored[1], item):
            duplicates.append(item.position)
        else:
            conflicts.append(item.position)
            conflict_rows.append(_conflict_row(batch, item, stored))
    for item, earlier in repeats:
        stored = existing.get((item.probe_id, item.t), (earlier.value, earlier.fault))
        if _same(stored[0], stored[1], item):
            duplicates.append(item.position)
        else:
            conflicts.append(item.position)
            conflict_rows.append(_conflict_row(batch, item, stored))
    if new:
        cursor.executemany(_INSERT, new)
    if conflict_rows:
        cursor.executemany(_CONFLICT, conflict_rows)
    return StoreOutcome(len(new), tuple(sorted(duplicates)), tuple(sorted(conflicts)))


def store_postgres(cursor: Any, batch: ReadingBatch) -> StoreOutcome:
    """PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT DO NOTHING.

    Safe with several writers at once: the primary key decides who stored a reading first.
    """
    firsts, repeats = _split_within(batch)
    # one order for every writer, so that two batches with the same readings cannot deadlock
    firsts.sort(key=lambda item: (item.probe_id, item.t))
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS incoming_readings "
        "(probe_id integer, t bigint, value double precision, fault varchar(64)) "
        "ON COMMIT DELETE ROWS"
    )
    with cursor.copy("COPY incoming_readings (probe_id, t, value, fault) FROM STDIN") as copy:
        for item in firsts:
            copy.write_row((item.probe_id, item.t, item.value, item.fault))
    cursor.execute(
        "INSERT INTO readings (probe_id, t, facility_id, value, fault, received_at) "
        "SELECT probe_id, t, %s, value, fault, %s FROM incoming_readings "
        "ORDER BY probe_id, t ON CONFLICT DO NOTHING RETURNING probe_id, t",
        (batch.facility_id, batch.received_at),
    )
    inserted = {(r[0], r[1]) for r in cursor.fetchall()}
    existing: dict[tuple[int, int], tuple[Any, Any]] = {}
    if len(inserted) < len(firsts) or repeats:
        cursor.execute(
            "SELECT r.probe_id, r.t, r.value, r.fault FROM readings r "
            "JOIN incoming_readings i ON r.probe_id = i.probe_id AND r.t = i.t"
        )
        existing = {(r[0], r[1]): (r[2], r[3]) for r in cursor.fetchall()}
    duplicates: list[int] = []
    conflicts: list[int] = []
    conflict_rows: list[tuple[Any, ...]] = []
    offers = [
        (item, existing[(item.probe_id, item.t)])
        for item in firsts
        if (item.probe_id, item.t) not in inserted
    ]
    offers += [
        (item, existing.get((item.probe_id, item.t), (earlier.value, earlier.fault)))
        for item, earlier in repeats
    ]
    for item, stored in offers:
        if _same(stored[0], stored[1], item):
            duplicates.append(item.position)
        else:
            conflicts.append(item.position)
            conflict_rows.append(_conflict_row(batch, item, stored))
    if conflict_rows:
        cursor.executemany(_CONFLICT.replace("?", "%s"), conflict_rows)
    return StoreOutcome(len(inserted), tuple(sorted(duplicates)), tuple(sorted(conflicts)))
