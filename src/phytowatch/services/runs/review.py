"""One run's review state as the run page, its printed record and the API show it.

The state itself is ``domain.review``'s (derived, never stored); this module adds what a reader
needs beside it: who decided, by name (the person's display name, not only the login), their
office by name, and when. ``run_review`` is the one way to it for a single run; ``run_reviews``
does the same for a list, looking each signer and office up once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Office
from phytowatch.domain.review import ReviewState, looks_clean, review_state
from phytowatch.domain.signoff import SignOff
from phytowatch.services.accounts.ports import UserRecord
from phytowatch.services.runs.ports import RunRecord


class ReviewSources(Protocol):
    """Where a review's facts are kept (the accounts' store keeps them all)."""

    def signoff_of(self, run_id: int) -> SignOff | None: ...

    def user_by_login(self, login: str) -> UserRecord | None: ...

    def office(self, code: str) -> Office | None: ...


@dataclass(frozen=True)
class RunReview:
    """A run's verdict and review state, and the decision's who, where and when if any."""

    run_id: int
    verdict: str | None
    state: ReviewState
    clean: bool  # ``looks_clean``: the only state shown as a plain pass
    signoff: SignOff | None  # the decision (its comment included), if one was taken
    signer_login: str | None
    signer_name: str | None  # the display name; the login when the person has none
    office_code: str | None
    office_name: str | None  # the office's name; its code when the office is gone
    signed_at: int | None


def _review(record: RunRecord, found: SignOff | None, sources: ReviewSources) -> RunReview:
    state = review_state(
        closed=record.closed_at is not None,
        verdict=record.verdict,
        judgement=record.judgement,
        calibration_notes=record.calibration_notes,
        signoff=found,
    )
    name = office_name = None
    if found is not None:
        person = sources.user_by_login(found.by)
        name = (person.name.strip() if person is not None else "") or found.by
        office = sources.office(found.office) if found.office else None
        office_name = office.name if office is not None else found.office or None
    return RunReview(
        run_id=record.id,
        verdict=record.verdict,
        state=state,
        clean=looks_clean(state, record.verdict),
        signoff=found,
        signer_login=None if found is None else found.by,
        signer_name=name,
        office_code=None if found is None or not found.office else found.office,
        office_name=office_name,
        signed_at=None if found is None else found.at,
    )


def run_review(record: RunRecord, sources: ReviewSources) -> RunReview:
    """The run's review state with its signer's login, name, office and time."""
    return _review(record, sources.signoff_of(record.id), sources)


class _Remembered:
    """The sources, each person and office looked up once (a list names few inspectors)."""

    def __init__(self, sources: ReviewSources) -> None:
        self.sources = sources
        self.people: dict[str, UserRecord | None] = {}
        self.offices: dict[str, Office | None] = {}

    def signoff_of(self, run_id: int) -> SignOff | None:
        return self.sources.signoff_of(run_id)

    def user_by_login(self, login: str) -> UserRecord | None:
        if login not in self.people:
            self.people[login] = self.sources.user_by_login(login)
        return self.people[login]

    def office(self, code: str) -> Office | None:
        if code not in self.offices:
            self.offices[code] = self.sources.office(code)
        return self.offices[code]


def run_reviews(records: Iterable[RunRecord], sources: ReviewSources) -> Sequence[RunReview]:
    """``run_review`` of each run, in order; each signer and office is read once."""
    remembered = _Remembered(sources)
    return [run_review(record, remembered) for record in records]
