"""Classification and raw-material bases in memory (services.supervision.standing.StandingStore,
services.supervision.bases.BaseStore), and record counters that answer from a table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from phytowatch.domain.supervision.classification import Proposal, ProposalRecord, ProposalState
from phytowatch.domain.supervision.registry import (
    BaseEvent,
    BaseStatus,
    EnterpriseStanding,
    RawMaterialBase,
)
from phytowatch.services.paging import Found
from phytowatch.services.supervision.bases import BaseQuery
from phytowatch.services.supervision.standing import Place, StandingQuery, StandingRow


class InMemoryStanding:
    """``places``: enterprise code -> city; ``rows`` the standing history (oldest first)."""

    def __init__(self, places: Mapping[str, str]) -> None:
        self.places = dict(places)
        self.rows: list[EnterpriseStanding] = []
        self.proposals: dict[int, ProposalRecord] = {}
        self.bases: dict[str, RawMaterialBase] = {}
        self.events: list[BaseEvent] = []

    def place(self, enterprise: str) -> Place | None:
        city = self.places.get(enterprise)
        return None if city is None else Place(enterprise, city)

    def standing(self, enterprise: str) -> EnterpriseStanding | None:
        history = self.history(enterprise)
        return history[0] if history else None

    def history(self, enterprise: str) -> list[EnterpriseStanding]:
        return [s for s in reversed(self.rows) if s.enterprise == enterprise]

    def add_standing(self, standing: EnterpriseStanding) -> None:
        self.rows.append(standing)

    def standings(self) -> list[EnterpriseStanding]:
        found = (self.standing(code) for code in sorted(self.places))
        return [s for s in found if s is not None]

    def find_standings(
        self, query: StandingQuery, *, offset: int, limit: int
    ) -> Found[StandingRow]:
        rows = [
            StandingRow(s.enterprise, "", "", self.places[s.enterprise], s)
            for s in self.standings()
            if query.reach.covers(s.enterprise, self.places[s.enterprise])
            and (not query.klass or s.klass == query.klass)
            and query.text.lower() in s.enterprise.lower()
            and (query.e_supervised is None or s.e_supervised == query.e_supervised)
            and (query.key_list is None or s.key_list == query.key_list)
        ]
        return Found(rows[offset : offset + limit], len(rows), offset, limit)

    def proposal_exists(self, enterprise: str, rule: str, end: int) -> bool:
        return any(
            r.proposal.enterprise == enterprise
            and r.proposal.rule == rule
            and r.proposal.period.end == end
            for r in self.proposals.values()
        )

    def add_proposal(self, proposal: Proposal, *, at: int) -> int:
        new_id = len(self.proposals) + 1
        self.proposals[new_id] = ProposalRecord(new_id, proposal, ProposalState.PROPOSED, at)
        return new_id

    def proposal(self, proposal_id: int) -> ProposalRecord | None:
        return self.proposals.get(proposal_id)

    def decide(
        self, proposal_id: int, state: ProposalState, *, by: str, at: int, comment: str
    ) -> bool:
        record = self.proposals.get(proposal_id)
        if record is None or record.state is not ProposalState.PROPOSED:
            return False
        self.proposals[proposal_id] = replace(
            record, state=state, decided_by=by, decided_at=at, comment=comment
        )
        return True

    def find_proposals(
        self, state: ProposalState | None, *, offset: int, limit: int
    ) -> Found[ProposalRecord]:
        rows = [
            r
            for _, r in sorted(self.proposals.items(), reverse=True)
            if state is None or r.state is state
        ]
        return Found(rows[offset : offset + limit], len(rows), offset, limit)

    def base(self, number: str) -> RawMaterialBase | None:
        return self.bases.get(number)

    def add_base(self, base: RawMaterialBase, event: BaseEvent) -> None:
        self.bases[base.number] = base
        self.events.append(event)

    def set_base_status(self, number: str, status: BaseStatus, event: BaseEvent) -> bool:
        base = self.bases.get(number)
        if base is None or base.status is status:
            return False
        self.bases[number] = replace(base, status=status, updated_at=event.at)
        self.events.append(event)
        return True

    def base_history(self, number: str) -> list[BaseEvent]:
        return [e for e in reversed(self.events) if e.number == number]

    def find_bases(self, query: BaseQuery, *, offset: int, limit: int) -> Found[RawMaterialBase]:
        rows = [
            b
            for _, b in sorted(self.bases.items())
            if query.reach.covers(b.enterprise, self.places[b.enterprise])
            and (not query.enterprise or b.enterprise == query.enterprise)
            and (query.status is None or b.status is query.status)
            and (not query.product or query.product in b.products)
            and query.text.lower() in (b.number + " " + b.name).lower()
        ]
        return Found(rows[offset : offset + limit], len(rows), offset, limit)


class TableCounter:
    """A ``RecordCounter`` of the measures in ``counts`` (measure -> enterprise -> count, the
    same for any period); the periods it was asked about are kept in ``asked``."""

    def __init__(self, counts: Mapping[str, Mapping[str, int]]) -> None:
        self.counts = counts
        self.asked: list[tuple[str, str, int, int]] = []

    def count(self, measure: str, enterprise: str, start: int, end: int) -> int | None:
        if measure not in self.counts:
            return None
        self.asked.append((measure, enterprise, start, end))
        return self.counts[measure].get(enterprise, 0)


if TYPE_CHECKING:  # each fake is its port, or mypy fails here
    from phytowatch.services.supervision.bases import BaseStore
    from phytowatch.services.supervision.ports import RecordCounter
    from phytowatch.services.supervision.standing import StandingStore

    _standing: StandingStore = InMemoryStanding({})
    _bases: BaseStore = InMemoryStanding({})
    _counter: RecordCounter = TableCounter({})
