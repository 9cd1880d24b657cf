"""Record counters that answer from a table (services.supervision.ports.RecordCounter)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING


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


if TYPE_CHECKING:  # the fake is its port, or mypy fails here
    from phytowatch.services.supervision.ports import RecordCounter

    _counter: RecordCounter = TableCounter({})
