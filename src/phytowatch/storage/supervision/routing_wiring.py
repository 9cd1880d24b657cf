"""The routing and assessment stores wired for ``bootstrap``: the SQL store, and the router
that reads the policy, the standing and the consignments it is given."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from phytowatch.services.audit import AuditRecorder
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource, StandingLookup
from phytowatch.services.supervision.routing import Routing
from phytowatch.storage.supervision.assessment_store import SqlAssessmentStore


def routing_and_assessment(
    engine: Engine,
    audit: AuditRecorder,
    policy: PolicySource,
    standing: StandingLookup,
    consignments: ConsignmentLookup,
) -> dict[str, Any]:
    """The App's fields ``router`` and ``assessments``."""
    store = SqlAssessmentStore(engine)
    router = Routing(
        policy=policy, standing=standing, consignments=consignments, store=store, audit=audit
    )
    return {"router": router, "assessments": store}
