"""What the chain's use cases need of storage, one Protocol per concern.

The SQL adapters live in ``storage.supervision``; in-memory fakes in ``tests/fakes``.
Every write a use case makes is inside ``AuditRecorder.atomic()`` with its audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from phytowatch.domain.supervision.consignment import (
    BackingRun,
    Consignment,
    ConsignmentState,
    Declaration,
    Step,
)
from phytowatch.domain.supervision.policy import Policy
from phytowatch.domain.supervision.registry import EnterpriseStanding, RawMaterialBase
from phytowatch.domain.supervision.routing import Route
from phytowatch.services.context import Context


class PolicySource(Protocol):
    """The official policy in force (the shipped files, or the newest edit of each)."""

    def policy(self) -> Policy: ...


class StandingLookup(Protocol):
    """An enterprise's standing in force, and a raw-material base by its number."""

    def standing(self, enterprise: str) -> EnterpriseStanding | None: ...

    def base(self, number: str) -> RawMaterialBase | None: ...


class ConsignmentLookup(Protocol):
    """What routing and assessment read of a consignment, and how they move it on."""

    def consignment(self, consignment_id: int) -> Consignment | None: ...

    def declaration(self, consignment_id: int, version: int) -> Declaration | None: ...

    def backing_runs(self, run_ids: Iterable[int]) -> dict[int, BackingRun]:
        """The runs that exist among ``run_ids``, as the chain sees them."""
        ...

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
        """Compare-and-set the state and add the timeline entry; ``False`` if the state was
        no longer ``from_state`` (someone else moved it first)."""
        ...


class Router(Protocol):
    """Called by the submission, inside its unit: route the submitted version (and, on
    documents, assess it from the e-supervision data), recording both with their entries."""

    def on_submitted(
        self, consignment: Consignment, declaration: Declaration, *, ctx: Context
    ) -> Route | None:
        """The route recorded; ``None`` where no router is wired (the consignment stays
        submitted)."""
        ...


class RecordCounter(Protocol):
    """Counts of an enterprise's record over a period, for the classification rules
    (``ClassificationRule.measure``): each store counts the measures it keeps and answers
    ``None`` for the others."""

    def count(self, measure: str, enterprise: str, start: int, end: int) -> int | None: ...
