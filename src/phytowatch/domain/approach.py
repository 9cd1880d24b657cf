"""Approaching the limit: a warning that a governing value drifts toward its limit during a hold.

This is an alarm, not judgement: it never changes a verdict, a hold or a finding (the judgement
contract, treatments.md §3, knows nothing of it). It warns the operator and the inspector early
enough to act (more heat, a door shut) before a hold breaks.

The rule, per hold criterion of an open run (docs/judgement.md, "Approaching the limit"):

- **raise** when, during a hold, the governing value is within ``warn`` of the limit **and
  trending toward it**: the least-squares drift of the governing value over the last ``window``
  points toward the limit, fast enough to reach it within ``horizon``. A kiln crossing 56 °C on
  its way up is moving away from the limit: no warning, however close it is;
- the warning stays while the value is within ``rearm`` (a larger margin) of the limit, so a
  value wobbling around ``warn`` is one warning, not a flood;
- **re-arm** once the value is back out by ``rearm``, or when the hold ends (a break is its own
  alarm, ``hold_broken``).

Pure: sample times are data; nothing reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from phytowatch.domain.instants import US_PER_H, US_PER_MIN
from phytowatch.domain.schedule import Regime


@dataclass(frozen=True)
class Margins:
    """How close, how fast, measured over how long: in the criterion's unit (°C or %RH)."""

    warn: float  # raise within this distance of the limit (on the complying side)
    rearm: float  # the warning ends, and re-arms, once this far from the limit again
    window: int  # µs: the drift is measured over the points of this last stretch
    horizon: int  # µs: "trending toward it": the drift would reach the limit within this


# By the kind of criterion: a heat hold (°C above its threshold), a cold hold (°C below its
# threshold), a humidity condition (% RH above its threshold). docs/judgement.md lists them.
MARGINS: MappingProxyType[str, Margins] = MappingProxyType(
    {
        "heat": Margins(warn=1.0, rearm=2.0, window=5 * US_PER_MIN, horizon=15 * US_PER_MIN),
        "cold": Margins(warn=0.2, rearm=0.4, window=2 * US_PER_H, horizon=6 * US_PER_H),
        "rh": Margins(warn=3.0, rearm=6.0, window=5 * US_PER_MIN, horizon=15 * US_PER_MIN),
    }
)
MIN_POINTS = 3  # a drift is a line through at least three points
MAX_POINTS = 60  # points kept per window: readings closer than window / 60 are thinned


def margins_for(regime: Regime, role: str) -> Margins:
    if role == "rh":
        return MARGINS["rh"]
    return MARGINS["cold"] if regime is Regime.COLD else MARGINS["heat"]


@dataclass(frozen=True)
class Watch:
    """One criterion's watch: whether its warning is raised, and the recent governing values."""

    warning: bool = False
    points: tuple[tuple[int, float], ...] = ()  # (sample time µs, governing value), oldest first
    last: int | None = None  # the last sample time looked at (a sample seen twice is one)


def distance(value: float, limit: float, regime: Regime) -> float:
    """How far the value is from the limit on the complying side (negative: beyond it)."""
    return limit - value if regime is Regime.COLD else value - limit


def drift_toward(points: tuple[tuple[int, float], ...], regime: Regime) -> float | None:
    """The least-squares drift toward the limit, in units per µs (negative: away from it);
    None with fewer than :data:`MIN_POINTS` points."""
    if len(points) < MIN_POINTS:
        return None
    t0 = points[0][0]
    n = len(points)
    mean_t = sum(t - t0 for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - t0 - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return None
    slope = sum((t - t0 - mean_t) * (v - mean_v) for t, v in points) / spread
    return slope if regime is Regime.COLD else -slope


def step(
    watch: Watch,
    *,
    t: int | None,
    value: float | None,
    limit: float,
    regime: Regime,
    margins: Margins,
    holding: bool,
) -> Watch:
    """The watch after the sample at ``t`` (the criterion's governing ``value``)."""
    if not holding or t is None or value is None:
        return Watch()  # no hold running: re-armed, and the drift starts again with the next
    if watch.last is not None and t <= watch.last:
        return watch  # the same sample seen again (a tick after an observe)
    points = tuple(p for p in watch.points if p[0] >= t - margins.window)
    if not points or t - points[-1][0] >= margins.window // MAX_POINTS:
        points = (*points, (t, value))
    away = distance(value, limit, regime)
    if watch.warning:
        return Watch(away < margins.rearm, points, t)
    drift = (
        drift_toward(points, regime)
        if points[-1][0] - points[0][0] >= margins.window // 2
        else None
    )
    trending = drift is not None and drift > 0 and away <= drift * margins.horizon
    return Watch(away < margins.warn and trending, points, t)
