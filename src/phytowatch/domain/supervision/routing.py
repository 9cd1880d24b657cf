"""Step 2, automatic review and routing: release on documents, or inspect.

The decision is made from the enterprise's class x the declared products' highest risk (the
routing matrix gives the supervision mode, the mode its inspection ratio), a reproducible draw,
and hard rules that always inspect. What it was decided from is recorded with it, so that an
auditor can recompute it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from phytowatch.domain.messages import Message
from phytowatch.domain.supervision.policy import RouteOutcome, SupervisionMode

# the hard rules, by the name the routing document turns them on with
KEY_LIST = "key_list"  # a key-list enterprise: every consignment
REQUIREMENT_NOT_MET = "requirement_not_met"  # a destination requirement no linked run meets
RUN_WITH_FINDINGS = "run_with_findings"  # a linked run's judgement has findings
BASE_SUSPENDED = "base_suspended"  # a declared raw-material base is suspended
NOT_E_SUPERVISED = "not_e_supervised"  # the enterprise is not under e-supervision
HARD_RULES = frozenset({KEY_LIST, REQUIREMENT_NOT_MET, RUN_WITH_FINDINGS, BASE_SUSPENDED,
                        NOT_E_SUPERVISED})  # fmt: skip


@dataclass(frozen=True)
class Route:
    """One routing decision of one version of a declaration."""

    consignment_id: int
    version: int
    outcome: RouteOutcome
    mode: SupervisionMode
    ratio: Decimal  # the mode's inspection ratio
    draw: Decimal  # in [0, 1): inspected by sampling when draw < ratio
    rules_version: str
    reasons: tuple[Message, ...]  # why, in words a declarant understands
    inputs: Mapping[str, object]  # everything it was decided from, as recorded
    at: int  # µs
