"""Device protocol v1: a batch of readings in, per-reading answers out (docs/device-protocol.md).

The same rules for HTTP and MQTT. The wire format is read by :mod:`phytowatch.formats.protocol_v1`
(a body that is not a protocol batch is refused whole there). Here each reading is checked against
the facility's probes and the clock: one that cannot be understood is rejected on its own, with a
reason, and the rest of the batch is stored in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from phytowatch.domain.instants import US_PER_S
from phytowatch.formats import protocol_v1
from phytowatch.services.ports import FacilityRef, ReadingBatch, StoredItem, StoreOutcome

# 2000-01-01: an earlier device time is a clock that was never set (and keeps 64-bit storage safe)
EARLIEST = 946_684_800 * US_PER_S


@dataclass(frozen=True)
class Rejection:
    index: int
    reason: str
    probe: str | None = None


@dataclass(frozen=True)
class Plan:
    """A parsed batch: what to store, and what was rejected before storing."""

    facility: str
    batch_items: tuple[StoredItem, ...]
    rejected: tuple[Rejection, ...]
    count: int  # readings offered


def plan(data: dict[str, Any], facility: FacilityRef, *, now: int, future_tolerance: int) -> Plan:
    """Check every reading of a parsed batch against the facility's probes and the clock.

    ``protocol_v1.PayloadError`` when its readings are not of either of the protocol's forms."""
    items = protocol_v1.items(data)
    stored: list[StoredItem] = []
    rejected: list[Rejection] = []
    latest_allowed = now + future_tolerance
    instants: dict[Any, int] = {}  # a batch repeats each time for every probe: parse it once
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            rejected.append(Rejection(index, "a reading must be an object with probe, t and v"))
            continue
        probe_code = item.get("probe")
        if not isinstance(probe_code, str):
            rejected.append(Rejection(index, "'probe' must be the probe id, a string"))
            continue
        probe = facility.probes.get(probe_code)
        if probe is None:
            rejected.append(Rejection(index, f"unknown probe {probe_code!r}", probe_code))
            continue
        if "t" not in item:
            rejected.append(Rejection(index, "'t' (the device time) is missing", probe_code))
            continue
        raw_t = item["t"]
        cacheable = type(raw_t) is str or type(raw_t) is int  # not bool: True == 1
        t = instants.get(raw_t) if cacheable else None
        if t is None:
            try:
                t = protocol_v1.instant(raw_t)
            except (ValueError, ArithmeticError) as error:
                rejected.append(Rejection(index, f"bad time {raw_t!r}: {error}", probe_code))
                continue
            if cacheable:
                instants[raw_t] = t
        if t > latest_allowed:
            rejected.append(
                Rejection(index, "time is in the future: check the device clock", probe_code)
            )
            continue
        if t < EARLIEST:
            rejected.append(
                Rejection(index, "time is before 2000: check the device clock", probe_code)
            )
            continue
        try:
            value, fault = protocol_v1.value_of(item.get("v"), item.get("fault"))
        except ValueError as error:
            rejected.append(Rejection(index, str(error), probe_code))
            continue
        stored.append(StoredItem(index, probe.id, t, value, fault))
    return Plan(facility.code, tuple(stored), tuple(rejected), len(items))


def batch_of(plan_: Plan, facility: FacilityRef, *, channel: str, now: int) -> ReadingBatch:
    return ReadingBatch(facility.id, channel, now, plan_.batch_items)


def answer(plan_: Plan, outcome: StoreOutcome) -> dict[str, Any]:
    """The protocol's response body: accepted, duplicates, rejected (with reasons)."""
    conflicts = [
        Rejection(
            index,
            "conflicts with the reading already stored for this probe and time; "
            "the stored value is kept (tamper alarm)",
        )
        for index in outcome.conflicts
    ]
    rejected: Sequence[Rejection] = sorted([*plan_.rejected, *conflicts], key=lambda r: r.index)
    return {
        "accepted": outcome.inserted,
        "duplicates": len(outcome.duplicates),
        "rejected": [{"index": r.index, "reason": r.reason} for r in rejected],
    }
