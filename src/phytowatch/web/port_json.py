"""Step 6's records as the API and the pages' JSON give them (instants in µs, UTC)."""

from __future__ import annotations

from typing import Any

from phytowatch.domain.messages import message_json
from phytowatch.domain.transfers.release import Clearance, PortCheck, PortDraw, PortHold
from phytowatch.services.port.ports import PortView
from phytowatch.services.port.release import draw_message


def draw_json(draw: PortDraw | None) -> dict[str, Any] | None:
    if draw is None:
        return None
    return {
        "checked": draw.checked,
        "key_list": draw.key_list,
        "mode": draw.mode,
        "ratio": str(draw.ratio),
        "confidence": draw.confidence,
        "policy_version": draw.policy_version,
        "seed": draw.seed,
        "draw": str(draw.draw),
        "at": draw.at,
        "actor": draw.actor,
        "says": message_json(draw_message(draw)),
    }


def check_json(check: PortCheck) -> dict[str, Any]:
    return {
        "id": check.id,
        "seals_intact": check.seals_intact,
        "containers_match": check.containers_match,
        "goods_match": check.goods_match,
        "conforming": check.conforming,
        "findings": check.findings,
        "at": check.at,
        "actor": check.actor,
    }


def hold_json(hold: PortHold) -> dict[str, Any]:
    return {"id": hold.id, "reason": hold.reason, "at": hold.at, "actor": hold.actor}


def clearance_json(clearance: Clearance) -> dict[str, Any]:
    return {
        "number": clearance.number,
        "transfer": clearance.transfer_number,
        "consignment": clearance.consignment_number,
        "consignment_id": clearance.consignment_id,
        "enterprise": clearance.enterprise,
        "office": clearance.office,
        "port": clearance.port,
        "certificates": list(clearance.certificates),
        "check": clearance.check_id,
        "released_at": clearance.released_at,
        "released_by": clearance.released_by,
    }


def view_json(view: PortView) -> dict[str, Any]:
    transfer = view.transfer
    return {
        "transfer": transfer.number,
        "consignment": transfer.consignment_number,
        "consignment_id": transfer.consignment_id,
        "enterprise": transfer.enterprise,
        "port": transfer.port,
        "port_office": transfer.port_office,
        "certificates": list(transfer.certificates),
        "retrieved_at": transfer.retrieved_at,
        "draw": draw_json(view.draw),
        "checks": [check_json(c) for c in view.checks],
        "holds": [hold_json(h) for h in view.holds],
        "held": view.held,
        "clearance": None if view.clearance is None else clearance_json(view.clearance),
    }
