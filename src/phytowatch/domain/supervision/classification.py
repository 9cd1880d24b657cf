"""Classification management (分类管理) as a pure decision: an enterprise's record over a period,
the rules of the classification document, and its current class -> the up- or downgrades to
propose. An administrator confirms or dismisses each proposal; nothing here changes a class.

A rule with ``steps`` > 0 moves an enterprise down (towards the worst class, the last of the
scheme), ``steps`` < 0 up. It fires when the count of its ``measure`` over its period is at least
``at_least`` and, where given, at most ``at_most``; a rule with neither threshold never fires. A
move past either end of the scheme stops at it; an enterprise already there gets no proposal.
A measure no store counts (``None``) is unknown: its rules propose nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from phytowatch.domain.instants import US_PER_D
from phytowatch.domain.supervision.policy import ClassificationRule, ClassScheme


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in µs since the epoch, UTC."""

    start: int
    end: int


@dataclass(frozen=True)
class Proposal:
    """A change of class the rules propose for one enterprise, with the count that fired it."""

    enterprise: str
    rule: str
    measure: str
    count: int
    from_class: str
    to_class: str
    period: Period


def day_start(at: int) -> int:
    """The start (00:00 UTC) of the day of ``at``: periods end on a day boundary, so that
    proposing twice on one day names the same period."""
    return at - at % US_PER_D


def period_of(rule: ClassificationRule, end: int) -> Period:
    """The rule's period ending at the start of ``end``'s day (that day excluded)."""
    stop = day_start(end)
    return Period(stop - rule.period_days * US_PER_D, stop)


def fires(rule: ClassificationRule, count: int | None) -> bool:
    if count is None or (rule.at_least is None and rule.at_most is None):
        return False
    if rule.at_least is not None and count < rule.at_least:
        return False
    return rule.at_most is None or count <= rule.at_most


def moved(scheme: ClassScheme, klass: str, steps: int) -> str | None:
    """The class ``steps`` down (``steps`` < 0: up) from ``klass``, stopping at the scheme's
    ends; ``None`` when it would not change (already at that end, or not a class of it)."""
    if klass not in scheme.classes or steps == 0:
        return None
    index = scheme.classes.index(klass)
    target = min(max(index + steps, 0), len(scheme.classes) - 1)
    return None if target == index else scheme.classes[target]


def propose(
    enterprise: str,
    klass: str,
    scheme: ClassScheme,
    rules: tuple[ClassificationRule, ...],
    counts: Mapping[str, int | None],
    *,
    end: int,
) -> list[Proposal]:
    """What the rules propose for ``enterprise`` at ``klass``; ``counts`` holds each rule's
    count (by rule code) over its own period ending at ``end`` (``None``: not counted)."""
    out = []
    for rule in rules:
        count = counts.get(rule.code)
        if count is None or not fires(rule, count):
            continue
        target = moved(scheme, klass, rule.steps)
        if target is not None:
            out.append(
                Proposal(
                    enterprise, rule.code, rule.measure, count, klass, target, period_of(rule, end)
                )
            )
    return out


class ProposalState(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class ProposalRecord:
    """A stored proposal and what became of it."""

    id: int
    proposal: Proposal
    state: ProposalState
    proposed_at: int
    decided_by: str | None = None
    decided_at: int | None = None
    comment: str = ""
