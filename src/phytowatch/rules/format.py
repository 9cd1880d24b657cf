"""The policy files' format (a first reader: the shipped files as they are)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from phytowatch.domain.schedule import Confidence
from phytowatch.domain.supervision.policy import (
    Classification,
    ClassificationRule,
    ClassScheme,
    DestinationRequirement,
    Policy,
    PolicyKind,
    Product,
    RiskLevel,
    RoutingRules,
    SupervisionMode,
)

SHIPPED = Path(__file__).resolve().parent / "data"  # installed with the package


def _read(directory: Path, kind: PolicyKind) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((directory / f"{kind.value}.json").read_text("utf-8"))
    return found


def products_of(doc: dict[str, Any]) -> dict[str, Product]:
    return {
        p["code"]: Product(
            code=p["code"],
            name_zh=p["name_zh"],
            name_en=p["name_en"],
            botanical_name=p["botanical_name"],
            hs_code=p["hs_code"],
            risk=RiskLevel(p["risk"]),
            confidence=Confidence(p["confidence"]),
            eppo_code=p.get("eppo_code", ""),
        )
        for p in doc["products"]
    }


def destinations_of(doc: dict[str, Any]) -> tuple[DestinationRequirement, ...]:
    return tuple(
        DestinationRequirement(
            destination=r["destination"],
            product=r["product"],
            schedules=tuple(r["schedules"]),
            additional_declarations=tuple(r["additional_declarations"]),
            source=r["source"],
            confidence=Confidence(r["confidence"]),
        )
        for r in doc["requirements"]
    )


def routing_of(doc: dict[str, Any]) -> RoutingRules:
    return RoutingRules(
        version=doc["version"],
        scheme=doc["scheme"],
        matrix={
            (klass, RiskLevel(risk)): SupervisionMode(mode)
            for klass, row in doc["matrix"].items()
            for risk, mode in row.items()
        },
        ratios={SupervisionMode(m): Decimal(r) for m, r in doc["ratios"].items()},
        hard_rules=frozenset(doc["hard_rules"]),
        confidence=Confidence(doc["confidence"]),
        source=doc["source"],
    )


def classification_of(doc: dict[str, Any]) -> Classification:
    scheme = doc["scheme"]
    return Classification(
        version=doc["version"],
        scheme=ClassScheme(
            code=scheme["code"],
            classes=tuple(scheme["classes"]),
            names={k: (v[0], v[1]) for k, v in scheme["names"].items()},
        ),
        rules=tuple(
            ClassificationRule(
                code=r["code"],
                measure=r["measure"],
                period_days=r["period_days"],
                steps=r["steps"],
                at_least=r.get("at_least"),
                at_most=r.get("at_most"),
                confidence=Confidence(r["confidence"]),
            )
            for r in doc["rules"]
        ),
        confidence=Confidence(doc["confidence"]),
    )


def load_shipped(directory: Path = SHIPPED) -> Policy:
    """The shipped policy documents as one :class:`Policy`."""
    docs = {kind: _read(directory, kind) for kind in PolicyKind}
    return Policy(
        products=products_of(docs[PolicyKind.PRODUCTS]),
        destinations=destinations_of(docs[PolicyKind.DESTINATIONS]),
        routing=routing_of(docs[PolicyKind.ROUTING]),
        classification=classification_of(docs[PolicyKind.CLASSIFICATION]),
        versions={kind: str(doc["version"]) for kind, doc in docs.items()},
    )
