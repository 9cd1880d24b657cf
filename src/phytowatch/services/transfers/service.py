"""Step 5, the e-transfer (电子转单): made when a consignment is certified, taken at the port
with its number and password, amended within the rules (``ports.json``).

The transfer is made by the system inside the very transaction that issues the consignment's
first phytosanitary (or re-export) certificate (:class:`TransferService` is a
``CertificateHook``): its number (per origin office and year, gapless), the declaration as
certified, the certificate numbers; the consignment moves CERTIFIED -> TRANSFERRED; and, when
the port has a receiver, its document goes to the outbox in that same transaction. A port of
exit without an office of ours (or not in ``ports.json``) takes the certificate on paper: the
transfer is recorded all the same (``electronic=False``) and the consignment moves on, the
timeline saying so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from phytowatch.domain.accounts import (
    ACCOUNT_LOCKOUT,
    ADDRESS_LOCKOUT,
    Action,
    Principal,
    Role,
)
from phytowatch.domain.certificates.model import Certificate, CertificateKind
from phytowatch.domain.messages import Code, Instant, Kind, Refused, refused, say
from phytowatch.domain.supervision.consignment import ConsignmentState, Step
from phytowatch.domain.supervision.validation import FieldProblem
from phytowatch.domain.transfers import password as passwords
from phytowatch.domain.transfers.amend import MAX_CHANGES, evaluate, in_force
from phytowatch.domain.transfers.model import (
    CERTIFICATE_CANCELLED,
    CERTIFICATE_REPLACED,
    Amendment,
    Retrieval,
    Transfer,
)
from phytowatch.domain.transfers.numbering import transfer_number
from phytowatch.formats.declaration_json import encode
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.paging import Found
from phytowatch.services.runs.record import BUREAU_ZONE
from phytowatch.services.supervision.assessment import reach
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource
from phytowatch.services.transfers.ports import Outbox
from phytowatch.services.transfers.store import NewTransfer, TransferQuery, TransferStore

# the kinds whose first issue makes the transfer
TRANSFERRING = frozenset({CertificateKind.PHYTOSANITARY, CertificateKind.REEXPORT})
CREATED = "transfer.created"
AMENDED = "transfer.amended"


class AmendmentRefused(Refused):
    """An amendment refused, with each refused field and the rule that refuses it."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(Kind.INVALID, say(Code.TRANSFER_AMEND_REFUSED, count=len(problems)))
        self.problems = tuple(problems)


def _operator(principal: Principal) -> bool:
    """The CLI's operator or the system: the process's own authority."""
    return principal.kind in ("cli", "system") or principal.sees_everything


def sees(principal: Principal, transfer: Transfer) -> bool:
    """Whether the caller may see this transfer: its enterprise; the port officers of its port
    office (only those: a port office's reach is the transfers to it); the other bureau staff
    whose jurisdiction covers its enterprise, or of its origin or port office; an
    administrator; the CLI's operator."""
    if _operator(principal):
        return True
    if not principal.may(Action.TRANSFERS_READ):
        return False
    if principal.role is not None and principal.role.is_enterprise:
        return principal.enterprise == transfer.enterprise
    if principal.role is Role.PORT_OFFICER:  # a port office's reach: the transfers to it
        return bool(principal.office) and principal.office == transfer.port_office
    if principal.office and principal.office in (transfer.port_office, transfer.origin_office):
        return True
    return principal.covers(transfer.enterprise, transfer.city)


def query_for(principal: Principal, **narrowing: Any) -> TransferQuery:
    """The list a caller may see: see :func:`sees`."""
    if _operator(principal):
        return TransferQuery(everything=True, **narrowing)
    if not principal.may(Action.TRANSFERS_READ):
        return TransferQuery(reach=([], []), **narrowing)
    if principal.role is not None and principal.role.is_enterprise:
        return TransferQuery(reach=([], [principal.enterprise or ""]), **narrowing)
    if principal.role is Role.PORT_OFFICER:
        return TransferQuery(port_office=principal.office or "", **narrowing)  # none: nothing
    seen = reach(principal)
    if seen is None:
        return TransferQuery(everything=True, **narrowing)
    return TransferQuery(port_office=principal.office or None, reach=seen, **narrowing)


def clean_number(text: str) -> str:
    """A typed transfer number as looked up: upper case, only what a number holds (a control
    character or an emoji never reaches the database)."""
    return re.sub(r"[^A-Z0-9_.-]", "", text.strip().upper())[:40]


def local_year(instant: int) -> int:
    return datetime.fromtimestamp(instant / 1_000_000, UTC).astimezone(BUREAU_ZONE).year


class TransferService:
    def __init__(
        self,
        store: TransferStore,
        *,
        consignments: ConsignmentLookup,
        policy: PolicySource,
        audit: AuditRecorder,
        outbox: Outbox | None = None,
    ) -> None:
        self.store = store
        self.consignments = consignments
        self.policy = policy
        self.audit = audit
        self.outbox = outbox

    # -- reads (TransferLookup) ------------------------------------------------------------------

    def transfer(self, transfer_id: int) -> Transfer | None:
        return self.store.transfer(transfer_id)

    def by_number(self, number: str) -> Transfer | None:
        return self.store.by_number(clean_number(number))

    def of_consignment(self, consignment_id: int) -> Transfer | None:
        return self.store.of_consignment(consignment_id)

    def find(self, query: TransferQuery) -> Found[Transfer]:
        return self.store.find(replace(query, number=clean_number(query.number)))

    def amendments(self, transfer_id: int) -> list[Amendment]:
        return self.store.amendments(transfer_id)

    def retrievals(self, transfer_id: int) -> list[Retrieval]:
        return self.store.retrievals(transfer_id)

    def declaration(self, transfer_id: int) -> dict[str, Any]:
        return self.store.declaration(transfer_id)

    def visible(self, number: str, principal: Principal) -> Transfer:
        """The transfer by its number if the caller may see it; else "no transfer" (whether it
        exists or not: no enumeration)."""
        found = self.by_number(number)
        if found is None or not sees(principal, found):
            raise refused(Kind.NOT_FOUND, Code.NO_TRANSFER, number=number.strip()[:40])
        return found

    def password(self, transfer: Transfer, principal: Principal) -> str | None:
        """The password, shown (``ABCDE-FGHJK``) to the transfer's own enterprise only."""
        mine = (
            principal.role is not None
            and principal.role.is_enterprise
            and principal.enterprise == transfer.enterprise
            and principal.may(Action.TRANSFERS_READ)
        )
        if not mine:
            return None
        return passwords.shown(passwords.derive(self.store.secret(), transfer.number))

    def values(self, transfer: Transfer) -> dict[str, Any]:
        """The amendable values in force (``domain.transfers.amend.in_force``)."""
        return in_force(self.store.declaration(transfer.id), self.store.amendments(transfer.id))

    # -- the port officer: take it with number and password --------------------------------------

    def retrieve(self, number: str, password: str, *, address: str, ctx: Context) -> Transfer:
        """Take the transfer at the port: the caller a port officer of its port office, the
        number and password right. A wrong one (or a transfer of another office, or none) is
        counted per number and per source address, and locks like a login; the refusal is the
        same for all (no enumeration). A success is recorded (who, when, from where)."""
        principal = ctx.principal
        if not principal.may(Action.TRANSFERS_RETRIEVE) or not principal.office:
            raise refused(Kind.FORBIDDEN, Code.TRANSFER_RETRIEVE_FORBIDDEN)
        key = clean_number(number)
        by_number, by_address = f"number:{key}", f"address:{address[:64]}"
        # the lock, the comparison and the failure's count in one unit, under the audit trail's
        # lock: attempts at once are counted one after the other, as a login's are, so a burst
        # gets no more tries than one at a time would
        with self.audit.atomic():
            locks = [
                self.store.failures(by_number).locked_until(ACCOUNT_LOCKOUT, ctx.now),
                self.store.failures(by_address).locked_until(ADDRESS_LOCKOUT, ctx.now),
            ]
            until = max((u for u in locks if u is not None), default=None)
            found = self.store.by_number(key) if until is None else None
            right = (
                found is not None
                and found.port_office == principal.office
                and passwords.matches(self.store.secret(), found.number, password)
            )
            if until is None and not right:
                for which in (by_number, by_address):
                    self.store.set_failures(
                        which, self.store.failures(which).after_failure(ctx.now)
                    )
                self.audit.record(
                    actor=ctx.actor,
                    action="transfer.retrieve_refused",
                    object_type="transfer",
                    object_id=key,
                    before=None,
                    after={"address": address[:64], "office": principal.office},
                    now=ctx.now,
                )
        if until is not None:
            raise Refused(
                Kind.THROTTLED,
                say(Code.TRANSFER_LOCKED, until=Instant(until)),
                retry_after=max(1, (until - ctx.now) // 1_000_000),
            )
        if not right or found is None:
            raise refused(Kind.NOT_FOUND, Code.TRANSFER_WRONG)
        with self.audit.atomic():
            self.store.add_retrieval(
                found.id, principal.office, address, at=ctx.now, actor=ctx.actor
            )
            self.store.clear_failures(by_number)
            self.audit.record(
                actor=ctx.actor,
                action="transfer.retrieved",
                object_type="transfer",
                object_id=found.number,
                before=None,
                after={"office": principal.office, "address": address[:64]},
                now=ctx.now,
            )
        done = self.store.transfer(found.id)
        assert done is not None
        return done

    # -- the declarant: amendments within the rules ----------------------------------------------

    def amend(self, number: str, changes: Mapping[str, object], *, ctx: Context) -> Transfer:
        """Apply the changes the rules allow, all or none: each refused field says which rule
        (``AmendmentRefused``); an allowed set is one amendment record per field, audited, and
        a ``transfer.amended`` message to the port's receiver, in one transaction."""
        principal = ctx.principal
        transfer = self.visible(number, principal)
        mine = (
            principal.role is Role.ENTERPRISE_DECLARANT
            and principal.enterprise == transfer.enterprise
            and principal.may(Action.TRANSFERS_AMEND)
        )
        if not mine:
            raise refused(Kind.FORBIDDEN, Code.TRANSFER_AMEND_FORBIDDEN)
        if not changes:
            raise refused(Kind.INVALID, Code.TRANSFER_NOTHING)
        if len(changes) > MAX_CHANGES:
            raise refused(Kind.INVALID, Code.TRANSFER_TOO_MANY, max=MAX_CHANGES)
        rules = self.policy.policy().ports
        with self.audit.atomic():
            consignment = self.consignments.consignment(transfer.consignment_id)
            if consignment is None or consignment.state is ConsignmentState.RELEASED:
                raise refused(Kind.CONFLICT, Code.TRANSFER_RELEASED, number=transfer.number)
            verdicts = evaluate(changes, self.values(transfer), rules)
            problems = [
                FieldProblem(v.field, v.message)
                for v in verdicts
                if not v.allowed and v.message is not None
            ]
            if problems:
                raise AmendmentRefused(problems)
            for v in verdicts:
                self.store.add_amendment(
                    transfer.id, v.field, v.before, v.after, v.rule, at=ctx.now, actor=ctx.actor
                )
            self.audit.record(
                actor=ctx.actor,
                action="transfer.amended",
                object_type="transfer",
                object_id=transfer.number,
                before={v.field: v.before for v in verdicts},
                after={v.field: v.after for v in verdicts},
                now=ctx.now,
            )
            fresh = self.store.transfer(transfer.id)
            assert fresh is not None
            self._send(fresh, AMENDED, ctx=ctx)
        return fresh

    # -- the certificates' hook: made, amended, in the issuing unit ------------------------------

    def issued(
        self, certificate: Certificate, *, replaced: Certificate | None, ctx: Context
    ) -> None:
        if certificate.consignment_id is None or certificate.issue is None:
            return
        existing = self.store.of_consignment(certificate.consignment_id)
        if existing is not None:
            if replaced is not None and replaced.issue is not None:
                self._system_amendment(
                    existing,
                    CERTIFICATE_REPLACED,
                    replaced.issue.number,
                    certificate.issue.number,
                    ctx=ctx,
                )
            return
        if certificate.kind not in TRANSFERRING:
            return
        self._create(certificate, ctx=ctx)

    def cancelled(self, certificate: Certificate, *, ctx: Context) -> None:
        if certificate.consignment_id is None or certificate.issue is None:
            return
        existing = self.store.of_consignment(certificate.consignment_id)
        if existing is None or certificate.issue.number not in existing.certificates:
            return
        self._system_amendment(
            existing, CERTIFICATE_CANCELLED, certificate.issue.number, None, ctx=ctx
        )

    def _create(self, certificate: Certificate, *, ctx: Context) -> Transfer | None:
        assert certificate.consignment_id is not None and certificate.issue is not None
        consignment = self.consignments.consignment(certificate.consignment_id)
        if consignment is None or consignment.state is not ConsignmentState.CERTIFIED:
            return None
        declaration = self.consignments.declaration(consignment.id, consignment.version)
        if declaration is None:
            return None
        rules = self.policy.policy().ports
        port = rules.ports.get(declaration.port_of_exit.strip().upper())
        port_office = port.office if port is not None else ""
        receiver = port.receiver if port is not None and port.office else ""
        year = local_year(ctx.now)
        origin = certificate.office
        sequence = self.store.next_sequence(origin, year)
        number = transfer_number(origin, year, sequence)
        new = NewTransfer(
            number=number,
            origin_office=origin,
            year=year,
            sequence=sequence,
            consignment_id=consignment.id,
            consignment_number=consignment.number,
            enterprise=consignment.enterprise,
            city=consignment.city,
            port=declaration.port_of_exit.strip().upper(),
            port_office=port_office,
            electronic=bool(port_office),
            receiver=receiver,
            version=consignment.version,
            declaration=encode(declaration),
            certificates=(certificate.issue.number,),
            ports_version=rules.version,
            created_at=ctx.now,
            created_by=ctx.actor,
        )
        transfer_id = self.store.add(new)
        detail = (
            say(Code.TRANSFER_MADE, number=number, port=new.port, office=port_office)
            if port_office
            else say(Code.TRANSFER_ON_PAPER, number=number, port=new.port)
        )
        self.consignments.move(
            consignment.id,
            ConsignmentState.CERTIFIED,
            ConsignmentState.TRANSFERRED,
            step=Step.TRANSFERRED,
            at=ctx.now,
            actor=ctx.actor,
            detail=detail.to_json(),
        )
        self.audit.record(
            actor=ctx.actor,
            action="transfer.created",
            object_type="transfer",
            object_id=number,
            before=None,
            after={
                "consignment": consignment.number,
                "port": new.port,
                "port_office": port_office,
                "electronic": new.electronic,
                "certificates": list(new.certificates),
            },
            now=ctx.now,
        )
        made = self.store.transfer(transfer_id)
        assert made is not None
        self._send(made, CREATED, ctx=ctx)
        return made

    def _system_amendment(
        self, transfer: Transfer, field: str, before: object, after: object, *, ctx: Context
    ) -> None:
        self.store.add_amendment(transfer.id, field, before, after, {}, at=ctx.now, actor=ctx.actor)
        self.audit.record(
            actor=ctx.actor,
            action=f"transfer.{field}",
            object_type="transfer",
            object_id=transfer.number,
            before={"certificate": before},
            after={"certificate": after},
            now=ctx.now,
        )
        fresh = self.store.transfer(transfer.id)
        assert fresh is not None
        self._send(fresh, AMENDED, ctx=ctx)

    def _send(self, transfer: Transfer, topic: str, *, ctx: Context) -> None:
        if self.outbox is None or not transfer.receiver:
            return
        count = len(self.store.amendments(transfer.id))
        self.outbox.put(
            topic=topic,
            key=f"{transfer.number}/{count}",
            destination=transfer.receiver,
            body=self.document(transfer),
            at=ctx.now,
        )

    def document(self, transfer: Transfer) -> Mapping[str, Any]:
        from phytowatch.services.transfers.document import transfer_document

        return transfer_document(
            transfer, self.store.declaration(transfer.id), self.store.amendments(transfer.id)
        )
