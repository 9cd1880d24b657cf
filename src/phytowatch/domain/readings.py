"""Readings as values: one probe, one device time, a number or a fault."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from phytowatch.domain.schedule import PHYSICAL_RANGE, Role


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading. ``value`` is None exactly when the reading is a fault (``fault`` says which)."""

    probe: str
    t: int  # device time, µs since the epoch, UTC
    value: float | None
    fault: str | None = None


def classify(value: float | None, fault: str | None, role: Role) -> tuple[float | None, str | None]:
    """A raw value as the engine sees it: a number, or a fault with its code (treatments.md §1).

    Not-a-number, infinities and values outside the probe's physical range are faults.
    """
    if fault is not None or value is None:
        return None, fault or "no_value"
    if math.isnan(value):
        return None, "nan"
    low, high = PHYSICAL_RANGE[role]
    if not low <= value <= high:
        return None, "out_of_range"
    return value, None


def apply_offset(value: float, offset: Decimal) -> float:
    """Raw value plus calibration offset, added in decimal so that 55.7 + 0.3 is exactly 56.0."""
    return float(Decimal(repr(value)) + offset)
