"""An inspector's sign-off of a finished run: when it may be given, and what it backs.

Rules (docs/accounts.md, "Sign-off"): only a closed PASS run is signed off or rejected; a run
whose judgement has findings, needs review, or carries calibration notes needs a written comment;
a rejection always says why; one decision per run, final. Only a signed-off PASS run can back a
certificate or an IPPC mark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from phytowatch.domain.messages import Code, Message, Word, say
from phytowatch.domain.text import LINES_AND_TABS, plain_text

MIN_COMMENT = 10  # "ok" is not a written comment
MAX_COMMENT = 10_000  # a long review is allowed; an unbounded one is not


class Decision(StrEnum):
    SIGNED_OFF = "signed_off"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SignOff:
    run_id: int
    decision: Decision
    comment: str
    by: str  # login
    office: str  # office code
    at: int


def needs_comment(judgement: Mapping[str, Any] | None, calibration_notes: Sequence[object]) -> bool:
    """A run with anything an inspector must look at: findings, review, raw-judged probes."""
    if judgement is None:
        return True
    return bool(
        judgement.get("review_required") or judgement.get("findings") or list(calibration_notes)
    )


def written_length(text: str) -> int:
    """The characters a reader sees: spaces and invisible (format, control) ones do not count."""
    return sum(1 for c in text if c.isprintable() and not c.isspace())


def refusal(
    *,
    run_id: int,
    closed: bool,
    verdict: str | None,
    judgement: Mapping[str, Any] | None,
    calibration_notes: Sequence[object],
    decision: Decision,
    comment: str,
    existing: SignOff | None,
) -> Message | None:
    """Why this decision cannot be recorded on this run, or None when it can."""
    if existing is not None:
        final = (
            Code.SIGNOFF_FINAL_SIGNED
            if existing.decision is Decision.SIGNED_OFF
            else Code.SIGNOFF_FINAL_REJECTED
        )
        return say(final, run=run_id, by=existing.by)
    if not closed:
        return say(Code.SIGNOFF_RUN_OPEN, run=run_id)
    if verdict != "PASS":
        return say(Code.SIGNOFF_NOT_PASS, run=run_id, verdict=Word(verdict or "without a verdict"))
    text = comment.strip()
    if len(text) > MAX_COMMENT:
        return say(Code.SIGNOFF_COMMENT_TOO_LONG, max=MAX_COMMENT)
    if not plain_text(text, breaks=LINES_AND_TABS):
        return say(Code.SIGNOFF_COMMENT_CONTROL)
    written = written_length(text)
    if decision is Decision.REJECTED and written < MIN_COMMENT:
        return say(Code.SIGNOFF_REJECTION_NEEDS_COMMENT, min=MIN_COMMENT)
    if needs_comment(judgement, calibration_notes) and written < MIN_COMMENT:
        return say(Code.SIGNOFF_NEEDS_COMMENT, run=run_id, min=MIN_COMMENT)
    return None


def backs_certificate(
    *, closed: bool, verdict: str | None, signoff: SignOff | None
) -> tuple[bool, Message]:
    """Whether the run can back a certificate or an IPPC mark, and why (for a person)."""
    if not closed:
        return False, say(Code.BACKING_OPEN)
    if verdict != "PASS":
        return False, say(Code.BACKING_NOT_PASS, verdict=Word(verdict or "none"))
    if signoff is None:
        return False, say(Code.BACKING_NOT_SIGNED)
    if signoff.decision is not Decision.SIGNED_OFF:
        return False, say(Code.BACKING_REJECTED, by=signoff.by)
    return True, say(Code.BACKING_OK, by=signoff.by, office=signoff.office)
