"""The canonical bytes of an issued certificate: what is hashed and signed.

Canonical JSON (keys sorted, no spaces, UTF-8; text and integers only, never floats): the
content, the number, the office, the place and instant of issue and the officer. The same
input always gives the same bytes, on any machine; a verifier rebuilds them from the stored
record and checks the signature.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from enum import Enum
from typing import Any

from phytowatch.domain.certificates.model import CertificateContent

CANONICAL_VERSION = 1


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def content_json(content: CertificateContent) -> dict[str, Any]:
    """The content as plain JSON values (what ``canonical_bytes`` and storage use)."""
    plain = _plain(content)
    assert isinstance(plain, dict)
    return plain


def canonical_bytes(
    content: CertificateContent,
    *,
    number: str,
    office: str,
    place_of_issue: str,
    issued_at: int,
    officer: str,
) -> bytes:
    document = {
        "v": CANONICAL_VERSION,
        "content": content_json(content),
        "number": number,
        "office": office,
        "place_of_issue": place_of_issue,
        "issued_at": issued_at,
        "officer": officer,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_from_json(data: dict[str, Any]) -> CertificateContent:
    """The inverse of ``content_json`` (what storage reads back)."""
    from phytowatch.domain.certificates.model import (
        CertificateKind,
        CertifiedLine,
        Party,
        ReexportDetails,
        TreatmentStatement,
    )

    reexport = data.get("reexport")
    return CertificateContent(
        kind=CertificateKind(data["kind"]),
        consignment=data["consignment"],
        exporter=Party(**data["exporter"]),
        consignee=Party(**data["consignee"]),
        destination=data["destination"],
        lines=tuple(CertifiedLine(**line) for line in data["lines"]),
        packages=data["packages"],
        marks=data["marks"],
        place_of_origin=data["place_of_origin"],
        conveyance=data["conveyance"],
        point_of_entry=data["point_of_entry"],
        port_of_exit=data["port_of_exit"],
        additional_declaration=data.get("additional_declaration", ""),
        treatments=tuple(TreatmentStatement(**t) for t in data.get("treatments", ())),
        reexport=ReexportDetails(**reexport) if reexport else None,
        containers=tuple(data.get("containers", ())),
        remarks=data.get("remarks", ""),
    )
