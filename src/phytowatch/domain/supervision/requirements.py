"""Destination requirements: which apply to a consignment, and which its runs meet.

A requirement applies to a line when its destination is the consignment's (or ``*``) and its
product is the line's (or ``*``); the most specific one wins for each line (an exact destination
over ``*``, then an exact product over ``*``). A requirement that names schedules is met only by a
linked run under one of them that passed and was signed off.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from phytowatch.domain.supervision.consignment import BackingRun
from phytowatch.domain.supervision.policy import DestinationRequirement


def requirement_for(
    requirements: Iterable[DestinationRequirement], destination: str, product: str
) -> DestinationRequirement | None:
    """The requirement that governs ``product`` sent to ``destination``, if any."""
    best: tuple[int, DestinationRequirement] | None = None
    for req in requirements:
        if req.destination not in (destination, "*") or req.product not in (product, "*"):
            continue
        rank = (2 if req.destination == destination else 0) + (1 if req.product == product else 0)
        if best is None or rank > best[0]:
            best = (rank, req)
    return None if best is None else best[1]


def meets(requirement: DestinationRequirement, runs: Sequence[BackingRun]) -> bool:
    """Whether the linked runs meet the requirement (always, when it asks for no treatment)."""
    if not requirement.schedules:
        return True
    return any(
        run.schedule_id in requirement.schedules
        and run.closed
        and run.verdict == "PASS"
        and run.signed_off
        for run in runs
    )
