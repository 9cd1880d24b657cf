"""The bureau's figures in SQL (``services.kpi.KpiStore``): counts, sums and quantiles computed
by the database, on SQLite and PostgreSQL alike; no row is brought back to be counted here.

Quantiles are nearest rank (the value of rank ceil(q * n) in ascending order), found with a
window (``row_number`` over the group) in the same query as the counts. Definitions: docs/kpi.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Numeric,
    Select,
    String,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection, Engine

from phytowatch.domain.supervision.consignment import Step
from phytowatch.services.kpi import (
    AlarmKindFigures,
    DayTimes,
    DestinationValue,
    Durations,
    Figures,
    InterceptionFigures,
    KpiQuery,
    ModeTimes,
    ProductExports,
    Rate,
    ScheduleRuns,
    Scope,
)
from phytowatch.storage.certificates.tables import certificate_issues, certificates
from phytowatch.storage.lists_sql import within_reach
from phytowatch.storage.supervision.assessment_tables import consignment_routes, interceptions
from phytowatch.storage.supervision.consignment_tables import (
    consignment_events,
    consignment_lines,
    consignments,
    declaration_versions,
)
from phytowatch.storage.supervision.standing_tables import enterprise_standing
from phytowatch.storage.tables import alarms, enterprises, facilities, readings, runs
from phytowatch.storage.unit import connect

DAY = 86_400_000_000  # µs
ZONE_OFFSET = 8 * 3_600_000_000  # the bureau's zone, UTC+8, in µs
_C = consignments.c
_E = enterprises.c
_F = facilities.c


def _consignment_scope(scope: Scope) -> ColumnElement[bool]:
    """A consignment (joined to its enterprise) within the scope: its enterprise is covered,
    or (a port office) it was transferred to the office."""
    return within_reach(scope.reach)


def _quantiles(conn: Connection, values: Select[Any]) -> dict[Any, Durations]:
    """``values`` selects (``grp``, ``v``): per group, how many, median and 90th percentile."""
    sub = values.subquery()
    ranked = select(
        sub.c.grp,
        sub.c.v,
        func.row_number().over(partition_by=sub.c.grp, order_by=sub.c.v).label("rn"),
        func.count().over(partition_by=sub.c.grp).label("n"),
    ).subquery()
    r = ranked.c
    query = select(
        r.grp,
        r.n,
        func.max(case((r.rn == (r.n + 1) // 2, r.v))).label("median"),
        func.max(case((r.rn == (r.n * 9 + 9) // 10, r.v))).label("p90"),
    ).group_by(r.grp, r.n)
    return {
        row.grp: Durations(int(row.n), _int(row.median), _int(row.p90))
        for row in conn.execute(query)
    }


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _decimal(value: Any, places: str) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal(places))


def _json_text(conn: Connection, column: Any, key: str) -> ColumnElement[Any]:
    """A key of a JSON text column, as text (the declaration's value and currency)."""
    if conn.dialect.name == "postgresql":
        return cast(column, JSON)[key].as_string()
    return func.json_extract(column, f"$.{key}")


class SqlKpiStore:
    def __init__(self, engine: Engine, intervals: Mapping[str, int], default_interval: int) -> None:
        self.engine = engine
        self.intervals = dict(intervals)  # schedule id -> longest gap between readings, µs
        self.default_interval = default_interval  # a facility with no open run

    def figures(self, query: KpiQuery) -> Figures:
        with connect(self.engine) as conn:
            monitored, total, online = self._facilities(conn, query)
            enterprise_total, supervised = self._enterprises(conn, query)
            times, by_mode, by_day, on_documents = self._release(conn, query)
            return Figures(
                facilities=total,
                facilities_monitored=monitored,
                facilities_online=online,
                enterprises=enterprise_total,
                enterprises_e_supervised=supervised,
                e_declaration=self._declarations(conn, query),
                e_certificate=self._certificates(conn, query),
                e_transfer=self._transfers(conn, query),
                release_times=times,
                release_times_by_mode=by_mode,
                release_times_by_day=by_day,
                released_on_documents=on_documents,
                runs=self._runs(conn, query),
                alarms=self._alarms(conn, query),
                interceptions=self._interceptions(conn, query),
                exports=self._exports(conn, query),
                export_values=self._values(conn, query),
            )

    # -- monitoring ------------------------------------------------------------------------------

    def _facilities(self, conn: Connection, query: KpiQuery) -> tuple[int, int, int]:
        run_in_period = exists().where(
            runs.c.facility_id == _F.id,
            runs.c.started_at < query.end,
            or_(runs.c.closed_at.is_(None), runs.c.closed_at >= query.start),
        )
        read_in_period = exists().where(
            readings.c.facility_id == _F.id,
            readings.c.t >= query.start,
            readings.c.t < query.end,
        )
        scoped = facilities.join(enterprises, _E.id == _F.enterprise_id)
        reach = within_reach(query.scope.reach)
        row = conn.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((or_(run_in_period, read_in_period), 1), else_=0)), 0),
            )
            .select_from(scoped)
            .where(reach)
        ).one()
        # online now: a reading received within the interval its open run's schedule expects
        # (one row per facility: their number is the registry's, not the records')
        heard = (
            select(func.max(readings.c.received_at))
            .where(readings.c.facility_id == _F.id)
            .scalar_subquery()
        )
        open_schedule = (
            select(func.max(runs.c.schedule_id))
            .where(runs.c.facility_id == _F.id, runs.c.closed_at.is_(None))
            .scalar_subquery()
        )
        online = 0
        for facility in conn.execute(
            select(heard.label("heard"), open_schedule.label("schedule"))
            .select_from(scoped)
            .where(reach)
        ):
            if facility.heard is None:
                continue
            interval = self.intervals.get(facility.schedule or "", self.default_interval)
            if query.now - int(facility.heard) <= interval:
                online += 1
        return int(row[1]), int(row[0]), online

    def _enterprises(self, conn: Connection, query: KpiQuery) -> tuple[int, int]:
        s = enterprise_standing.c
        older = enterprise_standing.alias("older")
        newest = (
            select(func.max(older.c.id))
            .where(older.c.enterprise_id == _E.id, older.c.since < query.end)
            .correlate(enterprises)
            .scalar_subquery()
        )
        # the standing in force at the period's end
        supervised = exists().where(s.id == newest, s.e_supervised == true()).correlate(enterprises)
        row = conn.execute(
            select(func.count(), func.coalesce(func.sum(case((supervised, 1), else_=0)), 0))
            .select_from(enterprises)
            .where(within_reach(query.scope.reach))
        ).one()
        return int(row[0]), int(row[1])

    def _runs(self, conn: Connection, query: KpiQuery) -> tuple[ScheduleRuns, ...]:
        r = runs.c
        started = and_(r.started_at >= query.start, r.started_at < query.end)
        closed = and_(r.closed_at >= query.start, r.closed_at < query.end)
        rows = conn.execute(
            select(
                r.schedule_id,
                func.sum(case((started, 1), else_=0)).label("started"),
                func.sum(case((closed, 1), else_=0)).label("closed"),
                func.sum(case((and_(closed, r.verdict == "PASS"), 1), else_=0)).label("passed"),
            )
            .select_from(
                runs.join(facilities, _F.id == r.facility_id).join(
                    enterprises, _E.id == _F.enterprise_id
                )
            )
            .where(within_reach(query.scope.reach), or_(started, closed))
            .group_by(r.schedule_id)
            .order_by(r.schedule_id)
        )
        return tuple(
            ScheduleRuns(row.schedule_id, int(row.started), int(row.closed), int(row.passed))
            for row in rows
        )

    def _alarms(self, conn: Connection, query: KpiQuery) -> tuple[AlarmKindFigures, ...]:
        a = alarms.c
        joined = alarms.join(facilities, _F.code == a.facility).join(
            enterprises, _E.id == _F.enterprise_id
        )
        where = [
            within_reach(query.scope.reach),
            a.raised_at >= query.start,
            a.raised_at < query.end,
        ]
        counts = conn.execute(
            select(
                a.kind,
                func.count().label("raised"),
                func.count(a.acknowledged_at).label("acknowledged"),
            )
            .select_from(joined)
            .where(*where)
            .group_by(a.kind)
            .order_by(a.kind)
        ).all()
        delays = _quantiles(
            conn,
            select(a.kind.label("grp"), (a.acknowledged_at - a.raised_at).label("v"))
            .select_from(joined)
            .where(*where, a.acknowledged_at.is_not(None)),
        )
        return tuple(
            AlarmKindFigures(
                row.kind, int(row.raised), int(row.acknowledged), delays.get(row.kind, Durations())
            )
            for row in counts
        )

    # -- the chain ----------------------------------------------------------------------------

    def _declarations(self, conn: Connection, query: KpiQuery) -> Rate:
        v = declaration_versions.c
        electronic = exists().where(v.consignment_id == _C.id, v.version == 1)
        row = conn.execute(
            select(func.count(), func.coalesce(func.sum(case((electronic, 1), else_=0)), 0))
            .select_from(consignments.join(enterprises, _E.id == _C.enterprise_id))
            .where(
                _consignment_scope(query.scope),
                _C.submitted_at >= query.start,
                _C.submitted_at < query.end,
            )
        ).one()
        return Rate(int(row[1]), int(row[0]))

    def _certificates(self, conn: Connection, query: KpiQuery) -> Rate:
        i = certificate_issues.c
        signed = and_(i.signature != "", i.payload_signature != "")
        row = conn.execute(
            select(func.count(), func.coalesce(func.sum(case((signed, 1), else_=0)), 0))
            .select_from(
                certificate_issues.join(certificates, certificates.c.id == i.certificate_id).join(
                    enterprises, _E.code == certificates.c.enterprise
                )
            )
            .where(
                within_reach(query.scope.reach), i.issued_at >= query.start, i.issued_at < query.end
            )
        ).one()
        return Rate(int(row[1]), int(row[0]))

    def _transfers(self, conn: Connection, query: KpiQuery) -> Rate:
        return Rate(0, 0)

    def _release(
        self, conn: Connection, query: KpiQuery
    ) -> tuple[Durations, tuple[ModeTimes, ...], tuple[DayTimes, ...], Rate]:
        e = consignment_events.c
        r = consignment_routes.c
        joined = (
            consignment_events.join(consignments, _C.id == e.consignment_id)
            .join(enterprises, _E.id == _C.enterprise_id)
            .outerjoin(consignment_routes, and_(r.consignment_id == _C.id, r.version == _C.version))
        )
        where = [
            _consignment_scope(query.scope),
            e.step == Step.RELEASED.value,
            e.at >= query.start,
            e.at < query.end,
            _C.submitted_at.is_not(None),
        ]
        took = (e.at - _C.submitted_at).label("v")
        mode = func.coalesce(r.mode, "")
        by_mode = _quantiles(
            conn, select(mode.label("grp"), took).select_from(joined).where(*where)
        )
        overall = _quantiles(
            conn, select(literal("").label("grp"), took).select_from(joined).where(*where)
        )
        day = ((e.at + ZONE_OFFSET) // DAY).label("grp")
        by_day = _quantiles(conn, select(day, took).select_from(joined).where(*where))
        documents = conn.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((r.outcome == "documents", 1), else_=0)), 0),
            )
            .select_from(joined)
            .where(*where)
        ).one()
        epoch = date(1970, 1, 1)
        return (
            overall.get("", Durations()),
            tuple(ModeTimes(m, by_mode[m]) for m in sorted(by_mode)),
            tuple(
                DayTimes((epoch + timedelta(days=int(d))).isoformat(), by_day[d])
                for d in sorted(by_day)
            ),
            Rate(int(documents[1]), int(documents[0])),
        )

    def _interceptions(self, conn: Connection, query: KpiQuery) -> tuple[InterceptionFigures, ...]:
        i = interceptions.c
        rows = conn.execute(
            select(
                i.pest,
                i.city,
                func.count(distinct(i.consignment_id)).label("batches"),
                func.count().label("times"),
            )
            .select_from(interceptions.join(enterprises, _E.code == i.enterprise))
            .where(within_reach(query.scope.reach), i.at >= query.start, i.at < query.end)
            .group_by(i.pest, i.city)
            .order_by(func.count().desc(), i.pest, i.city)
        )
        return tuple(
            InterceptionFigures(row.pest, row.city, int(row.batches), int(row.times))
            for row in rows
        )

    def _certified(self, query: KpiQuery) -> ColumnElement[bool]:
        """A consignment (joined to its enterprise) certified in the period: an export."""
        e = consignment_events.c
        return and_(
            _consignment_scope(query.scope),
            exists().where(
                e.consignment_id == _C.id,
                e.step == Step.CERTIFIED.value,
                e.at >= query.start,
                e.at < query.end,
            ),
        )

    def _exports(self, conn: Connection, query: KpiQuery) -> tuple[ProductExports, ...]:
        lines = consignment_lines.c
        rows = conn.execute(
            select(
                lines.product,
                _C.destination,
                lines.unit,
                func.count(distinct(_C.id)).label("consignments"),
                cast(func.sum(lines.quantity), String(40)).label("quantity"),
            )
            .select_from(
                consignments.join(enterprises, _E.id == _C.enterprise_id).join(
                    consignment_lines,
                    and_(lines.consignment_id == _C.id, lines.version == _C.version),
                )
            )
            .where(self._certified(query))
            .group_by(lines.product, _C.destination, lines.unit)
            .order_by(lines.product, _C.destination, lines.unit)
        )
        return tuple(
            ProductExports(
                row.product,
                row.destination,
                row.unit,
                int(row.consignments),
                _decimal(row.quantity, "0.001"),
            )
            for row in rows
        )

    def _values(self, conn: Connection, query: KpiQuery) -> tuple[DestinationValue, ...]:
        v = declaration_versions.c
        currency = func.coalesce(_json_text(conn, v.content, "currency"), "")
        value = cast(_json_text(conn, v.content, "declared_value"), String(40))
        amount = func.sum(cast(value, Numeric(18, 2)))  # a declaration without one: NULL
        rows = conn.execute(
            select(
                _C.destination,
                currency.label("currency"),
                func.count().label("consignments"),
                cast(amount, String(40)).label("value"),
            )
            .select_from(
                consignments.join(enterprises, _E.id == _C.enterprise_id).join(
                    declaration_versions,
                    and_(v.consignment_id == _C.id, v.version == _C.version),
                )
            )
            .where(self._certified(query))
            .group_by(_C.destination, currency)
            .order_by(_C.destination, currency)
        )
        return tuple(
            DestinationValue(
                row.destination, row.currency, int(row.consignments), _decimal(row.value, "0.01")
            )
            for row in rows
        )
