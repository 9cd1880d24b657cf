"""What the chain knows of an enterprise beyond the monitoring registry: its standing under
classification management, and its raw-material bases ("company + base + standardization")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class EnterpriseStanding:
    """An enterprise's class under the configured scheme, as of ``since`` (one entry of its
    history; the newest is in force). ``key_list``: every consignment is inspected."""

    enterprise: str  # enterprise code
    scheme: str
    klass: str  # a class of the scheme, e.g. "1" (一类) or "AA"
    e_supervised: bool
    key_list: bool
    since: int  # µs
    by: str  # the actor who set it
    reason: str = ""


class BaseStatus(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class RawMaterialBase:
    """A registered orchard, plantation or forest stand supplying an enterprise."""

    number: str  # the registration number
    enterprise: str  # enterprise code
    name: str
    products: tuple[str, ...]  # product codes
    location: str
    status: BaseStatus
    updated_at: int  # µs


class BaseEventKind(StrEnum):
    REGISTERED = "registered"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"


@dataclass(frozen=True)
class BaseEvent:
    """One entry of a base's history (append-only): registered, suspended (with the reason),
    reinstated."""

    number: str
    kind: BaseEventKind
    at: int  # µs
    by: str
    reason: str = ""
