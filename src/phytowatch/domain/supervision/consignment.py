"""A consignment and its declaration (step 1, e-declaration): the content, its versions, the
states and the transitions between them.

A declaration's content is a :class:`Declaration`. A draft is edited freely; what was submitted
is never edited: a correction (after the bureau returned it) is a new version, and every version
is kept. The states (workflow.md):

    draft -> submitted -> routed -> assessed -> (certified -> transferred -> released: later)
    submitted/routed -> returned -> submitted (the correction, a new version)
    draft/returned/submitted/routed -> withdrawn;  submitted/routed/returned -> rejected
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ConsignmentState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ROUTED = "routed"
    ASSESSED = "assessed"
    RETURNED = "returned"  # returned for correction
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    CERTIFIED = "certified"  # step 4 (a later issue)
    TRANSFERRED = "transferred"  # step 5
    RELEASED = "released"  # step 6


S = ConsignmentState
TRANSITIONS: dict[ConsignmentState, frozenset[ConsignmentState]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ROUTED, S.RETURNED, S.WITHDRAWN, S.REJECTED}),
    S.ROUTED: frozenset({S.ASSESSED, S.RETURNED, S.WITHDRAWN, S.REJECTED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.WITHDRAWN, S.REJECTED}),
    S.ASSESSED: frozenset({S.CERTIFIED}),
    S.CERTIFIED: frozenset({S.TRANSFERRED}),
    S.TRANSFERRED: frozenset({S.RELEASED}),
    S.WITHDRAWN: frozenset(),
    S.REJECTED: frozenset(),
    S.RELEASED: frozenset(),
}
FINAL = frozenset(state for state, nexts in TRANSITIONS.items() if not nexts)


def may_move(current: ConsignmentState, to: ConsignmentState) -> bool:
    return to in TRANSITIONS[current]


class Step(StrEnum):
    """What the timeline shows: one entry per thing that happened, with who and when."""

    DRAFTED = "drafted"
    SUBMITTED = "submitted"
    ROUTED = "routed"
    ASSESSED = "assessed"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    CERTIFIED = "certified"
    TRANSFERRED = "transferred"
    RELEASED = "released"


@dataclass(frozen=True)
class Party:
    name: str
    address: str


@dataclass(frozen=True)
class Line:
    """One line of goods: a product of the catalogue, how much, in how many packages."""

    product: str  # product code
    botanical_name: str
    quantity: Decimal
    unit: str  # kg, t, m3, pieces, ...
    packages: int
    package_type: str  # cartons, pallets, crates, ...
    description: str = ""


@dataclass(frozen=True)
class Declaration:
    """The content of one version of a declaration (ISPM 12's fields and the chain's links)."""

    exporter: Party
    consignee: Party
    lines: tuple[Line, ...]
    destination: str  # ISO 3166-1 alpha-2
    port_of_exit: str
    conveyance: str  # means of conveyance: mode and name (vessel, train, flight)
    marks: str  # distinguishing marks
    containers: tuple[str, ...]  # container numbers (ISO 6346)
    bases: tuple[str, ...]  # raw-material base registration numbers
    runs: tuple[int, ...]  # treatment runs that back it
    place_of_origin: str = ""
    point_of_entry: str = ""
    declared_value: Decimal | None = None
    currency: str = ""


@dataclass(frozen=True)
class Consignment:
    """A consignment as stored: its number, whose it is, where it stands."""

    id: int
    number: str
    enterprise: str  # enterprise code
    city: str  # the enterprise's city (who covers it)
    state: ConsignmentState
    version: int  # the newest version (0 while a draft never submitted)
    created_at: int  # µs
    created_by: str  # actor
    copied_from: int | None = None


@dataclass(frozen=True)
class TimelineEntry:
    consignment_id: int
    step: Step
    at: int  # µs
    actor: str
    version: int
    detail: dict[str, object]  # a message as stored: {"code": ..., "params": {...}}, or {}


@dataclass(frozen=True)
class BackingRun:
    """What the chain needs to know of a treatment run a declaration links."""

    run_id: int
    enterprise: str  # the enterprise code of the run's facility
    facility: str
    schedule_id: str
    closed: bool
    verdict: str | None  # PASS | FAIL | INDETERMINATE | None while open
    signed_off: bool  # an inspector signed it off (not rejected)
    has_findings: bool  # its judgement asks for a look (domain.signoff.needs_comment)
    closed_at: int | None = None
