"""The six steps of the e-supervision chain (workflow.md), read from a consignment's timeline.

1 e-declaration · 2 automatic review and routing · 3 conformity assessment · 4 e-certificate ·
5 e-transfer · 6 port check and release: each with who, when, and the time since the step
before it, and the time from declaration to release.

How the timeline's entries become steps (the choices are in docs/six-steps.md):

- step 1 is the *first* submission: the enterprise declared then, and the bureau's "time from
  declaration to release" counts from it, corrections included;
- a return for correction sends the chain back: what was routed or assessed before the last
  return no longer counts, and steps 2-6 are read from the entries after it (the newest of each);
- a step's elapsed time runs from the nearest earlier step reached (a step the records skip, such
  as a transfer on paper the port never recorded, does not hide the time);
- a withdrawn or rejected consignment stops where it is: the steps it reached stay shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from phytowatch.domain.supervision.consignment import Step, TimelineEntry


class ChainStep(StrEnum):
    """A step of the six, said by its word (i18n/words.py)."""

    DECLARATION = "step.declaration"  # 电子申报
    ROUTING = "step.routing"  # 自动审单与布控
    ASSESSMENT = "step.assessment"  # 合格评定
    CERTIFICATE = "step.certificate"  # 电子签证
    TRANSFER = "step.transfer"  # 电子转单
    RELEASE = "step.release"  # 口岸查验与放行


SIX: tuple[ChainStep, ...] = tuple(ChainStep)
# the timeline entry that reaches each step (step 1 is the first submission, see above)
REACHED_BY: dict[ChainStep, Step] = {
    ChainStep.DECLARATION: Step.SUBMITTED,
    ChainStep.ROUTING: Step.ROUTED,
    ChainStep.ASSESSMENT: Step.ASSESSED,
    ChainStep.CERTIFICATE: Step.CERTIFIED,
    ChainStep.TRANSFER: Step.TRANSFERRED,
    ChainStep.RELEASE: Step.RELEASED,
}
STOPS = frozenset({Step.WITHDRAWN, Step.REJECTED})


@dataclass(frozen=True)
class StepMark:
    """One of the six: reached or not; when reached, by whom, when, and how long after the step
    before it."""

    number: int  # 1..6
    step: ChainStep
    actor: str = ""
    at: int | None = None  # µs
    since_previous_us: int | None = None  # None for step 1 and for a step not reached

    @property
    def reached(self) -> bool:
        return self.at is not None


@dataclass(frozen=True)
class SixSteps:
    steps: tuple[StepMark, ...]
    returns: int  # times returned for correction
    resubmitted_at: int | None  # the last correction's submission, if any
    electronic_transfer: bool | None  # None while no transfer is known
    stopped: Step | None = None  # withdrawn or rejected: the chain ends there
    stopped_at: int | None = None
    stopped_by: str = ""

    @property
    def declared_at(self) -> int | None:
        return self.steps[0].at

    @property
    def released_at(self) -> int | None:
        return self.steps[-1].at

    @property
    def declaration_to_release_us(self) -> int | None:
        if self.declared_at is None or self.released_at is None:
            return None
        return max(0, self.released_at - self.declared_at)

    @property
    def reached(self) -> int:
        """How many of the six are reached."""
        return sum(1 for mark in self.steps if mark.reached)

    @property
    def next_step(self) -> StepMark | None:
        """The first step not reached yet; ``None`` when all six are, or the chain stopped."""
        if self.stopped is not None:
            return None
        return next((mark for mark in self.steps if not mark.reached), None)


def six_steps(
    entries: Sequence[TimelineEntry], *, electronic_transfer: bool | None = None
) -> SixSteps:
    """The six steps of a consignment from its timeline entries (as recorded).

    ``electronic_transfer`` is what the consignment's transfer says (``Transfer.electronic``),
    ``None`` when it has none; the timeline itself does not say whether the port took it on paper.
    """
    # a stable sort: entries at the same instant (a route and its documents assessment) keep the
    # order they were recorded in
    ordered = sorted(entries, key=lambda entry: entry.at)
    first_submission = next((e for e in ordered if e.step is Step.SUBMITTED), None)
    returned = [i for i, e in enumerate(ordered) if e.step is Step.RETURNED]
    after_return = ordered[returned[-1] + 1 :] if returned else ordered
    resubmissions = [e for e in ordered if e.step is Step.RESUBMITTED]
    newest: dict[Step, TimelineEntry] = {}
    for later in after_return:
        newest[later.step] = later
    marks: list[StepMark] = []
    previous_at: int | None = None
    for number, step in enumerate(SIX, start=1):
        found = first_submission if step is ChainStep.DECLARATION else newest.get(REACHED_BY[step])
        if found is None:
            marks.append(StepMark(number, step))
            continue
        since = None if previous_at is None else max(0, found.at - previous_at)
        marks.append(StepMark(number, step, found.actor, found.at, since))
        previous_at = found.at
    stop = next((e for e in reversed(ordered) if e.step in STOPS), None)
    return SixSteps(
        steps=tuple(marks),
        returns=len(returned),
        resubmitted_at=resubmissions[-1].at if resubmissions else None,
        electronic_transfer=electronic_transfer,
        stopped=None if stop is None else stop.step,
        stopped_at=None if stop is None else stop.at,
        stopped_by="" if stop is None else stop.actor,
    )
