"""An e-transfer (电子转单, step 5) as the chain's other parts see it.

When a consignment is certified, the origin office makes its transfer to the port office of exit
(``ports.json``: the port's ``office``; a port without one takes the certificate on paper, and
the transfer is recorded as not electronic). The declarant is given its number and password; the
port officer takes it with both. The later changes the rules allow are amendments, each its own
record; the transfer's values in force are the certified ones with every amendment applied.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Transfer:
    """A transfer as stored: who made it, for which consignment, to which port."""

    id: int
    number: str
    consignment_id: int
    consignment_number: str
    enterprise: str  # enterprise code
    city: str  # the enterprise's city (who covers it at the origin)
    origin_office: str  # the office that certified
    port: str  # UN/LOCODE of the port of exit
    port_office: str  # the office that takes it at the port; "" when it goes on paper
    electronic: bool  # False: the port takes no e-transfer (the figures count it so)
    receiver: str  # the port's own system it is also delivered to (outbox), "" for none
    certificates: tuple[str, ...]  # the numbers of the certificates it carries now
    created_at: int  # µs
    created_by: str  # actor
    retrieved_at: int | None = None  # when the port office took it
    retrieved_by: str = ""
    version: int = 0  # the declaration's version transferred
    ports_version: str = ""  # the ports.json version in force when it was made
    year: int = 0
    sequence: int = 0  # its place in the origin office's year (gapless)


# what a system amendment names (a certificate replaced or cancelled on the transfer)
CERTIFICATE_REPLACED = "certificate_replaced"
CERTIFICATE_CANCELLED = "certificate_cancelled"


@dataclass(frozen=True)
class Amendment:
    """One change of a transfer, its own record: ``field`` from ``before`` to ``after`` (JSON
    values), allowed by ``rule`` (``{"version": ..., "field": ..., "how": ..., "percent": ...}``)
    or the system's own (a certificate replaced or cancelled, ``rule`` empty)."""

    id: int
    transfer_id: int
    field: str
    before: object
    after: object
    rule: dict[str, object]
    at: int
    actor: str


@dataclass(frozen=True)
class Retrieval:
    """The port office took the transfer (number and password right)."""

    id: int
    transfer_id: int
    office: str
    address: str
    at: int
    actor: str
