"""The heading of a printed treatment record: the supervising office, the record's number, and
the person who started the run (who signs as the treatment operator).

The record number is ``<office code>-<year>-<run id, 6 digits>``, e.g. ``JX-2026-000042``: the
office whose jurisdiction covers the facility (the most specific: one naming the enterprise, then
one naming the city, then one covering everywhere; by code among equals), the year the run
started in China Standard Time (UTC+8, the bureau's), and the run's id. The run id alone
identifies the record; without a covering office the number is ``<year>-<run id>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from phytowatch.domain import instants
from phytowatch.domain.accounts import Office
from phytowatch.domain.audit import AuditEntry
from phytowatch.services.accounts.ports import UserRecord
from phytowatch.services.runs.ports import RunRecord

BUREAU_ZONE = instants.BUREAU_ZONE  # the bureau's zone is the domain's (domain/instants.py)


class PeopleLookup(Protocol):
    def user_by_login(self, login: str) -> UserRecord | None: ...


class RunHistory(Protocol):
    def latest(
        self, *, limit: int = 50, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntry]: ...


@dataclass(frozen=True)
class RecordHeading:
    number: str
    office_code: str | None
    office_name: str | None
    operator_login: str | None  # who started the run, when a person did (the audit trail says)
    operator_name: str | None


def supervising_office(offices: Sequence[Office], enterprise: str, city: str) -> Office | None:
    """The office that supervises a facility of this enterprise in this city (see above)."""

    def rank(office: Office) -> int:
        area = office.jurisdiction
        return 0 if enterprise in area.enterprises else 1 if city in area.cities else 2

    covering = [o for o in offices if o.jurisdiction.covers(enterprise, city)]
    return min(covering, key=lambda o: (rank(o), o.code), default=None)


def record_number(office_code: str | None, started_at: int, run_id: int) -> str:
    year = datetime.fromtimestamp(started_at / 1_000_000, UTC).astimezone(BUREAU_ZONE).year
    number = f"{year}-{run_id:06d}"
    return f"{office_code}-{number}" if office_code else number


def started_by(history: RunHistory, run_id: int) -> str | None:
    """The login of the person who started the run (``run.started`` by ``user:<login>``)."""
    for entry in history.latest(limit=50, object_type="run", object_id=str(run_id)):
        if entry.action == "run.started" and entry.actor.startswith("user:"):
            return entry.actor.removeprefix("user:")
    return None


def record_heading(
    record: RunRecord,
    *,
    enterprise: str,
    city: str,
    offices: Sequence[Office],
    history: RunHistory,
    people: PeopleLookup,
) -> RecordHeading:
    """What a printed treatment record says at its top and signs at its foot."""
    office = supervising_office(offices, enterprise, city)
    login = started_by(history, record.id)
    person = people.user_by_login(login) if login else None
    name = (person.name.strip() if person is not None else "") or login
    return RecordHeading(
        number=record_number(office.code if office else None, record.started_at, record.id),
        office_code=office.code if office else None,
        office_name=office.name if office else None,
        operator_login=login,
        operator_name=name,
    )
