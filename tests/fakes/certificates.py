"""The certificates' ports in memory (services.certificates.store): the store, a signer that
needs no cryptography (a keyed SHA-256, enough to tell a changed byte), the runs' treatment
boxes and the offices."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from typing import TYPE_CHECKING

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
from phytowatch.services.certificates.ports import OfficeKey
from phytowatch.services.certificates.store import NewCertificate, NewKey, NumberPattern, Reach
from phytowatch.services.paging import Found


@dataclasses.dataclass
class _Row:
    new: NewCertificate
    revisions: list[CertificateContent]
    events: list[CertificateEvent]
    issue: Issue | None = None
    prints: list[Print] = dataclasses.field(default_factory=list)


class InMemoryCertificateStore:
    def __init__(self) -> None:
        self.rows: dict[int, _Row] = {}
        self.counters: dict[tuple[str, int], int] = {}
        self.pattern_rows: list[NumberPattern] = []
        self.key_rows: list[NewKey] = []

    def _certificate(self, certificate_id: int) -> Certificate:
        row = self.rows[certificate_id]
        replaced_by = max(
            (i for i, r in self.rows.items() if r.new.replaces == certificate_id and r.issue),
            default=None,
        )
        return Certificate(
            id=certificate_id,
            kind=row.new.kind,
            consignment_id=row.new.consignment_id,
            office=row.new.office,
            enterprise=row.new.enterprise,
            city=row.new.city,
            state=row.events[-1].state,
            revision=len(row.revisions),
            content=row.revisions[-1],
            created_at=row.new.at,
            created_by=row.new.actor,
            replaces=row.new.replaces,
            replacement_reason=row.new.reason,
            replaced_by=replaced_by,
            issue=row.issue,
        )

    def certificate(self, certificate_id: int) -> Certificate | None:
        return self._certificate(certificate_id) if certificate_id in self.rows else None

    def by_number(self, number: str) -> Certificate | None:
        return next(
            (
                self._certificate(i)
                for i, r in self.rows.items()
                if r.issue and r.issue.number == number
            ),
            None,
        )

    def by_token(self, token: str) -> Certificate | None:
        return next(
            (
                self._certificate(i)
                for i, r in self.rows.items()
                if r.issue and r.issue.token == token
            ),
            None,
        )

    def of_consignment(self, consignment_id: int) -> list[Certificate]:
        return [
            self._certificate(i)
            for i, r in sorted(self.rows.items())
            if r.new.consignment_id == consignment_id
        ]

    def history(self, certificate_id: int) -> list[CertificateEvent]:
        return list(self.rows[certificate_id].events) if certificate_id in self.rows else []

    def prints(self, certificate_id: int) -> list[Print]:
        return list(self.rows[certificate_id].prints) if certificate_id in self.rows else []

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
    ) -> Found[Certificate]:
        found = [self._certificate(i) for i in sorted(self.rows, reverse=True)]
        found = [
            c
            for c in found
            if (states is None or c.state in states)
            and (not office or c.office == office)
            and (not enterprise or c.enterprise == enterprise)
            and (reach is None or c.city in reach[0] or c.enterprise in reach[1])
            and (kind is None or c.kind is kind)
            and (not number or number.upper() in (c.issue.number if c.issue else "").upper())
        ]
        return Found(found[offset : offset + limit], len(found), offset, limit)

    def owner_of(self, certificate_id: int) -> tuple[str, str] | None:
        row = self.rows.get(certificate_id)
        return None if row is None else (row.new.enterprise, row.new.city)

    def add_certificate(self, new: NewCertificate) -> int:
        certificate_id = len(self.rows) + 1
        draft = CertificateEvent(certificate_id, CertificateState.DRAFT, new.at, new.actor, {})
        self.rows[certificate_id] = _Row(new, [new.content], [draft])
        return certificate_id

    def add_revision(
        self, certificate_id: int, content: CertificateContent, *, at: int, actor: str
    ) -> int:
        self.rows[certificate_id].revisions.append(content)
        return len(self.rows[certificate_id].revisions)

    def add_event(self, event: CertificateEvent) -> None:
        self.rows[event.certificate_id].events.append(event)

    def next_sequence(self, office: str, year: int) -> int:
        self.counters[(office, year)] = self.counters.get((office, year), 0) + 1
        return self.counters[(office, year)]

    def add_issue(self, issue: Issue, *, year: int, sequence: int, revision: int) -> None:
        row = self.rows[issue.certificate_id]
        assert row.issue is None, "issued twice"
        assert all(r.issue is None or r.issue.number != issue.number for r in self.rows.values())
        row.issue = issue

    def add_print(self, entry: Print) -> None:
        self.rows[entry.certificate_id].prints.append(entry)

    def patterns(self, office: str) -> list[NumberPattern]:
        return [p for p in self.pattern_rows if p.office == office]

    def add_pattern(self, office: str, pattern: str, *, at: int, actor: str) -> NumberPattern:
        made = NumberPattern(office, pattern, at, actor, len(self.patterns(office)) + 1)
        self.pattern_rows.append(made)
        return made

    def keys(self, office: str | None) -> list[OfficeKey]:
        out: list[OfficeKey] = []
        seen: set[str] = set()
        for new in reversed(self.key_rows):
            if office is None or new.key.office == office:
                out.append(dataclasses.replace(new.key, active=new.key.office not in seen))
                seen.add(new.key.office)
        return out

    def key(self, key_id: str) -> OfficeKey | None:
        return next((k for k in self.keys(None) if k.key_id == key_id), None)

    def private_key(self, key_id: str) -> str | None:
        return next((n.private_key_pem for n in self.key_rows if n.key.key_id == key_id), None)

    def add_key(self, new: NewKey) -> None:
        self.key_rows.append(new)


class KeyedHashSigner:
    """A "key" is a random secret; its "public key" the same secret (a fake, not a scheme):
    what a signature over other bytes, or by another key, must fail is all it has to show."""

    def __init__(self) -> None:
        self.made = 0

    def new_key(
        self, office: str, office_name: str, *, now: int, actor: str, passphrase: str | None
    ) -> NewKey:
        self.made += 1
        secret = f"{office}-{self.made}"
        key = OfficeKey(
            key_id=hashlib.sha256(secret.encode()).hexdigest()[:16],
            office=office,
            algorithm="fake",
            public_key_pem=secret,
            certificate_pem=f"certificate of {office_name}",
            created_at=now,
            created_by=actor,
            active=True,
        )
        private = f"{passphrase}:{secret}" if passphrase else secret
        return NewKey(key, private, encrypted=bool(passphrase))

    def sign(self, private_key_pem: str, data: bytes, *, passphrase: str | None) -> bytes:
        if passphrase:
            if not private_key_pem.startswith(f"{passphrase}:"):
                raise ValueError("wrong passphrase")
            private_key_pem = private_key_pem[len(passphrase) + 1 :]
        elif ":" in private_key_pem:
            raise ValueError("encrypted")
        return hmac.new(private_key_pem.encode(), data, hashlib.sha256).digest()

    def verify(self, public_key_pem: str, signature: bytes, data: bytes) -> bool:
        expected = hmac.new(public_key_pem.encode(), data, hashlib.sha256).digest()
        return hmac.compare_digest(expected, signature)


class InMemoryTreatmentSource:
    def __init__(self, boxes: dict[int, TreatmentStatement] | None = None) -> None:
        self.boxes = dict(boxes or {})

    def treatment(self, run_id: int) -> TreatmentStatement | None:
        return self.boxes.get(run_id)


class InMemoryOfficeDirectory:
    def __init__(self, *offices: Office) -> None:
        self.offices = {o.code: o for o in offices}

    def list_offices(self) -> list[Office]:
        return list(self.offices.values())

    def office(self, code: str) -> Office | None:
        return self.offices.get(code)

    def user_by_login(self, login: str) -> None:
        return None  # no accounts here: the login is printed


if TYPE_CHECKING:
    from phytowatch.services.certificates.store import (
        CertificateStore,
        OfficeDirectory,
        Signer,
        TreatmentSource,
    )

    _store: CertificateStore = InMemoryCertificateStore()
    _signer: Signer = KeyedHashSigner()
    _treatments: TreatmentSource = InMemoryTreatmentSource()
    _offices: OfficeDirectory = InMemoryOfficeDirectory()
