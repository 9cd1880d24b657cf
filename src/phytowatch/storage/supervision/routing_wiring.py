"""The routing and assessment stores wired for ``bootstrap``: the SQL stores, and the router
that reads the policy and standing it is given."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from phytowatch.services.audit import AuditRecorder
from phytowatch.services.supervision.ports import PolicySource, StandingLookup
from phytowatch.services.supervision.routing import Routing
from phytowatch.storage.supervision.assessment_store import SqlAssessmentStore
from phytowatch.storage.supervision.routing_lookup import SqlConsignmentLookup


def routing_and_assessment(
    engine: Engine, audit: AuditRecorder, policy: PolicySource, standing: StandingLookup
) -> dict[str, Any]:
    """The App's fields ``router``, ``assessments`` and ``consignment_states``."""
    store = SqlAssessmentStore(engine)
    lookup = SqlConsignmentLookup(engine)
    router = Routing(
        policy=policy, standing=standing, consignments=lookup, store=store, audit=audit
    )
    return {"router": router, "assessments": store, "consignment_states": lookup}
