"""Who may do what to a certificate, and the refusals that say so.

The declarant (``certificates:apply``) of the certificate's enterprise drafts, edits, submits and
asks for a replacement; the certifying officer (``certificates:certify``) of the certificate's
office, which covers the enterprise, returns, approves, rejects, issues and cancels. Anyone who
may not see a certificate gets the same 404 as for one that does not exist.
"""

from __future__ import annotations

from collections.abc import Collection

from phytowatch.domain.accounts import Action, Principal, Role
from phytowatch.domain.certificates.model import Certificate, CertificateState
from phytowatch.domain.messages import Code, Kind, Message, Refused, Word, refused


class FieldsRefused(Refused):
    """Several fields refused at once: each named with its message (422)."""

    def __init__(self, wrong: list[tuple[str, Message]]) -> None:
        super().__init__(Kind.INVALID, wrong[0][1])
        self.wrong = wrong


def not_found(certificate_id: int | str) -> Refused:
    return refused(Kind.NOT_FOUND, Code.CERT_NOT_FOUND, certificate=str(certificate_id))


def sees(principal: Principal, certificate: Certificate) -> bool:
    return principal.may(Action.CERTIFICATES_READ) and principal.covers(
        certificate.enterprise, certificate.city
    )


def applicant(principal: Principal, enterprise: str, city: str) -> None:
    if not principal.may(Action.CERTIFICATES_APPLY) or not principal.covers(enterprise, city):
        raise refused(Kind.FORBIDDEN, Code.CERT_APPLICANT_ONLY)


def certifier(principal: Principal, certificate: Certificate) -> None:
    if (
        not principal.may(Action.CERTIFICATES_CERTIFY)
        or principal.role is not Role.CERTIFYING_OFFICER
        or principal.office != certificate.office
        or not principal.covers(certificate.enterprise, certificate.city)
    ):
        raise refused(Kind.FORBIDDEN, Code.CERT_CERTIFIER_ONLY, office=certificate.office)


def in_state(certificate: Certificate, allowed: Collection[CertificateState], action: str) -> None:
    if certificate.state not in allowed:
        raise refused(
            Kind.CONFLICT,
            Code.CERT_STATE,
            certificate=label(certificate),
            state=Word(certificate.state.value),
            action=Word(action),
        )


def label(certificate: Certificate) -> str:
    """How a message names a certificate: its number once issued, else its id."""
    return certificate.issue.number if certificate.issue else f"#{certificate.id}"


def reason_text(reason: str, max_len: int = 2000) -> str:
    text = reason.strip()
    if not text or len(text) > max_len or not all(c.isprintable() or c in "\n\t" for c in text):
        raise FieldsRefused(
            [("reason", Message(Code.FIELD_TEXT, {"field": "reason", "max": max_len}))]
        )
    return text
