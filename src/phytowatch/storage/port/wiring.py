"""The port's service wired for ``bootstrap``: the SQL store, and what it reads of the chain
(transfers, certificates, consignments, routes and the sampling key, standing, policy)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from phytowatch.domain.transfers.model import Amendment, Transfer
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.port.ports import CertificateReads, PortTransfers, SamplingKey
from phytowatch.services.port.release import PortService
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource, StandingLookup
from phytowatch.services.transfers.store import TransferQuery
from phytowatch.storage.certificates.repo import SqlCertificateStore
from phytowatch.storage.port.repo import SqlPortStore
from phytowatch.storage.transfers.repo import SqlTransferStore

MAX_QUEUE = 500  # the newest transfers to the office the queue looks at


class TakenTransfers:
    """The transfers as the port reads them: the e-transfer's store, and those a port office
    took."""

    def __init__(self, store: SqlTransferStore) -> None:
        self.store = store

    def transfer(self, transfer_id: int) -> Transfer | None:
        return self.store.transfer(transfer_id)

    def by_number(self, number: str) -> Transfer | None:
        return self.store.by_number(number)

    def of_consignment(self, consignment_id: int) -> Transfer | None:
        return self.store.of_consignment(consignment_id)

    def amendments(self, transfer_id: int) -> list[Amendment]:
        return self.store.amendments(transfer_id)

    def taken_by(self, office: str) -> list[Transfer]:
        found = self.store.find(TransferQuery(port_office=office, limit=MAX_QUEUE))
        return [t for t in reversed(found.items) if t.retrieved_at is not None]


def port_service(
    engine: Engine,
    audit: AuditRecorder,
    *,
    policy: PolicySource,
    consignments: ConsignmentLookup,
    routes: SamplingKey,
    standing: StandingLookup,
    certificates: CertificateReads | None = None,
    transfers: PortTransfers | None = None,
) -> PortService:
    return PortService(
        SqlPortStore(engine),
        transfers=transfers if transfers is not None else TakenTransfers(SqlTransferStore(engine)),
        certificates=certificates if certificates is not None else SqlCertificateStore(engine),
        consignments=consignments,
        routes=routes,
        standing=standing,
        policy=policy,
        audit=audit,
    )
