"""Step 2, automatic review and routing: release on documents, or inspect.

The decision is made from the enterprise's class x the declared products' highest risk (the
routing matrix gives the supervision mode, the mode its inspection ratio), a reproducible draw,
and hard rules that always inspect. What it was decided from is recorded with it, so that an
auditor can recompute it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from phytowatch.domain.messages import Code, Message, Word, say
from phytowatch.domain.supervision.consignment import BackingRun, Declaration
from phytowatch.domain.supervision.policy import (
    DestinationRequirement,
    Product,
    RiskLevel,
    RouteOutcome,
    RoutingRules,
    SupervisionMode,
)
from phytowatch.domain.supervision.registry import EnterpriseStanding, RawMaterialBase
from phytowatch.domain.supervision.requirements import meets, requirement_for

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
    fired: tuple[str, ...] = ()  # the hard rules that fired (each makes it inspect)


# Always on, whatever the routing document says: they keep a decision from being undone by
# correcting or withdrawing a declaration (docs/routing-and-assessment.md, "The draw").
INSPECTED_BEFORE = "inspected_before"  # an earlier version was routed to inspect
INSPECTION_OWED = "inspection_owed"  # withdrawn after a route to inspect: the next one owes it
ALWAYS_ON = frozenset({INSPECTED_BEFORE, INSPECTION_OWED})

DRAW_PLACES = Decimal("0.000001")  # the draw as recorded and shown: six decimals, cut not rounded


def sampling_draw(key: bytes, number: str, rules_version: str) -> Decimal:
    """The draw of a consignment under a rules version, in [0, 1): HMAC-SHA256 with the bureau's
    sampling key over the consignment's number and the rules version. The enterprise knows
    neither the key nor, before submitting, the draw; resubmitting (a correction keeps the number)
    cannot change it; an auditor who holds the key recomputes it."""
    mac = hmac.new(key, f"{number}\n{rules_version}".encode(), hashlib.sha256).digest()
    fraction = Decimal(int.from_bytes(mac[:8], "big")) / Decimal(2**64)
    return fraction.quantize(DRAW_PLACES, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class Decided:
    """What the recorded inputs decide: recomputed from them alone (``decide``)."""

    outcome: RouteOutcome
    mode: SupervisionMode
    ratio: Decimal
    fired: tuple[str, ...]  # the hard rules that fired, in HARD_RULES order of checking
    reasons: tuple[Message, ...]


def _percent(ratio: Decimal) -> str:
    return format((ratio * 100).normalize(), "f")


def gather(
    *,
    number: str,
    enterprise: str,
    declaration: Declaration,
    rules: RoutingRules,
    classes: Sequence[str],
    standing: EnterpriseStanding | None,
    products: Mapping[str, Product],
    requirements: Sequence[DestinationRequirement],
    runs: Mapping[int, BackingRun],
    bases: Mapping[str, RawMaterialBase | None],
    draw: Decimal,
    inspected_before: bool,
    owed: Sequence[str],
) -> dict[str, Any]:
    """Everything a route is decided from, as plain JSON-able values: what is recorded with it
    and all that ``decide`` reads. ``classes``: the scheme's classes, best first (an enterprise
    not classified under ``rules.scheme`` is treated as the last)."""
    classified = standing is not None and standing.scheme == rules.scheme
    klass = standing.klass if classified and standing is not None else classes[-1]
    risks: dict[str, str] = {}
    for line in declaration.lines:
        product = products.get(line.product)
        risks[line.product] = RiskLevel.HIGH.value if product is None else product.risk.value
    order = [RiskLevel.HIGH.value, RiskLevel.ELEVATED.value, RiskLevel.GENERAL.value]
    risk = min(risks.values(), key=order.index, default=RiskLevel.HIGH.value)
    mode = rules.matrix.get((klass, RiskLevel(risk)), SupervisionMode.SPECIAL)
    checks = []
    for code in dict.fromkeys(line.product for line in declaration.lines):
        requirement = requirement_for(requirements, declaration.destination, code)
        if requirement is not None and requirement.schedules:
            met = meets(requirement, list(runs.values()))
            checks.append({"product": code, "schedules": list(requirement.schedules), "met": met})
    return {
        "number": number,
        "enterprise": enterprise,
        "destination": declaration.destination,
        "rules_version": rules.version,
        "hard_rules": sorted(rules.hard_rules),
        "scheme": rules.scheme,
        "standing": None
        if standing is None
        else {
            "scheme": standing.scheme,
            "class": standing.klass,
            "e_supervised": standing.e_supervised,
            "key_list": standing.key_list,
        },
        "class": klass,
        "classified": classified,
        "products": risks,
        "unknown_products": sorted(code for code in risks if code not in products),
        "risk": risk,
        "mode": mode.value,
        "ratio": str(rules.ratios.get(mode, Decimal(1))),
        "requirements": checks,
        "runs": [
            {"run": run.run_id, "schedule": run.schedule_id, "findings": run.has_findings}
            for run in sorted(runs.values(), key=lambda run: run.run_id)
        ],
        "missing_runs": sorted(set(declaration.runs) - set(runs)),
        "bases": {
            number: None if base is None else base.status.value
            for number, base in sorted(bases.items())
        },
        "draw": str(draw),
        "inspected_before": inspected_before,
        "owed": list(owed),
    }


def decide(inputs: Mapping[str, Any]) -> Decided:
    """The decision the recorded inputs make: the matrix cell, the hard rules, the draw."""
    on = set(inputs["hard_rules"]) | ALWAYS_ON
    mode = SupervisionMode(inputs["mode"])
    ratio = Decimal(inputs["ratio"])
    draw = Decimal(inputs["draw"])
    standing = inputs["standing"]
    reasons: list[Message] = []
    if not inputs["classified"]:
        reasons.append(say(Code.ROUTE_NOT_CLASSIFIED, klass=inputs["class"]))
    for product in inputs["unknown_products"]:
        reasons.append(say(Code.ROUTE_PRODUCT_UNKNOWN, product=product))
    reasons.append(
        say(
            Code.ROUTE_CELL,
            klass=inputs["class"],
            risk=Word(inputs["risk"]),
            mode=Word(mode.value),
            percent=_percent(ratio),
        )
    )
    fired: list[tuple[str, Message]] = []
    if standing is not None and standing["key_list"]:
        fired.append((KEY_LIST, say(Code.ROUTE_KEY_LIST)))
    if standing is None or not standing["e_supervised"]:
        fired.append((NOT_E_SUPERVISED, say(Code.ROUTE_NOT_E_SUPERVISED)))
    for check in inputs["requirements"]:
        if not check["met"]:
            message = say(
                Code.ROUTE_REQUIREMENT_NOT_MET,
                destination=inputs["destination"],
                product=check["product"],
                schedules=", ".join(check["schedules"]),
            )
            fired.append((REQUIREMENT_NOT_MET, message))
    for run in inputs["runs"]:
        if run["findings"]:
            fired.append((RUN_WITH_FINDINGS, say(Code.ROUTE_RUN_FINDINGS, run=run["run"])))
    for number, status in inputs["bases"].items():
        if status is None:
            fired.append((BASE_SUSPENDED, say(Code.ROUTE_BASE_UNKNOWN, base=number)))
        elif status != "valid":
            fired.append((BASE_SUSPENDED, say(Code.ROUTE_BASE_SUSPENDED, base=number)))
    if inputs["inspected_before"]:
        fired.append((INSPECTED_BEFORE, say(Code.ROUTE_INSPECTED_BEFORE)))
    for number in inputs["owed"]:
        fired.append((INSPECTION_OWED, say(Code.ROUTE_INSPECTION_OWED, number=number)))
    applying = [(rule, message) for rule, message in fired if rule in on]
    reasons.extend(message for _, message in applying)
    if applying:
        outcome = RouteOutcome.INSPECT
        reasons.append(say(Code.ROUTE_DRAW_MOOT, draw=str(draw)))
    elif draw < ratio:
        outcome = RouteOutcome.INSPECT
        reasons.append(say(Code.ROUTE_DRAW_INSPECT, draw=str(draw), ratio=str(ratio)))
    else:
        outcome = RouteOutcome.DOCUMENTS
        reasons.append(say(Code.ROUTE_DRAW_DOCUMENTS, draw=str(draw), ratio=str(ratio)))
    names = tuple(dict.fromkeys(rule for rule, _ in applying))
    return Decided(outcome, mode, ratio, names, tuple(reasons))


def route(consignment_id: int, version: int, inputs: Mapping[str, Any], *, now: int) -> Route:
    """The route of one version of a declaration, decided from ``inputs`` (``gather``)."""
    decided = decide(inputs)
    return Route(
        consignment_id=consignment_id,
        version=version,
        outcome=decided.outcome,
        mode=decided.mode,
        ratio=decided.ratio,
        draw=Decimal(inputs["draw"]),
        rules_version=str(inputs["rules_version"]),
        reasons=decided.reasons,
        inputs=inputs,
        at=now,
        fired=decided.fired,
    )
