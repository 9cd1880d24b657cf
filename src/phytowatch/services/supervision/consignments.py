"""Reading consignments: one (within the caller's reach, else not found alike), a list of them
(filtered, sorted and paged by the store, within reach), their versions and timeline; and the
port the declaration use cases and these reads need of the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Jurisdiction, Principal
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.domain.supervision.consignment import (
    BackingRun,
    Consignment,
    ConsignmentState,
    Declaration,
    Line,
    TimelineEntry,
)
from phytowatch.services.paging import Found
from phytowatch.services.supervision.ports import ConsignmentLookup

CONSIGNMENT_SORTS = ("created", "updated", "number", "state", "destination")


@dataclass(frozen=True)
class EnterpriseRef:
    code: str
    name_zh: str
    name_en: str
    city: str


@dataclass(frozen=True)
class VersionInfo:
    version: int
    submitted_at: int
    submitted_by: str
    content_hash: str  # sha-256 hex of the canonical JSON


@dataclass(frozen=True)
class ConsignmentQuery:
    reach: Jurisdiction
    enterprise: str | None = None
    state: ConsignmentState | None = None
    destination: str | None = None
    product: str | None = None  # a line of the newest version has it
    created_from: int | None = None  # µs, included
    created_before: int | None = None  # µs, excluded
    search: str = ""  # in the number or the consignee's name
    sort: str = "created"  # one of CONSIGNMENT_SORTS
    descending: bool = True
    nothing: bool = False  # a filter no row can match: the list is empty
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class ConsignmentRow:
    id: int
    number: str
    enterprise: str
    enterprise_zh: str
    enterprise_en: str
    city: str
    state: ConsignmentState
    version: int
    destination: str
    consignee: str
    created_at: int
    submitted_at: int | None
    updated_at: int


@dataclass(frozen=True)
class BackedConsignment:
    """A consignment a run backs (in some version of its declaration)."""

    id: int
    number: str
    state: ConsignmentState
    version: int


class ConsignmentStore(ConsignmentLookup, Protocol):
    """The consignments' store: what routing reads (``ConsignmentLookup``), and what the
    declaration and its pages need."""

    def enterprise(self, code: str) -> EnterpriseRef | None: ...

    def by_number(self, number: str) -> Consignment | None: ...

    def count(self, measure: str, enterprise: str, start: int, end: int) -> int | None:
        """The ``RecordCounter`` of declarations: ``declarations`` (versions submitted) and
        ``returned_declarations`` (returns for correction) in [start, end)."""
        ...

    def create(
        self,
        enterprise: str,
        draft: Declaration,
        *,
        at: int,
        actor: str,
        copied_from: int | None = None,
    ) -> Consignment:
        """A new draft with its number (``CD<year>-<6 digits>``) and its ``drafted`` entry."""
        ...

    def draft(self, consignment_id: int) -> Declaration | None: ...

    def save_draft(
        self, consignment_id: int, state: ConsignmentState, draft: Declaration, *, at: int
    ) -> bool:
        """Replace the draft while the consignment is still in ``state``; ``False`` if not."""
        ...

    def add_version(
        self,
        consignment_id: int,
        version: int,
        declaration: Declaration,
        *,
        at: int,
        actor: str,
    ) -> None:
        """Store a submitted version (content, hash, lines, run links) as the newest."""
        ...

    def versions(self, consignment_id: int) -> list[VersionInfo]: ...

    def timeline(self, consignment_id: int) -> list[TimelineEntry]: ...

    def find(self, query: ConsignmentQuery) -> Found[ConsignmentRow]: ...

    def offered_runs(self, enterprise: str) -> list[BackingRun]:
        """The enterprise's closed PASS runs signed off: what a declaration may link."""
        ...

    def backed_by(self, run_id: int) -> list[BackedConsignment]: ...


def visible(
    store: ConsignmentStore,
    principal: Principal,
    consignment_id: int,
    *,
    also: Callable[[Principal, int], bool] | None = None,
) -> Consignment:
    """The consignment if it exists and is within the caller's reach; not found alike.
    ``also``: a reach beside the caller's jurisdiction (a port officer's: the consignments whose
    transfer their office took, ``Port.reaches``)."""
    found = store.consignment(consignment_id)
    if found is None or not (
        principal.covers(found.enterprise, found.city)
        or (also is not None and also(principal, consignment_id))
    ):
        raise refused(Kind.NOT_FOUND, Code.NO_CONSIGNMENT, consignment=consignment_id)
    return found


def content(store: ConsignmentStore, consignment: Consignment) -> Declaration | None:
    """What the consignment says now: the draft while it is one (or while returned and being
    corrected), else the newest submitted version."""
    if consignment.state in (ConsignmentState.DRAFT, ConsignmentState.RETURNED):
        draft = store.draft(consignment.id)
        if draft is not None:
            return draft
    if consignment.version:
        return store.declaration(consignment.id, consignment.version)
    return None


def version_of(store: ConsignmentStore, consignment: Consignment, version: int) -> Declaration:
    found = store.declaration(consignment.id, version) if version >= 1 else None
    if found is None:
        raise refused(
            Kind.NOT_FOUND,
            Code.NO_DECLARATION_VERSION,
            version=version,
            consignment=consignment.number,
        )
    return found


def products_of(lines: Sequence[Line]) -> list[str]:
    return sorted({line.product for line in lines})
