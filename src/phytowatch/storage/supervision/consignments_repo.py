"""Consignments in SQL (``services.supervision.consignments.ConsignmentStore``, which is also
routing's ``ConsignmentLookup``), and the ``RecordCounter`` of declarations.

A consignment's number is ``CD<year>-<6 digits>``, the next free one of the year of its creation
(UTC); numbers are unique (a constraint), and one taken meanwhile is retried with the next.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from phytowatch.domain.signoff import needs_comment
from phytowatch.domain.supervision.consignment import (
    BackingRun,
    Consignment,
    ConsignmentState,
    Declaration,
    Step,
    TimelineEntry,
)
from phytowatch.formats import declaration_json
from phytowatch.services.paging import Found
from phytowatch.services.supervision.consignments import (
    BackedConsignment,
    ConsignmentQuery,
    ConsignmentRow,
    EnterpriseRef,
    VersionInfo,
)
from phytowatch.storage.accounts_tables import run_signoffs
from phytowatch.storage.errors import translating
from phytowatch.storage.supervision import consignment_queries
from phytowatch.storage.supervision.consignment_queries import JOINED
from phytowatch.storage.supervision.consignment_tables import (
    consignment_events,
    consignment_lines,
    consignment_runs,
    consignments,
    declaration_versions,
)
from phytowatch.storage.tables import enterprises, facilities, runs
from phytowatch.storage.unit import begin, connect

NUMBER_PREFIX = "CD"
_TRIES = 20

_C = consignments.c


def _consignment(row: Any) -> Consignment:
    return Consignment(
        id=row.id,
        number=row.number,
        enterprise=row.enterprise_code,
        city=row.enterprise_city,
        state=ConsignmentState(row.state),
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        copied_from=row.copied_from,
    )


def year_of(at: int) -> int:
    return datetime.fromtimestamp(at / 1_000_000, tz=UTC).year


def _event(
    conn: Connection,
    consignment_id: int,
    step: Step,
    *,
    at: int,
    actor: str,
    version: int,
    detail: dict[str, object] | None,
) -> None:
    conn.execute(
        insert(consignment_events).values(
            consignment_id=consignment_id,
            step=step.value,
            at=at,
            actor=actor,
            version=version,
            detail=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False),
        )
    )


_BACKING = (
    select(
        runs.c.id,
        runs.c.schedule_id,
        runs.c.closed_at,
        runs.c.verdict,
        runs.c.judgement,
        runs.c.calibration_notes,
        facilities.c.code.label("facility"),
        enterprises.c.code.label("enterprise"),
        run_signoffs.c.decision,
    )
    .join(facilities, facilities.c.id == runs.c.facility_id)
    .join(enterprises, enterprises.c.id == facilities.c.enterprise_id)
    .outerjoin(run_signoffs, run_signoffs.c.run_id == runs.c.id)
)


def _backing(row: Any) -> BackingRun:
    judgement = json.loads(row.judgement) if row.judgement else None
    return BackingRun(
        run_id=row.id,
        enterprise=row.enterprise,
        facility=row.facility,
        schedule_id=row.schedule_id,
        closed=row.closed_at is not None,
        verdict=row.verdict,
        signed_off=row.decision == "signed_off",
        has_findings=needs_comment(judgement, json.loads(row.calibration_notes or "[]")),
        closed_at=row.closed_at,
    )


@translating
class SqlConsignmentStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- the consignment --------------------------------------------------------------------

    def enterprise(self, code: str) -> EnterpriseRef | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(enterprises).where(enterprises.c.code == code)).first()
        if row is None:
            return None
        return EnterpriseRef(row.code, row.name_zh, row.name_en, row.city)

    def consignment(self, consignment_id: int) -> Consignment | None:
        with connect(self.engine) as conn:
            row = conn.execute(JOINED.where(_C.id == consignment_id)).first()
        return None if row is None else _consignment(row)

    def by_number(self, number: str) -> Consignment | None:
        with connect(self.engine) as conn:
            row = conn.execute(JOINED.where(_C.number == number)).first()
        return None if row is None else _consignment(row)

    def _next_number(self, conn: Connection, year: int) -> str:
        prefix = f"{NUMBER_PREFIX}{year}-"
        highest = conn.execute(
            select(func.max(_C.number)).where(_C.number.like(prefix + "%"))
        ).scalar()
        serial = int(highest[len(prefix) :]) + 1 if highest else 1
        return f"{prefix}{serial:06d}"

    def create(
        self,
        enterprise: str,
        draft: Declaration,
        *,
        at: int,
        actor: str,
        copied_from: int | None = None,
    ) -> Consignment:
        for _ in range(_TRIES):
            with begin(self.engine) as conn:
                enterprise_id = conn.execute(
                    select(enterprises.c.id).where(enterprises.c.code == enterprise)
                ).scalar_one()
                number = self._next_number(conn, year_of(at))
                try:
                    with conn.begin_nested():
                        consignment_id = conn.execute(
                            insert(consignments)
                            .values(
                                number=number,
                                enterprise_id=enterprise_id,
                                state=ConsignmentState.DRAFT.value,
                                version=0,
                                draft=declaration_json.canonical(draft),
                                destination=draft.destination[:2],
                                consignee=draft.consignee.name[:500],
                                created_at=at,
                                created_by=actor,
                                updated_at=at,
                                copied_from=copied_from,
                            )
                            .returning(_C.id)
                        ).scalar_one()
                except IntegrityError:  # the number was taken meanwhile: the next one
                    continue
                detail: dict[str, object] | None = None
                if copied_from is not None:
                    source = conn.execute(
                        select(_C.number).where(_C.id == copied_from)
                    ).scalar_one()
                    detail = {"code": "declaration.copied", "params": {"number": source}}
                _event(
                    conn, consignment_id, Step.DRAFTED, at=at, actor=actor, version=0, detail=detail
                )
            found = self.consignment(consignment_id)
            assert found is not None
            return found
        raise RuntimeError("no consignment number free after retries")

    def draft(self, consignment_id: int) -> Declaration | None:
        with connect(self.engine) as conn:
            text = conn.execute(select(_C.draft).where(_C.id == consignment_id)).scalar()
        return None if text is None else declaration_json.loads(text)

    def save_draft(
        self, consignment_id: int, state: ConsignmentState, draft: Declaration, *, at: int
    ) -> bool:
        with begin(self.engine) as conn:
            done = conn.execute(
                update(consignments)
                .where(_C.id == consignment_id, _C.state == state.value)
                .values(
                    draft=declaration_json.canonical(draft),
                    destination=draft.destination[:2],
                    consignee=draft.consignee.name[:500],
                )
            )
        return done.rowcount == 1

    def declaration(self, consignment_id: int, version: int) -> Declaration | None:
        with connect(self.engine) as conn:
            text = conn.execute(
                select(declaration_versions.c.content).where(
                    declaration_versions.c.consignment_id == consignment_id,
                    declaration_versions.c.version == version,
                )
            ).scalar()
        return None if text is None else declaration_json.loads(text)

    def add_version(
        self,
        consignment_id: int,
        version: int,
        declaration: Declaration,
        *,
        at: int,
        actor: str,
    ) -> None:
        content = declaration_json.canonical(declaration)
        with begin(self.engine) as conn:
            conn.execute(
                insert(declaration_versions).values(
                    consignment_id=consignment_id,
                    version=version,
                    content=content,
                    content_hash=declaration_json.content_hash(content),
                    submitted_at=at,
                    submitted_by=actor,
                )
            )
            if declaration.lines:
                conn.execute(
                    insert(consignment_lines),
                    [
                        {
                            "consignment_id": consignment_id,
                            "version": version,
                            "line_no": i + 1,
                            "product": line.product,
                            "quantity": line.quantity,
                            "unit": line.unit,
                            "packages": line.packages,
                        }
                        for i, line in enumerate(declaration.lines)
                    ],
                )
            if declaration.runs:
                conn.execute(
                    insert(consignment_runs),
                    [
                        {"consignment_id": consignment_id, "version": version, "run_id": run}
                        for run in sorted(set(declaration.runs))
                    ],
                )
            conn.execute(
                update(consignments)
                .where(_C.id == consignment_id)
                .values(
                    version=version,
                    draft=None,
                    destination=declaration.destination[:2],
                    consignee=declaration.consignee.name[:500],
                    submitted_at=func.coalesce(_C.submitted_at, at),
                )
            )

    def move(
        self,
        consignment_id: int,
        from_state: ConsignmentState,
        to_state: ConsignmentState,
        *,
        step: Step,
        at: int,
        actor: str,
        detail: dict[str, object] | None = None,
    ) -> bool:
        with begin(self.engine) as conn:
            done = conn.execute(
                update(consignments)
                .where(_C.id == consignment_id, _C.state == from_state.value)
                .values(state=to_state.value, updated_at=at)
            )
            if done.rowcount != 1:
                return False
            version = conn.execute(select(_C.version).where(_C.id == consignment_id)).scalar_one()
            if to_state is ConsignmentState.RETURNED:
                # the correction starts from what was submitted
                content = conn.execute(
                    select(declaration_versions.c.content).where(
                        declaration_versions.c.consignment_id == consignment_id,
                        declaration_versions.c.version == version,
                    )
                ).scalar()
                conn.execute(
                    update(consignments).where(_C.id == consignment_id).values(draft=content)
                )
            _event(conn, consignment_id, step, at=at, actor=actor, version=version, detail=detail)
        return True

    # -- what routing reads of runs ---------------------------------------------------------

    def backing_runs(self, run_ids: Iterable[int]) -> dict[int, BackingRun]:
        wanted = sorted({r for r in run_ids if 1 <= r < 2**31})
        if not wanted:
            return {}
        with connect(self.engine) as conn:
            rows = conn.execute(_BACKING.where(runs.c.id.in_(wanted))).all()
        return {row.id: _backing(row) for row in rows}

    def offered_runs(self, enterprise: str) -> list[BackingRun]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                _BACKING.where(
                    enterprises.c.code == enterprise,
                    runs.c.closed_at.is_not(None),
                    runs.c.verdict == "PASS",
                    run_signoffs.c.decision == "signed_off",
                )
                .order_by(runs.c.closed_at.desc(), runs.c.id.desc())
                .limit(200)
            ).all()
        return [_backing(row) for row in rows]

    def backed_by(self, run_id: int) -> list[BackedConsignment]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(_C.id, _C.number, _C.state, consignment_runs.c.version)
                .join(consignment_runs, consignment_runs.c.consignment_id == _C.id)
                .where(consignment_runs.c.run_id == run_id)
                .order_by(_C.id, consignment_runs.c.version)
            ).all()
        return [
            BackedConsignment(r.id, r.number, ConsignmentState(r.state), r.version) for r in rows
        ]

    # -- versions, timeline, lists ----------------------------------------------------------

    def versions(self, consignment_id: int) -> list[VersionInfo]:
        v = declaration_versions.c
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(v.version, v.submitted_at, v.submitted_by, v.content_hash)
                .where(v.consignment_id == consignment_id)
                .order_by(v.version)
            ).all()
        return [
            VersionInfo(r.version, r.submitted_at, r.submitted_by, r.content_hash) for r in rows
        ]

    def timeline(self, consignment_id: int) -> list[TimelineEntry]:
        e = consignment_events.c
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(consignment_events)
                .where(e.consignment_id == consignment_id)
                .order_by(e.at, e.id)
            ).all()
        return [
            TimelineEntry(
                consignment_id=r.consignment_id,
                step=Step(r.step),
                at=r.at,
                actor=r.actor,
                version=r.version,
                detail=json.loads(r.detail),
            )
            for r in rows
        ]

    def find(self, query: ConsignmentQuery) -> Found[ConsignmentRow]:
        with connect(self.engine) as conn:
            return consignment_queries.find(conn, query)

    # -- the classification rules' counts ---------------------------------------------------

    def count(self, measure: str, enterprise: str, start: int, end: int) -> int | None:
        """``declarations``: versions submitted in [start, end); ``returned_declarations``:
        times a declaration was returned for correction in [start, end); ``None`` otherwise."""
        with connect(self.engine) as conn:
            return consignment_queries.count(conn, measure, enterprise, start, end)
