"""A consignment as the API answers it (and the pages read it): its state, the content of its
newest version (or its draft), its versions, its timeline with elapsed times, its six steps
(workflow.md), and links; a declaration refused field by field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse

from phytowatch.domain.messages import message_json, stored_message
from phytowatch.domain.supervision.consignment import Consignment, TimelineEntry
from phytowatch.domain.supervision.six_steps import SixSteps, six_steps
from phytowatch.domain.supervision.validation import FieldProblem, FieldsRefused
from phytowatch.formats import declaration_json
from phytowatch.services.supervision.consignments import (
    ConsignmentRow,
    ConsignmentStore,
    VersionInfo,
    content,
)
from phytowatch.services.transfers.ports import TransferLookup
from phytowatch.web.presenters import when

API = "/api/v1/consignments"


def problem_json(found: FieldProblem) -> dict[str, Any]:
    return {"field": found.field, **message_json(found.message)}


def refusal_response(error: FieldsRefused) -> JSONResponse:
    """422: the summary as every refusal's body, and each field's message under ``fields``."""
    return JSONResponse(
        {
            "error": error.message.english(),
            "code": error.message.code.value,
            "params": message_json(error.message)["params"],
            "fields": [problem_json(p) for p in error.problems],
        },
        status_code=422,
    )


def elapsed(entries: Sequence[TimelineEntry]) -> list[dict[str, Any]]:
    """Each step, with the µs since the previous step and since the first submission."""
    out = []
    previous: int | None = None
    submitted: int | None = None
    for entry in entries:
        if submitted is None and entry.step.value == "submitted":
            submitted = entry.at
        detail = stored_message(entry.detail) if entry.detail else None
        out.append(
            {
                "step": entry.step.value,
                "at": when(entry.at),
                "at_us": entry.at,
                "actor": entry.actor,
                "version": entry.version,
                "detail": None if detail is None else message_json(detail),
                "detail_message": detail,
                "since_previous_s": None if previous is None else (entry.at - previous) // 10**6,
                "since_submission_s": None
                if submitted is None
                else (entry.at - submitted) // 10**6,
            }
        )
        previous = entry.at
    return out


def _seconds(us: int | None) -> int | None:
    return None if us is None else us // 10**6


def six_steps_json(found: SixSteps) -> dict[str, Any]:
    """The six steps as the API answers them: each step's code, who, when, the seconds since the
    step before; the seconds from declaration to release (``null`` until released)."""
    upcoming = found.next_step
    return {
        "steps": [
            {
                "number": mark.number,
                "step": mark.step.value.removeprefix("step."),
                "reached": mark.reached,
                "actor": mark.actor or None,
                "at": when(mark.at),
                "since_previous_s": _seconds(mark.since_previous_us),
            }
            for mark in found.steps
        ],
        "reached": found.reached,
        "next": None if upcoming is None else upcoming.number,
        "declared_at": when(found.declared_at),
        "released_at": when(found.released_at),
        "declaration_to_release_s": _seconds(found.declaration_to_release_us),
        "returns": found.returns,
        "resubmitted_at": when(found.resubmitted_at),
        "electronic_transfer": found.electronic_transfer,
        "stopped": None if found.stopped is None else found.stopped.value,
        "stopped_at": when(found.stopped_at),
    }


def version_json(info: VersionInfo, consignment_id: int) -> dict[str, Any]:
    return {
        "version": info.version,
        "submitted_at": when(info.submitted_at),
        "submitted_by": info.submitted_by,
        "sha256": info.content_hash,
        "href": f"{API}/{consignment_id}/versions/{info.version}",
    }


def electronic_transfer(transfers: TransferLookup | None, consignment_id: int) -> bool | None:
    """Whether the consignment's transfer went electronically; ``None`` while it has none."""
    found = None if transfers is None else transfers.of_consignment(consignment_id)
    return None if found is None else found.electronic


def consignment_json(
    store: ConsignmentStore,
    consignment: Consignment,
    *,
    transfers: TransferLookup | None = None,
) -> dict[str, Any]:
    declaration = content(store, consignment)
    entries = store.timeline(consignment.id)
    electronic = electronic_transfer(transfers, consignment.id)
    timeline = elapsed(entries)
    for entry in timeline:
        entry.pop("detail_message")
        entry.pop("at_us")
    copied = None
    if consignment.copied_from is not None:
        source = store.consignment(consignment.copied_from)
        copied = None if source is None else source.number
    return {
        "id": consignment.id,
        "number": consignment.number,
        "enterprise": consignment.enterprise,
        "state": consignment.state.value,
        "version": consignment.version,
        "created_at": when(consignment.created_at),
        "created_by": consignment.created_by,
        "copied_from": copied,
        "declaration": None if declaration is None else declaration_json.encode(declaration),
        "versions": [version_json(v, consignment.id) for v in store.versions(consignment.id)],
        "timeline": timeline,
        "six_steps": six_steps_json(six_steps(entries, electronic_transfer=electronic)),
        "links": {
            "self": f"{API}/{consignment.id}",
            "page": f"/consignments/{consignment.id}",
            "runs": [f"/api/v1/runs/{run}" for run in (declaration.runs if declaration else ())],
        },
    }


def row_json(row: ConsignmentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "enterprise": row.enterprise,
        "city": row.city,
        "state": row.state.value,
        "version": row.version,
        "destination": row.destination,
        "consignee": row.consignee,
        "created_at": when(row.created_at),
        "submitted_at": when(row.submitted_at),
        "updated_at": when(row.updated_at),
        "href": f"{API}/{row.id}",
    }
