"""``StandingLookup`` in memory (services.supervision.ports): standings and bases as given."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phytowatch.domain.supervision.registry import EnterpriseStanding, RawMaterialBase


class InMemoryStandingLookup:
    def __init__(self) -> None:
        self.standings: dict[str, EnterpriseStanding] = {}
        self.bases: dict[str, RawMaterialBase] = {}

    def standing(self, enterprise: str) -> EnterpriseStanding | None:
        return self.standings.get(enterprise)

    def base(self, number: str) -> RawMaterialBase | None:
        return self.bases.get(number)


if TYPE_CHECKING:
    from phytowatch.services.supervision.ports import StandingLookup

    _: StandingLookup = InMemoryStandingLookup()
