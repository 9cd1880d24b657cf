"""Consignments in memory (services.supervision.consignments.ConsignmentStore, routing's
ConsignmentLookup too), and a Router that records what it was called with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from phytowatch.domain.supervision.consignment import (
    BackingRun,
    Consignment,
    ConsignmentState,
    Declaration,
    Step,
    TimelineEntry,
)
from phytowatch.domain.supervision.routing import Route
from phytowatch.formats.declaration_json import canonical, content_hash
from phytowatch.services.context import Context
from phytowatch.services.paging import Found
from phytowatch.services.supervision.consignments import (
    BackedConsignment,
    ConsignmentQuery,
    ConsignmentRow,
    EnterpriseRef,
    VersionInfo,
)


@dataclass
class InMemoryConsignmentStore:
    enterprises: dict[str, EnterpriseRef] = field(default_factory=dict)
    runs: dict[int, BackingRun] = field(default_factory=dict)
    rows: dict[int, Consignment] = field(default_factory=dict)
    drafts: dict[int, Declaration | None] = field(default_factory=dict)
    versions_of: dict[int, dict[int, tuple[Declaration, VersionInfo]]] = field(default_factory=dict)
    events: list[TimelineEntry] = field(default_factory=list)

    def enterprise(self, code: str) -> EnterpriseRef | None:
        return self.enterprises.get(code)

    def consignment(self, consignment_id: int) -> Consignment | None:
        return self.rows.get(consignment_id)

    def by_number(self, number: str) -> Consignment | None:
        return next((c for c in self.rows.values() if c.number == number), None)

    def create(
        self,
        enterprise: str,
        draft: Declaration,
        *,
        at: int,
        actor: str,
        copied_from: int | None = None,
    ) -> Consignment:
        new_id = len(self.rows) + 1
        year = datetime.fromtimestamp(at / 1e6, tz=UTC).year
        made = Consignment(
            id=new_id,
            number=f"CD{year}-{new_id:06d}",
            enterprise=enterprise,
            city=self.enterprises[enterprise].city,
            state=ConsignmentState.DRAFT,
            version=0,
            created_at=at,
            created_by=actor,
            copied_from=copied_from,
        )
        self.rows[new_id] = made
        self.drafts[new_id] = draft
        self.versions_of[new_id] = {}
        self.events.append(TimelineEntry(new_id, Step.DRAFTED, at, actor, 0, {}))
        return made

    def draft(self, consignment_id: int) -> Declaration | None:
        return self.drafts.get(consignment_id)

    def save_draft(
        self, consignment_id: int, state: ConsignmentState, draft: Declaration, *, at: int
    ) -> bool:
        if self.rows[consignment_id].state is not state:
            return False
        self.drafts[consignment_id] = draft
        return True

    def declaration(self, consignment_id: int, version: int) -> Declaration | None:
        found = self.versions_of.get(consignment_id, {}).get(version)
        return None if found is None else found[0]

    def add_version(
        self, consignment_id: int, version: int, declaration: Declaration, *, at: int, actor: str
    ) -> None:
        assert version not in self.versions_of[consignment_id]  # append-only
        info = VersionInfo(version, at, actor, content_hash(canonical(declaration)))
        self.versions_of[consignment_id][version] = (declaration, info)
        self.rows[consignment_id] = replace(self.rows[consignment_id], version=version)
        self.drafts[consignment_id] = None

    def move(
        self,
        consignment_id: int,
        from_state: ConsignmentState,
        to_state: ConsignmentState,
        *,
        step: Step,
        at: int,
        actor: str,
        detail: dict[str, object] | None = None,
    ) -> bool:
        current = self.rows[consignment_id]
        if current.state is not from_state:
            return False
        self.rows[consignment_id] = replace(current, state=to_state)
        if to_state is ConsignmentState.RETURNED:
            self.drafts[consignment_id] = self.declaration(consignment_id, current.version)
        self.events.append(
            TimelineEntry(consignment_id, step, at, actor, current.version, detail or {})
        )
        return True

    def backing_runs(self, run_ids: Iterable[int]) -> dict[int, BackingRun]:
        return {r: self.runs[r] for r in run_ids if r in self.runs}

    def offered_runs(self, enterprise: str) -> list[BackingRun]:
        return [
            r
            for r in self.runs.values()
            if r.enterprise == enterprise and r.closed and r.verdict == "PASS" and r.signed_off
        ]

    def backed_by(self, run_id: int) -> list[BackedConsignment]:
        return [
            BackedConsignment(cid, self.rows[cid].number, self.rows[cid].state, v)
            for cid, versions in self.versions_of.items()
            for v, (d, _) in versions.items()
            if run_id in d.runs
        ]

    def versions(self, consignment_id: int) -> list[VersionInfo]:
        return [info for _, (_, info) in sorted(self.versions_of[consignment_id].items())]

    def timeline(self, consignment_id: int) -> list[TimelineEntry]:
        return [e for e in self.events if e.consignment_id == consignment_id]

    def find(self, query: ConsignmentQuery) -> Found[ConsignmentRow]:
        raise NotImplementedError  # the lists are the SQL store's (tests/integration)

    def count(self, measure: str, enterprise: str, start: int, end: int) -> int | None:
        return None


@dataclass
class RecordingRouter:
    """A ``Router`` that records its calls and routes nothing (or what ``route`` says)."""

    calls: list[tuple[Consignment, Declaration, Context]] = field(default_factory=list)
    route: Route | None = None
    fail: Exception | None = None

    def on_submitted(
        self, consignment: Consignment, declaration: Declaration, *, ctx: Context
    ) -> Route | None:
        self.calls.append((consignment, declaration, ctx))
        if self.fail is not None:
            raise self.fail
        return self.route
