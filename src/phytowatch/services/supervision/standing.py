"""Classification management (分类管理): an enterprise's class under the scheme in force, its
e-supervision and key-list flags, and the up- and downgrades the rules propose from its record.

Who may: setting a standing, and confirming or dismissing a proposal, is an administrator's
(``classification:write``); computing the proposals too. Each change is a new standing row
(the history is append-only) and its audit entry, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Action, Jurisdiction, Principal
from phytowatch.domain.messages import Code, Kind, Word, refused
from phytowatch.domain.supervision.classification import (
    Proposal,
    ProposalRecord,
    ProposalState,
    period_of,
    propose,
)
from phytowatch.domain.supervision.policy import Classification
from phytowatch.domain.supervision.registry import EnterpriseStanding
from phytowatch.domain.text import plain_text
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.paging import Found
from phytowatch.services.supervision.ports import PolicySource, RecordCounter

MAX_REASON = 2000


@dataclass(frozen=True)
class Place:
    """Where an enterprise is (who may see it): its code and city."""

    code: str
    city: str


@dataclass(frozen=True)
class StandingQuery:
    """Which standings the classification page lists: those within ``reach``, each other
    field narrowing it."""

    reach: Jurisdiction
    text: str = ""
    klass: str = ""
    e_supervised: bool | None = None
    key_list: bool | None = None


@dataclass(frozen=True)
class StandingRow:
    """One enterprise's line on the classification page."""

    enterprise: str
    name_zh: str
    name_en: str
    city: str
    standing: EnterpriseStanding


class Places(Protocol):
    def place(self, enterprise: str) -> Place | None: ...


class StandingStore(Places, Protocol):
    def standing(self, enterprise: str) -> EnterpriseStanding | None: ...

    def history(self, enterprise: str) -> list[EnterpriseStanding]: ...

    def add_standing(self, standing: EnterpriseStanding) -> None: ...

    def standings(self) -> list[EnterpriseStanding]:
        """The standing in force of every enterprise."""
        ...

    def find_standings(
        self, query: StandingQuery, *, offset: int, limit: int
    ) -> Found[StandingRow]: ...

    def proposal_exists(self, enterprise: str, rule: str, end: int) -> bool: ...

    def add_proposal(self, proposal: Proposal, *, at: int) -> int: ...

    def proposal(self, proposal_id: int) -> ProposalRecord | None: ...

    def decide(
        self, proposal_id: int, state: ProposalState, *, by: str, at: int, comment: str
    ) -> bool:
        """Compare-and-set from ``proposed``; ``False`` when it was decided already."""
        ...

    def find_proposals(
        self, state: ProposalState | None, *, offset: int, limit: int
    ) -> Found[ProposalRecord]: ...


@dataclass(frozen=True)
class Proposed:
    """What one ``propose`` found: the new proposals, and the measures no store counts (their
    rules proposed nothing)."""

    added: list[ProposalRecord]
    unknown_measures: list[str]


def _admin(principal: Principal) -> None:
    if not principal.may(Action.CLASSIFICATION_WRITE):
        raise refused(Kind.FORBIDDEN, Code.CLASSIFICATION_ADMIN_ONLY)


def _reason(text: str, *, field: str = "reason", required: bool = True) -> str:
    reason = text.strip()
    if required and not reason:
        raise refused(Kind.INVALID, Code.FIELD_REQUIRED, field=Word(field))
    if len(reason) > MAX_REASON or not plain_text(reason):
        raise refused(Kind.INVALID, Code.FIELD_AT_MOST, field=Word(field), max=MAX_REASON)
    return reason


def visible_place(store: Places, principal: Principal, enterprise: str) -> Place:
    """The enterprise if it exists and the caller may see it; 404 alike otherwise."""
    place = store.place(enterprise)
    if place is None or not principal.covers(place.code, place.city):
        raise refused(Kind.NOT_FOUND, Code.NO_ENTERPRISE, enterprise=enterprise)
    return place


def _json(standing: EnterpriseStanding | None) -> dict[str, object] | None:
    if standing is None:
        return None
    return {
        "scheme": standing.scheme,
        "class": standing.klass,
        "e_supervised": standing.e_supervised,
        "key_list": standing.key_list,
        "reason": standing.reason,
    }


def set_standing(
    store: StandingStore,
    policy: PolicySource,
    audit: AuditRecorder,
    enterprise: str,
    *,
    ctx: Context,
    klass: str | None = None,
    e_supervised: bool | None = None,
    key_list: bool | None = None,
    reason: str,
) -> EnterpriseStanding:
    """A new standing for ``enterprise``: what is not given stays as it is. The class must be
    one of the scheme in force."""
    _admin(ctx.principal)
    visible_place(store, ctx.principal, enterprise)
    why = _reason(reason)
    scheme = policy.policy().classification.scheme
    before = store.standing(enterprise)
    chosen = klass.strip() if klass is not None else (before.klass if before else "")
    if chosen not in scheme.classes:
        raise refused(
            Kind.INVALID,
            Code.CLASSIFICATION_CLASS,
            field=Word("class"),
            klass=chosen,
            scheme=scheme.code,
            classes=", ".join(scheme.classes),
        )
    after = EnterpriseStanding(
        enterprise=enterprise,
        scheme=scheme.code,
        klass=chosen,
        e_supervised=(
            e_supervised if e_supervised is not None else bool(before and before.e_supervised)
        ),
        key_list=key_list if key_list is not None else bool(before and before.key_list),
        since=ctx.now,
        by=ctx.actor,
        reason=why,
    )
    with audit.atomic():
        store.add_standing(after)
        audit.record(
            actor=ctx.actor,
            action="enterprise.standing_set",
            object_type="enterprise",
            object_id=enterprise,
            before=_json(before),
            after=_json(after),
            now=ctx.now,
        )
    return after


def count_of(
    counters: Sequence[RecordCounter], measure: str, enterprise: str, start: int, end: int
) -> int | None:
    """The first answer of the counters that count ``measure``; ``None`` when none does."""
    for counter in counters:
        found = counter.count(measure, enterprise, start, end)
        if found is not None:
            return found
    return None


def _record_json(record: ProposalRecord) -> dict[str, object]:
    p = record.proposal
    return {
        "enterprise": p.enterprise,
        "rule": p.rule,
        "measure": p.measure,
        "count": p.count,
        "from": p.from_class,
        "to": p.to_class,
        "period_start": p.period.start,
        "period_end": p.period.end,
        "state": record.state.value,
    }


def compute_proposals(
    store: StandingStore,
    policy: PolicySource,
    counters: Sequence[RecordCounter],
    audit: AuditRecorder,
    *,
    ctx: Context,
    end: int | None = None,
) -> Proposed:
    """For each enterprise, what the rules propose over their periods ending at ``end``'s day
    (today by default); a proposal already made for the same enterprise, rule and period (open
    or decided) is not made again."""
    _admin(ctx.principal)
    at = ctx.now if end is None else end
    classification: Classification = policy.policy().classification
    scheme = classification.scheme
    unknown: set[str] = set()
    found: list[Proposal] = []
    for standing in store.standings():
        if standing.klass not in scheme.classes:
            continue  # graded under another scheme: no rule of this one applies
        counts: dict[str, int | None] = {}
        for rule in classification.rules:
            period = period_of(rule, at)
            counts[rule.code] = count_of(
                counters, rule.measure, standing.enterprise, period.start, period.end
            )
            if counts[rule.code] is None:
                unknown.add(rule.measure)
        for proposal in propose(
            standing.enterprise, standing.klass, scheme, classification.rules, counts, end=at
        ):
            if not store.proposal_exists(proposal.enterprise, proposal.rule, proposal.period.end):
                found.append(proposal)
    added: list[ProposalRecord] = []
    with audit.atomic():
        for proposal in found:
            if store.proposal_exists(proposal.enterprise, proposal.rule, proposal.period.end):
                continue
            record = ProposalRecord(
                store.add_proposal(proposal, at=ctx.now), proposal, ProposalState.PROPOSED, ctx.now
            )
            added.append(record)
            audit.record(
                actor=ctx.actor,
                action="classification.proposed",
                object_type="classification_proposal",
                object_id=str(record.id),
                before=None,
                after=_record_json(record),
                now=ctx.now,
            )
    return Proposed(added, sorted(unknown))


def _open(store: StandingStore, proposal_id: int) -> ProposalRecord:
    record = store.proposal(proposal_id)
    if record is None:
        raise refused(Kind.NOT_FOUND, Code.NO_PROPOSAL, proposal=proposal_id)
    if record.state is not ProposalState.PROPOSED:
        raise refused(
            Kind.CONFLICT, Code.PROPOSAL_DECIDED, proposal=proposal_id, state=Word(record.state)
        )
    return record


def confirm(
    store: StandingStore,
    audit: AuditRecorder,
    proposal_id: int,
    *,
    ctx: Context,
    comment: str = "",
) -> EnterpriseStanding:
    """Apply the proposed class as a new standing row whose reason names the rule; refused
    when the enterprise's class changed since it was proposed."""
    _admin(ctx.principal)
    note = _reason(comment, field="comment", required=False)
    record = _open(store, proposal_id)
    p = record.proposal
    before = store.standing(p.enterprise)
    if before is None or before.klass != p.from_class:
        raise refused(
            Kind.CONFLICT,
            Code.PROPOSAL_STALE,
            proposal=proposal_id,
            enterprise=p.enterprise,
            klass=p.from_class,
            current=before.klass if before else "",
        )
    reason = f"{p.rule} #{proposal_id}" + (f": {note}" if note else "")
    after = EnterpriseStanding(
        p.enterprise, before.scheme, p.to_class, before.e_supervised, before.key_list,
        ctx.now, ctx.actor, reason,
    )  # fmt: skip
    with audit.atomic():
        if not store.decide(
            proposal_id, ProposalState.CONFIRMED, by=ctx.actor, at=ctx.now, comment=note
        ):
            raise refused(Kind.CONFLICT, Code.PROPOSAL_RACE, proposal=proposal_id)
        store.add_standing(after)
        audit.record(
            actor=ctx.actor,
            action="classification.confirmed",
            object_type="classification_proposal",
            object_id=str(proposal_id),
            before=_json(before),
            after={**(_json(after) or {}), "rule": p.rule, "comment": note},
            now=ctx.now,
        )
    return after


def dismiss(
    store: StandingStore, audit: AuditRecorder, proposal_id: int, *, ctx: Context, comment: str
) -> ProposalRecord:
    """Decide not to change the class; the comment says why (required)."""
    _admin(ctx.principal)
    note = _reason(comment, field="comment")
    record = _open(store, proposal_id)
    with audit.atomic():
        if not store.decide(
            proposal_id, ProposalState.DISMISSED, by=ctx.actor, at=ctx.now, comment=note
        ):
            raise refused(Kind.CONFLICT, Code.PROPOSAL_RACE, proposal=proposal_id)
        audit.record(
            actor=ctx.actor,
            action="classification.dismissed",
            object_type="classification_proposal",
            object_id=str(proposal_id),
            before={"state": record.state.value},
            after={"state": ProposalState.DISMISSED.value, "comment": note},
            now=ctx.now,
        )
    return ProposalRecord(
        record.id, record.proposal, ProposalState.DISMISSED, record.proposed_at,
        ctx.actor, ctx.now, note,
    )  # fmt: skip


def standing_history(
    store: StandingStore, enterprise: str, *, ctx: Context
) -> tuple[EnterpriseStanding | None, list[EnterpriseStanding]]:
    """The standing in force and the history (newest first) of an enterprise the caller sees."""
    visible_place(store, ctx.principal, enterprise)
    return store.standing(enterprise), store.history(enterprise)


def unknown_measures(policy: PolicySource, counters: Sequence[RecordCounter]) -> list[str]:
    """The measures of the rules in force that no counter counts (their rules propose
    nothing): a counter answers ``None`` for a measure it does not keep, whatever it is asked."""
    measures = {rule.measure for rule in policy.policy().classification.rules}
    return sorted(m for m in measures if count_of(counters, m, "", 0, 0) is None)
