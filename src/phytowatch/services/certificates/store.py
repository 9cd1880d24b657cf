"""What the certificates' use cases need of storage, of signing and of the rest of the chain.

The SQL store lives in ``storage.certificates.repo``, the signing adapter (``cryptography``,
imported lazily) in ``storage.certificates.keys``; in-memory fakes in ``tests/fakes``. Every
write is made inside ``AuditRecorder.atomic()`` with its audit entry: the SQL store's writes then
share the unit's transaction (``storage.unit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Office
from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateContent,
    CertificateEvent,
    CertificateKind,
    CertificateState,
    Issue,
    Print,
    TreatmentStatement,
)
from phytowatch.services.accounts.ports import UserRecord
from phytowatch.services.certificates.ports import OfficeKey
from phytowatch.services.paging import Found

Reach = tuple[Sequence[str], Sequence[str]]  # (cities, enterprise codes); None: everywhere


@dataclass(frozen=True)
class NewCertificate:
    kind: CertificateKind
    consignment_id: int | None
    office: str
    enterprise: str
    city: str
    content: CertificateContent
    at: int
    actor: str
    replaces: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class NumberPattern:
    office: str
    pattern: str
    at: int
    actor: str
    version: int  # 1 for an office's first


@dataclass(frozen=True)
class NewKey:
    """What the signing adapter made: the published parts and the private key (PKCS8 PEM,
    encrypted when a passphrase was given)."""

    key: OfficeKey
    private_key_pem: str
    encrypted: bool


class CertificateStore(Protocol):
    # -- reads --
    def certificate(self, certificate_id: int) -> Certificate | None: ...

    def by_number(self, number: str) -> Certificate | None: ...

    def by_token(self, token: str) -> Certificate | None: ...

    def of_consignment(self, consignment_id: int) -> list[Certificate]: ...

    def history(self, certificate_id: int) -> list[CertificateEvent]: ...

    def prints(self, certificate_id: int) -> list[Print]: ...

    def find(
        self,
        *,
        states: frozenset[CertificateState] | None,
        office: str | None,
        enterprise: str | None,
        reach: Reach | None,
        offset: int,
        limit: int,
        kind: CertificateKind | None = None,
        number: str = "",
    ) -> Found[Certificate]: ...

    # -- writes (inside the caller's unit) --
    def add_certificate(self, new: NewCertificate) -> int:
        """The certificate, its first revision and its DRAFT event."""
        ...

    def add_revision(
        self, certificate_id: int, content: CertificateContent, *, at: int, actor: str
    ) -> int:
        """A new content revision; its number."""
        ...

    def add_event(self, event: CertificateEvent) -> None: ...

    def next_sequence(self, office: str, year: int) -> int:
        """Lock the office's counter of the year, add one and return it: in the issuing unit,
        so that a rollback gives the number back (no gap) and no two issues share one."""
        ...

    def add_issue(self, issue: Issue, *, year: int, sequence: int, revision: int) -> None: ...

    def add_print(self, entry: Print) -> None: ...

    # -- numbering --
    def patterns(self, office: str) -> list[NumberPattern]:
        """The office's pattern versions, oldest first (none: the default pattern)."""
        ...

    def add_pattern(self, office: str, pattern: str, *, at: int, actor: str) -> NumberPattern: ...

    # -- keys --
    def keys(self, office: str | None) -> list[OfficeKey]:
        """Newest first; the newest of each office is the active one."""
        ...

    def key(self, key_id: str) -> OfficeKey | None: ...

    def private_key(self, key_id: str) -> str | None:
        """The key's private key PEM (PKCS8, perhaps encrypted)."""
        ...

    def add_key(self, new: NewKey) -> None: ...

    def owner_of(self, certificate_id: int) -> tuple[str, str] | None:
        """The certificate's enterprise code and city (the routes' tenant check)."""
        ...


class Signer(Protocol):
    """Office keys and signatures (Ed25519, X.509)."""

    def new_key(
        self, office: str, office_name: str, *, now: int, actor: str, passphrase: str | None
    ) -> NewKey: ...

    def sign(self, private_key_pem: str, data: bytes, *, passphrase: str | None) -> bytes:
        """``ValueError`` when the private key cannot be opened (a wrong passphrase)."""
        ...

    def verify(self, public_key_pem: str, signature: bytes, data: bytes) -> bool: ...


class TreatmentSource(Protocol):
    """The treatment box of a run, from its own judgement: ``None`` unless the run exists,
    passed, and was signed off."""

    def treatment(self, run_id: int) -> TreatmentStatement | None: ...


class OfficeDirectory(Protocol):
    """The bureau's offices (accounts): which one covers an enterprise, and its name."""

    def list_offices(self) -> list[Office]: ...

    def office(self, code: str) -> Office | None: ...

    def user_by_login(self, login: str) -> UserRecord | None:
        """The certifying officer's account: its name is printed as the authorized officer."""
        ...
