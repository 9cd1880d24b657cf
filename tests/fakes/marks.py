"""The IPPC mark's authorisations in memory (services.certificates.marks.MarkStore): the runs
and facilities it answers for are given by the test (``facts``)."""

from __future__ import annotations

from dataclasses import replace

from phytowatch.domain.certificates.mark import (
    Authorisation,
    MarkFacility,
    MarkRun,
    Revocation,
    number_of,
)
from phytowatch.services.certificates.marks import Reach
from phytowatch.services.paging import Found


class InMemoryMarkStore:
    def __init__(self) -> None:
        self.facts: dict[int, tuple[MarkRun, MarkFacility]] = {}
        self.rows: list[Authorisation] = []
        self.cities: dict[str, str] = {}  # number -> city
        self.revocations: dict[str, Revocation] = {}

    def mark_facts(self, run_id: int) -> tuple[MarkRun, MarkFacility] | None:
        return self.facts.get(run_id)

    def add(self, draft: Authorisation, *, year: int) -> Authorisation:
        serial = 1 + sum(1 for r in self.rows if r.number.startswith(f"MK{year:04d}-"))
        stored = replace(draft, number=number_of(year, serial))
        self.rows.append(stored)
        self.cities[stored.number] = self.facts[draft.run_id][1].city
        return stored

    def by_number(self, number: str) -> Authorisation | None:
        return next((r for r in self.rows if r.number == number), None)

    def by_token(self, token: str) -> Authorisation | None:
        return next((r for r in self.rows if r.token == token), None)

    def of_run(self, run_id: int) -> list[Authorisation]:
        return [r for r in self.rows if r.run_id == run_id]

    def owner(self, number: str) -> tuple[str, str] | None:
        found = self.by_number(number)
        return None if found is None else (found.enterprise, self.cities[number])

    def find(self, reach: Reach, *, offset: int, limit: int | None) -> Found[Authorisation]:
        rows = [
            r
            for r in reversed(self.rows)
            if reach is None or self.cities[r.number] in reach[0] or r.enterprise in reach[1]
        ]
        end = None if limit is None else offset + limit
        return Found(rows[offset:end], len(rows), offset, len(rows) if limit is None else limit)

    def revoke(self, revocation: Revocation) -> None:
        assert revocation.number not in self.revocations  # the database's unique constraint
        self.revocations[revocation.number] = revocation

    def revocation_of(self, number: str) -> Revocation | None:
        return self.revocations.get(number)
