"""The API's JSON for the values it shows: one function per value, shared by the routers, the
event stream and the pages, so a value looks the same wherever it is sent."""

from __future__ import annotations

from typing import Any

from phytowatch.domain.accounts import ROLE_TITLES, Principal
from phytowatch.domain.alarms import Alarm
from phytowatch.domain.instants import format_instant, seconds
from phytowatch.domain.judgement.verdict import HoldProgress
from phytowatch.domain.messages import message_json
from phytowatch.domain.signoff import SignOff
from phytowatch.services.notify import alarm_payload
from phytowatch.services.runs import RunEvent, RunRecord, RunReview, evaluate_command


def when(instant: int | None) -> str | None:
    return None if instant is None else format_instant(instant)


def alarm_json(alarm: Alarm) -> dict[str, Any]:
    """The same JSON as the notifications' payload."""
    return alarm_payload(alarm)


def hold_json(hold: HoldProgress) -> dict[str, Any]:
    """A running hold: its step, progress and earliest end."""
    return {
        "criterion": hold.criterion,
        "step": hold.step,
        "threshold": hold.threshold,
        "hold_start": when(hold.hold_start),
        "elapsed_s": seconds(hold.elapsed),
        "duration_s": seconds(hold.duration),
        "earliest_end": when(hold.earliest_end),
    }


def run_json(record: RunRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "facility": record.facility_code,
        "schedule": {"id": record.schedule_id, "version": record.schedule_version},
        "params": record.params,
        "offsets": record.offsets,
        "calibration_notes": [note.english() for note in record.calibration_notes],
        "calibration_note_codes": [message_json(note) for note in record.calibration_notes],
        "load": record.load,
        "note": record.note,
        "started_at": when(record.started_at),
        "closed_at": when(record.closed_at),
        "close_reason": record.close_reason,
        "verdict": record.verdict,
        "judgement": record.judgement,
        "evaluate": evaluate_command(record),
    }


def run_event_json(event: RunEvent) -> dict[str, Any]:
    return {
        "run": event.run_id,
        "facility": event.facility,
        "kind": event.kind,
        "at": format_instant(event.at),
        "phase": event.phase,
        "previous": event.previous,
        "detail": event.detail,
    }


def signoff_json(found: SignOff | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "decision": found.decision.value,
        "comment": found.comment,
        "by": found.by,
        "office": found.office,
        "at": format_instant(found.at),
    }


def review_json(review: RunReview) -> dict[str, Any]:
    """A run's review state (``services.runs.run_review``): ``looks_clean`` is true only for a
    signed-off PASS; the decision's signer by login and name, office by code and name, and
    time (null before a decision)."""
    return {
        "state": review.state.value,
        "looks_clean": review.clean,
        "decision": None if review.signoff is None else review.signoff.decision.value,
        "by": review.signer_login,
        "by_name": review.signer_name,
        "office": review.office_code,
        "office_name": review.office_name,
        "at": when(review.signed_at),
    }


def principal_json(principal: Principal) -> dict[str, Any]:
    role = principal.role
    body: dict[str, Any] = {
        "kind": principal.kind,
        "login": principal.login,
        "role": role.value if role else None,
        "role_title": {"en": ROLE_TITLES[role][0], "zh": ROLE_TITLES[role][1]} if role else None,
        "enterprise": principal.enterprise,
        "office": principal.office,
        "actions": sorted(a.value for a in principal.actions),
        "via_token": principal.via_token,
        # an administrator set the password: every route but the change answers 403 until then
        "must_change_password": principal.must_change_password,
    }
    if principal.jurisdiction is not None:
        body["jurisdiction"] = {
            "cities": sorted(principal.jurisdiction.cities),
            "enterprises": sorted(principal.jurisdiction.enterprises),
            "everywhere": principal.jurisdiction.everywhere,
        }
    return body
