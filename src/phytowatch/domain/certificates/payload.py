"""The compact signed payload a certificate's QR code carries, for checking it offline.

The QR code reads ``<public_url>/verify/<token>#<body>.<signature>``: a phone opens the online
check (the fragment never reaches the server); a port abroad or a closed network decodes the
fragment and verifies the signature with the office's published public key, with no connection
to us (``phytowatch certificates verify-qr``). ``body`` is base64url (no padding) of canonical
JSON with short keys; ``signature`` is base64url of the office key's signature over the body's
bytes (the base64url text itself, as ASCII). What only the online check can add: whether the
certificate was cancelled or replaced since.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from phytowatch.domain.certificates.model import CertificateContent

PAYLOAD_VERSION = 1


@dataclass(frozen=True)
class QrPayload:
    number: str
    office: str
    kind: str
    issued_on: str  # YYYY-MM-DD
    exporter: str
    consignee: str
    destination: str  # ISO 3166-1 alpha-2
    produce: str  # "Citrus sinensis 24000 kg; ..."
    content_hash: str  # the first 32 hex of the issued content's sha256
    key_id: str

    def to_json(self) -> dict[str, object]:
        return {
            "v": PAYLOAD_VERSION, "n": self.number, "o": self.office, "k": self.kind,
            "d": self.issued_on, "e": self.exporter, "c": self.consignee,
            "to": self.destination, "p": self.produce, "h": self.content_hash,
            "i": self.key_id,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, object]) -> QrPayload:
        """``KeyError`` or ``ValueError`` for what is not a payload of this version."""
        if data.get("v") != PAYLOAD_VERSION:
            raise ValueError(data.get("v"))
        return cls(*(str(data[key]) for key in ("n", "o", "k", "d", "e", "c", "to", "p", "h", "i")))


def payload_of(
    content: CertificateContent,
    *,
    number: str,
    office: str,
    issued_on: str,
    content_hash: str,
    key_id: str,
) -> QrPayload:
    # the first line and how many more: a QR code must stay scannable on paper whatever the
    # consignment's size (a payload of 45 lines no longer fits at error correction M)
    first = content.lines[0] if content.lines else None
    produce = "" if first is None else f"{first.botanical_name} {first.quantity}".strip()
    if len(content.lines) > 1:
        produce = f"{_short(produce)} (+{len(content.lines) - 1})"
    return QrPayload(
        number=number,
        office=office,
        kind=content.kind.value,
        issued_on=issued_on,
        exporter=_short(content.exporter.name),
        consignee=_short(content.consignee.name),
        destination=content.destination,
        produce=_short(produce),
        content_hash=content_hash[:32],
        key_id=key_id,
    )


SHORT = 80  # characters of a name or of the produce the payload carries


def _short(text: str) -> str:
    """At most ``SHORT`` characters: a longer name is cut and ends with "…"."""
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """``ValueError`` for what is not base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def payload_body(payload: QrPayload) -> str:
    """The body the office key signs: base64url of the canonical JSON."""
    raw = json.dumps(payload.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return b64url(raw.encode("utf-8"))
