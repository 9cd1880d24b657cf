"""Step 6, the port check and release (放行), as values and pure decisions.

- :func:`decide_draw`: whether a transferred batch is checked at the port. Every batch of a
  key-list enterprise when the ports document says so (``check_key_list``); otherwise a
  reproducible draw (``domain.supervision.routing.sampling_draw``: HMAC-SHA256 with the bureau's
  sampling key over the seed and the ports document's version) below the ratio of the
  consignment's supervision mode (``check_ratios``). The draw records every input, so that an
  auditor who holds the key recomputes it.
- :class:`PortCheck`, :class:`PortHold`, :class:`Clearance`: the records (append-only).
- :func:`clearance_number`: the clearance record's (通关单) number, per port office and year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from phytowatch.domain.supervision.routing import sampling_draw

SEED_PREFIX = "port-check"  # the seed is "port-check:<transfer number>": never a routing seed
MAX_FINDINGS = 2000
MAX_REASON = 500


def seed_of(transfer_number: str) -> str:
    return f"{SEED_PREFIX}:{transfer_number}"


@dataclass(frozen=True)
class PortDraw:
    """Whether the batch of a transfer is checked at the port, and every input of the draw."""

    transfer_id: int
    consignment_id: int
    office: str  # the port office that took the transfer
    checked: bool
    key_list: bool  # checked because the enterprise is on the key list
    mode: str  # the route's supervision mode ("credit", ...)
    ratio: Decimal
    confidence: str  # the ratio's ("C2")
    policy_version: str  # the ports document's version
    seed: str
    draw: Decimal  # in [0, 1)
    at: int
    actor: str
    id: int = 0


def decide_draw(
    key: bytes,
    *,
    transfer_number: str,
    policy_version: str,
    ratio: Decimal,
    key_listed: bool,
    check_key_list: bool,
) -> tuple[bool, bool, str, Decimal]:
    """``(checked, because key-listed, seed, draw)``; the draw is made even for a key-listed
    batch, so every draw is recorded the same way."""
    seed = seed_of(transfer_number)
    draw = sampling_draw(key, seed, policy_version)
    if check_key_list and key_listed:
        return True, True, seed, draw
    return draw < ratio, False, seed, draw


@dataclass(frozen=True)
class PortCheck:
    """What the port officer found: seals, container numbers, goods against the certificate."""

    transfer_id: int
    consignment_id: int
    office: str
    seals_intact: bool
    containers_match: bool  # container numbers as declared
    goods_match: bool  # goods as the certificate says
    findings: str
    at: int
    actor: str
    id: int = 0

    @property
    def conforming(self) -> bool:
        return self.seals_intact and self.containers_match and self.goods_match


@dataclass(frozen=True)
class PortHold:
    transfer_id: int
    consignment_id: int
    office: str
    reason: str
    at: int
    actor: str
    id: int = 0


@dataclass(frozen=True)
class Clearance:
    """The clearance record (通关单) a release creates."""

    number: str
    transfer_id: int
    transfer_number: str
    consignment_id: int
    consignment_number: str
    enterprise: str
    city: str
    office: str  # the port office that released
    port: str  # UN/LOCODE
    year: int
    sequence: int
    certificates: tuple[str, ...]
    check_id: int | None
    released_at: int
    released_by: str
    id: int = 0


def clearance_number(office: str, year: int, sequence: int) -> str:
    """``PSHA-2026-TG000001``: the port office, the year (the bureau's), 通关 and a sequence of
    at least six digits."""
    return f"{office}-{year}-TG{sequence:06d}"
