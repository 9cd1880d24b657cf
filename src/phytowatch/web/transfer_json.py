"""A transfer as the API shows it (its document is ``services/transfers/document.py``)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import message_json
from phytowatch.domain.transfers.model import Amendment, Retrieval, Transfer
from phytowatch.services.transfers.service import AmendmentRefused


def transfer_json(transfer: Transfer) -> dict[str, Any]:
    return {
        "number": transfer.number,
        "consignment": {"id": transfer.consignment_id, "number": transfer.consignment_number},
        "enterprise": transfer.enterprise,
        "origin_office": transfer.origin_office,
        "port": transfer.port,
        "port_office": transfer.port_office,
        "electronic": transfer.electronic,
        "receiver": transfer.receiver,
        "certificates": list(transfer.certificates),
        "created_at": format_instant(transfer.created_at),
        "created_by": transfer.created_by,
        "retrieved_at": None
        if transfer.retrieved_at is None
        else format_instant(transfer.retrieved_at),
        "retrieved_by": transfer.retrieved_by or None,
        "ports_version": transfer.ports_version,
    }


def amendment_json(amendment: Amendment) -> dict[str, Any]:
    return {
        "field": amendment.field,
        "before": amendment.before,
        "after": amendment.after,
        "rule": amendment.rule,
        "at": format_instant(amendment.at),
        "by": amendment.actor,
    }


def retrieval_json(retrieval: Retrieval) -> dict[str, Any]:
    return {
        "office": retrieval.office,
        "at": format_instant(retrieval.at),
        "by": retrieval.actor,
    }


def refused_fields(error: AmendmentRefused) -> JSONResponse:
    """422: the refusal, and each refused field's message (naming its rule) under ``fields``."""
    return JSONResponse(
        {
            "error": error.message.english(),
            "code": error.message.code.value,
            "params": message_json(error.message)["params"],
            "fields": [{"field": p.field, **message_json(p.message)} for p in error.problems],
        },
        status_code=422,
    )
