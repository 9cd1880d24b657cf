"""A certificate as JSON, for the API and the pages' JSON: identity, state, content, the issue
record, and on request its history, prints and signature check."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from phytowatch.domain.certificates.canonical import content_json
from phytowatch.domain.certificates.model import Certificate, CertificateEvent, Issue, Print
from phytowatch.domain.messages import message_json, stored_message
from phytowatch.services.certificates.ports import OfficeKey, SignatureCheck
from phytowatch.services.certificates.rules import FieldsRefused


def issue_json(issue: Issue | None) -> dict[str, Any] | None:
    """What issuing recorded; the token of the public address and the check code are not
    shown here: they are printed on the certificate."""
    if issue is None:
        return None
    return {
        "number": issue.number,
        "office": issue.office,
        "place_of_issue": issue.place_of_issue,
        "issued_at": issue.issued_at,
        "officer": issue.officer,
        "key_id": issue.key_id,
        "content_hash": issue.content_hash,
        "signature": issue.signature,
    }


def certificate_json(certificate: Certificate, *, content: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": certificate.id,
        "kind": certificate.kind.value,
        "state": certificate.state.value,
        "number": certificate.issue.number if certificate.issue else None,
        "consignment_id": certificate.consignment_id,
        "consignment": certificate.content.consignment,
        "office": certificate.office,
        "enterprise": certificate.enterprise,
        "city": certificate.city,
        "destination": certificate.content.destination,
        "revision": certificate.revision,
        "created_at": certificate.created_at,
        "created_by": certificate.created_by,
        "replaces": certificate.replaces,
        "replacement_reason": certificate.replacement_reason or None,
        "replaced_by": certificate.replaced_by,
        "issue": issue_json(certificate.issue),
    }
    if content:
        out["content"] = content_json(certificate.content)
    return out


def event_json(event: CertificateEvent) -> dict[str, Any]:
    return {
        "state": event.state.value,
        "at": event.at,
        "actor": event.actor,
        "detail": message_json(stored_message(event.detail)) if event.detail else None,
    }


def print_json(entry: Print) -> dict[str, Any]:
    return {"sequence": entry.sequence, "copy": entry.copy, "at": entry.at, "actor": entry.actor}


def signature_json(check: SignatureCheck) -> dict[str, Any]:
    return {
        "valid": check.valid,
        "hash_matches": check.hash_matches,
        "key_id": check.key_id,
        "key_known": check.key_known,
    }


def key_json(key: OfficeKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "office": key.office,
        "algorithm": key.algorithm,
        "active": key.active,
        "created_at": key.created_at,
        "created_by": key.created_by,
    }


def fields_response(error: FieldsRefused) -> JSONResponse:
    """422: the first refusal as the body, and each field's message under ``fields``."""
    return JSONResponse(
        {
            "error": error.message.english(),
            "code": error.message.code.value,
            "params": message_json(error.message)["params"],
            "fields": [{"field": name, **message_json(m)} for name, m in error.wrong],
        },
        status_code=422,
    )
