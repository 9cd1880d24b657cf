"""Step 3 as use cases: an inspector records an inspection and its decision, returns a
declaration for correction, or rejects it; the inspector's queue and the interception records.

Only an inspector (``CONSIGNMENTS_ASSESS``) of an office covering the enterprise may act; anyone
else, or a consignment out of reach, gets the same 404 as one that does not exist. Each decision
and its audit entry are one unit; the consignment moves by compare-and-set, so that two
inspectors cannot both decide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from phytowatch.domain.accounts import Action, Principal, Role
from phytowatch.domain.messages import Code, Kind, Message, Refused, Word, refused, say
from phytowatch.domain.supervision.assessment import (
    MAX_NAME,
    MAX_TEXT,
    Assessment,
    AssessmentKind,
    Conformity,
    Disposal,
    Interception,
    Sample,
    check,
)
from phytowatch.domain.supervision.consignment import Consignment, ConsignmentState, Step
from phytowatch.domain.supervision.policy import RouteOutcome
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.paging import Found
from phytowatch.services.supervision.ports import ConsignmentLookup, RecordCounter
from phytowatch.services.supervision.routing import RouteStore


@dataclass(frozen=True)
class Waiting:
    """A consignment in the inspector's queue."""

    consignment_id: int
    number: str
    enterprise: str
    city: str
    destination: str
    version: int
    routed_at: int  # µs
    mode: str
    fired: tuple[str, ...]
    reasons: tuple[Message, ...]


@dataclass(frozen=True)
class QueueFilter:
    """The inspector's queue narrowed; an empty field does not narrow."""

    enterprise: str = ""  # the enterprise's code
    city: str = ""
    destination: str = ""  # the country code
    mode: str = ""  # a SupervisionMode value
    rule: str = ""  # a hard rule (routing.HARD_RULES) that fired


@dataclass(frozen=True)
class InterceptionFilter:
    pest: str = ""
    enterprise: str = ""
    product: str = ""
    start: int | None = None  # µs, inclusive
    end: int | None = None  # µs, exclusive
    text: str = ""  # anywhere: pest, enterprise, product, consignment number, batches


@dataclass(frozen=True)
class InterceptionRecord:
    consignment_id: int
    number: str
    enterprise: str
    city: str
    destination: str
    products: tuple[str, ...]
    pest: str
    life_stage: str
    count: int
    batches: str
    at: int
    by: str


class AssessmentStore(RouteStore, Protocol):
    def assessment_of(self, consignment_id: int) -> Assessment | None: ...

    def queue(
        self,
        cities: Sequence[str] | None,
        enterprises: Sequence[str] | None,
        wanted: QueueFilter | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Waiting]:
        """Consignments routed to inspect and still ROUTED, oldest route first, within the
        cities or enterprises named (``None``: everywhere), narrowed by ``wanted``; ``limit``
        of them from ``offset`` (``None``: all)."""
        ...

    def waiting(
        self,
        cities: Sequence[str] | None,
        enterprises: Sequence[str] | None,
        wanted: QueueFilter | None = None,
    ) -> int:
        """How many the queue holds, narrowed by ``wanted`` (counted by the database)."""
        ...

    def interceptions(
        self,
        wanted: InterceptionFilter,
        reach: tuple[Sequence[str], Sequence[str]] | None,
        *,
        offset: int,
        limit: int,
    ) -> Found[InterceptionRecord]:
        """Newest first; ``reach``: the (cities, enterprise codes) the caller covers, ``None``
        for everywhere."""
        ...


class Assessments(AssessmentStore, RecordCounter, Protocol):
    """The App's store of routes and assessments, which also counts interceptions for the
    classification rules and says whose a consignment is (the routes' tenant check)."""

    def owner_of(self, consignment_id: int) -> tuple[str, str] | None:
        """The consignment's enterprise code and city."""
        ...


@dataclass(frozen=True)
class InspectionForm:
    """What the inspector sends, as parsed by the adapter (web form, JSON)."""

    inspected: str
    samples: tuple[Sample, ...]
    lab_results: str
    findings: str
    interceptions: tuple[Interception, ...]
    conformity: str
    disposal: str
    comment: str


class FieldsRefused(Refused):
    """Several fields refused at once: each named with its message (the form shows them)."""

    def __init__(self, wrong: list[tuple[str, Message]]) -> None:
        super().__init__(Kind.INVALID, wrong[0][1])
        self.wrong = wrong


def _inspector(principal: Principal) -> None:
    if not principal.may(Action.CONSIGNMENTS_ASSESS) or principal.role is not Role.INSPECTOR:
        raise refused(Kind.FORBIDDEN, Code.ASSESS_INSPECTOR_ONLY)


def visible(
    consignments: ConsignmentLookup,
    principal: Principal,
    consignment_id: int,
    *,
    also: Callable[[Principal, int], bool] | None = None,
) -> Consignment:
    """The consignment if it exists and the caller may see it; the same 404 otherwise.
    ``also``: a reach beside the caller's jurisdiction (``Port.reaches``)."""
    found = consignments.consignment(consignment_id)
    if found is None or not (
        principal.covers(found.enterprise, found.city)
        or (also is not None and also(principal, consignment_id))
    ):
        raise refused(Kind.NOT_FOUND, Code.NO_CONSIGNMENT, consignment=consignment_id)
    return found


def parse_form(form: InspectionForm) -> tuple[Conformity, Disposal | None]:
    """The decision and disposal; every wrong field named (``FieldsRefused``)."""
    wrong: list[tuple[str, Message]] = []
    conformity: Conformity | None = None
    disposal: Disposal | None = None
    try:
        conformity = Conformity(form.conformity)
    except ValueError:
        choices = ", ".join(c.value for c in Conformity)
        wrong.append(("conformity", say(Code.FIELD_CHOICE, field="conformity", choices=choices)))
    if form.disposal:
        try:
            disposal = Disposal(form.disposal)
        except ValueError:
            choices = ", ".join(d.value for d in Disposal)
            wrong.append(("disposal", say(Code.FIELD_CHOICE, field="disposal", choices=choices)))
    for name, value in (
        ("inspected", form.inspected),
        ("lab_results", form.lab_results),
        ("findings", form.findings),
        ("comment", form.comment),
    ):
        if len(value) > MAX_TEXT:
            wrong.append((name, say(Code.FIELD_AT_MOST, field=name, max=MAX_TEXT)))
    if not form.inspected.strip():
        wrong.append(("inspected", say(Code.FIELD_REQUIRED, field="inspected")))
    for i, sample in enumerate(form.samples):
        for name, value in (("sample_id", sample.sample_id), ("kind", sample.kind)):
            if not value.strip() or len(value) > MAX_NAME:
                field = f"samples[{i}].{name}"
                wrong.append((field, say(Code.FIELD_TEXT, field=field, max=MAX_NAME)))
    for i, found in enumerate(form.interceptions):
        if not found.pest.strip() or len(found.pest) > MAX_NAME:
            field = f"interceptions[{i}].pest"
            wrong.append((field, say(Code.FIELD_TEXT, field=field, max=MAX_NAME)))
        if found.count < 1:
            field = f"interceptions[{i}].count"
            wrong.append((field, say(Code.FIELD_RANGE, field=field, min=1, max=10**9)))
    if conformity is not None and not wrong:
        wrong.extend(
            check(
                conformity=conformity,
                disposal=disposal,
                interceptions=form.interceptions,
                comment=form.comment,
            )
        )
    if wrong:
        raise FieldsRefused(wrong)
    assert conformity is not None
    return conformity, disposal


def _movable(consignment: Consignment, allowed: set[ConsignmentState], action: str) -> None:
    if consignment.state not in allowed:
        raise refused(
            Kind.CONFLICT,
            Code.ASSESS_STATE,
            consignment=consignment.number,
            state=Word(consignment.state.value),
            action=Word(action),
        )


def record_inspection(
    consignments: ConsignmentLookup,
    store: AssessmentStore,
    audit: AuditRecorder,
    consignment_id: int,
    form: InspectionForm,
    *,
    ctx: Context,
) -> Assessment:
    """The inspection's record and decision: ROUTED -> ASSESSED."""
    principal = ctx.principal
    _inspector(principal)
    consignment = visible(consignments, principal, consignment_id)
    _movable(consignment, {ConsignmentState.ROUTED}, "assessed")
    routes = store.routes(consignment_id)
    if not routes or routes[-1].outcome is not RouteOutcome.INSPECT:
        raise refused(Kind.CONFLICT, Code.ASSESS_NOT_INSPECT, consignment=consignment.number)
    conformity, disposal = parse_form(form)
    assessment = Assessment(
        consignment_id=consignment.id,
        version=consignment.version,
        kind=AssessmentKind.INSPECTION,
        conformity=conformity,
        disposal=disposal,
        inspected=form.inspected.strip(),
        samples=form.samples,
        lab_results=form.lab_results.strip(),
        findings=form.findings.strip(),
        interceptions=form.interceptions,
        comment=form.comment.strip(),
        evidence={},
        by=ctx.actor,
        office=principal.office or "",
        at=ctx.now,
    )
    with audit.atomic():
        moved = consignments.move(
            consignment.id,
            ConsignmentState.ROUTED,
            ConsignmentState.ASSESSED,
            step=Step.ASSESSED,
            at=ctx.now,
            actor=ctx.actor,
            detail=(
                say(Code.ASSESSED_INSPECTION, conformity=Word(conformity.value))
                if disposal is None
                else say(
                    Code.ASSESSED_INSPECTION_DISPOSAL,
                    conformity=Word(conformity.value),
                    disposal=Word(disposal.value),
                )
            ).to_json(),
        )
        if not moved:
            raise refused(Kind.CONFLICT, Code.ASSESS_RACE, consignment=consignment.number)
        store.add_assessment(assessment, consignment=consignment)
        audit.record(
            actor=ctx.actor,
            action="consignment.assessed",
            object_type="consignment",
            object_id=str(consignment.id),
            before={"state": ConsignmentState.ROUTED.value},
            after={
                "state": ConsignmentState.ASSESSED.value,
                "kind": AssessmentKind.INSPECTION.value,
                "conformity": conformity.value,
                "disposal": None if disposal is None else disposal.value,
                "interceptions": len(form.interceptions),
                "samples": len(form.samples),
                "office": assessment.office,
            },
            now=ctx.now,
        )
    return assessment


def _stop(
    consignments: ConsignmentLookup,
    audit: AuditRecorder,
    consignment_id: int,
    *,
    ctx: Context,
    reason: str,
    to: ConsignmentState,
    step: Step,
    allowed: set[ConsignmentState],
    action: str,
) -> Consignment:
    principal = ctx.principal
    _inspector(principal)
    consignment = visible(consignments, principal, consignment_id)
    _movable(consignment, allowed, step.value)
    text = reason.strip()
    if not text or len(text) > MAX_TEXT:
        raise refused(Kind.INVALID, Code.FIELD_TEXT, field="reason", max=MAX_TEXT)
    with audit.atomic():
        moved = consignments.move(
            consignment.id,
            consignment.state,
            to,
            step=step,
            at=ctx.now,
            actor=ctx.actor,
            detail={"code": Code.TEXT.value, "params": {"text": text}},
        )
        if not moved:
            raise refused(Kind.CONFLICT, Code.ASSESS_RACE, consignment=consignment.number)
        audit.record(
            actor=ctx.actor,
            action=action,
            object_type="consignment",
            object_id=str(consignment.id),
            before={"state": consignment.state.value},
            after={"state": to.value, "reason": text, "office": principal.office or ""},
            now=ctx.now,
        )
    return consignment


def return_for_correction(
    consignments: ConsignmentLookup,
    audit: AuditRecorder,
    consignment_id: int,
    *,
    ctx: Context,
    reason: str,
) -> Consignment:
    """SUBMITTED or ROUTED -> RETURNED, with the reason the declarant reads."""
    return _stop(
        consignments,
        audit,
        consignment_id,
        ctx=ctx,
        reason=reason,
        to=ConsignmentState.RETURNED,
        step=Step.RETURNED,
        allowed={ConsignmentState.SUBMITTED, ConsignmentState.ROUTED},
        action="consignment.returned",
    )


def reject(
    consignments: ConsignmentLookup,
    audit: AuditRecorder,
    consignment_id: int,
    *,
    ctx: Context,
    reason: str,
) -> Consignment:
    """SUBMITTED, ROUTED or RETURNED -> REJECTED, with the reason."""
    return _stop(
        consignments,
        audit,
        consignment_id,
        ctx=ctx,
        reason=reason,
        to=ConsignmentState.REJECTED,
        step=Step.REJECTED,
        allowed={ConsignmentState.SUBMITTED, ConsignmentState.ROUTED, ConsignmentState.RETURNED},
        action="consignment.rejected",
    )


def reach(principal: Principal) -> tuple[list[str], list[str]] | None:
    """The (cities, enterprise codes) the caller sees; ``None``: everywhere."""
    if principal.sees_everything:
        return None
    if principal.role is not None and principal.role.is_enterprise:
        return [], [principal.enterprise or ""]
    where = principal.jurisdiction
    if where is None or not (principal.role is not None and principal.role.is_bureau):
        return [], []
    if where.everywhere:
        return None
    return sorted(where.cities), sorted(where.enterprises)


def queue(store: AssessmentStore, principal: Principal) -> list[Waiting]:
    """The inspector's queue: what the caller's office covers (everything for an
    administrator), oldest first."""
    seen = reach(principal)
    return store.queue(None, None) if seen is None else store.queue(*seen)


def find_waiting(
    store: AssessmentStore,
    principal: Principal,
    wanted: QueueFilter,
    *,
    offset: int,
    limit: int | None,
) -> Found[Waiting]:
    """A page of the caller's queue, narrowed by ``wanted``, oldest first, and how many match
    (``limit`` None: every one from ``offset``)."""
    cities, codes = reach(principal) or (None, None)
    total = store.waiting(cities, codes, wanted)
    items = store.queue(cities, codes, wanted, offset=offset, limit=limit)
    return Found(items, total, offset, total if limit is None else limit)


def waiting_count(store: AssessmentStore, principal: Principal) -> int:
    """How many consignments the caller's queue holds (the nav's count)."""
    seen = reach(principal)
    return store.waiting(None, None) if seen is None else store.waiting(*seen)


def find_interceptions(
    store: AssessmentStore,
    principal: Principal,
    wanted: InterceptionFilter,
    *,
    offset: int,
    limit: int,
) -> Found[InterceptionRecord]:
    """The interception records the caller may see, newest first."""
    return store.interceptions(wanted, reach(principal), offset=offset, limit=limit)


def route_of(
    consignments: ConsignmentLookup,
    store: RouteStore,
    principal: Principal,
    consignment_id: int,
    *,
    also: Callable[[Principal, int], bool] | None = None,
) -> list[Any]:
    """The consignment's routes, oldest first, if the caller may see it."""
    visible(consignments, principal, consignment_id, also=also)
    return store.routes(consignment_id)


def route_view(
    consignments: ConsignmentLookup,
    store: AssessmentStore,
    principal: Principal,
    consignment_id: int,
    *,
    also: Callable[[Principal, int], bool] | None = None,
) -> dict[str, Any]:
    """What a consignment's page shows of steps 2 and 3, for a caller who may see it: ``routes``
    (oldest first), ``route`` (the newest, or None), ``assessment`` (or None)."""
    routes = route_of(consignments, store, principal, consignment_id, also=also)
    return {
        "routes": routes,
        "route": routes[-1] if routes else None,
        "assessment": store.assessment_of(consignment_id),
    }
