"""Classification, raw-material bases and the failed-runs count in SQL.

``SqlStanding`` is the ``StandingLookup`` routing reads on every submission (one indexed query
each), and the store of the classification and bases' use cases. An enterprise registered after
migration 0014 and never classified since stands at its registered grade (``enterprises.grade``),
not e-supervised, not on the key list, ``by`` "registry".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import and_, false, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from phytowatch.domain.messages import Code, Kind, Refused, say
from phytowatch.domain.supervision.classification import (
    Period,
    Proposal,
    ProposalRecord,
    ProposalState,
)
from phytowatch.domain.supervision.registry import (
    BaseEvent,
    BaseEventKind,
    BaseStatus,
    EnterpriseStanding,
    RawMaterialBase,
)
from phytowatch.services.paging import Found
from phytowatch.services.supervision.bases import BaseQuery
from phytowatch.services.supervision.standing import Place, StandingQuery, StandingRow
from phytowatch.storage.errors import translating
from phytowatch.storage.lists_sql import within_reach
from phytowatch.storage.search import holds, like
from phytowatch.storage.supervision.standing_tables import (
    base_events,
    classification_proposals,
    enterprise_standing,
    raw_material_bases,
)
from phytowatch.storage.tables import enterprises, facilities, runs
from phytowatch.storage.unit import begin, connect

CN_CLASSES = ("I", "II", "III", "IV")
FAILED_RUNS = "failed_runs"


def scheme_of_grade(grade: str) -> str:
    """The scheme a registered grade belongs to (as migration 0014 seeds it)."""
    return "cn-class" if grade in CN_CLASSES else "credit-grade"


def _newest() -> Any:
    """Each enterprise's newest standing row id."""
    s = enterprise_standing
    return (
        select(s.c.enterprise_id, func.max(s.c.id).label("newest"))
        .group_by(s.c.enterprise_id)
        .subquery("newest")
    )


_COLUMNS = (
    enterprises.c.code,
    enterprises.c.name_zh,
    enterprises.c.name_en,
    enterprises.c.city,
    enterprises.c.grade,
    enterprises.c.created_at,
    enterprise_standing.c.scheme,
    enterprise_standing.c["class"].label("klass"),
    enterprise_standing.c.e_supervised,
    enterprise_standing.c.key_list,
    enterprise_standing.c.since,
    enterprise_standing.c.by,
    enterprise_standing.c.reason,
)


def _standing_of(row: Any) -> EnterpriseStanding:
    if row.klass is None:  # never classified since it was registered
        return EnterpriseStanding(
            row.code, scheme_of_grade(row.grade), row.grade, False, False, row.created_at,
            "registry",
        )  # fmt: skip
    return EnterpriseStanding(
        row.code, row.scheme, row.klass, bool(row.e_supervised), bool(row.key_list), row.since,
        row.by, row.reason,
    )  # fmt: skip


def _in_force() -> Any:
    newest = _newest()
    return (
        select(*_COLUMNS)
        .select_from(enterprises)
        .outerjoin(newest, newest.c.enterprise_id == enterprises.c.id)
        .outerjoin(enterprise_standing, enterprise_standing.c.id == newest.c.newest)
    )


def _base_of(row: Any) -> RawMaterialBase:
    return RawMaterialBase(
        row.number, row.enterprise, row.name, tuple(json.loads(row.products)), row.location,
        BaseStatus(row.status), row.updated_at,
    )  # fmt: skip


_BASE_COLUMNS = (
    raw_material_bases.c.id,
    raw_material_bases.c.number,
    enterprises.c.code.label("enterprise"),
    raw_material_bases.c.name,
    raw_material_bases.c.products,
    raw_material_bases.c.location,
    raw_material_bases.c.status,
    raw_material_bases.c.updated_at,
)


def _bases() -> Any:
    return select(*_BASE_COLUMNS).join(
        enterprises, enterprises.c.id == raw_material_bases.c.enterprise_id
    )


_P = classification_proposals


def _proposal_of(row: Any) -> ProposalRecord:
    return ProposalRecord(
        row.id,
        Proposal(
            row.enterprise, row.rule, row.measure, row.count, row.from_class, row.to_class,
            Period(row.period_start, row.period_end),
        ),
        ProposalState(row.state), row.proposed_at, row.decided_by, row.decided_at, row.comment,
    )  # fmt: skip


def _proposals() -> Any:
    return select(*_P.c, enterprises.c.code.label("enterprise")).join(
        enterprises, enterprises.c.id == _P.c.enterprise_id
    )


def _unstorable(*texts: str) -> bool:
    """A NUL, which no stored text holds (PostgreSQL refuses it in a query): nothing matches."""
    return any("\x00" in text for text in texts)


@contextmanager
def _unique(code: Code, **params: Any) -> Iterator[None]:
    try:
        yield
    except IntegrityError:
        raise Refused(Kind.CONFLICT, say(code, **params)) from None


def _enterprise_id(conn: Connection, code: str) -> int | None:
    found: int | None = conn.execute(
        select(enterprises.c.id).where(enterprises.c.code == code)
    ).scalar()
    return found


@translating
class SqlStanding:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- enterprises' standing ------------------------------------------------------------

    def place(self, enterprise: str) -> Place | None:
        if _unstorable(enterprise):
            return None
        with connect(self.engine) as conn:
            row = conn.execute(
                select(enterprises.c.code, enterprises.c.city).where(
                    enterprises.c.code == enterprise
                )
            ).first()
        return None if row is None else Place(row.code, row.city)

    def standing(self, enterprise: str) -> EnterpriseStanding | None:
        if _unstorable(enterprise):
            return None
        latest = enterprise_standing.alias("latest")
        newest = (
            select(latest.c.id)
            .where(latest.c.enterprise_id == enterprises.c.id)
            .order_by(latest.c.id.desc())
            .limit(1)
            .correlate(enterprises)
            .scalar_subquery()
        )
        query = (
            select(*_COLUMNS)
            .select_from(enterprises)
            .outerjoin(enterprise_standing, enterprise_standing.c.id == newest)
            .where(enterprises.c.code == enterprise)
        )
        with connect(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _standing_of(row)

    def history(self, enterprise: str) -> list[EnterpriseStanding]:
        query = (
            select(*_COLUMNS)
            .select_from(enterprises)
            .join(enterprise_standing, enterprise_standing.c.enterprise_id == enterprises.c.id)
            .where(enterprises.c.code == enterprise)
            .order_by(enterprise_standing.c.id.desc())
        )
        with connect(self.engine) as conn:
            return [_standing_of(row) for row in conn.execute(query)]

    def add_standing(self, standing: EnterpriseStanding) -> None:
        with begin(self.engine) as conn:
            enterprise_id = _enterprise_id(conn, standing.enterprise)
            if enterprise_id is None:
                raise Refused(
                    Kind.NOT_FOUND, say(Code.NO_ENTERPRISE, enterprise=standing.enterprise)
                )
            conn.execute(
                insert(enterprise_standing).values(
                    {
                        "enterprise_id": enterprise_id,
                        "scheme": standing.scheme,
                        "class": standing.klass,
                        "e_supervised": standing.e_supervised,
                        "key_list": standing.key_list,
                        "since": standing.since,
                        "by": standing.by,
                        "reason": standing.reason,
                    }
                )
            )

    def standings(self) -> list[EnterpriseStanding]:
        with connect(self.engine) as conn:
            rows = conn.execute(_in_force().order_by(enterprises.c.code)).all()
        return [_standing_of(row) for row in rows]

    def find_standings(
        self, query: StandingQuery, *, offset: int, limit: int
    ) -> Found[StandingRow]:
        if _unstorable(query.text, query.klass):
            return Found([], 0, offset, limit)
        base = _in_force().where(within_reach(query.reach))
        klass = func.coalesce(enterprise_standing.c["class"], enterprises.c.grade)
        if query.klass:
            base = base.where(klass == query.klass)
        if query.e_supervised is not None:
            flag = func.coalesce(enterprise_standing.c.e_supervised, false())
            base = base.where(flag == query.e_supervised)
        if query.key_list is not None:
            flag = func.coalesce(enterprise_standing.c.key_list, false())
            base = base.where(flag == query.key_list)
        if query.text.strip():
            text = query.text.strip()
            base = base.where(
                or_(
                    holds(enterprises.c.code, text),
                    holds(enterprises.c.name_zh, text),
                    holds(enterprises.c.name_en, text),
                )
            )
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
            rows = conn.execute(
                base.order_by(enterprises.c.code).offset(max(offset, 0)).limit(max(limit, 1))
            ).all()
        items = [StandingRow(r.code, r.name_zh, r.name_en, r.city, _standing_of(r)) for r in rows]
        return Found(items, total, offset, limit)

    # -- proposals ----------------------------------------------------------------------

    def proposal_exists(self, enterprise: str, rule: str, end: int) -> bool:
        with connect(self.engine) as conn:
            found = conn.execute(
                select(_P.c.id)
                .join(enterprises, enterprises.c.id == _P.c.enterprise_id)
                .where(enterprises.c.code == enterprise, _P.c.rule == rule, _P.c.period_end == end)
            ).first()
        return found is not None

    def add_proposal(self, proposal: Proposal, *, at: int) -> int:
        with _unique(Code.PROPOSAL_RACE, proposal=0), begin(self.engine) as conn:
            enterprise_id = _enterprise_id(conn, proposal.enterprise)
            new_id: int = conn.execute(
                insert(_P)
                .values(
                    enterprise_id=enterprise_id,
                    from_class=proposal.from_class,
                    to_class=proposal.to_class,
                    rule=proposal.rule,
                    measure=proposal.measure,
                    count=proposal.count,
                    period_start=proposal.period.start,
                    period_end=proposal.period.end,
                    state=ProposalState.PROPOSED.value,
                    proposed_at=at,
                )
                .returning(_P.c.id)
            ).scalar_one()
        return new_id

    def proposal(self, proposal_id: int) -> ProposalRecord | None:
        with connect(self.engine) as conn:
            row = conn.execute(_proposals().where(_P.c.id == proposal_id)).first()
        return None if row is None else _proposal_of(row)

    def decide(
        self, proposal_id: int, state: ProposalState, *, by: str, at: int, comment: str
    ) -> bool:
        with begin(self.engine) as conn:
            done = conn.execute(
                update(_P)
                .where(_P.c.id == proposal_id, _P.c.state == ProposalState.PROPOSED.value)
                .values(state=state.value, decided_by=by, decided_at=at, comment=comment)
            )
        return done.rowcount == 1

    def find_proposals(
        self, state: ProposalState | None, *, offset: int, limit: int
    ) -> Found[ProposalRecord]:
        where = [] if state is None else [_P.c.state == state.value]
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(_P).where(*where)).scalar_one()
            rows = conn.execute(
                _proposals()
                .where(*where)
                .order_by(_P.c.id.desc())
                .offset(max(offset, 0))
                .limit(max(limit, 1))
            ).all()
        return Found([_proposal_of(row) for row in rows], total, offset, limit)

    # -- raw-material bases -------------------------------------------------------------

    def base(self, number: str) -> RawMaterialBase | None:
        if _unstorable(number):
            return None
        with connect(self.engine) as conn:
            row = conn.execute(_bases().where(raw_material_bases.c.number == number)).first()
        return None if row is None else _base_of(row)

    def add_base(self, base: RawMaterialBase, event: BaseEvent) -> None:
        with _unique(Code.BASE_EXISTS, base=base.number), begin(self.engine) as conn:
            enterprise_id = _enterprise_id(conn, base.enterprise)
            base_id = conn.execute(
                insert(raw_material_bases)
                .values(
                    number=base.number,
                    enterprise_id=enterprise_id,
                    name=base.name,
                    products=json.dumps(list(base.products)),
                    location=base.location,
                    status=base.status.value,
                    updated_at=base.updated_at,
                )
                .returning(raw_material_bases.c.id)
            ).scalar_one()
            self._event(conn, base_id, event)

    def _event(self, conn: Connection, base_id: int, event: BaseEvent) -> None:
        conn.execute(
            insert(base_events).values(
                base_id=base_id,
                event=event.kind.value,
                at=event.at,
                by=event.by,
                reason=event.reason,
            )
        )

    def set_base_status(self, number: str, status: BaseStatus, event: BaseEvent) -> bool:
        b = raw_material_bases
        with begin(self.engine) as conn:
            base_id = conn.execute(
                update(b)
                .where(b.c.number == number, b.c.status != status.value)
                .values(status=status.value, updated_at=event.at)
                .returning(b.c.id)
            ).scalar()
            if base_id is None:
                return False
            self._event(conn, base_id, event)
        return True

    def base_history(self, number: str) -> list[BaseEvent]:
        query = (
            select(base_events)
            .join(raw_material_bases, raw_material_bases.c.id == base_events.c.base_id)
            .where(raw_material_bases.c.number == number)
            .order_by(base_events.c.id.desc())
        )
        with connect(self.engine) as conn:
            return [
                BaseEvent(number, BaseEventKind(r.event), r.at, r.by, r.reason)
                for r in conn.execute(query)
            ]

    def find_bases(self, query: BaseQuery, *, offset: int, limit: int) -> Found[RawMaterialBase]:
        if _unstorable(query.text, query.enterprise, query.product):
            return Found([], 0, offset, limit)
        b = raw_material_bases
        base = _bases().where(within_reach(query.reach))
        if query.enterprise:
            base = base.where(enterprises.c.code == query.enterprise)
        if query.status is not None:
            base = base.where(b.c.status == query.status.value)
        if query.product:
            # a product code, quoted in the JSON list: matched whole, never as a part
            base = base.where(b.c.products.like(like(json.dumps(query.product)), escape="\\"))
        if query.text.strip():
            text = query.text.strip()
            base = base.where(
                or_(
                    holds(b.c.number, text),
                    holds(b.c.name, text),
                    holds(b.c.location, text),
                    holds(enterprises.c.code, text),
                )
            )
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
            rows = conn.execute(
                base.order_by(b.c.number).offset(max(offset, 0)).limit(max(limit, 1))
            ).all()
        return Found([_base_of(row) for row in rows], total, offset, limit)


@translating
class SqlFailedRuns:
    """A ``RecordCounter`` of ``failed_runs``: the enterprise's runs closed with verdict FAIL
    within ``[start, end)``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def count(self, measure: str, enterprise: str, start: int, end: int) -> int | None:
        if measure != FAILED_RUNS:
            return None
        query = (
            select(func.count())
            .select_from(runs)
            .join(facilities, facilities.c.id == runs.c.facility_id)
            .join(enterprises, enterprises.c.id == facilities.c.enterprise_id)
            .where(
                and_(
                    enterprises.c.code == enterprise,
                    runs.c.verdict == "FAIL",
                    runs.c.closed_at.is_not(None),
                    runs.c.closed_at >= start,
                    runs.c.closed_at < end,
                )
            )
        )
        with connect(self.engine) as conn:
            found: int = conn.execute(query).scalar_one()
        return found
