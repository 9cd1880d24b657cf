"""Device protocol v1: a batch of readings in, per-reading answers out (docs/device-protocol.md).

The same rules for HTTP and MQTT. The wire format is read by :mod:`phytowatch.formats.protocol_v1`
(a body that is not a protocol batch is refused whole there). Here each reading is checked against
the facility's probes and the clock: one that cannot be understood is rejected on its own, with a
message (a code and its parameters, and the English reason devices read), and the rest of the
batch is stored in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from phytowatch.domain.instants import US_PER_S
from phytowatch.domain.messages import Code, Message, params_for_api, say
from phytowatch.formats import protocol_v1
from phytowatch.formats.protocol_v1 import TimeProblem
from phytowatch.services.ports import FacilityRef, ReadingBatch, StoredItem, StoreOutcome

# 2000-01-01: an earlier device time is a clock that was never set (and keeps 64-bit storage safe)
EARLIEST = 946_684_800 * US_PER_S

# why a reading's `t` cannot be read, as the answer says it
TIME_CODES: Mapping[TimeProblem, Code] = MappingProxyType(
    {
        TimeProblem.BOOLEAN: Code.READING_TIME_BOOLEAN,
        TimeProblem.TYPE: Code.READING_TIME_TYPE,
        TimeProblem.FORMAT: Code.READING_TIME_FORMAT,
        TimeProblem.CONTROL: Code.READING_TIME_CONTROL,
        TimeProblem.NO_OFFSET: Code.READING_TIME_NO_OFFSET,
        TimeProblem.FINE: Code.READING_TIME_FINE,
        TimeProblem.RANGE: Code.READING_TIME_RANGE,
        TimeProblem.OFFSET: Code.READING_TIME_OFFSET,
        TimeProblem.DATE: Code.READING_TIME_DATE,
    }
)


@dataclass(frozen=True)
class Rejection:
    index: int
    message: Message
    probe: str | None = None

    @property
    def reason(self) -> str:
        """The English text devices have always read."""
        return self.message.english()


@dataclass(frozen=True)
class Plan:
    """A parsed batch: what to store, and what was rejected before storing."""

    facility: str
    batch_items: tuple[StoredItem, ...]
    rejected: tuple[Rejection, ...]
    count: int  # readings offered


def shown_time(raw: Any) -> str:
    """A device's ``t`` as a reason shows it: a text quoted, a number as written."""
    if isinstance(raw, Decimal):
        return str(raw)
    return repr(raw)


def plan(data: dict[str, Any], facility: FacilityRef, *, now: int, future_tolerance: int) -> Plan:
    """Check every reading of a parsed batch against the facility's probes and the clock.

    ``protocol_v1.PayloadError`` when its readings are not of either of the protocol's forms."""
    items = protocol_v1.items(data)
    stored: list[StoredItem] = []
    rejected: list[Rejection] = []
    latest_allowed = now + future_tolerance
    instants: dict[Any, int] = {}  # a batch repeats each time for every probe: parse it once
    for index, item in enumerate(items):
        if isinstance(item, protocol_v1.FaultWithoutColumn):
            code = item.probe
            if code in facility.probes:
                message = say(Code.READING_FAULT_NO_COLUMN, probe=code)
            else:
                message = say(Code.READING_UNKNOWN_PROBE, probe=code)
            rejected.append(Rejection(index, message, code))
            continue
        if not isinstance(item, dict):
            rejected.append(Rejection(index, say(Code.READING_NOT_OBJECT)))
            continue
        probe_code = item.get("probe")
        if not isinstance(probe_code, str):
            rejected.append(Rejection(index, say(Code.READING_PROBE)))
            continue
        probe = facility.probes.get(probe_code)
        if probe is None:
            message = say(Code.READING_UNKNOWN_PROBE, probe=probe_code)
            rejected.append(Rejection(index, message, probe_code))
            continue
        if "t" not in item:
            rejected.append(Rejection(index, say(Code.READING_NO_TIME), probe_code))
            continue
        raw_t = item["t"]
        cacheable = type(raw_t) is str or type(raw_t) is int  # not bool: True == 1
        t = instants.get(raw_t) if cacheable else None
        if t is None:
            try:
                t = protocol_v1.instant(raw_t)
            except protocol_v1.TimeError as error:
                message = say(TIME_CODES[error.problem], t=shown_time(raw_t))
                rejected.append(Rejection(index, message, probe_code))
                continue
            if cacheable:
                instants[raw_t] = t
        if t > latest_allowed:
            rejected.append(Rejection(index, say(Code.READING_FUTURE), probe_code))
            continue
        if t < EARLIEST:
            rejected.append(Rejection(index, say(Code.READING_BEFORE_2000), probe_code))
            continue
        try:
            value, fault = protocol_v1.value_of(item.get("v"), item.get("fault"))
        except protocol_v1.ReadingError as error:
            rejected.append(Rejection(index, error.message, probe_code))
            continue
        stored.append(StoredItem(index, probe.id, t, value, fault))
    return Plan(facility.code, tuple(stored), tuple(rejected), len(items))


def batch_of(plan_: Plan, facility: FacilityRef, *, channel: str, now: int) -> ReadingBatch:
    return ReadingBatch(facility.id, channel, now, plan_.batch_items)


def answer(plan_: Plan, outcome: StoreOutcome) -> dict[str, Any]:
    """The protocol's response body: accepted, duplicates, rejected (each with its index, the
    English ``reason``, and its ``code`` and ``params``)."""
    conflicts = [Rejection(index, say(Code.READING_CONFLICT)) for index in outcome.conflicts]
    rejected: Sequence[Rejection] = sorted([*plan_.rejected, *conflicts], key=lambda r: r.index)
    return {
        "accepted": outcome.inserted,
        "duplicates": len(outcome.duplicates),
        "rejected": [
            {
                "index": r.index,
                "reason": r.reason,
                "code": r.message.code.value,
                "params": params_for_api(r.message.params),
            }
            for r in rejected
        ],
    }
