"""The lists of runs, facilities and enterprises: what a list asks for, what it gets back, and
the read-side ports the stores answer in SQL (filtered, sorted and paged by the database).

A list only ever holds what the caller may reach: every query carries a ``reach`` (the
caller's :class:`~phytowatch.domain.accounts.Jurisdiction`: an enterprise user's own enterprise,
a bureau office's cities and enterprises, or everywhere), applied by the store in the same
query as the filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Jurisdiction, Principal
from phytowatch.domain.review import ReviewState

# what a list may be sorted by (the run list's, then the facility and enterprise lists')
RUN_SORTS = ("started", "closed", "facility", "verdict")
VERDICTS = ("PASS", "FAIL", "INDETERMINATE")
FACILITY_STATES = ("alarm", "offline", "online")
# a facility is "in alarm" with an open, unacknowledged alarm of these severities (the wall's rule)
ALARM_SEVERITIES = ("critical", "major")
SILENT = "facility_silent"  # the alarm that says a facility is offline


def reach_of(principal: Principal) -> Jurisdiction:
    """What a caller may list: everywhere (an administrator, the admin token), one enterprise
    (an enterprise user), an office's jurisdiction (bureau staff), else nothing."""
    if principal.sees_everything:
        return Jurisdiction(everywhere=True)
    if principal.role is not None and principal.role.is_enterprise:
        own = frozenset({principal.enterprise}) if principal.enterprise else frozenset()
        return Jurisdiction(enterprises=own)
    if principal.role is not None and principal.role.is_bureau and principal.jurisdiction:
        return principal.jurisdiction
    return Jurisdiction()


@dataclass(frozen=True)
class RunQuery:
    reach: Jurisdiction
    facility: str | None = None  # a facility's code
    enterprise: str | None = None  # an enterprise's code
    city: str | None = None
    schedule: str | None = None  # a schedule's id
    verdict: str | None = None  # one of VERDICTS
    review: tuple[ReviewState, ...] = ()  # any of these; empty: every state
    started_from: int | None = None  # instants, µs: from (included) ...
    started_before: int | None = None  # ... to (excluded)
    search: str = ""  # a run's number, a facility's or an enterprise's code or name
    sort: str = "started"  # one of RUN_SORTS, or "queue": findings first, then oldest first
    descending: bool = True
    nothing: bool = False  # a filter no row can match (a NUL): the list is empty
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class RunRow:
    id: int
    facility: str
    facility_name: str
    kind: str
    enterprise: str
    enterprise_zh: str
    enterprise_en: str
    city: str
    schedule_id: str
    schedule_version: str
    load: str
    started_at: int
    closed_at: int | None
    verdict: str | None
    review: ReviewState
    signed_by: str | None  # the inspector's login
    signed_by_name: str | None  # and name
    signed_office: str | None
    signed_at: int | None


@dataclass(frozen=True)
class FacilityQuery:
    reach: Jurisdiction
    search: str = ""  # a facility's code or name, its enterprise's code or names
    city: str | None = None
    kind: str | None = None
    state: str | None = None  # one of FACILITY_STATES
    enterprise: str | None = None
    nothing: bool = False  # a filter no row can match (a NUL): the list is empty
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class FacilityRow:
    code: str
    name: str
    kind: str
    treater_number: str | None
    enterprise: str
    enterprise_zh: str
    enterprise_en: str
    city: str
    probes: int
    open_run: int | None  # the open run's number
    open_alarms: int  # not cleared
    in_alarm: bool
    offline: bool


@dataclass(frozen=True)
class EnterpriseQuery:
    reach: Jurisdiction
    search: str = ""  # code or either name
    city: str | None = None
    grade: str | None = None
    nothing: bool = False  # a filter no row can match (a NUL): the list is empty
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class EnterpriseRow:
    code: str
    name_zh: str
    name_en: str
    city: str
    grade: str
    facilities: int
    open_runs: int
    in_alarm: int  # facilities in alarm


class RunListing(Protocol):
    """The runs list and the inspector's queue, answered by the database."""

    def list_runs(self, query: RunQuery) -> tuple[int, list[RunRow]]:
        """How many runs match (all pages), and the page ``offset``/``limit`` asks for."""
        ...


class RegistryListing(Protocol):
    """The facilities and enterprises lists, answered by the database."""

    def list_facility_rows(self, query: FacilityQuery) -> tuple[int, list[FacilityRow]]: ...

    def list_enterprise_rows(self, query: EnterpriseQuery) -> tuple[int, list[EnterpriseRow]]: ...

    def cities(self, reach: Jurisdiction) -> list[str]:
        """The cities of the enterprises within reach, for a filter's choices."""
        ...
