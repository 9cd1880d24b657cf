"""A received ePhyto as the API and the pages show it (shared by both, like presenters.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi.responses import Response

from phytowatch.domain.certificates.ephyto import Problem, StoredEphyto
from phytowatch.domain.messages import Code, message_json, say


def stored_json(stored: StoredEphyto, *, full: bool = True) -> dict[str, Any]:
    received = stored.received
    out: dict[str, Any] = {
        "id": stored.id,
        "sha256": stored.sha256,
        "size": stored.size,
        "imported_at": stored.imported_at,
        "imported_by": stored.imported_by,
        "number": received.number,
        "type_code": received.type_code,
        "status_code": received.status_code,
        "issued": received.issued,
        "export_country": received.export_country,
        "import_country": received.import_country,
        "exporter": received.exporter.name,
        "consignee": received.consignee.name,
    }
    if full:
        out["certificate"] = dataclasses.asdict(received)
    return out


def problems_json(problems: tuple[Problem, ...]) -> list[dict[str, Any]]:
    return [
        {
            "line": p.line,
            "element": p.element,
            "detail": p.detail,
            **message_json(
                say(Code.EPHYTO_INVALID, line=p.line, element=p.element, detail=p.detail)
            ),
        }
        for p in problems
    ]


def xml_download(data: bytes, filename: str) -> Response:
    """An XML document to save, never rendered by the browser."""
    return Response(
        data,
        media_type="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
