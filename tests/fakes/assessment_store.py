"""``Assessments`` in memory (services.supervision.assessment): routes, the sampling key,
assessments and interceptions, the queue and the records, as the SQL store keeps them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from fakes.consignment_lookup import InMemoryConsignmentLookup
from phytowatch.domain.supervision.assessment import Assessment
from phytowatch.domain.supervision.consignment import Consignment, ConsignmentState
from phytowatch.domain.supervision.policy import RouteOutcome
from phytowatch.domain.supervision.routing import Route
from phytowatch.services.paging import Found
from phytowatch.services.supervision.assessment import (
    InterceptionFilter,
    InterceptionRecord,
    QueueFilter,
    Waiting,
)


class InMemoryAssessmentStore:
    """Reads the consignments' states from ``lookup``, as the SQL store joins them."""

    def __init__(self, lookup: InMemoryConsignmentLookup, key: bytes = b"k" * 32) -> None:
        self.lookup = lookup
        self.key: bytes | None = None
        self.initial_key = key
        self.route_rows: list[Route] = []
        self.assessments: list[Assessment] = []
        self.records: list[InterceptionRecord] = []

    def sampling_key(self, *, now: int) -> bytes:
        if self.key is None:
            self.key = self.initial_key
        return self.key

    def add_route(self, route: Route) -> None:
        if any(
            (r.consignment_id, r.version) == (route.consignment_id, route.version)
            for r in self.route_rows
        ):
            raise ValueError("a version is routed once")
        self.route_rows.append(route)

    def routes(self, consignment_id: int) -> list[Route]:
        return sorted(
            (r for r in self.route_rows if r.consignment_id == consignment_id),
            key=lambda r: r.version,
        )

    def owed(self, enterprise: str, destination: str, products: Collection[str]) -> list[str]:
        taken = {n for r in self.route_rows for n in r.inputs.get("owed", [])}  # type: ignore[attr-defined]
        out = set()
        for r in self.route_rows:
            c = self.lookup.consignments[r.consignment_id]
            inputs: dict[str, Any] = dict(r.inputs)
            if (
                c.enterprise == enterprise
                and c.state in (ConsignmentState.WITHDRAWN, ConsignmentState.REJECTED)
                and r.outcome is RouteOutcome.INSPECT
                and inputs["destination"] == destination
                and set(inputs["products"]) & set(products)
                and not any(a.consignment_id == c.id for a in self.assessments)
                and c.number not in taken
            ):
                out.add(c.number)
        return sorted(out)

    def add_assessment(self, assessment: Assessment, *, consignment: Consignment) -> int:
        self.assessments.append(assessment)
        routes = self.routes(consignment.id)
        inputs: dict[str, Any] = dict(routes[-1].inputs) if routes else {}
        for found in assessment.interceptions:
            self.records.append(
                InterceptionRecord(
                    consignment.id,
                    consignment.number,
                    consignment.enterprise,
                    consignment.city,
                    str(inputs.get("destination", "")),
                    tuple(inputs.get("products", {})),
                    found.pest,
                    found.life_stage.value,
                    found.count,
                    found.batches,
                    assessment.at,
                    assessment.by,
                )
            )
        return len(self.assessments)

    def consignment_id(self, number: str) -> int | None:
        return next((c.id for c in self.lookup.consignments.values() if c.number == number), None)

    def assessment_of(self, consignment_id: int) -> Assessment | None:
        found = [a for a in self.assessments if a.consignment_id == consignment_id]
        return found[-1] if found else None

    def queue(
        self,
        cities: Sequence[str] | None,
        enterprises: Sequence[str] | None,
        wanted: QueueFilter | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Waiting]:
        wanted = wanted or QueueFilter()
        out = []
        for c in self.lookup.consignments.values():
            routes = [r for r in self.routes(c.id) if r.version == c.version]
            if c.state is not ConsignmentState.ROUTED or not routes:
                continue
            r = routes[-1]
            if r.outcome is not RouteOutcome.INSPECT:
                continue
            limited = cities is not None or enterprises is not None
            if limited and c.city not in (cities or []) and c.enterprise not in (enterprises or []):
                continue
            destination = str(r.inputs.get("destination", ""))
            if (
                (wanted.enterprise.strip() and c.enterprise != wanted.enterprise.strip())
                or (wanted.city.strip() and c.city != wanted.city.strip())
                or (
                    wanted.destination.strip() and destination != wanted.destination.strip().upper()
                )
                or (wanted.mode and r.mode.value != wanted.mode)
                or (wanted.rule and wanted.rule not in r.fired)
            ):
                continue
            out.append(
                Waiting(
                    c.id,
                    c.number,
                    c.enterprise,
                    c.city,
                    destination,
                    c.version,
                    r.at,
                    r.mode.value,
                    r.fired,
                    r.reasons,
                )
            )
        ordered = sorted(out, key=lambda w: (w.routed_at, w.consignment_id))
        return ordered[offset:] if limit is None else ordered[offset : offset + limit]

    def waiting(
        self,
        cities: Sequence[str] | None,
        enterprises: Sequence[str] | None,
        wanted: QueueFilter | None = None,
    ) -> int:
        return len(self.queue(cities, enterprises, wanted))

    def interceptions(
        self,
        wanted: InterceptionFilter,
        reach: tuple[Sequence[str], Sequence[str]] | None,
        *,
        offset: int,
        limit: int,
    ) -> Found[InterceptionRecord]:
        found = [
            r
            for r in sorted(self.records, key=lambda r: -r.at)
            if (reach is None or r.city in reach[0] or r.enterprise in reach[1])
            and wanted.pest.lower() in r.pest.lower()
            and (not wanted.enterprise or r.enterprise == wanted.enterprise)
            and (not wanted.product or wanted.product in r.products)
            and (wanted.start is None or r.at >= wanted.start)
            and (wanted.end is None or r.at < wanted.end)
        ]
        return Found(found[offset : offset + limit], len(found), offset, limit)

    def count(self, measure: str, enterprise: str, start: int, end: int) -> int | None:
        if measure != "interceptions":
            return None
        return sum(1 for r in self.records if r.enterprise == enterprise and start <= r.at < end)

    def owner_of(self, consignment_id: int) -> tuple[str, str] | None:
        c = self.lookup.consignments.get(consignment_id)
        return None if c is None else (c.enterprise, c.city)


if TYPE_CHECKING:
    from phytowatch.services.supervision.assessment import Assessments

    _: Assessments = InMemoryAssessmentStore(InMemoryConsignmentLookup())
