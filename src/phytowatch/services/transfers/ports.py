"""What steps 5 and 6 need of each other and of storage, as Protocols.

- :class:`Outbox`: a message to another system, written in the caller's unit (the same
  transaction as the record it carries), delivered later at least once by the outbox worker.
- :class:`TransferLookup`: what the port check, the release, the timeline and the figures read
  of a consignment's transfer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from phytowatch.domain.accounts import Principal
from phytowatch.domain.transfers.model import Amendment, Retrieval, Transfer
from phytowatch.services.context import Context
from phytowatch.services.paging import Found
from phytowatch.services.transfers.store import TransferQuery


class Outbox(Protocol):
    def put(
        self,
        *,
        topic: str,
        key: str,
        destination: str,
        body: Mapping[str, Any],
        at: int,
    ) -> int:
        """Add a message inside the caller's unit; its id. ``destination`` names a receiver
        (``ports.json``'s ``receiver``; the site's settings give its address); ``key`` is what
        the receiver recognises a repeated delivery by (the same key, the same message);
        ``topic`` says what it is (``transfer.created``, ``transfer.amended``)."""
        ...


class TransferLookup(Protocol):
    def transfer(self, transfer_id: int) -> Transfer | None: ...

    def by_number(self, number: str) -> Transfer | None: ...

    def of_consignment(self, consignment_id: int) -> Transfer | None:
        """The consignment's transfer, if one was made."""
        ...


class Transfers(TransferLookup, Protocol):
    """The transfers' use cases as one service (``App.transfers``,
    ``services/transfers/service.py``): the look-ups above, the lists, the password, the
    retrieval at the port and the amendments."""

    def find(self, query: TransferQuery) -> Found[Transfer]: ...

    def amendments(self, transfer_id: int) -> list[Amendment]: ...

    def retrievals(self, transfer_id: int) -> list[Retrieval]: ...

    def declaration(self, transfer_id: int) -> dict[str, Any]:
        """The declaration as transferred (``formats.declaration_json.encode``)."""
        ...

    def document(self, transfer: Transfer) -> Mapping[str, Any]:
        """The transfer document (``phytowatch.transfer/1``, docs/transfer-format.md)."""
        ...

    def visible(self, number: str, principal: Principal) -> Transfer:
        """By number, if the caller may see it; else ``Refused`` "no transfer"."""
        ...

    def password(self, transfer: Transfer, principal: Principal) -> str | None:
        """The password as shown, for the transfer's own enterprise only; else ``None``."""
        ...

    def values(self, transfer: Transfer) -> dict[str, Any]:
        """The amendable values in force."""
        ...

    def retrieve(self, number: str, password: str, *, address: str, ctx: Context) -> Transfer:
        """The port officer takes the transfer; wrong ones are counted and lock out."""
        ...

    def amend(self, number: str, changes: Mapping[str, object], *, ctx: Context) -> Transfer:
        """The declarant's changes, all allowed by ``ports.json`` or none
        (``AmendmentRefused``)."""
        ...
