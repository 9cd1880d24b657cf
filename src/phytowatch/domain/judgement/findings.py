"""Trackers for the findings of treatments.md §3.5.

Each tracker watches the samples the evaluator hands it and records findings; none of them can
change a verdict. Consecutive occurrences of the same finding on the same probe are merged into one
finding with a ``from``/``to`` window, so a flaky probe gives one line, not ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from phytowatch.domain.instants import US_PER_H, US_PER_MIN
from phytowatch.domain.judgement.verdict import Finding, FindingKind

FLATLINE_READINGS = 30  # identical consecutive readings during a hold
# A rate is measured from the latest reading at least one unit back (1 min for heat, 1 h for
# cold), or from the previous reading when readings are further apart than that: between
# consecutive 1-minute readings a sensor's 0.04 °C of noise already reads as 2.4 °C/h.
HEAT_RATE_LIMIT = (Decimal(5), US_PER_MIN)  # °C per minute
COLD_RATE_LIMIT = (Decimal(2), US_PER_H)  # °C per hour, after the hold began
TRACKS_AIR_WITHIN = 0.2  # °C


@dataclass
class FindingLog:
    """Findings in the order they were first seen, with merging of continuing episodes."""

    items: list[Finding] = field(default_factory=list)
    # (kind, probe, extra key) -> index of the open episode in items, and its last instant
    _open: dict[tuple[Any, ...], tuple[int, int]] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def extend_or_open(
        self,
        kind: FindingKind,
        probe: str | None,
        start: int,
        end: int,
        *,
        continues_from: int | None,
        key: tuple[Any, ...] = (),
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Extend the open episode of (kind, probe, key) if it ended at ``continues_from``."""
        episode_key = (kind, probe, *key)
        opened = self._open.get(episode_key)
        if opened is not None and continues_from is not None and opened[1] == continues_from:
            index = opened[0]
            old = self.items[index]
            self.items[index] = Finding(old.kind, old.probe, old.start, end, old.detail)
        else:
            index = len(self.items)
            self.items.append(
                Finding(kind, probe, start, end, MappingProxyType(dict(detail or {})))
            )
        self._open[episode_key] = (index, end)


def rate_exceeds(value: float, previous: float, delta_t: int, limit: tuple[Decimal, int]) -> bool:
    """|Δv| / Δt faster than ``limit`` (value per unit time), decided exactly in decimal."""
    per, unit = limit
    # fast float screen; decide exactly only near the boundary
    ratio = abs(value - previous) * unit / delta_t
    bound = float(per)
    if ratio > bound * (1 + 1e-9):
        return True
    if ratio < bound * (1 - 1e-9):
        return False
    exact = abs(Decimal(repr(value)) - Decimal(repr(previous))) * unit
    return exact > per * delta_t
