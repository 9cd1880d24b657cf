"""An inspector's sign-off of a finished run: when it may be given, and what it backs.

Rules (docs/accounts.md, "Sign-off"): only a closed PASS run is signed off or rejected; a run
whose judgement has findings, needs review, or carries calibration notes needs a written comment;
a rejection always says why; one decision per run, final. Only a signed-off PASS run can back a
certificate or an IPPC mark.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

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


def needs_comment(judgement: Mapping[str, Any] | None, calibration_notes: Sequence[str]) -> bool:
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
    calibration_notes: Sequence[str],
    decision: Decision,
    comment: str,
    existing: SignOff | None,
) -> str | None:
    """Why this decision cannot be recorded on this run, or None when it can."""
    if existing is not None:
        return (
            f"run {run_id} was {existing.decision.value.replace('_', ' ')} already "
            f"by {existing.by}; a decision is final"
        )
    if not closed:
        return f"run {run_id} is still open: a run is signed off once it is closed"
    if verdict != "PASS":
        return f"run {run_id} is {verdict or 'without a verdict'}: only a PASS run is signed off"
    text = comment.strip()
    if len(text) > MAX_COMMENT:
        return f"comment: at most {MAX_COMMENT} characters"
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text):
        return "comment: control characters are not text (line breaks and tabs are fine)"
    written = written_length(text)
    if decision is Decision.REJECTED and written < MIN_COMMENT:
        return f"a rejection needs a written comment (at least {MIN_COMMENT} characters) saying why"
    if needs_comment(judgement, calibration_notes) and written < MIN_COMMENT:
        return (
            f"run {run_id} has findings or notes for review: a written comment "
            f"(at least {MIN_COMMENT} characters) is needed"
        )
    return None


def backs_certificate(
    *, closed: bool, verdict: str | None, signoff: SignOff | None
) -> tuple[bool, str]:
    """Whether the run can back a certificate or an IPPC mark, and why (for a person)."""
    if not closed:
        return False, "the run is still open"
    if verdict != "PASS":
        return False, f"the run's verdict is {verdict or 'none'}, not PASS"
    if signoff is None:
        return False, "the run is not signed off by an inspector yet"
    if signoff.decision is not Decision.SIGNED_OFF:
        return False, f"the run was rejected by {signoff.by}"
    return True, f"signed off by {signoff.by} ({signoff.office})"
