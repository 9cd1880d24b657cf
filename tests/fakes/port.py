"""Step 6's ports in memory: the port's records (``PortStore``), the transfers a port office
took (``PortTransfers``), the routes and sampling key, and the certificates as the port reads
them."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from phytowatch.domain.certificates.model import Certificate
from phytowatch.domain.supervision.routing import Route
from phytowatch.domain.transfers.model import Amendment, Transfer
from phytowatch.domain.transfers.release import Clearance, PortCheck, PortDraw, PortHold


class InMemoryPortStore:
    def __init__(self) -> None:
        self.draws: dict[int, PortDraw] = {}
        self.check_rows: list[PortCheck] = []
        self.hold_rows: list[PortHold] = []
        self.counters: dict[tuple[str, int], int] = {}
        self.rows: list[Clearance] = []

    def draw_of(self, transfer_id: int) -> PortDraw | None:
        return self.draws.get(transfer_id)

    def add_draw(self, draw: PortDraw) -> PortDraw:
        made = replace(draw, id=len(self.draws) + 1)
        self.draws.setdefault(draw.transfer_id, made)
        return self.draws[draw.transfer_id]

    def checks(self, transfer_id: int) -> list[PortCheck]:
        return [c for c in self.check_rows if c.transfer_id == transfer_id]

    def add_check(self, check: PortCheck) -> int:
        self.check_rows.append(replace(check, id=len(self.check_rows) + 1))
        return len(self.check_rows)

    def holds(self, transfer_id: int) -> list[PortHold]:
        return [h for h in self.hold_rows if h.transfer_id == transfer_id]

    def add_hold(self, hold: PortHold) -> int:
        self.hold_rows.append(replace(hold, id=len(self.hold_rows) + 1))
        return len(self.hold_rows)

    def next_sequence(self, office: str, year: int) -> int:
        self.counters[(office, year)] = self.counters.get((office, year), 0) + 1
        return self.counters[(office, year)]

    def add_clearance(self, clearance: Clearance) -> int:
        self.rows.append(replace(clearance, id=len(self.rows) + 1))
        return len(self.rows)

    def clearance(self, number: str) -> Clearance | None:
        return next((c for c in self.rows if c.number == number), None)

    def clearance_of(self, transfer_id: int) -> Clearance | None:
        return next((c for c in self.rows if c.transfer_id == transfer_id), None)

    def clearance_of_consignment(self, consignment_id: int) -> Clearance | None:
        return next((c for c in self.rows if c.consignment_id == consignment_id), None)

    def clearances(self, office: str | None, *, limit: int = 50) -> list[Clearance]:
        found = [c for c in reversed(self.rows) if office is None or c.office == office]
        return found[:limit]


class InMemoryPortTransfers:
    def __init__(self) -> None:
        self.rows: dict[int, Transfer] = {}
        self.changes: list[Amendment] = []

    def amendments(self, transfer_id: int) -> list[Amendment]:
        return [a for a in self.changes if a.transfer_id == transfer_id]

    def add(self, transfer: Transfer) -> Transfer:
        self.rows[transfer.id] = transfer
        return transfer

    def transfer(self, transfer_id: int) -> Transfer | None:
        return self.rows.get(transfer_id)

    def by_number(self, number: str) -> Transfer | None:
        return next((t for t in self.rows.values() if t.number == number), None)

    def of_consignment(self, consignment_id: int) -> Transfer | None:
        return next((t for t in self.rows.values() if t.consignment_id == consignment_id), None)

    def taken_by(self, office: str) -> list[Transfer]:
        return [
            t for t in self.rows.values() if t.port_office == office and t.retrieved_at is not None
        ]


class InMemoryRoutes:
    def __init__(self, key: bytes = b"k" * 32) -> None:
        self.key = key
        self.rows: dict[int, list[Route]] = {}

    def sampling_key(self, *, now: int) -> bytes:
        return self.key

    def routes(self, consignment_id: int) -> list[Route]:
        return self.rows.get(consignment_id, [])


class InMemoryCertificateReads:
    def __init__(self) -> None:
        self.rows: dict[int, Certificate] = {}

    def add(self, certificate: Certificate) -> Certificate:
        self.rows[certificate.id] = certificate
        return certificate

    def by_number(self, number: str) -> Certificate | None:
        return next(
            (c for c in self.rows.values() if c.issue is not None and c.issue.number == number),
            None,
        )

    def certificate(self, certificate_id: int) -> Certificate | None:
        return self.rows.get(certificate_id)


if TYPE_CHECKING:
    from phytowatch.services.port.ports import (
        CertificateReads,
        PortStore,
        PortTransfers,
        SamplingKey,
    )

    _a: PortStore = InMemoryPortStore()
    _b: PortTransfers = InMemoryPortTransfers()
    _c: SamplingKey = InMemoryRoutes()
    _d: CertificateReads = InMemoryCertificateReads()
