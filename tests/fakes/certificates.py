"""Certificates in memory (services.certificates.ports.Certificates): the states move as the
domain's transitions allow, an issue numbers and "signs" (a fixed signature), nothing more. For
the pages' own logic (reach, filters, the queue, the acts offered), not the lifecycle's rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

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
    Party,
    Print,
    ReexportDetails,
    may_move,
)
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.certificates.ports import OfficeKey, SignatureCheck
from phytowatch.services.context import Context
from phytowatch.services.paging import Found

S = CertificateState


def content_of(
    consignment: str, kind: CertificateKind = CertificateKind.PHYTOSANITARY
) -> CertificateContent:
    return CertificateContent(
        kind=kind,
        consignment=consignment,
        exporter=Party("赣州木业", "赣州市"),
        consignee=Party("Pacific Fruit Co.", "Long Beach"),
        destination="US",
        lines=(),
        packages="120 pallets",
        marks="PF-1",
        place_of_origin="Jiangxi",
        conveyance="vessel",
        point_of_entry="Long Beach",
        port_of_exit="CNSHA",
    )


@dataclass
class InMemoryCertificates:
    rows: dict[int, Certificate] = field(default_factory=dict)
    events: list[CertificateEvent] = field(default_factory=list)
    printed: list[Print] = field(default_factory=list)
    consignments: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)
    issued: int = 0

    def add(
        self,
        *,
        enterprise: str = "0031",
        city: str = "赣州",
        office: str = "JX",
        state: CertificateState = S.DRAFT,
        kind: CertificateKind = CertificateKind.PHYTOSANITARY,
        consignment_id: int | None = 1,
        created_at: int = 0,
        number: str = "",
    ) -> Certificate:
        new_id = len(self.rows) + 1
        issue = None
        if number:
            issue = Issue(
                new_id, number, office, "Nanchang", created_at, "Li Wei", "user:certifier",
                "k1", "h" * 64, "sig", f"tok{new_id}", "ABCD", "psig",
            )  # fmt: skip
        made = Certificate(
            new_id, kind, consignment_id, office, enterprise, city, state, 1,
            content_of(f"CD2026-{consignment_id or 0:06d}", kind), created_at, "user:declarant",
            issue=issue,
        )  # fmt: skip
        self.rows[new_id] = made
        return made

    # -- reads --
    def certificate(self, certificate_id: int) -> Certificate | None:
        return self.rows.get(certificate_id)

    def by_number(self, number: str) -> Certificate | None:
        return next((c for c in self.rows.values() if c.issue and c.issue.number == number), None)

    def by_token(self, token: str) -> Certificate | None:
        return next((c for c in self.rows.values() if c.issue and c.issue.token == token), None)

    def of_consignment(self, consignment_id: int) -> list[Certificate]:
        return [c for c in self.rows.values() if c.consignment_id == consignment_id]

    def history(self, certificate_id: int) -> list[CertificateEvent]:
        return [e for e in self.events if e.certificate_id == certificate_id]

    def prints(self, certificate_id: int) -> list[Print]:
        return [p for p in self.printed if p.certificate_id == certificate_id]
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
        states: frozenset[CertificateState] | None = None,
        office: str | None = None,
        enterprise: str | None = None,
        offset: int = 0,
        limit: int = 50,
        reach: tuple[Sequence[str], Sequence[str]] | None = None,
    ) -> Found[Certificate]:
        matching = sorted(
            (
                c
                for c in self.rows.values()
                if (states is None or c.state in states)
                and (office is None or c.office == office)
                and (enterprise is None or c.enterprise == enterprise)
                and (reach is None or c.city in reach[0] or c.enterprise in reach[1])
            ),
            key=lambda c: (c.created_at, c.id),
            reverse=True,
        )
        return Found(matching[offset : offset + limit], len(matching), offset, limit)

    def check_signature(self, certificate: Certificate) -> SignatureCheck:
        return SignatureCheck(True, True, "k1", True)

    def number_pattern(self, office: str) -> str:
        return "{office}{year}-{seq:06d}"

    def set_number_pattern(self, office: str, pattern: str, *, ctx: Context) -> str:
        return pattern

    def keys(self, office: str | None = None) -> list[OfficeKey]:
        return []

    def key(self, key_id: str) -> OfficeKey | None:
        return None

    # -- acts --
    def _move(
        self, certificate_id: int, to: CertificateState, ctx: Context, reason: str = ""
    ) -> Certificate:
        found = self.rows.get(certificate_id)
        if found is None:
            raise refused(Kind.NOT_FOUND, Code.CERT_NOT_FOUND, certificate=certificate_id)
        if not may_move(found.state, to):
            raise refused(Kind.CONFLICT, Code.CERT_PAGE_NOT_EDITABLE, certificate=certificate_id,
                          state=found.state.value)  # fmt: skip
        moved = replace(found, state=to)
        self.rows[certificate_id] = moved
        detail: dict[str, object] = {"reason": reason} if reason else {}
        self.events.append(CertificateEvent(certificate_id, to, ctx.now, ctx.actor, detail))
        return moved

    def draft(
        self,
        consignment_id: int,
        kind: CertificateKind,
        *,
        ctx: Context,
        reexport: ReexportDetails | None = None,
    ) -> Certificate:
        made = self.add(consignment_id=consignment_id, kind=kind, created_at=ctx.now)
        made = replace(made, content=replace(made.content, reexport=reexport))
        self.rows[made.id] = made
        self.events.append(CertificateEvent(made.id, S.DRAFT, ctx.now, ctx.actor))
        return made

    def edit(self, certificate_id: int, changes: dict[str, object], *, ctx: Context) -> Certificate:
        found = self.rows[certificate_id]
        values = dict(changes)
        consignee = values.pop("consignee", None)
        content = replace(found.content, **values)  # type: ignore[arg-type]
        if isinstance(consignee, dict):
            content = replace(content, consignee=Party(consignee["name"], consignee["address"]))
        edited = replace(found, content=content, revision=found.revision + 1)
        self.rows[certificate_id] = edited
        return edited

    def submit(self, certificate_id: int, *, ctx: Context) -> Certificate:
        return self._move(certificate_id, S.SUBMITTED, ctx)

    def send_back(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate:
        return self._move(certificate_id, S.RETURNED, ctx, reason)

    def approve(self, certificate_id: int, *, ctx: Context) -> Certificate:
        return self._move(certificate_id, S.APPROVED, ctx)

    def reject(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate:
        return self._move(certificate_id, S.REJECTED, ctx, reason)

    def issue(self, certificate_id: int, *, ctx: Context) -> Certificate:
        moved = self._move(certificate_id, S.ISSUED, ctx)
        self.issued += 1
        issue = Issue(
            certificate_id, f"JX2026-{self.issued:06d}", moved.office, "Nanchang", ctx.now,
            "Li Wei", ctx.actor, "k1", "h" * 64, "sig", f"tok{certificate_id}", "ABCD", "psig",
        )  # fmt: skip
        moved = replace(moved, issue=issue)
        self.rows[certificate_id] = moved
        return moved

    def cancel(self, certificate_id: int, reason: str, *, ctx: Context) -> Certificate:
        return self._move(certificate_id, S.CANCELLED, ctx, reason)

    def replace(
        self, certificate_id: int, reason: str, changes: dict[str, object], *, ctx: Context
    ) -> Certificate:
        old = self.rows[certificate_id]
        made = self.draft(old.consignment_id or 0, old.kind, ctx=ctx)
        made = replace(
            made, replaces=certificate_id, replacement_reason=reason, enterprise=old.enterprise,
            city=old.city, office=old.office,
        )  # fmt: skip
        self.rows[made.id] = made
        return made

    def record_print(self, certificate_id: int, *, ctx: Context) -> Print:
        sequence = len(self.prints(certificate_id)) + 1
        made = Print(certificate_id, sequence > 1, ctx.now, ctx.actor, sequence)
        self.printed.append(made)
        return made

    def create_key(self, office: str, *, ctx: Context) -> OfficeKey:
        raise NotImplementedError
        states: frozenset[CertificateState] | None,
        office: str | None,
        enterprise: str | None,
        reach: Reach | None,
        offset: int,
        limit: int,
    ) -> Found[Certificate]:
        found = [self._certificate(i) for i in sorted(self.rows, reverse=True)]
        found = [
            c
            for c in found
            if (states is None or c.state in states)
            and (not office or c.office == office)
            and (not enterprise or c.enterprise == enterprise)
            and (reach is None or c.city in reach[0] or c.enterprise in reach[1])
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
