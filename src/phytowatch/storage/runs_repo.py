"""Runs in SQL (services.runs.RunStore)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from phytowatch.domain.messages import Message, stored_message
from phytowatch.domain.signoff import needs_comment
from phytowatch.services.lists import RunQuery, RunRow
from phytowatch.services.ports import FacilityRef
from phytowatch.services.runs import RunRecord, StoredReading
from phytowatch.storage import lists_sql
from phytowatch.storage.errors import translating
from phytowatch.storage.registry_repo import SqlRegistry
from phytowatch.storage.tables import facilities, probes, readings, runs
from phytowatch.storage.unit import begin, connect


def _record(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        facility_id=row.facility_id,
        facility_code=row.facility_code,
        schedule_id=row.schedule_id,
        schedule_version=row.schedule_version,
        params=json.loads(row.params),
        offsets=json.loads(row.offsets),
        calibration_notes=[stored_message(n) for n in json.loads(row.calibration_notes)],
        load=row.load,
        note=row.note,
        started_at=row.started_at,
        closed_at=row.closed_at,
        close_reason=row.close_reason,
        verdict=row.verdict,
        judgement=json.loads(row.judgement) if row.judgement else None,
    )


_RUN = select(runs, facilities.c.code.label("facility_code")).join(
    facilities, facilities.c.id == runs.c.facility_id
)


@translating
class SqlRunStore:
    def __init__(self, engine: Engine, registry: SqlRegistry) -> None:
        self.engine = engine
        self.registry = registry

    def facility_by_code(self, code: str) -> FacilityRef | None:
        return self.registry.facility_by_code(code)

    def latest_calibrations(self, facility_id: int) -> dict[str, tuple[str, int]]:
        """Each probe's latest calibration (by date): its offset text and due instant."""
        latest: dict[str, tuple[str, int]] = {}
        for row in self.registry.calibrations_of(facility_id):  # oldest first
            latest[str(row["probe"])] = (str(row["offset"]), int(row["due_at"]))
        return latest

    def create_run(
        self,
        facility_id: int,
        schedule_id: str,
        schedule_version: str,
        params: str,
        offsets: str,
        calibration_notes: list[Message],
        load: str,
        note: str,
        started_at: int,
    ) -> int:
        with begin(self.engine) as conn:
            new_id = conn.execute(
                insert(runs).values(
                    facility_id=facility_id,
                    schedule_id=schedule_id,
                    schedule_version=schedule_version,
                    params=params,
                    offsets=offsets,
                    calibration_notes=json.dumps(
                        [n.to_json() for n in calibration_notes], ensure_ascii=False
                    ),
                    load=load,
                    note=note,
                    started_at=started_at,
                    needs_review=needs_comment(None, calibration_notes),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return int(new_id)

    def run(self, run_id: int) -> RunRecord | None:
        with connect(self.engine) as conn:
            row = conn.execute(_RUN.where(runs.c.id == run_id)).first()
        return None if row is None else _record(row)

    def open_runs(self) -> list[RunRecord]:
        with connect(self.engine) as conn:
            rows = conn.execute(_RUN.where(runs.c.closed_at.is_(None)).order_by(runs.c.id)).all()
        return [_record(row) for row in rows]

    def open_run_ids(self) -> set[int]:
        """The ids of the open runs: what a tick asks every second, so nothing more."""
        with connect(self.engine) as conn:
            rows = conn.execute(select(runs.c.id).where(runs.c.closed_at.is_(None))).all()
        return {row[0] for row in rows}

    def runs_of(self, facility_code: str | None = None, limit: int = 50) -> list[RunRecord]:
        query = _RUN.order_by(runs.c.id.desc()).limit(limit)
        if facility_code is not None:
            query = query.where(facilities.c.code == facility_code)
        with connect(self.engine) as conn:
            return [_record(row) for row in conn.execute(query).all()]

    def list_runs(self, query: RunQuery) -> tuple[int, list[RunRow]]:
        """The runs list and the inspector's queue: filtered, sorted and paged in SQL
        (``storage/lists_sql.py``)."""
        with connect(self.engine) as conn:
            return lists_sql.list_runs(conn, query)

    def close_run(
        self, run_id: int, closed_at: int, reason: str, verdict: str, judgement: str
    ) -> bool:
        """Freeze the run's judgement; False when it was closed already (nothing changes)."""
        with begin(self.engine) as conn:
            notes = conn.execute(
                select(runs.c.calibration_notes).where(runs.c.id == run_id)
            ).scalar()
            found = json.loads(judgement) if judgement else None
            flag = needs_comment(
                found if isinstance(found, dict) else None, json.loads(notes or "[]")
            )
            result = conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .where(runs.c.closed_at.is_(None))
                .values(
                    closed_at=closed_at,
                    close_reason=reason,
                    verdict=verdict,
                    judgement=judgement,
                    needs_review=flag,
                )
            )
        return int(result.rowcount) == 1

    def batches_received(
        self, facility_ids: list[int], received_after: int
    ) -> list[tuple[int, int, int]]:
        """``(facility id, received_at, readings)`` of each batch these facilities received
        after an instant: one row per batch, counted by the database, not read row by row."""
        out: list[tuple[int, int, int]] = []
        for start in range(0, len(facility_ids), 500):
            query = (
                select(readings.c.facility_id, readings.c.received_at, func.count())
                .where(readings.c.facility_id.in_(facility_ids[start : start + 500]))
                .where(readings.c.received_at > received_after)
                .group_by(readings.c.facility_id, readings.c.received_at)
            )
            with connect(self.engine) as conn:
                out.extend((r[0], r[1], r[2]) for r in conn.execute(query))
        return out

    def batch_readings(
        self, batches: list[tuple[int, int]]
    ) -> list[tuple[int, str, int, float | None, str | None, int]]:
        """The readings of these batches, each named by ``(facility id, received_at)``."""
        out: list[tuple[int, str, int, float | None, str | None, int]] = []
        by_facility: dict[int, list[int]] = {}
        for facility_id, received_at in batches:
            by_facility.setdefault(facility_id, []).append(received_at)
        with connect(self.engine) as conn:
            for facility_id, instants in sorted(by_facility.items()):
                for start in range(0, len(instants), 500):
                    query = (
                        select(
                            readings.c.facility_id,
                            probes.c.code,
                            readings.c.t,
                            readings.c.value,
                            readings.c.fault,
                            readings.c.received_at,
                        )
                        .join(probes, probes.c.id == readings.c.probe_id)
                        .where(readings.c.facility_id == facility_id)
                        .where(readings.c.received_at.in_(instants[start : start + 500]))
                    )
                    out.extend((r[0], r[1], r[2], r[3], r[4], r[5]) for r in conn.execute(query))
        return out

    def run_readings(
        self, facility_id: int, t_from: int, t_to: int | None, received_after: int | None
    ) -> list[StoredReading]:
        query = (
            select(
                probes.c.code,
                readings.c.t,
                readings.c.value,
                readings.c.fault,
                readings.c.received_at,
            )
            .join(probes, probes.c.id == readings.c.probe_id)
            .where(readings.c.facility_id == facility_id)
            .where(readings.c.t >= t_from)
        )
        if t_to is not None:
            query = query.where(readings.c.t <= t_to)
        if received_after is not None:
            query = query.where(readings.c.received_at > received_after)
        with connect(self.engine) as conn:
            return [(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(query).all()]
