"""Device protocol v1 on the wire (docs/device-protocol.md): a batch's bytes to its JSON object,
and each reading's time, value and fault as the protocol writes them.

A body that is not JSON or not of the protocol's shape is refused whole (:class:`PayloadError`,
HTTP 422). A reading whose time or value cannot be read raises ``ValueError`` alone, so the
caller rejects that reading and keeps the rest. Which probes and which times a facility accepts is
the use case's (services.ingest).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from phytowatch.domain.instants import US_PER_S, parse_instant

MAX_FAULT_CHARS = 64


def printable(text: str) -> bool:
    """Text a database and a JSON answer can hold as it is: no control characters (NUL…), no
    lone surrogates."""
    return text.isprintable()  # False for control characters and for lone surrogates


class PayloadError(ValueError):
    """The body is not a protocol batch (HTTP 422). The message says what is wrong."""


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


def instant(value: Any) -> int:
    """A reading's ``t`` in µs; ValueError (or ArithmeticError) when it is not a device time."""
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


def value_of(value: Any, fault: Any) -> tuple[float | None, str | None]:
    """A reading's ``v`` and ``fault`` as (value, fault); ValueError when they cannot be read."""
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


def items(data: dict[str, Any]) -> list[Any]:
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


def parse_instant_text(text: str) -> int:
    """A device time given as text (ISO 8601 with an offset, or Unix seconds)."""
    return parse_instant(text, naive_is_utc=False)
