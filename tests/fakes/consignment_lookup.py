"""``ConsignmentLookup`` in memory (services.supervision.ports): consignments, their submitted
versions, the runs that may back them, and the compare-and-set move with its timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from phytowatch.domain.supervision.consignment import (
    BackingRun,
    Consignment,
    ConsignmentState,
    Declaration,
    Step,
    TimelineEntry,
)


class InMemoryConsignmentLookup:
    def __init__(self) -> None:
        self.consignments: dict[int, Consignment] = {}
        self.declarations: dict[tuple[int, int], Declaration] = {}
        self.runs: dict[int, BackingRun] = {}
        self.timeline: list[TimelineEntry] = []

    def add(self, consignment: Consignment, declaration: Declaration) -> Consignment:
        self.consignments[consignment.id] = consignment
        self.declarations[(consignment.id, consignment.version)] = declaration
        return consignment

    def consignment(self, consignment_id: int) -> Consignment | None:
        return self.consignments.get(consignment_id)

    def declaration(self, consignment_id: int, version: int) -> Declaration | None:
        return self.declarations.get((consignment_id, version))

    def backing_runs(self, run_ids: Iterable[int]) -> dict[int, BackingRun]:
        return {run_id: self.runs[run_id] for run_id in run_ids if run_id in self.runs}

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
        found = self.consignments.get(consignment_id)
        if found is None or found.state is not from_state:
            return False
        self.consignments[consignment_id] = replace(found, state=to_state)
        self.timeline.append(
            TimelineEntry(consignment_id, step, at, actor, found.version, dict(detail or {}))
        )
        return True


if TYPE_CHECKING:
    from phytowatch.services.supervision.ports import ConsignmentLookup

    _: ConsignmentLookup = InMemoryConsignmentLookup()
