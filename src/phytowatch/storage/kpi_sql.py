"""The bureau's figures in SQL (``services.kpi.KpiStore``): counts and sums computed by the
database, on SQLite and PostgreSQL alike; no row is brought back to be counted here.

Quantiles are nearest rank (the value of rank ceil(q * n) in ascending order): PostgreSQL's
``percentile_disc`` in the same query as the counts; on SQLite, which has none, the durations
are read once and ranked here (ranking them in SQL with ``row_number`` cost twice the reading:
docs/performance.md). Definitions: docs/kpi.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
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
    union_all,
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
from phytowatch.storage.transfers.tables import transfers
from phytowatch.storage.unit import connect

DAY = 86_400_000_000  # µs
ZONE_OFFSET = 8 * 3_600_000_000  # the bureau's zone, UTC+8, in µs
_C = consignments.c
_E = enterprises.c
_F = facilities.c


def _scope(scope: Scope, consignment_id: Any = _C.id) -> ColumnElement[bool]:
    """A record of the chain (joined to its enterprise) within the scope: its enterprise is
    covered, or (a port office) its consignment was transferred to the office."""
    covered = within_reach(scope.reach)
    if not scope.port_office:
        return covered
    t = transfers.c
    to_port = exists().where(t.consignment_id == consignment_id, t.port_office == scope.port_office)
    return or_(covered, to_port)


def _province(scope: Scope) -> bool:
    """The whole province: every record counts, and none needs its enterprise looked up."""
    return scope.reach.everywhere and not scope.port_office


def _quantiles(
    conn: Connection, values: Select[Any], groupings: Mapping[str, str]
) -> dict[str, dict[Any, tuple[Durations, int, int]]]:
    """Per grouping (a name -> a column of ``values``), per group: the durations of ``v`` (how
    many, median, 90th percentile; a NULL ``v`` is not counted), how many rows, and the sum of
    ``flag``. On PostgreSQL ``values`` is read once (a materialized CTE) for every grouping;
    on SQLite see ``_quantiles_of_rows``."""
    if conn.dialect.name != "postgresql":
        return _quantiles_of_rows(conn, values, groupings)
    base = values.cte("kpi_values").prefix_with("MATERIALIZED")
    parts = []
    for name, column in groupings.items():
        grp = base.c[column]
        # percentile_disc(q) is the first value whose cumulative share reaches q: the nearest
        # rank, ceil(q * n), found without a window
        parts.append(
            select(
                literal(name).label("grouping"),
                cast(grp, String(64)).label("grp"),
                func.count(base.c.v).label("n"),
                func.count().label("rows"),
                func.coalesce(func.sum(base.c.flag), 0).label("flagged"),
                func.percentile_disc(0.5).within_group(base.c.v).label("median"),
                func.percentile_disc(0.9).within_group(base.c.v).label("p90"),
            ).group_by(grp)
        )
    out: dict[str, dict[Any, tuple[Durations, int, int]]] = {name: {} for name in groupings}
    for row in conn.execute(union_all(*parts)):
        times = Durations(int(row.n), _int(row.median), _int(row.p90)) if row.n else Durations()
        out[row.grouping][row.grp] = (times, int(row.rows), int(row.flagged))
    return out


def _quantiles_of_rows(
    conn: Connection, values: Select[Any], groupings: Mapping[str, str]
) -> dict[str, dict[Any, tuple[Durations, int, int]]]:
    """``_quantiles`` on SQLite: the rows read once, grouped and ranked here. SQLite has no
    ``percentile_disc``; ranking with ``row_number()`` over each grouping sorted the rows once
    per grouping in the database and took twice as long as reading them (a province-year:
    docs/performance.md). The same nearest rank: the median is the ⌈n/2⌉-th value, the 90th
    percentile the ⌈9n/10⌉-th."""
    rows = conn.execute(values).mappings().all()
    out: dict[str, dict[Any, tuple[Durations, int, int]]] = {name: {} for name in groupings}
    for name, column in groupings.items():
        groups: dict[str, tuple[list[int], list[int]]] = {}
        for row in rows:
            found = groups.setdefault(str(row[column]), ([], [0, 0]))
            if row["v"] is not None:
                found[0].append(int(row["v"]))
            found[1][0] += 1
            found[1][1] += int(row["flag"] or 0)
        for group, (times, (count, flagged)) in groups.items():
            times.sort()
            n = len(times)
            shown = (
                Durations(n, times[(n + 1) // 2 - 1], times[(n * 9 + 9) // 10 - 1])
                if n
                else Durations()
            )
            out[name][group] = (shown, count, flagged)
    return out


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
    def __init__(
        self,
        engine: Engine,
        intervals: Mapping[str, int],
        default_interval: int,
        *,
        workers: int = 3,
    ) -> None:
        self.engine = engine
        self.intervals = dict(intervals)  # schedule id -> longest gap between readings, µs
        self.default_interval = default_interval  # a facility with no open run
        self.workers = workers

    def figures(self, query: KpiQuery) -> Figures:
        # the figures are independent: each is asked on its own connection, a few at a time,
        # the slowest first (the database works on several while Python waits)
        parts: dict[str, Callable[[Connection, KpiQuery], Any]] = {
            "release": self._release,
            "values": self._values,
            "alarms": self._alarms,
            "exports": self._exports,
            "declarations": self._declarations,
            "certificates": self._certificates,
            "runs": self._runs,
            "transfers": self._transfers,
            "facilities": self._facilities,
            "enterprises": self._enterprises,
            "interceptions": self._interceptions,
        }

        def one(part: Callable[[Connection, KpiQuery], Any]) -> Any:
            with connect(self.engine) as conn:
                return part(conn, query)

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = {name: pool.submit(one, part) for name, part in parts.items()}
            got = {name: future.result() for name, future in futures.items()}
        monitored, total, online = got["facilities"]
        enterprise_total, supervised = got["enterprises"]
        times, by_mode, by_day, on_documents = got["release"]
        return Figures(
            facilities=total,
            facilities_monitored=monitored,
            facilities_online=online,
            enterprises=enterprise_total,
            enterprises_e_supervised=supervised,
            e_declaration=got["declarations"],
            e_certificate=got["certificates"],
            e_transfer=got["transfers"],
            release_times=times,
            release_times_by_mode=by_mode,
            release_times_by_day=by_day,
            released_on_documents=on_documents,
            runs=got["runs"],
            alarms=got["alarms"],
            interceptions=got["interceptions"],
            exports=got["exports"],
            export_values=got["values"],
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
        joined = (
            alarms
            if _province(query.scope)
            else alarms.join(facilities, _F.code == a.facility).join(
                enterprises, _E.id == _F.enterprise_id
            )
        )
        where = [
            within_reach(query.scope.reach),
            a.raised_at >= query.start,
            a.raised_at < query.end,
        ]
        values = (
            select(
                a.kind.label("kind"),
                (a.acknowledged_at - a.raised_at).label("v"),  # NULL: not acknowledged
                case((a.acknowledged_at.is_not(None), 1), else_=0).label("flag"),
            )
            .select_from(joined)
            .where(*where)
        )
        found = _quantiles(conn, values, {"kind": "kind"})["kind"]
        return tuple(
            AlarmKindFigures(kind, rows, acknowledged, times)
            for kind, (times, rows, acknowledged) in sorted(found.items())
        )

    # -- the chain ----------------------------------------------------------------------------

    def _declarations(self, conn: Connection, query: KpiQuery) -> Rate:
        v = declaration_versions.c
        electronic = exists().where(v.consignment_id == _C.id, v.version == 1)
        row = conn.execute(
            select(func.count(), func.coalesce(func.sum(case((electronic, 1), else_=0)), 0))
            .select_from(
                consignments
                if _province(query.scope)
                else consignments.join(enterprises, _E.id == _C.enterprise_id)
            )
            .where(
                _scope(query.scope),
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
                _scope(query.scope, certificates.c.consignment_id),
                i.issued_at >= query.start,
                i.issued_at < query.end,
            )
        ).one()
        return Rate(int(row[1]), int(row[0]))

    def _transfers(self, conn: Connection, query: KpiQuery) -> Rate:
        """Transfers made in the period; electronic: to a port an office of ours takes
        (``ports.json``), recorded on the transfer when it was made."""
        t = transfers.c
        row = conn.execute(
            select(func.count(), func.coalesce(func.sum(case((t.electronic, 1), else_=0)), 0))
            .select_from(transfers.join(enterprises, _E.code == t.enterprise))
            .where(
                # a port office's: the transfers to it (the transfer is the row itself here)
                or_(within_reach(query.scope.reach), t.port_office == query.scope.port_office)
                if query.scope.port_office
                else within_reach(query.scope.reach),
                t.created_at >= query.start,
                t.created_at < query.end,
            )
        ).one()
        return Rate(int(row[1]), int(row[0]))

    def _release(
        self, conn: Connection, query: KpiQuery
    ) -> tuple[Durations, tuple[ModeTimes, ...], tuple[DayTimes, ...], Rate]:
        e = consignment_events.c
        r = consignment_routes.c
        joined = consignment_events.join(consignments, _C.id == e.consignment_id)
        if not _province(query.scope):
            joined = joined.join(enterprises, _E.id == _C.enterprise_id)
        joined = joined.outerjoin(
            consignment_routes, and_(r.consignment_id == _C.id, r.version == _C.version)
        )
        where = [
            _scope(query.scope),
            e.step == Step.RELEASED.value,
            e.at >= query.start,
            e.at < query.end,
            _C.submitted_at.is_not(None),
        ]
        values = (
            select(
                func.coalesce(r.mode, "").label("mode"),
                cast((e.at + ZONE_OFFSET) // DAY, String(16)).label("day"),
                literal("").label("all"),
                (e.at - _C.submitted_at).label("v"),
                case((r.outcome == "documents", 1), else_=0).label("flag"),
            )
            .select_from(joined)
            .where(*where)
        )
        found = _quantiles(conn, values, {"mode": "mode", "day": "day", "all": "all"})
        overall, rows, documents = found["all"].get("", (Durations(), 0, 0))
        epoch = date(1970, 1, 1)
        return (
            overall,
            tuple(ModeTimes(m, found["mode"][m][0]) for m in sorted(found["mode"])),
            tuple(
                DayTimes((epoch + timedelta(days=int(d))).isoformat(), found["day"][d][0])
                for d in sorted(found["day"], key=int)
            ),
            Rate(documents, rows),
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
            .where(_scope(query.scope, i.consignment_id), i.at >= query.start, i.at < query.end)
            .group_by(i.pest, i.city)
            .order_by(func.count().desc(), i.pest, i.city)
        )
        return tuple(
            InterceptionFigures(row.pest, row.city, int(row.batches), int(row.times))
            for row in rows
        )

    def _certified(self, query: KpiQuery) -> tuple[Any, list[ColumnElement[bool]]]:
        """The consignments (joined to their enterprise) certified in the period: the exports.
        Read from the timeline's certified events of the period (one per consignment: a
        consignment moves to certified once)."""
        e = consignment_events.c
        joined = consignment_events.join(consignments, _C.id == e.consignment_id)
        if not _province(query.scope):
            joined = joined.join(enterprises, _E.id == _C.enterprise_id)
        where = [
            e.step == Step.CERTIFIED.value,
            e.at >= query.start,
            e.at < query.end,
            _scope(query.scope),
        ]
        return joined, where

    def _exports(self, conn: Connection, query: KpiQuery) -> tuple[ProductExports, ...]:
        lines = consignment_lines.c
        certified, where = self._certified(query)
        rows = conn.execute(
            select(
                lines.product,
                _C.destination,
                lines.unit,
                func.count(distinct(_C.id)).label("consignments"),
                cast(func.sum(lines.quantity), String(40)).label("quantity"),
            )
            .select_from(
                certified.join(
                    consignment_lines,
                    and_(lines.consignment_id == _C.id, lines.version == _C.version),
                )
            )
            .where(*where)
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
        certified, where = self._certified(query)
        rows = conn.execute(
            select(
                _C.destination,
                currency.label("currency"),
                func.count().label("consignments"),
                cast(amount, String(40)).label("value"),
            )
            .select_from(
                certified.join(
                    declaration_versions,
                    and_(v.consignment_id == _C.id, v.version == _C.version),
                )
            )
            .where(*where)
            .group_by(_C.destination, currency)
            .order_by(_C.destination, currency)
        )
        return tuple(
            DestinationValue(
                row.destination, row.currency, int(row.consignments), _decimal(row.value, "0.01")
            )
            for row in rows
        )
