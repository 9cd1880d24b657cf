"""Stand-ins wired until the real stores exist: nothing classified, no base registered,
nothing routed."""

from __future__ import annotations

from phytowatch.domain.supervision.consignment import Consignment, Declaration
from phytowatch.domain.supervision.registry import EnterpriseStanding, RawMaterialBase
from phytowatch.domain.supervision.routing import Route
from phytowatch.services.context import Context


class Unregistered:
    """A ``StandingLookup`` that knows no enterprise's standing and no base."""

    def standing(self, enterprise: str) -> EnterpriseStanding | None:
        return None

    def base(self, number: str) -> RawMaterialBase | None:
        return None


class NotRouted:
    """A ``Router`` that routes nothing: a submitted consignment stays submitted."""

    def on_submitted(
        self, consignment: Consignment, declaration: Declaration, *, ctx: Context
    ) -> Route | None:
        return None
