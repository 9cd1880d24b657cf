"""Classification in memory (services.supervision.standing.StandingStore)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from phytowatch.domain.supervision.classification import Proposal, ProposalRecord, ProposalState
from phytowatch.domain.supervision.registry import EnterpriseStanding
from phytowatch.services.paging import Found
from phytowatch.services.supervision.standing import Place, StandingQuery, StandingRow


class InMemoryStanding:
    """``places``: enterprise code -> city; ``rows`` the standing history (oldest first)."""

    def __init__(self, places: Mapping[str, str]) -> None:
        self.places = dict(places)
        self.rows: list[EnterpriseStanding] = []
        self.proposals: dict[int, ProposalRecord] = {}

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


if TYPE_CHECKING:  # each fake is its port, or mypy fails here
    from phytowatch.services.supervision.standing import StandingStore

    _standing: StandingStore = InMemoryStanding({})
