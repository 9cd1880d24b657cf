"""Sign-off in memory: the decisions (services.signoff.SignOffStore) and the runs they are
about (services.signoff.RunLookup)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from phytowatch.domain.signoff import SignOff
from phytowatch.services.runs import RunRecord


class InMemorySignOffStore:
    """``owners``: each facility's enterprise code and city, as the registry has them."""

    def __init__(self, owners: Mapping[str, tuple[str, str]] | None = None) -> None:
        self.owners = dict(owners or {})
        self.signoffs: dict[int, tuple[SignOff, int]] = {}  # run id -> decision, user id

    def facility_owner(self, code: str) -> tuple[str, str] | None:
        return self.owners.get(code)

    def add_signoff(self, signoff: SignOff, user_id: int) -> bool:
        if signoff.run_id in self.signoffs:
            return False
        self.signoffs[signoff.run_id] = (signoff, user_id)
        return True

    def signoff_of(self, run_id: int) -> SignOff | None:
        found = self.signoffs.get(run_id)
        return None if found is None else found[0]


class InMemoryRunLookup:
    def __init__(self, *records: RunRecord) -> None:
        self.records = {r.id: r for r in records}

    def run(self, run_id: int) -> RunRecord | None:
        return self.records.get(run_id)


if TYPE_CHECKING:  # each fake is its port, or mypy fails here
    from phytowatch.services.signoff import RunLookup, SignOffStore

    _signoff_store: SignOffStore = InMemorySignOffStore()
    _run_lookup: RunLookup = InMemoryRunLookup()
