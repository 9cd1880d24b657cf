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

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from phytowatch.domain.certificates.model import Certificate, CertificateKind
from phytowatch.domain.messages import Code, say
from phytowatch.domain.supervision.consignment import ConsignmentState, Step
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
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource
from phytowatch.services.transfers.ports import Outbox
from phytowatch.services.transfers.store import NewTransfer, TransferQuery, TransferStore

# the kinds whose first issue makes the transfer
TRANSFERRING = frozenset({CertificateKind.PHYTOSANITARY, CertificateKind.REEXPORT})
CREATED = "transfer.created"
AMENDED = "transfer.amended"


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
        return self.store.by_number(number.strip().upper())

    def of_consignment(self, consignment_id: int) -> Transfer | None:
        return self.store.of_consignment(consignment_id)

    def find(self, query: TransferQuery) -> Found[Transfer]:
        return self.store.find(query)

    def amendments(self, transfer_id: int) -> list[Amendment]:
        return self.store.amendments(transfer_id)

    def retrievals(self, transfer_id: int) -> list[Retrieval]:
        return self.store.retrievals(transfer_id)

    def declaration(self, transfer_id: int) -> dict[str, Any]:
        return self.store.declaration(transfer_id)

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
