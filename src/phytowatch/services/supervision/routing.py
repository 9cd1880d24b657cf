"""Step 2 as a use case: route a submitted declaration, and assess on documents what is released.

``Routing.on_submitted`` is the ``Router`` the submission calls inside its unit: it gathers what
the route is decided from (the policy in force, the enterprise's standing, the lines' products,
the linked runs and bases, the draw), records the route, moves the consignment SUBMITTED ->
ROUTED, and, when released on documents, records the documents assessment and moves it ROUTED ->
ASSESSED, each with its audit entry, all in the caller's unit. ``redraw`` is what an auditor
runs: the recorded decision recomputed from its recorded inputs.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from phytowatch.domain.messages import Code, Kind, Message, Word, refused, say
from phytowatch.domain.supervision.assessment import Assessment, AssessmentKind, Conformity
from phytowatch.domain.supervision.consignment import (
    Consignment,
    ConsignmentState,
    Declaration,
    Step,
)
from phytowatch.domain.supervision.policy import RouteOutcome
from phytowatch.domain.supervision.registry import BaseStatus
from phytowatch.domain.supervision.routing import (
    Route,
    decide,
    gather,
    route,
    sampling_draw,
)
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import SYSTEM, Context, acting_as
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource, StandingLookup


class RouteStore(Protocol):
    """The routes (append-only), the bureau's sampling key, and the documents assessments."""

    def sampling_key(self, *, now: int) -> bytes:
        """The bureau's sampling key, created on first use and never changed."""
        ...

    def add_route(self, route: Route) -> None: ...

    def routes(self, consignment_id: int) -> list[Route]:
        """Every route of the consignment, oldest first."""
        ...

    def owed(self, enterprise: str, destination: str, products: Collection[str]) -> list[str]:
        """The numbers of the enterprise's consignments to ``destination`` with any of
        ``products`` that were routed to inspect, then withdrawn or rejected before they were
        assessed, and whose inspection no later route has taken over."""
        ...

    def add_assessment(self, assessment: Assessment, *, consignment: Consignment) -> int: ...

    def consignment_id(self, number: str) -> int | None: ...


@dataclass(frozen=True)
class Redraw:
    route: Route
    draw: str  # recomputed
    outcome: RouteOutcome  # recomputed from the recorded inputs with the recomputed draw
    matches: bool
    message: Message


def _route_json(route: Route) -> dict[str, Any]:
    return {
        "version": route.version,
        "outcome": route.outcome.value,
        "mode": route.mode.value,
        "ratio": str(route.ratio),
        "draw": str(route.draw),
        "rules_version": route.rules_version,
        "fired": list(route.fired),
    }


class Routing:
    """The ``Router`` of the chain."""

    def __init__(
        self,
        *,
        policy: PolicySource,
        standing: StandingLookup,
        consignments: ConsignmentLookup,
        store: RouteStore,
        audit: AuditRecorder,
    ) -> None:
        self.policy = policy
        self.standing = standing
        self.consignments = consignments
        self.store = store
        self.audit = audit

    def on_submitted(
        self, consignment: Consignment, declaration: Declaration, *, ctx: Context
    ) -> Route | None:
        # the automatic review is the system's, at the submission's instant: the route, the
        # documents assessment, their timeline entries and audit entries say so
        ctx = Context(acting_as(SYSTEM), ctx.now)
        policy = self.policy.policy()
        rules = policy.routing
        with self.audit.atomic():  # the caller's unit: the submission, the route, the moves
            earlier = self.store.routes(consignment.id)
            products = list(dict.fromkeys(line.product for line in declaration.lines))
            owed = [
                number
                for number in self.store.owed(
                    consignment.enterprise, declaration.destination, products
                )
                if number != consignment.number
            ]
            key = self.store.sampling_key(now=ctx.now)
            runs = self.consignments.backing_runs(declaration.runs)
            inputs = gather(
                number=consignment.number,
                enterprise=consignment.enterprise,
                declaration=declaration,
                rules=rules,
                classes=policy.classification.scheme.classes or ("?",),
                standing=self.standing.standing(consignment.enterprise),
                products=policy.products,
                requirements=policy.destinations,
                runs=runs,
                bases={number: self.standing.base(number) for number in declaration.bases},
                draw=sampling_draw(key, consignment.number, rules.version),
                inspected_before=any(r.outcome is RouteOutcome.INSPECT for r in earlier),
                owed=owed,
            )
            decided = route(consignment.id, consignment.version, inputs, now=ctx.now)
            self.store.add_route(decided)
            moved = self.consignments.move(
                consignment.id,
                ConsignmentState.SUBMITTED,
                ConsignmentState.ROUTED,
                step=Step.ROUTED,
                at=ctx.now,
                actor=ctx.actor,
                detail=say(
                    Code.ROUTE_TIMELINE,
                    outcome=Word(decided.outcome.value),
                    mode=Word(decided.mode.value),
                ).to_json(),
            )
            if not moved:
                raise refused(Kind.CONFLICT, Code.ASSESS_RACE, consignment=consignment.number)
            self.audit.record(
                actor=ctx.actor,
                action="consignment.routed",
                object_type="consignment",
                object_id=str(consignment.id),
                before={"state": ConsignmentState.SUBMITTED.value},
                after={"state": ConsignmentState.ROUTED.value, **_route_json(decided)},
                now=ctx.now,
            )
            if decided.outcome is RouteOutcome.DOCUMENTS:
                self._assess_on_documents(consignment, declaration, runs, ctx=ctx)
        return decided

    def _assess_on_documents(
        self,
        consignment: Consignment,
        declaration: Declaration,
        runs: dict[int, Any],
        *,
        ctx: Context,
    ) -> None:
        signed = sorted(r.run_id for r in runs.values() if r.signed_off and r.verdict == "PASS")
        bases = [
            number
            for number in declaration.bases
            if (base := self.standing.base(number)) is not None and base.status is BaseStatus.VALID
        ]
        evidence: dict[str, Any] = {"runs": signed, "bases": bases}
        reason = say(Code.ASSESSED_ON_DOCUMENTS, runs=len(signed), bases=len(bases))
        assessment = Assessment(
            consignment_id=consignment.id,
            version=consignment.version,
            kind=AssessmentKind.DOCUMENTS,
            conformity=Conformity.CONFORMING,
            disposal=None,
            inspected="",
            samples=(),
            lab_results="",
            findings="",
            interceptions=(),
            comment="",
            evidence=evidence,
            by=ctx.actor,
            office="",
            at=ctx.now,
            reason=reason,
        )
        self.store.add_assessment(assessment, consignment=consignment)
        moved = self.consignments.move(
            consignment.id,
            ConsignmentState.ROUTED,
            ConsignmentState.ASSESSED,
            step=Step.ASSESSED,
            at=ctx.now,
            actor=ctx.actor,
            detail=reason.to_json(),
        )
        if not moved:
            raise refused(Kind.CONFLICT, Code.ASSESS_RACE, consignment=consignment.number)
        self.audit.record(
            actor=ctx.actor,
            action="consignment.assessed",
            object_type="consignment",
            object_id=str(consignment.id),
            before={"state": ConsignmentState.ROUTED.value},
            after={
                "state": ConsignmentState.ASSESSED.value,
                "kind": AssessmentKind.DOCUMENTS.value,
                "conformity": Conformity.CONFORMING.value,
                "evidence": evidence,
            },
            now=ctx.now,
        )


def redraw(store: RouteStore, number: str, *, now: int) -> list[Redraw]:
    """Each recorded route of consignment ``number`` recomputed from its recorded inputs: the
    draw from the sampling key, the number and the rules version; the outcome from the inputs
    with that draw. ``now`` only in case the key does not exist yet (then nothing was routed)."""
    consignment_id = store.consignment_id(number)
    if consignment_id is None:
        raise refused(Kind.NOT_FOUND, Code.ROUTE_NO_NUMBER, number=number)
    routes = store.routes(consignment_id)
    if not routes:
        raise refused(Kind.NOT_FOUND, Code.ROUTE_NONE, consignment=number)
    key = store.sampling_key(now=now)
    out = []
    for recorded in routes:
        draw = sampling_draw(key, number, recorded.rules_version)
        decided = decide({**recorded.inputs, "draw": str(draw)})
        matches = draw == recorded.draw and decided.outcome is recorded.outcome
        if matches:
            message = say(
                Code.ROUTE_REDRAW_MATCHES,
                number=number,
                version=recorded.version,
                draw=str(draw),
                outcome=Word(recorded.outcome.value),
            )
        else:
            message = say(
                Code.ROUTE_REDRAW_DIFFERS,
                number=number,
                version=recorded.version,
                recorded=str(recorded.draw),
                outcome=Word(recorded.outcome.value),
                draw=str(draw),
                recomputed=Word(decided.outcome.value),
            )
        out.append(Redraw(recorded, str(draw), decided.outcome, matches, message))
    return out
