"""What must be true at the run's first sample time (treatments.md §3.4: every pulp probe of a
hot-water run reads at least 21.1 °C when the fruit goes in)."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Layout
from phytowatch.domain.judgement.verdict import Finding, FindingKind, Interruption, Reason
from phytowatch.domain.schedule import Precondition, Regime


def check_preconditions(
    preconditions: Sequence[Precondition],
    layout: Layout,
    latest: LatestReadings,
    t: int,
    interruptions: list[Interruption],
    findings: FindingLog,
) -> Reason | None:
    """Check each precondition at the first sample time ``t``; ``precondition`` if one failed.

    A probe complies with its latest reading at or before ``t``, valid as in §3.1; with no probe
    of the role installed the run cannot show it: a finding (review required), not a failure.
    """
    names = layout.names
    for pre in preconditions:
        lo, hi = layout.slots(pre.role)
        if hi == lo:
            findings.add(
                Finding(
                    FindingKind.PRECONDITION_UNVERIFIED,
                    None,
                    t,
                    t,
                    MappingProxyType({"precondition": pre.key, "role": pre.role}),
                )
            )
            continue
        cold = pre.regime is Regime.COLD
        failing = []
        for i in range(lo, hi):
            value = latest.valid(i, t)
            if value is None or not (value <= pre.threshold if cold else value >= pre.threshold):
                failing.append(names[i])
        if failing:
            interruptions.append(Interruption(t, 0, Reason.PRECONDITION, tuple(failing), pre.key))
            return Reason.PRECONDITION
    return None
