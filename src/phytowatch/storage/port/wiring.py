"""The port's service wired for ``bootstrap``: the SQL store, and what it reads of the chain
(transfers, certificates, consignments, routes and the sampling key, standing, policy)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from phytowatch.domain.transfers.model import Transfer
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.port.ports import CertificateReads, PortTransfers, SamplingKey
from phytowatch.services.port.release import PortService
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource, StandingLookup
from phytowatch.storage.certificates.repo import SqlCertificateStore
from phytowatch.storage.port.repo import SqlPortStore


class NoTransfers:
    """No transfer at all (where step 5 is not wired)."""

    def transfer(self, transfer_id: int) -> Transfer | None:
        return None

    def by_number(self, number: str) -> Transfer | None:
        return None

    def of_consignment(self, consignment_id: int) -> Transfer | None:
        return None

    def taken_by(self, office: str) -> list[Transfer]:
        return []


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
        transfers=transfers if transfers is not None else NoTransfers(),
        certificates=certificates if certificates is not None else SqlCertificateStore(engine),
        consignments=consignments,
        routes=routes,
        standing=standing,
        policy=policy,
        audit=audit,
    )
