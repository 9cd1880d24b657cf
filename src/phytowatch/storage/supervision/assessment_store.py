"""Routes, assessments and interceptions on SQL (``services.supervision.assessment.
AssessmentStore``), the inspector's queue, the interception records, and the interceptions'
count for the classification rules (``RecordCounter``)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, insert, literal, or_, select
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.sql.elements import ColumnElement

from phytowatch.domain.messages import Message, stored_message
from phytowatch.domain.supervision.assessment import (
    Assessment,
    AssessmentKind,
    Conformity,
    Disposal,
    Interception,
    LifeStage,
    Sample,
)
from phytowatch.domain.supervision.consignment import Consignment, ConsignmentState
from phytowatch.domain.supervision.policy import RouteOutcome, SupervisionMode
from phytowatch.domain.supervision.routing import Route
from phytowatch.services.paging import Found
from phytowatch.services.supervision.assessment import (
    InterceptionFilter,
    InterceptionRecord,
    QueueFilter,
    Waiting,
)
from phytowatch.storage.errors import translating
from phytowatch.storage.search import holds
from phytowatch.storage.supervision.assessment_tables import (
    assessment_samples,
    assessments,
    consignment_routes,
    interceptions,
    sampling_keys,
)
from phytowatch.storage.supervision.consignment_tables import consignments
from phytowatch.storage.tables import enterprises
from phytowatch.storage.unit import begin, connect

INTERCEPTIONS = "interceptions"  # the measure this store counts


def _words(codes: Collection[str]) -> str:
    return " " + " ".join(codes) + " " if codes else ""


def _route(row: RowMapping) -> Route:
    return Route(
        consignment_id=row["consignment_id"],
        version=row["version"],
        outcome=RouteOutcome(row["outcome"]),
        mode=SupervisionMode(row["mode"]),
        ratio=Decimal(row["ratio"]),
        draw=Decimal(row["draw"]),
        rules_version=row["rules_version"],
        reasons=tuple(stored_message(m) for m in json.loads(row["reasons"])),
        inputs=json.loads(row["inputs"]),
        at=row["at"],
        fired=tuple(json.loads(row["fired"])),
    )


@translating
class SqlAssessmentStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- routes ---------------------------------------------------------------------------------

    def sampling_key(self, *, now: int) -> bytes:
        # inside the submission's unit the audit lock is held: two first uses cannot both create
        with begin(self.engine) as conn:
            key = conn.execute(select(sampling_keys.c.key).where(sampling_keys.c.id == 1)).scalar()
            if key is None:
                key = secrets.token_hex(32)
                conn.execute(insert(sampling_keys).values(id=1, key=key, created_at=now))
        return bytes.fromhex(key)

    def add_route(self, route: Route) -> None:
        inputs: dict[str, Any] = dict(route.inputs)
        with begin(self.engine) as conn:
            conn.execute(
                insert(consignment_routes).values(
                    consignment_id=route.consignment_id,
                    version=route.version,
                    outcome=route.outcome.value,
                    mode=route.mode.value,
                    ratio=str(route.ratio),
                    draw=str(route.draw),
                    rules_version=route.rules_version,
                    fired=json.dumps(list(route.fired)),
                    reasons=json.dumps([m.to_json() for m in route.reasons], ensure_ascii=False),
                    inputs=json.dumps(inputs, sort_keys=True, ensure_ascii=False),
                    products=_words(list(inputs.get("products", {}))),
                    destination=str(inputs.get("destination", "")),
                    takes_over=_words(list(inputs.get("owed", []))),
                    at=route.at,
                )
            )

    def routes(self, consignment_id: int) -> list[Route]:
        query = (
            select(consignment_routes)
            .where(consignment_routes.c.consignment_id == consignment_id)
            .order_by(consignment_routes.c.version)
        )
        with connect(self.engine) as conn:
            return [_route(row) for row in conn.execute(query).mappings()]

    def owed(self, enterprise: str, destination: str, products: Collection[str]) -> list[str]:
        if not products:
            return []
        later = consignment_routes.alias("later")
        taken = (
            select(later.c.id)
            .where(later.c.takes_over.like(literal("% ") + consignments.c.number + literal(" %")))
            .exists()
        )
        assessed = select(assessments.c.id).where(assessments.c.consignment_id == consignments.c.id)
        # the enterprise's withdrawn or rejected consignments first (an index), then their
        # routes: starting from the routes to inspect read every one of a year's
        routed = (
            select(consignment_routes.c.id)
            .where(
                consignment_routes.c.consignment_id == consignments.c.id,
                consignment_routes.c.outcome == RouteOutcome.INSPECT.value,
                consignment_routes.c.destination == destination,
                or_(*(consignment_routes.c.products.like(f"% {p} %") for p in products)),
            )
            .exists()
        )
        query = (
            select(consignments.c.number)
            .join(enterprises, enterprises.c.id == consignments.c.enterprise_id)
            .where(
                enterprises.c.code == enterprise,
                consignments.c.state.in_(
                    [ConsignmentState.WITHDRAWN.value, ConsignmentState.REJECTED.value]
                ),
                routed,
                ~assessed.exists(),
                ~taken,
            )
            .order_by(consignments.c.number)
        )
        with connect(self.engine) as conn:
            return list(conn.execute(query).scalars())

    def consignment_id(self, number: str) -> int | None:
        query = select(consignments.c.id).where(consignments.c.number == number)
        with connect(self.engine) as conn:
            found: int | None = conn.execute(query).scalar()
        return found

    # -- assessments ----------------------------------------------------------------------------

    def add_assessment(self, assessment: Assessment, *, consignment: Consignment) -> int:
        routes = self.routes(consignment.id)
        inputs: dict[str, Any] = dict(routes[-1].inputs) if routes else {}
        products = list(inputs.get("products", {}))
        destination = str(inputs.get("destination", ""))
        with begin(self.engine) as conn:
            assessment_id: int = conn.execute(
                insert(assessments)
                .values(
                    consignment_id=assessment.consignment_id,
                    version=assessment.version,
                    kind=assessment.kind.value,
                    conformity=assessment.conformity.value,
                    disposal=None if assessment.disposal is None else assessment.disposal.value,
                    inspected=assessment.inspected,
                    lab_results=assessment.lab_results,
                    findings=assessment.findings,
                    comment=assessment.comment,
                    evidence=json.dumps(assessment.evidence, sort_keys=True),
                    reason=None
                    if assessment.reason is None
                    else json.dumps(assessment.reason.to_json(), ensure_ascii=False),
                    by=assessment.by,
                    office=assessment.office,
                    at=assessment.at,
                )
                .returning(assessments.c.id)
            ).scalar_one()
            for no, sample in enumerate(assessment.samples):
                conn.execute(
                    insert(assessment_samples).values(
                        assessment_id=assessment_id,
                        line_no=no,
                        sample_id=sample.sample_id,
                        kind=sample.kind,
                        lab=sample.lab,
                        result=sample.result,
                    )
                )
            for no, found in enumerate(assessment.interceptions):
                conn.execute(
                    insert(interceptions).values(
                        assessment_id=assessment_id,
                        consignment_id=consignment.id,
                        line_no=no,
                        pest=found.pest,
                        life_stage=found.life_stage.value,
                        count=found.count,
                        batches=found.batches,
                        enterprise=consignment.enterprise,
                        city=consignment.city,
                        products=_words(products),
                        destination=destination,
                        at=assessment.at,
                        by=assessment.by,
                    )
                )
        return assessment_id

    def assessment_of(self, consignment_id: int) -> Assessment | None:
        query = (
            select(assessments)
            .where(assessments.c.consignment_id == consignment_id)
            .order_by(assessments.c.version.desc())
            .limit(1)
        )
        with connect(self.engine) as conn:
            row = conn.execute(query).mappings().first()
            if row is None:
                return None
            samples = conn.execute(
                select(assessment_samples)
                .where(assessment_samples.c.assessment_id == row["id"])
                .order_by(assessment_samples.c.line_no)
            ).mappings()
            found = conn.execute(
                select(interceptions)
                .where(interceptions.c.assessment_id == row["id"])
                .order_by(interceptions.c.line_no)
            ).mappings()
            sample_list = tuple(
                Sample(s["sample_id"], s["kind"], s["lab"], s["result"]) for s in samples
            )
            found_list = tuple(
                Interception(f["pest"], LifeStage(f["life_stage"]), f["count"], f["batches"])
                for f in found
            )
        reason: Message | None = (
            None if row["reason"] is None else stored_message(json.loads(row["reason"]))
        )
        return Assessment(
            consignment_id=row["consignment_id"],
            version=row["version"],
            kind=AssessmentKind(row["kind"]),
            conformity=Conformity(row["conformity"]),
            disposal=None if row["disposal"] is None else Disposal(row["disposal"]),
            inspected=row["inspected"],
            samples=sample_list,
            lab_results=row["lab_results"],
            findings=row["findings"],
            interceptions=found_list,
            comment=row["comment"],
            evidence=json.loads(row["evidence"]),
            by=row["by"],
            office=row["office"],
            at=row["at"],
            reason=reason,
        )

    # -- the queue and the records --------------------------------------------------------------

    def _waiting(
        self,
        columns: Any,
        cities: Sequence[str] | None,
        enterprises_: Sequence[str] | None,
        wanted: QueueFilter | None,
    ) -> Any:
        query = (
            select(*columns)
            .select_from(consignments)
            .join(enterprises, enterprises.c.id == consignments.c.enterprise_id)
            .join(
                consignment_routes,
                and_(
                    consignment_routes.c.consignment_id == consignments.c.id,
                    consignment_routes.c.version == consignments.c.version,
                ),
            )
            .where(
                consignments.c.state == ConsignmentState.ROUTED.value,
                consignment_routes.c.outcome == RouteOutcome.INSPECT.value,
            )
        )
        if cities is not None or enterprises_ is not None:
            query = query.where(
                or_(
                    enterprises.c.city.in_(list(cities or [])),
                    enterprises.c.code.in_(list(enterprises_ or [])),
                )
            )
        wanted = wanted or QueueFilter()
        if wanted.enterprise.strip():
            query = query.where(enterprises.c.code == wanted.enterprise.strip())
        if wanted.city.strip():
            query = query.where(enterprises.c.city == wanted.city.strip())
        if wanted.destination.strip():
            query = query.where(consignments.c.destination == wanted.destination.strip().upper())
        if wanted.mode:
            query = query.where(consignment_routes.c.mode == wanted.mode)
        if wanted.rule:  # ``fired`` holds a JSON list of names: the name in quotes
            query = query.where(
                consignment_routes.c.fired.contains(json.dumps(wanted.rule), autoescape=True)
            )
        return query

    def waiting(
        self,
        cities: Sequence[str] | None,
        enterprises_: Sequence[str] | None,
        wanted: QueueFilter | None = None,
    ) -> int:
        query = self._waiting([func.count()], cities, enterprises_, wanted)
        with connect(self.engine) as conn:
            counted: int = conn.execute(query).scalar_one()
        return counted

    def queue(
        self,
        cities: Sequence[str] | None,
        enterprises_: Sequence[str] | None,
        wanted: QueueFilter | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Waiting]:
        columns = [
            consignments.c.id, consignments.c.number, consignments.c.destination,
            consignments.c.version, enterprises.c.code, enterprises.c.city,
            consignment_routes.c.at, consignment_routes.c.mode, consignment_routes.c.fired,
            consignment_routes.c.reasons,
        ]  # fmt: skip
        query = (
            self._waiting(columns, cities, enterprises_, wanted)
            .order_by(consignment_routes.c.at, consignments.c.id)
            .offset(offset)
            .limit(limit)
        )
        with connect(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Waiting(
                consignment_id=row["id"],
                number=row["number"],
                enterprise=row["code"],
                city=row["city"],
                destination=row["destination"],
                version=row["version"],
                routed_at=row["at"],
                mode=row["mode"],
                fired=tuple(json.loads(row["fired"])),
                reasons=tuple(stored_message(m) for m in json.loads(row["reasons"])),
            )
            for row in rows
        ]

    def interceptions(
        self,
        wanted: InterceptionFilter,
        reach: tuple[Sequence[str], Sequence[str]] | None,
        *,
        offset: int,
        limit: int,
    ) -> Found[InterceptionRecord]:
        conditions: list[ColumnElement[bool]] = []
        if reach is not None:
            cities, codes = reach
            conditions.append(
                or_(
                    interceptions.c.city.in_(list(cities)),
                    interceptions.c.enterprise.in_(list(codes)),
                )
            )
        if wanted.pest.strip():
            conditions.append(holds(interceptions.c.pest, wanted.pest.strip()))
        if wanted.enterprise.strip():
            conditions.append(interceptions.c.enterprise == wanted.enterprise.strip())
        if wanted.product.strip():
            conditions.append(interceptions.c.products.like(f"% {wanted.product.strip()} %"))
        if wanted.start is not None:
            conditions.append(interceptions.c.at >= wanted.start)
        if wanted.end is not None:
            conditions.append(interceptions.c.at < wanted.end)
        if wanted.text.strip():
            text = wanted.text.strip()
            conditions.append(
                or_(
                    holds(interceptions.c.pest, text),
                    holds(interceptions.c.enterprise, text),
                    holds(interceptions.c.products, text),
                    holds(interceptions.c.batches, text),
                    holds(consignments.c.number, text),
                )
            )
        base = select(interceptions, consignments.c.number).join(
            consignments, consignments.c.id == interceptions.c.consignment_id
        )
        if conditions:
            base = base.where(and_(*conditions))
        with connect(self.engine) as conn:
            total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
            rows = (
                conn.execute(
                    base.order_by(interceptions.c.at.desc(), interceptions.c.id.desc())
                    .offset(offset)
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        items = [
            InterceptionRecord(
                consignment_id=row["consignment_id"],
                number=row["number"],
                enterprise=row["enterprise"],
                city=row["city"],
                destination=row["destination"],
                products=tuple(row["products"].split()),
                pest=row["pest"],
                life_stage=row["life_stage"],
                count=row["count"],
                batches=row["batches"],
                at=row["at"],
                by=row["by"],
            )
            for row in rows
        ]
        return Found(items, total, offset, limit)

    def count(self, measure: str, enterprise: str, start: int, end: int) -> int | None:
        """``interceptions``: how many interception records of the enterprise in [start, end)."""
        if measure != INTERCEPTIONS:
            return None
        query = select(func.count()).where(
            interceptions.c.enterprise == enterprise,
            interceptions.c.at >= start,
            interceptions.c.at < end,
        )
        with connect(self.engine) as conn:
            counted: int = conn.execute(query).scalar_one()
        return counted

    def owner_of(self, consignment_id: int) -> tuple[str, str] | None:
        """The consignment's enterprise code and city: who may see it."""
        query = (
            select(enterprises.c.code, enterprises.c.city)
            .join(consignments, consignments.c.enterprise_id == enterprises.c.id)
            .where(consignments.c.id == consignment_id)
        )
        with connect(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else (row[0], row[1])
