"""A minimum time to reach a target (treatments.md §3.6: the air must take at least 3.5 h from
the run's first air reading to 48.5 °C; a faster ramp fails the run, reason ``ramp_too_fast``)."""

from __future__ import annotations

from types import MappingProxyType

from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Group, Layout
from phytowatch.domain.judgement.verdict import CriterionOutcome, Interruption, Reason
from phytowatch.domain.schedule import RampCriterion, Regime


class RampJudge:
    """Judges one ramp criterion: when its role first read, when the target was reached."""

    def __init__(
        self,
        ramp: RampCriterion,
        layout: Layout,
        latest: LatestReadings,
        interruptions: list[Interruption],
    ) -> None:
        self.ramp = ramp
        self.lo, self.hi = layout.slots(ramp.role)
        self.cold = ramp.regime is Regime.COLD
        self.latest = latest
        self.interruptions = interruptions
        self.first: int | None = None  # the first numeric reading of any probe of the role
        self.reached: int | None = None  # the first sample time the governing value got there
        self.met_at: int | None = None  # the first sample time it can no longer be too fast

    def note(self, t: int, group: Group) -> None:
        """Every group of readings, sample time or not: the ramp starts at the first reading."""
        if self.first is None and any(v is not None and v == v for v in group[self.lo : self.hi]):
            self.first = t

    def judge(self, t: int, group: Group) -> Reason | None:
        """Judge the sample time ``t``; the reason the run fails at ``t``, if it does."""
        first = self.first
        if first is None:
            return None
        ramp, cold = self.ramp, self.cold
        if self.met_at is None and t - first >= ramp.min_duration:
            self.met_at = t
        if self.reached is not None:
            return None
        governing, _ = self.latest.governing(self.lo, self.hi, cold, ramp.min_probes, t, group)
        if governing is None:
            return None
        if (governing <= ramp.target) if cold else (governing >= ramp.target):
            self.reached = t
            if t - first < ramp.min_duration:
                self.interruptions.append(Interruption(t, 0, Reason.RAMP_TOO_FAST, (), ramp.key))
                return Reason.RAMP_TOO_FAST
        return None

    def too_fast(self) -> bool:
        reached, first = self.reached, self.first
        if reached is None or first is None:
            return False
        return reached - first < self.ramp.min_duration

    def outcome(self, passed_at: int | None) -> CriterionOutcome:
        """Met once the minimum time has passed since the first reading without the target
        reached sooner; a PASS decided before that keeps it (met at ``passed_at``)."""
        met_at = self.met_at
        if met_at is None and passed_at is not None and not self.too_fast():
            met_at = passed_at
        detail: dict[str, int] = {}
        if self.first is not None:
            detail["first_reading"] = self.first
        if self.reached is not None:
            detail["reached"] = self.reached
        return CriterionOutcome(
            key=self.ramp.key,
            kind="ramp",
            role=self.ramp.role,
            satisfied=met_at is not None,
            detail=MappingProxyType(detail),
            met_at=met_at,
        )
