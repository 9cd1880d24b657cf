"""Sign-off of a finished run by an inspector of an office whose jurisdiction covers it.

The rules are ``domain.signoff``'s; this module checks who asks, stores the decision once, and
records it in the audit trail. ``run_backs_certificate`` is what certificates and IPPC marks will
ask before they are issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Action, Principal, Role
from phytowatch.domain.messages import Code, Kind, Message, Refused, refused, say
from phytowatch.domain.signoff import Decision, SignOff, backs_certificate, refusal
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.runs import RunRecord


class SignOffStore(Protocol):
    def add_signoff(self, signoff: SignOff, user_id: int) -> bool: ...

    def signoff_of(self, run_id: int) -> SignOff | None: ...

    def facility_owner(self, code: str) -> tuple[str, str] | None: ...


class RunLookup(Protocol):
    def run(self, run_id: int) -> RunRecord | None: ...


@dataclass(frozen=True)
class CertificateBacking:
    run_id: int
    ok: bool
    reason: Message


def visible_run(
    runs: RunLookup, store: SignOffStore, principal: Principal, run_id: int
) -> RunRecord:
    """The run if it exists and the caller may see its facility; 404 alike otherwise."""
    record = runs.run(run_id)
    owner = None if record is None else store.facility_owner(record.facility_code)
    if record is None or owner is None or not principal.covers(*owner):
        raise refused(Kind.NOT_FOUND, Code.NO_RUN, run=run_id)
    return record


def sign_off(
    runs: RunLookup,
    store: SignOffStore,
    audit: AuditRecorder,
    run_id: int,
    *,
    ctx: Context,
    decision: str,
    comment: str,
) -> SignOff:
    """Record the inspector's decision (``signed_off`` or ``rejected``) on the run, once."""
    principal, now = ctx.principal, ctx.now
    if not principal.may(Action.SIGNOFF_WRITE) or principal.role is not Role.INSPECTOR:
        raise refused(Kind.FORBIDDEN, Code.SIGNOFF_INSPECTOR_ONLY)
    assert principal.user_id is not None and principal.login is not None
    record = visible_run(runs, store, principal, run_id)
    try:
        chosen = Decision(decision)
    except ValueError:
        raise refused(Kind.INVALID, Code.SIGNOFF_DECISION) from None
    existing = store.signoff_of(run_id)
    why = refusal(
        run_id=run_id,
        closed=record.closed_at is not None,
        verdict=record.verdict,
        judgement=record.judgement,
        calibration_notes=record.calibration_notes,
        decision=chosen,
        comment=comment,
        existing=existing,
    )
    if why is not None:
        # the run's state refuses it (409), or what was sent is not enough (422)
        state_ok = existing is None and record.closed_at is not None and record.verdict == "PASS"
        raise Refused(Kind.INVALID if state_ok else Kind.CONFLICT, why)
    signoff = SignOff(run_id, chosen, comment.strip(), principal.login, principal.office or "", now)
    with audit.atomic():  # the decision and its entry: both, or neither
        if not store.add_signoff(signoff, principal.user_id):
            raise refused(Kind.CONFLICT, Code.SIGNOFF_RACE, run=run_id)
        audit.record(
            actor=principal.actor,
            action=f"run.{chosen.value}",
            object_type="run",
            object_id=str(run_id),
            before={"verdict": record.verdict, "signoff": None},
            after={
                "decision": chosen.value,
                "comment": signoff.comment,
                "office": signoff.office,
                "facility": record.facility_code,
            },
            now=now,
        )
    return signoff


def run_backs_certificate(runs: RunLookup, store: SignOffStore, run_id: int) -> CertificateBacking:
    """Whether a certificate or an IPPC mark may rest on this run: signed-off PASS runs only."""
    record = runs.run(run_id)
    if record is None:
        return CertificateBacking(run_id, False, say(Code.NO_RUN, run=run_id))
    ok, reason = backs_certificate(
        closed=record.closed_at is not None,
        verdict=record.verdict,
        signoff=store.signoff_of(run_id),
    )
    return CertificateBacking(run_id, ok, reason)
