"""The transfer document (``format: "phytowatch.transfer/1"``): what the outbox delivers to a
port's own system, and what the API shows. Its format: docs/transfer-format.md; its JSON Schema:
``phytowatch/formats/schemas/transfer-1.schema.json``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from phytowatch.domain.instants import format_instant as iso_utc
from phytowatch.domain.transfers.amend import in_force
from phytowatch.domain.transfers.model import Amendment, Transfer

FORMAT = "phytowatch.transfer/1"


def transfer_document(
    transfer: Transfer, declaration: Mapping[str, Any], amendments: Sequence[Amendment]
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "transfer": {
            "number": transfer.number,
            "origin_office": transfer.origin_office,
            "port": transfer.port,
            "port_office": transfer.port_office,
            "electronic": transfer.electronic,
            "created_at": iso_utc(transfer.created_at),
            "ports_version": transfer.ports_version,
            "revision": len(amendments),
        },
        "consignment": {
            "number": transfer.consignment_number,
            "enterprise": transfer.enterprise,
            "declaration_version": transfer.version,
        },
        "certificates": list(transfer.certificates),
        "declaration": dict(declaration),
        "in_force": in_force(declaration, amendments),
        "amendments": [
            {
                "seq": index + 1,
                "field": a.field,
                "before": a.before,
                "after": a.after,
                "rule": a.rule,
                "at": iso_utc(a.at),
                "by": a.actor,
            }
            for index, a in enumerate(amendments)
        ],
    }
