"""Raw-material bases in memory (services.supervision.bases.BaseStore)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from phytowatch.domain.supervision.registry import BaseEvent, BaseStatus, RawMaterialBase
from phytowatch.services.paging import Found
from phytowatch.services.supervision.bases import BaseQuery
from phytowatch.services.supervision.standing import Place


class InMemoryBases:
    """``places``: enterprise code -> city; ``events`` every base's history (oldest first)."""

    def __init__(self, places: Mapping[str, str]) -> None:
        self.places = dict(places)
        self.bases: dict[str, RawMaterialBase] = {}
        self.events: list[BaseEvent] = []

    def place(self, enterprise: str) -> Place | None:
        city = self.places.get(enterprise)
        return None if city is None else Place(enterprise, city)

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


if TYPE_CHECKING:  # the fake is its port, or mypy fails here
    from phytowatch.services.supervision.bases import BaseStore

    _bases: BaseStore = InMemoryBases({})
