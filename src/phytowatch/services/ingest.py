"""Device protocol v1: a batch of readings in, per-reading answers out (docs/device-protocol.md).

The same rules for HTTP and MQTT. A body that is not JSON or not of the protocol's shape is refused
whole (:class:`PayloadError`, HTTP 422). Otherwise each reading that cannot be understood is
rejected on its own, with a reason, and the rest of the batch is stored in one transaction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from phytowatch.domain.instants import US_PER_S, parse_instant
from phytowatch.services.ports import FacilityRef, ReadingBatch, StoredItem, StoreOutcome

MAX_FAULT_CHARS = 64
# 2000-01-01: an earlier device time is a clock that was never set (and keeps 64-bit storage safe)
EARLIEST = 946_684_800 * US_PER_S


def printable(text: str) -> bool:
    """Text a database and a JSON answer can hold as it is: no control characters (NUL…), no
    lone surrogates."""
    return text.isprintable()  # False for control characters and for lone surrogates


class PayloadError(ValueError):
    """The body is not a protocol batch (HTTP 422). The message says what is wrong."""


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


def _refuse_constant(name: str) -> float:
    raise PayloadError(f"{name} is not a number in JSON: send null with a fault instead")


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a batch; PayloadError for anything else."""
    try:
        # numbers with a fraction as Decimal: a time finer than a microsecond is refused, not
        # rounded by a float on the way in
        data = json.loads(body, parse_constant=_refuse_constant, parse_float=Decimal)
    except PayloadError:
        raise
    except (ValueError, UnicodeDecodeError) as error:
        raise PayloadError(f"not JSON: {error}") from None
    except RecursionError:
        raise PayloadError("not a protocol batch: nested too deeply") from None
    if not isinstance(data, dict):
        raise PayloadError("the body must be a JSON object with 'facility' and 'readings'")
    facility = data.get("facility")
    if not isinstance(facility, str) or not facility:
        raise PayloadError("'facility' must be the facility code, a string")
    if "readings" not in data and "columns" not in data:
        raise PayloadError("give 'readings' (a list) or 'columns' (the compact form)")
    return data


def _instant(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a time, not true/false")
    if isinstance(value, int):
        return value * US_PER_S
    if isinstance(value, Decimal | float):
        micros = Decimal(value) * US_PER_S
        if not micros.is_finite():
            raise ValueError("not a time")
        if micros != micros.to_integral_value():
            raise ValueError("finer than a microsecond")
        return int(micros)
    if isinstance(value, str):
        return parse_instant(value, naive_is_utc=False)
    raise ValueError("a time is an ISO 8601 string with an offset, or Unix seconds")


def _value(value: Any, fault: Any) -> tuple[float | None, str | None]:
    if fault is not None:
        if not isinstance(fault, str) or not fault.strip() or len(fault) > MAX_FAULT_CHARS:
            raise ValueError(f"'fault' must be a text of 1 to {MAX_FAULT_CHARS} characters")
        if not printable(fault):
            raise ValueError("'fault' must be printable text (no control characters)")
        if value is not None:
            raise ValueError("a reading has a value or a fault, not both")
        return None, fault.strip()
    if value is None:
        return None, "no_value"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("'v' must be a number or null")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError("'v' is too large") from None
    if not math.isfinite(number):
        raise ValueError("'v' is too large")
    return number, None


def count_items(data: dict[str, Any]) -> int:
    """How many readings a parsed batch offers, cheaply (before any is checked)."""
    if "readings" in data:
        readings = data["readings"]
        return len(readings) if isinstance(readings, list) else 0
    columns = data.get("columns")
    if not isinstance(columns, dict) or not isinstance(columns.get("t"), list):
        return 0
    probes = sum(1 for key in columns if key not in {"t", "faults"})
    return len(columns["t"]) * probes


def _items(data: dict[str, Any]) -> list[Any]:
    """The readings of either form, as a list of dicts (or junk, rejected one by one)."""
    if "readings" in data:
        readings = data["readings"]
        if not isinstance(readings, list):
            raise PayloadError("'readings' must be a list")
        return readings
    columns = data["columns"]
    if not isinstance(columns, dict) or not isinstance(columns.get("t"), list):
        raise PayloadError("'columns' must be an object with a 't' list and one list per probe")
    times = columns["t"]
    out: list[Any] = []
    for probe, values in columns.items():
        if probe in {"t", "faults"}:
            continue
        if not isinstance(values, list) or len(values) != len(times):
            raise PayloadError(f"columns.{probe!r} must be a list as long as columns.t")
        all_faults = columns.get("faults") or {}
        if not isinstance(all_faults, dict):
            raise PayloadError("columns.faults must be an object: probe id -> list of faults")
        faults = all_faults.get(probe)
        if faults is not None and (not isinstance(faults, list) or len(faults) != len(times)):
            raise PayloadError(f"columns.faults.{probe!r} must be a list as long as columns.t")
        for k, value in enumerate(values):
            item = {"probe": probe, "t": times[k], "v": value}
            if faults is not None and faults[k] is not None:
                item["fault"] = faults[k]
            out.append(item)
    return out


def plan(data: dict[str, Any], facility: FacilityRef, *, now: int, future_tolerance: int) -> Plan:
    """Check every reading of a parsed batch against the facility's probes and the clock."""
    items = _items(data)
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
                t = _instant(raw_t)
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
            value, fault = _value(item.get("v"), item.get("fault"))
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


def parse_instant_text(text: str) -> int:
    """A device time given as text (ISO 8601 with an offset, or Unix seconds)."""
    return parse_instant(text, naive_is_utc=False)
