"""Stand-ins wired until the real stores exist: nothing classified, no base registered."""

from __future__ import annotations

from phytowatch.domain.supervision.registry import EnterpriseStanding, RawMaterialBase


class Unregistered:
    """A ``StandingLookup`` that knows no enterprise's standing and no base."""

    def standing(self, enterprise: str) -> EnterpriseStanding | None:
        return None

    def base(self, number: str) -> RawMaterialBase | None:
        return None
