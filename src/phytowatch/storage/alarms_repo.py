"""Alarms in SQL (services.alarms.AlarmStore)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, case, func, insert, select, update
from sqlalchemy.engine import Engine

from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change, Severity
from phytowatch.domain.messages import Code, Message, say
from phytowatch.services.alarms import AlarmQuery, ListedAlarm
from phytowatch.storage.errors import translating
from phytowatch.storage.tables import (
    alarms,
    calibrations,
    enterprises,
    facilities,
    probes,
    reading_conflicts,
)
from phytowatch.storage.unit import begin, connect

_FIELDS = (
    "kind", "facility", "subject", "severity", "state", "raised_at", "last_seen_at", "count",
    "last_occurrence", "message", "acknowledged_by", "acknowledged_at", "comment", "cleared_at",
    "cleared_by", "clear_comment", "enterprise_acknowledged_by", "enterprise_acknowledged_at",
    "enterprise_comment",
)  # fmt: skip


def _row(alarm: Alarm) -> dict[str, Any]:
    values = {name: getattr(alarm, name) for name in _FIELDS}
    values["kind"] = alarm.kind.value
    values["severity"] = alarm.severity.value
    values["state"] = alarm.state.value
    values["message"] = alarm.message.english()
    stored = alarm.message.to_json()
    values["code"] = stored["code"]
    values["params"] = json.dumps(stored["params"], ensure_ascii=False, sort_keys=True)
    return values


def _message(m: Any) -> Message:
    try:
        return Message.from_json({"code": m["code"], "params": json.loads(m["params"])})
    except (KeyError, ValueError, TypeError):  # a code this version does not know: as written
        return say(Code.TEXT, text=m["message"])


def _alarm(row: Any) -> Alarm:
    m = row._mapping
    return Alarm(
        kind=AlarmKind(m["kind"]),
        facility=m["facility"],
        subject=m["subject"],
        severity=Severity(m["severity"]),
        state=AlarmState(m["state"]),
        raised_at=m["raised_at"],
        last_seen_at=m["last_seen_at"],
        count=m["count"],
        last_occurrence=m["last_occurrence"],
        message=_message(m),
        id=m["id"],
        acknowledged_by=m["acknowledged_by"],
        acknowledged_at=m["acknowledged_at"],
        comment=m["comment"],
        cleared_at=m["cleared_at"],
        cleared_by=m["cleared_by"],
        clear_comment=m["clear_comment"],
        enterprise_acknowledged_by=m["enterprise_acknowledged_by"],
        enterprise_acknowledged_at=m["enterprise_acknowledged_at"],
        enterprise_comment=m["enterprise_comment"],
    )


_SEVERITY_RANK = case(
    {s.value: rank for rank, s in enumerate(Severity)}, value=alarms.c.severity, else_=len(Severity)
)


def _filtered(query: Select[Any], q: AlarmQuery) -> Select[Any]:
    """The query's filters as SQL conditions: the list is filtered in the database."""
    if q.facilities is not None:
        query = query.where(alarms.c.facility.in_(sorted(q.facilities)))
    if q.facility is not None:
        query = query.where(alarms.c.facility == q.facility)
    if q.city is not None:
        query = query.where(enterprises.c.city == q.city)
    if q.kind is not None:
        query = query.where(alarms.c.kind == q.kind.value)
    if q.severity is not None:
        query = query.where(alarms.c.severity == q.severity.value)
    if q.states != frozenset(AlarmState):
        query = query.where(alarms.c.state.in_(sorted(s.value for s in q.states)))
    if q.raised_from is not None:
        query = query.where(alarms.c.raised_at >= q.raised_from)
    if q.raised_before is not None:
        query = query.where(alarms.c.raised_at < q.raised_before)
    return query


def _with_city(columns: Any) -> Select[Any]:
    # an alarm names its facility by code; a facility removed from the registry keeps its alarms
    return (
        select(*columns)
        .select_from(alarms)
        .join(facilities, facilities.c.code == alarms.c.facility, isouter=True)
        .join(enterprises, enterprises.c.id == facilities.c.enterprise_id, isouter=True)
    )


@translating
class SqlAlarmStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open_alarms(self, facilities: Collection[str] | None = None) -> list[Alarm]:
        """The open alarms, of these facilities only when they are given."""
        query = select(alarms).where(alarms.c.state != AlarmState.CLEARED.value)
        if facilities is not None:
            query = query.where(alarms.c.facility.in_(sorted(facilities)))
        with connect(self.engine) as conn:
            rows = conn.execute(query).all()
        return [_alarm(row) for row in rows]

    def list_alarms(
        self, *, open_only: bool = True, facility: str | None = None, limit: int = 200
    ) -> list[Alarm]:
        query = select(alarms).order_by(alarms.c.id.desc()).limit(limit)
        if open_only:
            query = query.where(alarms.c.state != AlarmState.CLEARED.value)
        if facility is not None:
            query = query.where(alarms.c.facility == facility)
        with connect(self.engine) as conn:
            return [_alarm(row) for row in conn.execute(query).all()]

    def find_alarms(
        self, query: AlarmQuery, *, offset: int = 0, limit: int = 50
    ) -> list[ListedAlarm]:
        """One page of the alarms the query selects, with each facility's city."""
        order = (
            (_SEVERITY_RANK, alarms.c.raised_at.desc(), alarms.c.id.desc())
            if query.by_severity
            else (alarms.c.raised_at.desc(), alarms.c.id.desc())
        )
        select_ = _filtered(_with_city([alarms, enterprises.c.city.label("city")]), query)
        select_ = select_.order_by(*order).offset(max(0, offset)).limit(max(0, limit))
        with connect(self.engine) as conn:
            rows = conn.execute(select_).all()
        return [ListedAlarm(_alarm(row), row._mapping["city"] or "") for row in rows]

    def count_alarms(self, query: AlarmQuery) -> int:
        counted = _filtered(_with_city([func.count()]), query)
        with connect(self.engine) as conn:
            return int(conn.execute(counted).scalar_one())

    def apply(self, changes: list[Change]) -> list[Change]:
        """Store a tick's changes in one transaction; raised alarms come back with their ids."""
        out: list[Change] = []
        with begin(self.engine) as conn:
            for change in changes:
                if change.alarm.id is None:
                    new_id = conn.execute(insert(alarms).values(_row(change.alarm)))
                    alarm = replace(change.alarm, id=int(new_id.inserted_primary_key[0]))  # type: ignore[index]
                    out.append(Change(change.what, alarm))
                else:
                    conn.execute(
                        update(alarms)
                        .where(alarms.c.id == change.alarm.id)
                        .values(_row(change.alarm))
                    )
                    out.append(change)
        return out

    def alarm(self, alarm_id: int) -> Alarm | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(alarms).where(alarms.c.id == alarm_id)).first()
        return None if row is None else _alarm(row)

    def save(self, alarm: Alarm) -> None:
        with begin(self.engine) as conn:
            conn.execute(update(alarms).where(alarms.c.id == alarm.id).values(_row(alarm)))

    def facility_codes(self) -> list[str]:
        with connect(self.engine) as conn:
            return [row[0] for row in conn.execute(select(facilities.c.code)).all()]

    def calibrations(self) -> list[tuple[str, str, int]]:
        """Each probe's latest calibration by its date, as a run binds it and the pages show it
        (an old certificate entered late does not replace the current one): (facility, probe,
        due_at)."""
        newest_first = (calibrations.c.calibrated_at.desc(), calibrations.c.id.desc())
        ranked = select(
            calibrations.c.probe_id,
            calibrations.c.due_at,
            func.row_number()
            .over(partition_by=calibrations.c.probe_id, order_by=newest_first)
            .label("rank"),
        ).subquery()
        query = (
            select(facilities.c.code, probes.c.code, ranked.c.due_at)
            .join(probes, probes.c.id == ranked.c.probe_id)
            .join(facilities, facilities.c.id == probes.c.facility_id)
            .where(ranked.c.rank == 1)
        )
        with connect(self.engine) as conn:
            return [(r[0], r[1], r[2]) for r in conn.execute(query).all()]

    def conflicts_since(self, after_id: int) -> list[tuple[int, str, str, int]]:
        query = (
            select(reading_conflicts.c.id, facilities.c.code, probes.c.code, reading_conflicts.c.t)
            .join(facilities, facilities.c.id == reading_conflicts.c.facility_id)
            .join(probes, probes.c.id == reading_conflicts.c.probe_id)
            .where(reading_conflicts.c.id > after_id)
            .order_by(reading_conflicts.c.id)
        )
        with connect(self.engine) as conn:
            return [(r[0], r[1], r[2], r[3]) for r in conn.execute(query).all()]
