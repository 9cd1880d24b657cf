"""The transfers' service wired for ``bootstrap``, and hooked into the certificates' issue and
cancellation (it makes and amends transfers inside their transaction)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from phytowatch.services.audit import AuditRecorder
from phytowatch.services.certificates.lifecycle import CertificateService
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource
from phytowatch.services.transfers.ports import Outbox
from phytowatch.services.transfers.service import TransferService
from phytowatch.storage.transfers.repo import SqlTransferStore


def transfer_service(
    engine: Engine,
    audit: AuditRecorder,
    *,
    policy: PolicySource,
    consignments: ConsignmentLookup,
    certificates: CertificateService,
    outbox: Outbox | None,
) -> TransferService:
    service = TransferService(
        SqlTransferStore(engine),
        consignments=consignments,
        policy=policy,
        audit=audit,
        outbox=outbox,
    )
    certificates.hooks.append(service)
    return service
