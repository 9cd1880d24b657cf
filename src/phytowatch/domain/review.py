"""A run's review state: where it stands between its verdict and an inspector's decision.

Shown beside the verdict everywhere a run appears (wall tile, runs list, run page, printed record,
API), so that a rejected run or a pass with findings never looks like a clean pass. The state is
derived, never stored: from whether the run is closed, its verdict, whether its judgement asks for
a look (findings, review required, calibration notes: :func:`signoff.needs_comment`) and the
inspector's decision, if any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from phytowatch.domain.signoff import Decision, SignOff, needs_comment


class ReviewState(StrEnum):
    RUNNING = "running"  # open: no review yet
    NOT_SIGNABLE = "not_signable"  # closed without a PASS: nothing to sign off, it failed
    FINDINGS_TO_REVIEW = "findings_to_review"  # a PASS whose judgement asks for a look
    AWAITING_SIGNOFF = "awaiting_signoff"  # a clean PASS waiting for an inspector
    SIGNED_OFF = "signed_off"  # an inspector signed it off: it can back a certificate
    REJECTED = "rejected"  # an inspector rejected it: it backs nothing


# the states an inspector's queue holds, in the order it shows them (findings first)
AWAITING = (ReviewState.FINDINGS_TO_REVIEW, ReviewState.AWAITING_SIGNOFF)


def review_state(
    *,
    closed: bool,
    verdict: str | None,
    judgement: Mapping[str, Any] | None,
    calibration_notes: Sequence[object],
    signoff: SignOff | None,
) -> ReviewState:
    """The run's review state (see the module's docstring)."""
    if signoff is not None:
        if signoff.decision is Decision.SIGNED_OFF:
            return ReviewState.SIGNED_OFF
        return ReviewState.REJECTED
    if not closed:
        return ReviewState.RUNNING
    if verdict != "PASS":
        return ReviewState.NOT_SIGNABLE
    if needs_comment(judgement, calibration_notes):
        return ReviewState.FINDINGS_TO_REVIEW
    return ReviewState.AWAITING_SIGNOFF


def looks_clean(state: ReviewState, verdict: str | None) -> bool:
    """Whether a run may be shown as a plain pass: a PASS that is signed off and nothing else."""
    return verdict == "PASS" and state is ReviewState.SIGNED_OFF
