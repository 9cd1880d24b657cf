"""What an official treatment schedule says, as values.

A schedule is a *set of criteria*, not one number (treatments.md §2, §3.6). The record's own
``regime``/``judged_role``/``min_probes``/``steps`` form its primary criterion; a schedule such as
vapour heat adds further hold criteria (air), a condition that must hold throughout another hold
(humidity) and a ramp rule. Params (hot water's ``fruit_class``) select concrete durations and
tolerance budgets before a run is judged; :meth:`Schedule.resolve` returns the concrete schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Literal, Self

from phytowatch.domain.messages import Code, Invalid, say

Role = Literal["product", "air", "water", "rh"]
ROLES: tuple[Role, ...] = ("product", "air", "water", "rh")

# treatments.md §1: outside these a value is a fault, whatever the sensor said.
PHYSICAL_RANGE: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {"product": (-60.0, 150.0), "air": (-60.0, 150.0), "water": (-60.0, 150.0), "rh": (0.0, 100.0)}
)


class Regime(StrEnum):
    HEAT = "heat"  # value >= threshold complies
    COLD = "cold"  # value <= threshold complies


class OnInterruption(StrEnum):
    RESTART = "restart"
    FAIL = "fail"


class Confidence(StrEnum):
    CHECKED = "C"  # checked against an official or primary text
    SECONDARY = "C2"  # secondary source
    UNVERIFIED = "M"  # unverified: the interface must say so


class HoldStart(StrEnum):
    ON_COMPLIANCE = "on_compliance"  # the usual rule (§3.2)
    AT_FIRST_SAMPLE = (
        "at_first_sample"  # hot water: the run starts when the fruit is immersed (§3.4)
    )


@dataclass(frozen=True, slots=True)
class Step:
    threshold: float
    duration: int  # µs


@dataclass(frozen=True, slots=True)
class Tolerance:
    """A band just below the threshold that is tolerated for a limited time (§3.4).

    ``lower`` is the value below which the hold breaks outright; during the first ``grace`` of the
    hold the band costs nothing; after it, time spent in ``[lower, threshold)`` is summed and may
    not exceed ``budget``.
    """

    lower: float
    grace: int  # µs
    budget: int | None  # µs; None until a param selects it


@dataclass(frozen=True, slots=True)
class HoldCriterion:
    """Probes of ``role`` must comply with one of ``steps`` continuously for its duration."""

    key: str
    role: Role
    regime: Regime
    min_probes: int
    steps: tuple[Step, ...]
    starts: HoldStart = HoldStart.ON_COMPLIANCE
    tolerance: Tolerance | None = None


@dataclass(frozen=True, slots=True)
class ThroughoutCriterion:
    """Probes of ``role`` must comply with ``threshold`` at every sample of the ``during`` hold."""

    key: str
    role: Role
    regime: Regime
    min_probes: int
    threshold: float
    during: str  # key of a HoldCriterion


@dataclass(frozen=True, slots=True)
class RampCriterion:
    """The governing value of ``role`` must take at least ``min_duration`` from the run's first
    reading of that role to reach ``target`` (a faster ramp fails the run, §3.6)."""

    key: str
    role: Role
    regime: Regime
    min_probes: int
    target: float
    min_duration: int  # µs


@dataclass(frozen=True, slots=True)
class Precondition:
    """At the run's first sample time every probe of ``role`` must comply with ``threshold``.

    With no probe of ``role`` installed the run cannot show it: ``review_required`` (§3.4).
    """

    key: str
    role: Role
    regime: Regime
    threshold: float


@dataclass(frozen=True, slots=True)
class ParamChoice:
    """What choosing one value of a param sets on the primary criterion."""

    durations: tuple[int, ...] | None = None  # one per step, µs
    tolerance_budget: int | None = None  # µs


@dataclass(frozen=True, slots=True)
class Param:
    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self  # an immutable value

    name: str
    choices: MappingProxyType[str, ParamChoice]
    default: str | None = None
    description: str = ""


Criterion = HoldCriterion | ThroughoutCriterion | RampCriterion


@dataclass(frozen=True, slots=True)
class Schedule:
    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self  # an immutable value

    id: str
    version: str
    title: MappingProxyType[str, str]  # {"en": ..., "zh": ...}
    source: str
    confidence: Confidence
    max_sample_interval: int  # µs
    on_interruption: OnInterruption
    primary: HoldCriterion
    extra: tuple[Criterion, ...] = ()
    preconditions: tuple[Precondition, ...] = ()
    params: tuple[Param, ...] = ()
    notes: str = ""
    confidence_notes: str = ""
    resolved_params: MappingProxyType[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )

    # The record fields of treatments.md §2, read off the primary criterion.
    @property
    def regime(self) -> Regime:
        return self.primary.regime

    @property
    def judged_role(self) -> Role:
        return self.primary.role

    @property
    def min_probes(self) -> int:
        return self.primary.min_probes

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.primary.steps

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return (self.primary, *self.extra)

    @property
    def hold_criteria(self) -> tuple[HoldCriterion, ...]:
        return tuple(c for c in self.criteria if isinstance(c, HoldCriterion))

    def roles(self) -> tuple[Role, ...]:
        """Roles whose readings define sample times (every criterion's role)."""
        seen: list[Role] = []
        for criterion in self.criteria:
            if criterion.role not in seen:
                seen.append(criterion.role)
        return tuple(seen)

    def resolve(self, given: dict[str, str] | None = None) -> Schedule:
        """The concrete schedule for these params; raises ParamError naming what is wrong."""
        given = dict(given or {})
        known = {p.name: p for p in self.params}
        for name in given:
            if name not in known:
                hint = ", ".join(sorted(known)) or "none"
                raise ParamError(say(Code.PARAM_UNKNOWN, schedule=self.id, param=name, known=hint))
        primary = self.primary
        chosen: dict[str, str] = {}
        for param in self.params:
            value = given.get(param.name, param.default)
            options = " | ".join(param.choices)
            if value is None:
                raise ParamError(
                    say(Code.PARAM_MISSING, schedule=self.id, param=param.name, options=options)
                )
            choice = param.choices.get(value)
            if choice is None:
                raise ParamError(
                    say(
                        Code.PARAM_VALUE,
                        param=param.name,
                        schedule=self.id,
                        value=value,
                        options=options,
                    )
                )
            chosen[param.name] = value
            if choice.durations is not None:
                steps = tuple(
                    replace(step, duration=duration)
                    for step, duration in zip(primary.steps, choice.durations, strict=True)
                )
                primary = replace(primary, steps=steps)
            if choice.tolerance_budget is not None and primary.tolerance is not None:
                primary = replace(
                    primary, tolerance=replace(primary.tolerance, budget=choice.tolerance_budget)
                )
        return replace(self, primary=primary, resolved_params=MappingProxyType(chosen))


class ParamError(Invalid):
    """A param was unknown, missing or given a value the schedule does not offer."""
