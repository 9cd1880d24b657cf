"""The certificates service in memory (services.certificates.ports.Certificates), for the pages:
the states move as the domain's transitions allow, an issue numbers and "signs" (a fixed
signature), nothing more. For the pages' own logic (reach, filters, the queue, the acts
offered), not the lifecycle's rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

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
        matching = sorted(
            (
                c
                for c in self.rows.values()
                if (states is None or c.state in states)
                and (office is None or c.office == office)
                and (enterprise is None or c.enterprise == enterprise)
                and (reach is None or c.city in reach[0] or c.enterprise in reach[1])
                and (kind is None or c.kind is kind)
                and (not number or number.upper() in (c.issue.number if c.issue else "").upper())
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
