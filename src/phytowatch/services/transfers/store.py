"""What the transfers' service needs of storage (``storage/transfers/repo.py`` on SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from phytowatch.domain.accounts import FailureCount
from phytowatch.domain.transfers.model import Amendment, Retrieval, Transfer
from phytowatch.services.paging import Found

Reach = tuple[Sequence[str], Sequence[str]]  # (cities, enterprise codes)


@dataclass(frozen=True)
class NewTransfer:
    number: str
    origin_office: str
    year: int
    sequence: int
    consignment_id: int
    consignment_number: str
    enterprise: str
    city: str
    port: str
    port_office: str
    electronic: bool
    receiver: str
    version: int
    declaration: dict[str, Any]  # formats.declaration_json.encode
    certificates: tuple[str, ...]
    ports_version: str
    created_at: int
    created_by: str


@dataclass(frozen=True)
class TransferQuery:
    """Which transfers a list shows: each given narrows it. ``port_office`` or ``reach``:
    those to that port office, or of those cities and enterprises (either one matches)."""

    port_office: str | None = None
    reach: Reach | None = None
    everything: bool = False
    enterprise: str | None = None
    number: str = ""  # part of the number, any case
    offset: int = 0
    limit: int = 50


class TransferStore(Protocol):
    def transfer(self, transfer_id: int) -> Transfer | None: ...

    def by_number(self, number: str) -> Transfer | None: ...

    def of_consignment(self, consignment_id: int) -> Transfer | None: ...

    def find(self, query: TransferQuery) -> Found[Transfer]: ...

    def declaration(self, transfer_id: int) -> dict[str, Any]:
        """The declaration as transferred (``declaration_json.encode``)."""
        ...

    def amendments(self, transfer_id: int) -> list[Amendment]: ...

    def retrievals(self, transfer_id: int) -> list[Retrieval]: ...

    def next_sequence(self, office: str, year: int) -> int:
        """Lock and increment the office's counter of the year, in the caller's unit."""
        ...

    def add(self, new: NewTransfer) -> int: ...

    def add_amendment(
        self,
        transfer_id: int,
        field: str,
        before: object,
        after: object,
        rule: dict[str, object],
        *,
        at: int,
        actor: str,
    ) -> int: ...

    def add_retrieval(
        self, transfer_id: int, office: str, address: str, *, at: int, actor: str
    ) -> int: ...

    def secret(self) -> bytes:
        """The key the passwords are derived from (made by migration 0021)."""
        ...

    def failures(self, key: str) -> FailureCount: ...

    def set_failures(self, key: str, count: FailureCount) -> None: ...

    def clear_failures(self, key: str) -> None: ...
