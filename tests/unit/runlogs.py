"""Small builders for treatment logs used by the unit tests (not a test module)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.judgement.verdict import Judgement
from phytowatch.domain.readings import Reading
from phytowatch.domain.schedule import Role, Schedule
from phytowatch.schedules import load_one

T0 = 1_772_359_200_000_000  # 2026-03-01T10:00:00Z in µs
PRODUCT3: dict[str, Role] = {"C1": "product", "C2": "product", "C3": "product"}


def schedule(schedule_id: str, **params: str) -> Schedule:
    return load_one(schedule_id).resolve(params)


def at(minutes: float) -> int:
    """T0 plus a whole number of µs given in minutes (exact for the values the tests use)."""
    return T0 + round(minutes * US_PER_MIN)


def rows(
    probes: Sequence[str], samples: Iterable[tuple[int, Sequence[float | None]]]
) -> list[Reading]:
    """Readings from wide rows ``(t, values)``; a None value means no reading."""
    out: list[Reading] = []
    for t, values in samples:
        assert len(values) == len(probes)
        for probe, value in zip(probes, values, strict=True):
            if value is not None:
                out.append(Reading(probe, t, value))
    return out


def steady(
    probes: Sequence[str], start: int, stop: int, step: int, values: Sequence[float]
) -> list[Reading]:
    """Every probe reads its value at ``start, start+step, ...`` up to and including ``stop``."""
    return rows(probes, ((t, values) for t in range(start, stop + 1, step)))


def judge(
    sched: Schedule,
    readings: Iterable[Reading],
    probes: Mapping[str, Role] | None = None,
    **kwargs: Any,
) -> Judgement:
    j = Judge(sched, dict(probes or PRODUCT3), **kwargs)
    j.feed(sorted(readings, key=lambda r: r.t))
    return j.result()


def varied(
    probes: Sequence[str], times: Iterable[int], bases: Sequence[float], amp: float = 0.1
) -> list[Reading]:
    """Probe ``p`` reads ``bases[p]`` plus a small wobble in ``[0, amp]`` that changes at every
    reading, so that no finding (flatline, duplicate series, rate) appears by accident."""
    out: list[Reading] = []
    for k, t in enumerate(times):
        for p, probe in enumerate(probes):
            out.append(Reading(probe, t, bases[p] + amp * ((3 * k + p) % 5) / 4))
    return out


def minutes(start: float, stop: float, step: float = 1) -> list[int]:
    """Instants ``at(start), at(start+step), ...`` up to and including ``at(stop)``."""
    out = []
    k = 0
    while start + k * step <= stop + 1e-9:
        out.append(at(start + k * step))
        k += 1
    return out
