"""A condition that must hold at every sample time of another criterion's hold (treatments.md
§3.6: humidity at least 60 % throughout the air hold).

A sample time at which it does not comply breaks the hold it accompanies: the break is that
hold's, with this criterion named as its cause.
"""

from __future__ import annotations

from types import MappingProxyType

from phytowatch.domain.judgement.hold import HoldJudge
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Group, Layout
from phytowatch.domain.judgement.verdict import CriterionOutcome, Reason
from phytowatch.domain.schedule import Regime, ThroughoutCriterion


class ThroughoutJudge:
    """Judges a throughout criterion while the hold of ``during`` runs."""

    def __init__(
        self,
        crit: ThroughoutCriterion,
        layout: Layout,
        latest: LatestReadings,
        during: HoldJudge,
    ) -> None:
        self.crit = crit
        self.lo, self.hi = layout.slots(crit.role)
        self.cold = crit.regime is Regime.COLD
        self.names = layout.names
        self.latest = latest
        self.during = during
        self.broken_at: int | None = None  # its first break
        self.last_broken: int | None = None

    def judge(self, t: int, group: Group) -> Reason | None:
        """Judge the sample time ``t``; the reason the run fails at ``t``, if it does."""
        during = self.during
        if not during.track.holding():
            return None
        crit, lo, hi, cold = self.crit, self.lo, self.hi, self.cold
        governing, invalid = self.latest.governing(lo, hi, cold, crit.min_probes, t, group)
        names = self.names
        if governing is None:
            causes = {names[slot]: cause for slot, cause in invalid}
            reason, probes = Reason.TOO_FEW_PROBES, tuple(causes)
        elif (governing <= crit.threshold) if cold else (governing >= crit.threshold):
            return None
        else:
            causes = {}
            reason = Reason.ABOVE_THRESHOLD if cold else Reason.BELOW_THRESHOLD
            latest_v = self.latest.v
            probes = tuple(
                names[i]
                for i in range(lo, hi)
                if (v := latest_v[i]) is not None
                and v == v
                and (v > crit.threshold if cold else v < crit.threshold)
            )
        if self.broken_at is None:
            self.broken_at = t
        self.last_broken = t
        for index, start in enumerate(during.track.holds):
            if start is not None and during.break_hold(
                index, t, reason, probes, causes, criterion=crit.key
            ):
                return reason
        return None

    def outcome(self, passed_at: int | None) -> CriterionOutcome:
        """Met with the hold it accompanies, if it did not break since that hold began."""
        del passed_at  # a PASS has the hold met, and a break during it would have broken it
        broken = self.broken_at
        held = self.during.track.met
        last = self.last_broken
        met = held is not None and (last is None or last < held[1])
        return CriterionOutcome(
            key=self.crit.key,
            kind="throughout",
            role=self.crit.role,
            satisfied=met,
            detail=MappingProxyType({"broken_at": broken} if broken else {}),
            met_at=held[2] if met and held is not None else None,
        )
