"""The lists' queries (``services.lists``): runs, facilities, enterprises, filtered, sorted and
paged by the database, within the caller's reach, on SQLite and PostgreSQL alike.

A run's review state (``domain.review.review_state``) is expressed here in SQL, the same rules
in the same order: a decision first (signed off, rejected), then open (running), then not a PASS
(nothing to sign off), then whether the judgement asks for a look (the ``needs_review`` column,
``domain.signoff.needs_comment`` kept in step by the run store), else awaiting sign-off.
``tests/integration/test_run_lists.py`` checks, state by state, that both agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection

from phytowatch.domain.accounts import Jurisdiction
from phytowatch.domain.review import ReviewState
from phytowatch.services.lists import (
    ALARM_SEVERITIES,
    SILENT,
    EnterpriseQuery,
    EnterpriseRow,
    FacilityQuery,
    FacilityRow,
    RunQuery,
    RunRow,
)
from phytowatch.storage.accounts_tables import run_signoffs, users
from phytowatch.storage.search import holds
from phytowatch.storage.tables import alarms, enterprises, facilities, probes, runs

_S = ReviewState
_DECIDED = run_signoffs.c.decision


def review_condition(state: ReviewState) -> ColumnElement[bool]:
    """Whether a run (joined to its sign-off, if any) is in this review state."""
    undecided = run_signoffs.c.id.is_(None)  # no decision row (its index answers, not the row)
    closed = runs.c.closed_at.is_not(None)
    passed = runs.c.verdict == "PASS"
    conditions: dict[ReviewState, ColumnElement[bool]] = {
        _S.SIGNED_OFF: _DECIDED == "signed_off",
        _S.REJECTED: and_(_DECIDED.is_not(None), _DECIDED != "signed_off"),
        _S.RUNNING: and_(undecided, runs.c.closed_at.is_(None)),
        _S.NOT_SIGNABLE: and_(
            undecided, closed, or_(runs.c.verdict.is_(None), runs.c.verdict != "PASS")
        ),
        _S.FINDINGS_TO_REVIEW: and_(undecided, closed, passed, runs.c.needs_review == true()),
        _S.AWAITING_SIGNOFF: and_(undecided, closed, passed, runs.c.needs_review == false()),
    }
    return conditions[state]


REVIEW = case(
    *((review_condition(state), literal(state.value)) for state in ReviewState),
    else_=literal(_S.RUNNING.value),
).label("review")


def within_reach(reach: Jurisdiction) -> ColumnElement[bool]:
    """The enterprises within reach (a facility, a run, a consignment, a base is, when its
    enterprise is)."""
    if reach.everywhere:
        return true()
    parts: list[ColumnElement[bool]] = []
    if reach.enterprises:
        parts.append(enterprises.c.code.in_(sorted(reach.enterprises)))
    if reach.cities:
        parts.append(enterprises.c.city.in_(sorted(reach.cities)))
    return or_(*parts) if parts else false()


def _page(query: Select[Any], offset: int, limit: int) -> Select[Any]:
    return query.offset(max(offset, 0)).limit(max(limit, 1))


# -- runs -----------------------------------------------------------------------------------------


def _run_filters(query: RunQuery) -> list[ColumnElement[bool]]:
    where = [within_reach(query.reach), false() if query.nothing else true()]
    if query.facility:
        where.append(facilities.c.code == query.facility)
    if query.enterprise:
        where.append(enterprises.c.code == query.enterprise)
    if query.city:
        where.append(enterprises.c.city == query.city)
    if query.schedule:
        where.append(runs.c.schedule_id == query.schedule)
    if query.verdict:
        where.append(runs.c.verdict == query.verdict)
    if query.review:
        where.append(or_(*(review_condition(state) for state in query.review)))
    if query.started_from is not None:
        where.append(runs.c.started_at >= query.started_from)
    if query.started_before is not None:
        where.append(runs.c.started_at < query.started_before)
    text = query.search.strip()
    if text:
        found = [
            holds(facilities.c.code, text),
            holds(facilities.c.name, text),
            holds(enterprises.c.code, text),
            holds(enterprises.c.name_zh, text),
            holds(enterprises.c.name_en, text),
        ]
        number = text.removeprefix("#")
        if number.isdigit() and len(number) < 10:
            found.append(runs.c.id == int(number))
        where.append(or_(*found))
    return where


def _run_order(query: RunQuery) -> list[Any]:
    if query.sort == "queue":  # findings first, then the longest waiting
        findings_first = case((runs.c.needs_review == true(), 0), else_=1)
        return [findings_first, runs.c.closed_at.asc(), runs.c.id.asc()]
    column = {
        "started": runs.c.started_at,
        "closed": runs.c.closed_at,
        "facility": facilities.c.code,
        "verdict": runs.c.verdict,
    }[query.sort]
    if query.descending:
        # open runs (no close, no verdict) last either way: they have nothing to sort by
        return [column.is_(None), column.desc(), runs.c.id.desc()]
    return [column.is_(None), column.asc(), runs.c.id.asc()]


def _joined(columns: list[Any]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(runs)
        .join(facilities, facilities.c.id == runs.c.facility_id)
        .join(enterprises, enterprises.c.id == facilities.c.enterprise_id)
        .outerjoin(run_signoffs, run_signoffs.c.run_id == runs.c.id)
    )


def list_runs(conn: Connection, query: RunQuery) -> tuple[int, list[RunRow]]:
    where = _run_filters(query)
    total = int(conn.execute(_joined([func.count()]).where(*where)).scalar_one())
    rows = conn.execute(
        _page(
            _joined(
                [
                    runs.c.id,
                    facilities.c.code.label("facility"),
                    facilities.c.name.label("facility_name"),
                    facilities.c.kind,
                    enterprises.c.code.label("enterprise"),
                    enterprises.c.name_zh,
                    enterprises.c.name_en,
                    enterprises.c.city,
                    runs.c.schedule_id,
                    runs.c.schedule_version,
                    runs.c.load,
                    runs.c.started_at,
                    runs.c.closed_at,
                    runs.c.verdict,
                    REVIEW,
                    run_signoffs.c.login,
                    users.c.name.label("signer"),
                    run_signoffs.c.office,
                    run_signoffs.c.at,
                ]
            )
            .outerjoin(users, users.c.id == run_signoffs.c.user_id)
            .where(*where)
            .order_by(*_run_order(query)),
            query.offset,
            query.limit,
        )
    ).all()
    return total, [
        RunRow(
            id=r.id,
            facility=r.facility,
            facility_name=r.facility_name,
            kind=r.kind,
            enterprise=r.enterprise,
            enterprise_zh=r.name_zh,
            enterprise_en=r.name_en,
            city=r.city,
            schedule_id=r.schedule_id,
            schedule_version=r.schedule_version,
            load=r.load,
            started_at=r.started_at,
            closed_at=r.closed_at,
            verdict=r.verdict,
            review=ReviewState(r.review),
            signed_by=r.login,
            signed_by_name=r.signer,
            signed_office=r.office,
            signed_at=r.at,
        )
        for r in rows
    ]


# -- facilities and enterprises -------------------------------------------------------------------

_OPEN_ALARM = alarms.c.state != "cleared"
_URGENT = and_(
    alarms.c.state == "active",
    alarms.c.severity.in_(ALARM_SEVERITIES),
    alarms.c.kind != SILENT,
)


def _alarm_exists(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return (
        select(alarms.c.id).where(alarms.c.facility == facilities.c.code).where(condition).exists()
    )


def _facility_filters(query: FacilityQuery) -> list[ColumnElement[bool]]:
    where = [within_reach(query.reach), false() if query.nothing else true()]
    if query.city:
        where.append(enterprises.c.city == query.city)
    if query.kind:
        where.append(facilities.c.kind == query.kind)
    if query.enterprise:
        where.append(enterprises.c.code == query.enterprise)
    offline = _alarm_exists(and_(_OPEN_ALARM, alarms.c.kind == SILENT))
    if query.state == "alarm":
        where.append(_alarm_exists(_URGENT))
    elif query.state == "offline":
        where.append(offline)
    elif query.state == "online":
        where.append(not_(offline))
    text = query.search.strip()
    if text:
        where.append(
            or_(
                holds(facilities.c.code, text),
                holds(facilities.c.name, text),
                holds(enterprises.c.code, text),
                holds(enterprises.c.name_zh, text),
                holds(enterprises.c.name_en, text),
            )
        )
    return where


def _facility_base(columns: list[Any]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(facilities)
        .join(enterprises, enterprises.c.id == facilities.c.enterprise_id)
    )


def list_facility_rows(conn: Connection, query: FacilityQuery) -> tuple[int, list[FacilityRow]]:
    where = _facility_filters(query)
    total = int(conn.execute(_facility_base([func.count()]).where(*where)).scalar_one())
    probe_count = (
        select(func.count(probes.c.id))
        .where(probes.c.facility_id == facilities.c.id)
        .scalar_subquery()
    )
    open_run = (
        select(func.max(runs.c.id))
        .where(runs.c.facility_id == facilities.c.id)
        .where(runs.c.closed_at.is_(None))
        .scalar_subquery()
    )
    open_alarms = (
        select(func.count(alarms.c.id))
        .where(alarms.c.facility == facilities.c.code)
        .where(_OPEN_ALARM)
        .scalar_subquery()
    )
    rows = conn.execute(
        _page(
            _facility_base(
                [
                    facilities.c.code,
                    facilities.c.name,
                    facilities.c.kind,
                    facilities.c.treater_number,
                    enterprises.c.code.label("enterprise"),
                    enterprises.c.name_zh,
                    enterprises.c.name_en,
                    enterprises.c.city,
                    probe_count.label("probes"),
                    open_run.label("open_run"),
                    open_alarms.label("open_alarms"),
                    _alarm_exists(_URGENT).label("in_alarm"),
                    _alarm_exists(and_(_OPEN_ALARM, alarms.c.kind == SILENT)).label("offline"),
                ]
            )
            .where(*where)
            .order_by(facilities.c.code),
            query.offset,
            query.limit,
        )
    ).all()
    return total, [
        FacilityRow(
            code=r.code,
            name=r.name,
            kind=r.kind,
            treater_number=r.treater_number,
            enterprise=r.enterprise,
            enterprise_zh=r.name_zh,
            enterprise_en=r.name_en,
            city=r.city,
            probes=int(r.probes or 0),
            open_run=r.open_run,
            open_alarms=int(r.open_alarms or 0),
            in_alarm=bool(r.in_alarm),
            offline=bool(r.offline),
        )
        for r in rows
    ]


def _enterprise_filters(query: EnterpriseQuery) -> list[ColumnElement[bool]]:
    where = [within_reach(query.reach), false() if query.nothing else true()]
    if query.city:
        where.append(enterprises.c.city == query.city)
    if query.grade:
        where.append(enterprises.c.grade == query.grade)
    text = query.search.strip()
    if text:
        where.append(
            or_(
                holds(enterprises.c.code, text),
                holds(enterprises.c.name_zh, text),
                holds(enterprises.c.name_en, text),
            )
        )
    return where


def list_enterprise_rows(
    conn: Connection, query: EnterpriseQuery
) -> tuple[int, list[EnterpriseRow]]:
    where = _enterprise_filters(query)
    total = int(
        conn.execute(select(func.count()).select_from(enterprises).where(*where)).scalar_one()
    )
    owned = facilities.c.enterprise_id == enterprises.c.id
    count = select(func.count(facilities.c.id)).where(owned).scalar_subquery()
    running = (
        select(func.count(runs.c.id))
        .select_from(runs)
        .join(facilities, facilities.c.id == runs.c.facility_id)
        .where(owned)
        .where(runs.c.closed_at.is_(None))
        .scalar_subquery()
    )
    alarmed = (
        select(func.count(facilities.c.id)).where(owned).where(_alarm_exists(_URGENT))
    ).scalar_subquery()
    rows = conn.execute(
        _page(
            select(
                enterprises.c.code,
                enterprises.c.name_zh,
                enterprises.c.name_en,
                enterprises.c.city,
                enterprises.c.grade,
                count.label("facilities"),
                running.label("open_runs"),
                alarmed.label("in_alarm"),
            )
            .where(*where)
            .order_by(enterprises.c.code),
            query.offset,
            query.limit,
        )
    ).all()
    return total, [
        EnterpriseRow(
            code=r.code,
            name_zh=r.name_zh,
            name_en=r.name_en,
            city=r.city,
            grade=r.grade,
            facilities=int(r.facilities or 0),
            open_runs=int(r.open_runs or 0),
            in_alarm=int(r.in_alarm or 0),
        )
        for r in rows
    ]


def cities(conn: Connection, reach: Jurisdiction) -> list[str]:
    query = (
        select(enterprises.c.city)
        .where(within_reach(reach))
        .distinct()
        .order_by(enterprises.c.city)
    )
    return [row[0] for row in conn.execute(query)]
