"""How far an open run is and when it can end: the one answer the wall, a run's page and the API
give, whatever the number of criteria.

A schedule is satisfied once every hold criterion has held for a step's duration (treatments.md
§3.3), so a run's progress is that of the criterion furthest from done: of two holds running, the
one due last; a criterion not holding yet is further from done than any that holds, and shows
``0 / <its shortest step>``. The end is known once every hold criterion holds (the latest of their
earliest ends, as :class:`LiveState` says it); while nothing holds yet it is predicted from the
primary criterion's trend (:func:`predict_crossing` plus the step's duration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from phytowatch.domain.judgement.eta import predict_crossing
from phytowatch.domain.judgement.verdict import HoldProgress, LiveState, Phase
from phytowatch.domain.schedule import HoldCriterion, Schedule


@dataclass(frozen=True, slots=True)
class RunProgress:
    """An open run's progress: the deciding criterion's hold and the run's end."""

    criterion: str  # the hold criterion furthest from done
    role: str  # its probes' role (a catalogue word: product, air, water, rh)
    elapsed: int  # µs of its running hold (0: not holding yet)
    duration: int  # µs that hold needs
    holding: int  # hold criteria holding now
    criteria: int  # hold criteria of the schedule
    start: int | None  # when the holding began (the first hold start), or when it is predicted to
    end: int | None  # when the schedule can be satisfied at the earliest, or its prediction

    @property
    def fraction(self) -> float:
        return min(1.0, self.elapsed / self.duration) if self.duration > 0 else 0.0


def _best(holds: Sequence[HoldProgress]) -> HoldProgress | None:
    """Of a criterion's running holds (one per step), the one that can end first."""
    return min(holds, key=lambda h: (h.earliest_end, h.step), default=None)


def _shortest(criterion: HoldCriterion) -> int:
    return min(step.duration for step in criterion.steps)


def run_progress(
    state: LiveState, schedule: Schedule, trend: Sequence[tuple[int, float]], *, now: int
) -> RunProgress | None:
    """The progress of an open run (None once it has a verdict). ``trend``: the primary
    criterion's governing value at recent sample times, for the prediction while waiting."""
    if state.phase not in (Phase.WAITING, Phase.HOLDING):
        return None
    criteria = schedule.hold_criteria
    running = {c.key: _best([h for h in state.holds if h.criterion == c.key]) for c in criteria}
    holding = [h for h in running.values() if h is not None]
    lagging = [c for c in criteria if running[c.key] is None]
    start: int | None = min((h.hold_start for h in holding), default=None)
    end: int | None = None
    if lagging:
        # the criterion not holding yet that needs the longest: the end cannot come before it
        deciding = max(lagging, key=_shortest)
        elapsed, duration = 0, _shortest(deciding)
        if not holding:
            start, end = _predicted(schedule.primary, trend, now)
    else:
        last = max(holding, key=lambda h: (h.earliest_end, h.criterion))
        deciding = next(c for c in criteria if c.key == last.criterion)
        elapsed, duration = last.elapsed, last.duration
        end = state.earliest_end if state.earliest_end is not None else last.earliest_end
    return RunProgress(
        criterion=deciding.key,
        role=deciding.role,
        elapsed=max(0, elapsed),
        duration=duration,
        holding=len(holding),
        criteria=len(criteria),
        start=start,
        end=end,
    )


def _predicted(
    primary: HoldCriterion, trend: Sequence[tuple[int, float]], now: int
) -> tuple[int | None, int | None]:
    """(predicted hold start, predicted end) from the trend: the step that can end soonest."""
    best: tuple[int, int] | None = None
    points = list(trend)
    for step in primary.steps:
        start = predict_crossing(points, step.threshold, primary.regime, now=now)
        if start is not None and (best is None or start + step.duration < best[1]):
            best = (start, start + step.duration)
    return best if best is not None else (None, None)
