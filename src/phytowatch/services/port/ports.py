"""What step 6 needs of storage and of the chain, and what its adapters call, as Protocols.

The SQL adapters live in ``storage.port``; in-memory fakes in ``tests/fakes/port.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Principal
from phytowatch.domain.certificates.model import Certificate
from phytowatch.domain.supervision.routing import Route
from phytowatch.domain.transfers.model import Amendment, Transfer
from phytowatch.domain.transfers.release import Clearance, PortCheck, PortDraw, PortHold
from phytowatch.services.context import Context
from phytowatch.services.transfers.ports import TransferLookup


class PortTransfers(TransferLookup, Protocol):
    def taken_by(self, office: str) -> list[Transfer]:
        """The transfers the port office has taken (retrieved), oldest first."""
        ...

    def amendments(self, transfer_id: int) -> list[Amendment]:
        """Every change of the transfer, oldest first (with the system's: a certificate
        replaced or cancelled on it)."""
        ...


class PortStore(Protocol):
    """The port's records (append-only) and the clearance counter."""

    def draw_of(self, transfer_id: int) -> PortDraw | None: ...

    def add_draw(self, draw: PortDraw) -> PortDraw:
        """The draw stored; the one already stored if another was first."""
        ...

    def checks(self, transfer_id: int) -> list[PortCheck]:
        """Oldest first."""
        ...

    def add_check(self, check: PortCheck) -> int: ...

    def holds(self, transfer_id: int) -> list[PortHold]: ...

    def add_hold(self, hold: PortHold) -> int: ...

    def next_sequence(self, office: str, year: int) -> int:
        """Lock and increment the office's counter of the year, in the caller's unit."""
        ...

    def add_clearance(self, clearance: Clearance) -> int: ...

    def clearance(self, number: str) -> Clearance | None: ...

    def clearance_of(self, transfer_id: int) -> Clearance | None: ...

    def clearance_of_consignment(self, consignment_id: int) -> Clearance | None: ...

    def clearances(self, office: str | None, *, limit: int = 50) -> list[Clearance]: ...


class SamplingKey(Protocol):
    def sampling_key(self, *, now: int) -> bytes: ...

    def routes(self, consignment_id: int) -> list[Route]: ...


class CertificateReads(Protocol):
    def by_number(self, number: str) -> Certificate | None: ...

    def certificate(self, certificate_id: int) -> Certificate | None: ...


@dataclass(frozen=True)
class PortView:
    """A transfer as the port officer sees it: its draw, checks, holds and clearance."""

    transfer: Transfer
    draw: PortDraw | None
    checks: Sequence[PortCheck]
    holds: Sequence[PortHold]
    clearance: Clearance | None

    @property
    def held(self) -> bool:
        """Held, and no conforming check since the last hold."""
        if not self.holds or self.clearance is not None:
            return False
        last = self.holds[-1]
        return not (self.checks and self.checks[-1].conforming and self.checks[-1].at >= last.at)

    @property
    def checked_ok(self) -> bool:
        return bool(self.checks) and self.checks[-1].conforming


@dataclass(frozen=True)
class CheckForm:
    """What the port officer records: text fields as sent, checked here."""

    seals_intact: str
    containers_match: str
    goods_match: str
    findings: str = ""


class Port(Protocol):
    def queue(self, *, ctx: Context, office: str | None = None) -> list[PortView]:
        """The transfers taken by the office that await check or release (the draw made at the
        first look)."""
        ...

    def view(self, number: str, *, ctx: Context, office: str | None = None) -> PortView:
        """A transfer by its number, as the port sees it (the draw made at the first look by
        the port office that took it)."""
        ...

    def check(
        self, number: str, form: CheckForm, *, ctx: Context, office: str | None = None
    ) -> PortCheck: ...

    def hold(
        self, number: str, reason: str, *, ctx: Context, office: str | None = None
    ) -> PortHold: ...

    def release(self, number: str, *, ctx: Context, office: str | None = None) -> Clearance: ...

    def clearance(self, number: str) -> Clearance | None: ...

    def reaches(self, principal: Principal, consignment_id: int) -> bool:
        """A port officer sees a consignment whose transfer their office took."""
        ...

    def sees_clearance(self, principal: Principal, clearance: Clearance) -> bool: ...

    def clearance_of_consignment(self, consignment_id: int) -> Clearance | None: ...

    def clearances(self, office: str | None, *, limit: int = 50) -> list[Clearance]: ...
