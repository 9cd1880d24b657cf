"""What the adapters (the web, the CLI, the demo) call of step 4, as Protocols.

``Certificates`` is the certificates' use cases as one service (``App.certificates``): the
lifecycle (``services/certificates/lifecycle.py``), the office keys that sign, the prints, and
the public look-ups that verification needs. Every act takes the :class:`Context` of who acts;
a refusal is a ``Refused`` with a message code. Reads that a person makes are filtered by the
caller's reach by the adapter (``web.auth``) before they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateEvent,
    CertificateKind,
    CertificateState,
    Print,
    ReexportDetails,
)
from phytowatch.services.context import Context
from phytowatch.services.paging import Found


class CertificateHook(Protocol):
    """Told, inside the very unit (transaction) that issues or cancels a certificate, what
    happened: step 5 creates or amends the consignment's transfer, and writes its outbox
    message, in that same transaction (``CertificateService.hooks``; bootstrap adds them)."""

    def issued(
        self, certificate: Certificate, *, replaced: Certificate | None, ctx: Context
    ) -> None:
        """``certificate`` was issued (its ``issue`` set); ``replaced`` is the certificate it
        replaces, already moved to ``replaced``, or ``None``."""
        ...

    def cancelled(self, certificate: Certificate, *, ctx: Context) -> None: ...


@dataclass(frozen=True)
class OfficeKey:
    """One signing key of an office. Keys are never deleted: a rotation adds a newer one, and
    the older stay to verify what they signed."""

    key_id: str  # short fingerprint: the first 16 hex of sha256 of the raw public key
    office: str
    algorithm: str  # "Ed25519"
    public_key_pem: str  # SubjectPublicKeyInfo PEM
    certificate_pem: str  # the office's self-signed X.509 certificate for it (published)
    created_at: int
    created_by: str
    active: bool  # the newest key of its office: the one that signs now


@dataclass(frozen=True)
class SignatureCheck:
    """Whether an issued certificate's stored record still verifies."""

    valid: bool  # the signature verifies over the canonical bytes rebuilt from the record
    hash_matches: bool  # the stored content hash is the hash of those bytes
    key_id: str
    key_known: bool  # the key is one of the office's (published) keys


class Certificates(Protocol):
    # -- reads --
    def certificate(self, certificate_id: int) -> Certificate | None: ...

    def by_number(self, number: str) -> Certificate | None:
        """An issued certificate by its number (any state since issue)."""
        ...

    def by_token(self, token: str) -> Certificate | None:
        """An issued certificate by its QR token (the public verification address)."""
        ...

    def of_consignment(self, consignment_id: int) -> list[Certificate]: ...

    def history(self, certificate_id: int) -> list[CertificateEvent]: ...

    def prints(self, certificate_id: int) -> list[Print]: ...

    def find(
        self,
        *,
        states: frozenset[CertificateState] | None = None,
        office: str | None = None,
        enterprise: str | None = None,
        offset: int = 0,
        limit: int = 50,
        reach: tuple[Sequence[str], Sequence[str]] | None = None,
        kind: CertificateKind | None = None,
        number: str = "",
    ) -> Found[Certificate]:
        """Certificates newest first; the certifying officer's queue is ``states={submitted,
        approved}`` and their office. ``reach``: only those of the (cities, enterprise codes)
        the caller covers (``services.supervision.assessment.reach``); ``None``: every one.
        ``number``: part of the issued number, any case."""
        ...

    def check_signature(self, certificate: Certificate) -> SignatureCheck:
        """Rebuild the canonical bytes from the stored record and verify them."""
        ...

    def keys(self, office: str | None = None) -> list[OfficeKey]: ...

    def key(self, key_id: str) -> OfficeKey | None: ...

    def number_pattern(self, office: str) -> str:
        """The office's numbering pattern in force (``domain.certificates.numbering``)."""
        ...

    # -- acts --
    def draft(
        self,
        consignment_id: int,
        kind: CertificateKind,
        *,
        ctx: Context,
        reexport: ReexportDetails | None = None,
    ) -> Certificate:
        """A new draft filled from the consignment's newest declaration and its signed-off
        runs' judgements (the treatment box). Refused unless the consignment was assessed
        conforming (or released on documents)."""
        ...

    def edit(self, certificate_id: int, changes: dict[str, object], *, ctx: Context) -> Certificate:
        """A new revision of a draft or returned certificate's free fields (consignee, marks,
        point of entry, additional declaration, remarks); the treatment box is never edited."""
        ...

    def submit(self, certificate_id: int, *, ctx: Context) -> Certificate: ...

    def send_back(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate:
        """Return to the applicant for correction (the certifying officer)."""
        ...

    def approve(self, certificate_id: int, *, ctx: Context) -> Certificate: ...

    def reject(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate: ...

    def issue(self, certificate_id: int, *, ctx: Context) -> Certificate:
        """Number (per office and year, no gaps), sign with the office's active key, record the
        issue (append-only) and move the consignment to certified, in one transaction."""
        ...

    def cancel(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate: ...

    def replace(
        self, certificate_id: int, reason: str, changes: dict[str, object], *, ctx: Context
    ) -> Certificate:
        """A new draft naming the issued one it replaces and why; the old one becomes replaced
        when the new one is issued."""
        ...

    def record_print(self, certificate_id: int, *, ctx: Context) -> Print:
        """Log a print (audited): the first is the original, every later one is a COPY."""
        ...

    def create_key(self, office: str, *, ctx: Context) -> OfficeKey:
        """A new Ed25519 key and its self-signed X.509 certificate; it signs from now on
        (a rotation), the older keys stay for verification."""
        ...

    def set_number_pattern(self, office: str, pattern: str, *, ctx: Context) -> str:
        """A new version of the office's numbering pattern (audited); refused with the
        pattern's problem. The numbers already issued keep theirs."""
        ...
