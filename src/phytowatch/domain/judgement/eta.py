"""An honest estimate of when a waiting run will start to hold: from the trend, not a hope.

The governing value's recent samples are fitted with a least-squares line; if it moves towards
the threshold (up for heat, down for cold) the crossing instant is where the line meets the
threshold. No estimate when the value moves away, stays flat, or there is too little history:
an ETA that cannot be given is not given.
"""

from __future__ import annotations

from collections.abc import Sequence

from phytowatch.domain.schedule import Regime

MIN_POINTS = 5


def predict_crossing(
    points: Sequence[tuple[int, float]], threshold: float, regime: Regime, *, now: int
) -> int | None:
    """The instant (µs) the governing value is predicted to comply, or None."""
    if len(points) < MIN_POINTS:
        return None
    t0 = points[0][0]
    xs = [(t - t0) / 1e6 for t, _ in points]  # seconds, for numerical comfort
    ys = [value for _, value in points]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    towards = slope > 0 if regime is Regime.HEAT else slope < 0
    if not towards:
        return None
    latest = ys[-1]
    complying = latest >= threshold if regime is Regime.HEAT else latest <= threshold
    if complying:
        return now
    intercept = mean_y - slope * mean_x
    seconds = (threshold - intercept) / slope
    at = t0 + int(seconds * 1e6)
    return max(at, now)
