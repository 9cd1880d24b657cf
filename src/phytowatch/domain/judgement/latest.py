"""Each probe's latest reading, and what the probes say at one sample time (treatments.md §3.1).

Values are floats with NaN for a fault; a slot that has had no reading yet holds None. Every part
of the judgement reads the same :class:`LatestReadings`; only the evaluator feeds it.
"""

from __future__ import annotations

from phytowatch.domain.judgement.layout import Group


class LatestReadings:
    """Per slot, the instant and value of the latest reading at or before the sample time."""

    __slots__ = ("_shared", "interval", "sample_slots", "t", "taken", "v")

    def __init__(self, width: int, interval: int, sample_slots: tuple[int, ...]) -> None:
        self.t: list[int | None] = [None] * width
        self.v: list[float | None] = [None] * width
        self.interval = interval  # max_sample_interval: an older reading is not valid (a gap)
        self.sample_slots = sample_slots  # slots whose readings make a sample time
        self.taken = 0  # readings taken so far
        self._shared = False  # v aliases a fed group: copy before writing into it

    def take(self, t: int, group: Group) -> bool:
        """Take the readings at instant ``t``; whether one of them makes ``t`` a sample time."""
        if None not in group:
            # every probe read at t (the usual row): keep the group itself, copy on a later write
            self.v = group  # type: ignore[assignment]
            self._shared = True
            self.t = [t] * len(group)
            self.taken += len(group)
            return bool(self.sample_slots)
        if self._shared:
            self.v = list(self.v)
            self._shared = False
        latest_t, latest_v, sample_slots = self.t, self.v, self.sample_slots
        is_sample = False
        for i, value in enumerate(group):
            if value is not None:
                latest_t[i] = t
                latest_v[i] = value
                self.taken += 1
                if not is_sample and i in sample_slots:
                    is_sample = True
        return is_sample

    def valid(self, slot: int, t: int) -> float | None:
        """The probe's value if it is valid at ``t`` (read, not a fault, not too old), else None."""
        at, value = self.t[slot], self.v[slot]
        if at is None or value is None or value != value or t - at > self.interval:
            return None
        return value

    def governing(
        self, lo: int, hi: int, cold: bool, min_probes: int, t: int, group: Group
    ) -> tuple[float | None, list[tuple[int, str]]]:
        """The governing value of slots ``lo:hi`` at ``t`` (§3.1: the minimum of the valid probes
        for heat, the maximum for cold; None with fewer than ``min_probes`` valid) and the probes
        that were not valid, with why ("gap" or "fault")."""
        if hi - lo >= min_probes and len(group) >= hi:
            fresh = group[lo:hi]
            if None not in fresh:
                total = sum(fresh)  # type: ignore[arg-type]
                if total == total:  # no fault: every probe read at t, so every probe is valid
                    return (max(fresh) if cold else min(fresh)), []  # type: ignore[type-var]
        valid: list[float] = []
        invalid: list[tuple[int, str]] = []
        latest_t, latest_v, interval = self.t, self.v, self.interval
        for i in range(lo, hi):
            at = latest_t[i]
            value = latest_v[i]
            if at is None or value is None or t - at > interval:
                invalid.append((i, "gap"))
            elif value != value:
                invalid.append((i, "fault"))
            else:
                valid.append(value)
        if len(valid) < min_probes:
            return None, invalid
        return (max(valid) if cold else min(valid)), invalid
