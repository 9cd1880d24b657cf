"""The IPPC mark's authorisations on SQL (``services.certificates.marks.MarkStore``).

A number is the next serial of its year (``MK2026-000001``): the highest of the year plus one,
read and written inside the caller's unit, which holds the audit trail's write lock (SQLite:
BEGIN IMMEDIATE; PostgreSQL: the advisory lock), so two authorisations never read the same
highest, and a unit rolled back takes its number with it: no gaps, no duplicates (the unique
index would refuse one all the same).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.engine import Engine

from phytowatch.domain.certificates.mark import (
    Authorisation,
    Load,
    MarkFacility,
    MarkRun,
    Method,
    Revocation,
    Unit,
    number_of,
)
from phytowatch.domain.signoff import Decision
from phytowatch.services.certificates.marks import Reach
from phytowatch.services.paging import Found
from phytowatch.storage.accounts_tables import run_signoffs
from phytowatch.storage.certificates.marks_tables import mark_authorisations as M  # noqa: N812
from phytowatch.storage.certificates.marks_tables import mark_revocations
from phytowatch.storage.tables import enterprises, facilities, runs
from phytowatch.storage.unit import begin, connect

_FACTS = (
    select(
        runs.c.id,
        runs.c.schedule_id,
        runs.c.closed_at,
        runs.c.verdict,
        facilities.c.code.label("facility"),
        facilities.c.kind,
        facilities.c.treater_number,
        enterprises.c.code.label("enterprise"),
        enterprises.c.city,
        run_signoffs.c.decision,
    )
    .join(facilities, facilities.c.id == runs.c.facility_id)
    .join(enterprises, enterprises.c.id == facilities.c.enterprise_id)
    .outerjoin(run_signoffs, run_signoffs.c.run_id == runs.c.id)
)


def _authorisation(row: Any) -> Authorisation:
    return Authorisation(
        number=row.number,
        run_id=row.run_id,
        facility=row.facility,
        enterprise=row.enterprise,
        treater_number=row.treater_number,
        bureau_code=row.bureau_code,
        mark=row.mark,
        method=Method(row.method),
        schedule_id=row.schedule_id,
        load=Load(row.load, Decimal(row.quantity), Unit(row.unit)),
        office=row.office,
        by=row.by,
        at=row.at,
        token=row.token,
        check_code=row.check_code,
    )


class SqlMarkStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def mark_facts(self, run_id: int) -> tuple[MarkRun, MarkFacility] | None:
        with connect(self.engine) as conn:
            row = conn.execute(_FACTS.where(runs.c.id == run_id)).first()
        if row is None:
            return None
        run = MarkRun(
            run_id=row.id,
            schedule_id=row.schedule_id,
            closed=row.closed_at is not None,
            verdict=row.verdict,
            decision=None if row.decision is None else Decision(row.decision),
        )
        facility = MarkFacility(
            code=row.facility,
            kind=row.kind,
            enterprise=row.enterprise,
            city=row.city,
            treater_number=row.treater_number,
        )
        return run, facility

    def add(self, draft: Authorisation, *, year: int) -> Authorisation:
        with begin(self.engine) as conn:
            city = conn.execute(
                select(enterprises.c.city).where(enterprises.c.code == draft.enterprise)
            ).scalar_one()
            highest = conn.execute(select(func.max(M.c.serial)).where(M.c.year == year)).scalar()
            serial = (highest or 0) + 1
            number = number_of(year, serial)
            conn.execute(
                insert(M).values(
                    number=number,
                    year=year,
                    serial=serial,
                    run_id=draft.run_id,
                    facility=draft.facility,
                    enterprise=draft.enterprise,
                    city=city,
                    treater_number=draft.treater_number,
                    bureau_code=draft.bureau_code,
                    mark=draft.mark,
                    method=draft.method.value,
                    schedule_id=draft.schedule_id,
                    load=draft.load.description,
                    quantity=str(draft.load.quantity),
                    unit=draft.load.unit.value,
                    office=draft.office,
                    by=draft.by,
                    at=draft.at,
                    token=draft.token,
                    check_code=draft.check_code,
                )
            )
        stored = self.by_number(number)
        assert stored is not None
        return stored

    def by_number(self, number: str) -> Authorisation | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(M).where(M.c.number == number)).first()
        return None if row is None else _authorisation(row)

    def by_token(self, token: str) -> Authorisation | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(M).where(M.c.token == token)).first()
        return None if row is None else _authorisation(row)

    def of_run(self, run_id: int) -> list[Authorisation]:
        with connect(self.engine) as conn:
            rows = conn.execute(select(M).where(M.c.run_id == run_id).order_by(M.c.id)).all()
        return [_authorisation(r) for r in rows]

    def owner(self, number: str) -> tuple[str, str] | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(M.c.enterprise, M.c.city).where(M.c.number == number)).first()
        return None if row is None else (row.enterprise, row.city)

    def find(self, reach: Reach, *, offset: int, limit: int | None) -> Found[Authorisation]:
        where = []
        if reach is not None:
            cities, codes = reach
            where.append(or_(M.c.city.in_(list(cities)), M.c.enterprise.in_(list(codes))))
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(M).where(*where)).scalar_one()
            query = select(M).where(*where).order_by(M.c.at.desc(), M.c.id.desc()).offset(offset)
            if limit is not None:
                query = query.limit(limit)
            rows = conn.execute(query).all()
        return Found(
            [_authorisation(r) for r in rows], total, offset, total if limit is None else limit
        )

    def revoke(self, revocation: Revocation) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                insert(mark_revocations).values(
                    number=revocation.number,
                    reason=revocation.reason,
                    office=revocation.office,
                    by=revocation.by,
                    at=revocation.at,
                )
            )

    def revocation_of(self, number: str) -> Revocation | None:
        r = mark_revocations.c
        with connect(self.engine) as conn:
            row = conn.execute(
                select(r.number, r.reason, r.office, r.by, r.at).where(r.number == number)
            ).first()
        return (
            None if row is None else Revocation(row.number, row.reason, row.office, row.by, row.at)
        )
