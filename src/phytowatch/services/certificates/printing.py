"""What a printed certificate is made of, and the port of the adapter that renders it.

The renderer (``printing/pdf.py``, wired as ``App.printer``) takes a :class:`Printable`
(content and issue in) and gives the PDF's bytes; it never reads the database or the clock.
:func:`printable_of` builds one from a stored certificate: the QR text with the signed payload
the lifecycle made at issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from phytowatch.domain.certificates.model import Certificate, CertificateContent, Issue
from phytowatch.domain.certificates.payload import payload_body, payload_of
from phytowatch.domain.certificates.qr_text import qr_text
from phytowatch.services.certificates.ports import Certificates


class PrintMark(StrEnum):
    ORIGINAL = "original"  # the first print of an issued certificate
    COPY = "copy"  # every later print: COPY / 副本
    DRAFT = "draft"  # a preview of what is not issued: DRAFT / 草稿, no number, no QR


@dataclass(frozen=True)
class Printable:
    content: CertificateContent
    issue: Issue | None  # None for a draft preview
    mark: PrintMark
    qr_text: str  # "" for a draft preview
    verify_url: str  # <public_url>/verify: where the number and check code are typed
    replaces: str = ""  # the number of the certificate this one replaces (ISPM 12 asks it said)


class CertificatePrinter(Protocol):
    def ready(self) -> None:
        """``Invalid`` when a print could not be made (the font is missing): checked before a
        print is recorded."""
        ...

    def render(self, printable: Printable) -> bytes:
        """The certificate as a PDF."""
        ...


def issued_on(issue: Issue) -> str:
    """The date of issue (YYYY-MM-DD) in the bureau's zone, as printed and as issuing put it
    in the signed payload."""
    from phytowatch.services.certificates.issuing import local_day

    return local_day(issue.issued_at).date().isoformat()


def certificate_qr_text(certificate: Certificate, issue: Issue, public_url: str) -> str:
    """``<public_url>/verify/<token>#<body>.<signature>`` (domain/certificates/payload.py)."""
    payload = payload_of(
        certificate.content,
        number=issue.number,
        office=issue.office,
        issued_on=issued_on(issue),
        content_hash=issue.content_hash,
        key_id=issue.key_id,
    )
    return qr_text(public_url, issue.token, payload_body(payload), issue.payload_signature)


def printable_of(
    certificate: Certificate, *, mark: PrintMark, public_url: str, replaces: str = ""
) -> Printable:
    """``replaces``: the number of the certificate this one replaces (``replaced_number``)."""
    base = public_url.rstrip("/")
    issue = certificate.issue if mark is not PrintMark.DRAFT else None
    text = "" if issue is None else certificate_qr_text(certificate, issue, base)
    return Printable(certificate.content, issue, mark, text, f"{base}/verify", replaces)


def replaced_number(certificates: Certificates, certificate: Certificate) -> str:
    """The number of the issued certificate ``certificate`` replaces, or ""."""
    if certificate.replaces is None:
        return ""
    old = certificates.certificate(certificate.replaces)
    return "" if old is None or old.issue is None else old.issue.number
