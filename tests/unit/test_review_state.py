"""A run's review state (domain/review.py): derived from closed, verdict, judgement and decision."""

from __future__ import annotations

import pytest

from phytowatch.domain.review import AWAITING, ReviewState, looks_clean, review_state
from phytowatch.domain.signoff import Decision, SignOff
from phytowatch.i18n import words

CLEAN = {"review_required": False, "findings": []}
FINDINGS = {"review_required": False, "findings": [{"kind": "tamper"}]}


def _decided(decision: Decision) -> SignOff:
    return SignOff(run_id=1, decision=decision, comment="", by="li", office="SZ", at=0)


@pytest.mark.parametrize(
    ("closed", "verdict", "judgement", "notes", "signoff", "expected"),
    [
        (False, None, None, [], None, ReviewState.RUNNING),
        (True, "FAIL", CLEAN, [], None, ReviewState.NOT_SIGNABLE),
        (True, "INDETERMINATE", CLEAN, [], None, ReviewState.NOT_SIGNABLE),
        (True, "PASS", CLEAN, [], None, ReviewState.AWAITING_SIGNOFF),
        (True, "PASS", FINDINGS, [], None, ReviewState.FINDINGS_TO_REVIEW),
        (True, "PASS", {"review_required": True, "findings": []}, [], None,
         ReviewState.FINDINGS_TO_REVIEW),
        (True, "PASS", CLEAN, ["raw probe 2"], None, ReviewState.FINDINGS_TO_REVIEW),
        (True, "PASS", None, [], None, ReviewState.FINDINGS_TO_REVIEW),
        (True, "PASS", FINDINGS, [], _decided(Decision.SIGNED_OFF), ReviewState.SIGNED_OFF),
        (True, "PASS", CLEAN, [], _decided(Decision.REJECTED), ReviewState.REJECTED),
    ],
)  # fmt: skip
def test_the_state_follows_closed_verdict_findings_and_decision(
    closed: bool, verdict: str | None, judgement: dict[str, object] | None,
    notes: list[str], signoff: SignOff | None, expected: ReviewState,
) -> None:  # fmt: skip
    got = review_state(
        closed=closed, verdict=verdict, judgement=judgement, calibration_notes=notes,
        signoff=signoff,
    )  # fmt: skip
    assert got is expected


def test_only_a_signed_off_pass_looks_clean() -> None:
    assert looks_clean(ReviewState.SIGNED_OFF, "PASS")
    for state in ReviewState:
        if state is not ReviewState.SIGNED_OFF:
            assert not looks_clean(state, "PASS")
    assert not looks_clean(ReviewState.SIGNED_OFF, "FAIL")


def test_the_queue_shows_findings_first_and_every_state_is_a_marked_word() -> None:
    assert AWAITING[0] is ReviewState.FINDINGS_TO_REVIEW
    assert {s.value for s in ReviewState} <= set(words.REVIEW_STATES)
