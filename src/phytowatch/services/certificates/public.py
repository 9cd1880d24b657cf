"""What the public verification shows of a certificate, and how it is found without a login.

Found by its QR token, or by its number and the check code printed beside it; any other pair
is "not found", whichever part was wrong (no enumeration: the number alone finds nothing). The
view holds what the paper itself says (number, kind, parties' names, produce, date and place of
issue) and whether it stands: valid, cancelled, replaced (by which number), and whether the
stored record's signature verifies. No internal id, no consignment, no run, no person's login.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum

from phytowatch.domain.certificates.model import Certificate, CertificateState
from phytowatch.services.certificates.ports import Certificates
from phytowatch.services.certificates.printing import issued_on

MAX_NUMBER = 64  # longer than any number a pattern makes
MAX_CHECK_CODE = 32


class Standing(StrEnum):
    VALID = "valid"  # issued, in force, its signature verifies
    CANCELLED = "cancelled"
    REPLACED = "replaced"
    ALTERED = "altered"  # in force, but the stored record no longer matches its signature


@dataclass(frozen=True)
class ProduceLine:
    description: str
    botanical_name: str
    quantity: str


@dataclass(frozen=True)
class PublicView:
    standing: Standing
    number: str
    kind: str
    office: str
    issued_on: str
    place_of_issue: str
    officer: str
    exporter: str
    consignee: str
    destination: str
    produce: tuple[ProduceLine, ...]
    treatments: tuple[str, ...]  # "2026-11-28 cold treatment ≤ 1.11 °C pulp for 14 d"
    signature_valid: bool
    key_id: str
    key_known: bool
    replaced_by: str | None  # the replacement's number, once issued

    def to_json(self) -> dict[str, object]:
        return {
            "standing": self.standing.value,
            "number": self.number,
            "kind": self.kind,
            "office": self.office,
            "issued_on": self.issued_on,
            "place_of_issue": self.place_of_issue,
            "officer": self.officer,
            "exporter": self.exporter,
            "consignee": self.consignee,
            "destination": self.destination,
            "produce": [
                {
                    "description": p.description,
                    "botanical_name": p.botanical_name,
                    "quantity": p.quantity,
                }
                for p in self.produce
            ],
            "treatments": list(self.treatments),
            "signature": {
                "valid": self.signature_valid,
                "key_id": self.key_id,
                "key_known": self.key_known,
            },
            "replaced_by": self.replaced_by,
        }


def normal_check_code(text: str) -> str:
    """As typed: spaces and dashes aside, any case (the printed code is upper case)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def by_number_and_code(
    certificates: Certificates, number: str, check_code: str
) -> Certificate | None:
    number = number.strip()
    code = normal_check_code(check_code)
    if not number or not code or len(number) > MAX_NUMBER or len(code) > MAX_CHECK_CODE:
        return None
    if any(ord(ch) < 32 for ch in number):
        return None
    found = certificates.by_number(number)
    expected = normal_check_code(found.issue.check_code) if found and found.issue else "-"
    # compared in constant time, and compared even when nothing was found
    matches = hmac.compare_digest(code.encode(), expected.encode())
    return found if found is not None and matches else None


def by_token(certificates: Certificates, token: str) -> Certificate | None:
    if not token or len(token) > 128 or not token.isascii() or not token.isprintable():
        return None
    return certificates.by_token(token)


def public_view(certificates: Certificates, certificate: Certificate) -> PublicView | None:
    """None for what is not issued (never shown)."""
    issue = certificate.issue
    if issue is None:
        return None
    check = certificates.check_signature(certificate)
    signed_ok = check.valid and check.hash_matches
    replaced_by = None
    if certificate.state is CertificateState.REPLACED:
        standing = Standing.REPLACED
        if certificate.replaced_by is not None:
            new = certificates.certificate(certificate.replaced_by)
            replaced_by = new.issue.number if new is not None and new.issue else None
    elif certificate.state is CertificateState.CANCELLED:
        standing = Standing.CANCELLED
    elif certificate.state in (CertificateState.ISSUED, CertificateState.PRINTED):
        standing = Standing.VALID if signed_ok else Standing.ALTERED
    else:
        return None
    content = certificate.content
    return PublicView(
        standing=standing,
        number=issue.number,
        kind=certificate.kind.value,
        office=issue.office,
        issued_on=issued_on(issue),
        place_of_issue=issue.place_of_issue,
        officer=issue.officer,
        exporter=content.exporter.name,
        consignee=content.consignee.name,
        destination=content.destination,
        produce=tuple(
            ProduceLine(line.description, line.botanical_name, line.quantity)
            for line in content.lines
        ),
        treatments=tuple(
            " ".join(x for x in (t.date, t.method, t.duration_and_temperature) if x)
            for t in content.treatments
        ),
        signature_valid=signed_ok,
        key_id=check.key_id,
        key_known=check.key_known,
        replaced_by=replaced_by,
    )
