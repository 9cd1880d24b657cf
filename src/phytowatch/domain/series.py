"""A run's values as a chart draws them: many readings in few points, no excursion lost."""

from __future__ import annotations

from collections.abc import Iterable

from phytowatch.domain.messages import Code, Instant, invalid

Row = tuple[str, int, float | None, str | None, int]  # probe, t, value, fault, received


def downsample(
    rows: Iterable[Row], t_from: int, t_to: int, buckets: int
) -> dict[str, list[tuple[int, float, float]]]:
    """Per probe, ``(bucket start, min, max)`` of its valid values in each of ``buckets`` equal
    time buckets: a chart of a 22-day run stays small, and no excursion disappears from it (a
    dip shows as its bucket's minimum). Faults are left out; empty buckets give no point."""
    if buckets < 1 or t_to <= t_from:
        raise invalid(Code.SERIES_SPAN, buckets=buckets, t_from=Instant(t_from), t_to=Instant(t_to))
    width = -(-(t_to - t_from + 1) // buckets)  # ceiling: every instant falls in a bucket
    out: dict[str, dict[int, list[float]]] = {}
    for probe, t, value, fault, _ in rows:
        if fault is not None or value is None or not t_from <= t <= t_to:
            continue
        start = t_from + (t - t_from) // width * width
        bucket = out.setdefault(probe, {}).get(start)
        if bucket is None:
            out[probe][start] = [value, value]
        elif value < bucket[0]:
            bucket[0] = value
        elif value > bucket[1]:
            bucket[1] = value
    return {
        probe: [(start, low, high) for start, (low, high) in sorted(points.items())]
        for probe, points in out.items()
    }
