"""What the engine says about a run: verdicts, interruptions, findings, live state (values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Self


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    INDETERMINATE = "INDETERMINATE"


class Phase(StrEnum):
    """A live run's state: before a verdict it is WAITING or HOLDING (treatments.md §3.3)."""

    WAITING = "WAITING"
    HOLDING = "HOLDING"
    PASS = "PASS"
    FAIL = "FAIL"
    INDETERMINATE = "INDETERMINATE"


class Reason(StrEnum):
    """Why a hold broke or a run failed (treatments.md §4)."""

    BELOW_THRESHOLD = "below_threshold"
    ABOVE_THRESHOLD = "above_threshold"
    GAP = "gap"
    FAULT = "fault"
    TOO_FEW_PROBES = "too_few_probes"
    TOLERANCE_EXCEEDED = "tolerance_exceeded"
    PRECONDITION = "precondition"
    RAMP_TOO_FAST = "ramp_too_fast"


class FindingKind(StrEnum):
    """Findings make ``review_required`` true and never change a verdict (§3.5)."""

    PROBE_EXCLUDED = "probe_excluded"
    FLATLINE = "flatline"
    IMPLAUSIBLE_RATE = "implausible_rate"
    TRACKS_AIR = "tracks_air"
    DUPLICATE_SERIES = "duplicate_series"
    CLOCK = "clock"
    # §3.4: hot water with no pulp probe cannot show the 21.1 °C precondition.
    PRECONDITION_UNVERIFIED = "precondition_unverified"


class IndeterminateCause(StrEnum):
    TOO_FEW_PROBES_INSTALLED = "too_few_probes_installed"
    NO_READINGS = "no_readings"
    ROLE_NOT_COVERED = "role_not_covered"


@dataclass(frozen=True, slots=True)
class Interruption:
    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self  # an immutable value

    at: int
    step: int
    reason: Reason
    probes: tuple[str, ...] = ()
    criterion: str = ""
    # per probe, why it was not valid (too_few_probes): "fault" or "gap"
    causes: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Finding:
    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self  # an immutable value

    kind: FindingKind
    probe: str | None
    start: int
    end: int
    detail: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class StepRef:
    index: int
    threshold: float
    duration: int  # µs


@dataclass(frozen=True, slots=True)
class CriterionOutcome:
    """How one criterion of a multi-criterion schedule (vapour heat) fared: ``satisfied`` says
    whether the criterion itself was met, and ``met_at`` when, whatever the run's verdict
    (docs/judgement.md). A hold's window is the hold that met it, to its last sample time."""

    key: str
    kind: str  # "hold" | "throughout" | "ramp"
    role: str
    satisfied: bool
    hold_start: int | None = None
    hold_end: int | None = None
    longest_hold: int = 0
    detail: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    met_at: int | None = None


@dataclass(frozen=True, slots=True)
class HoldProgress:
    """A hold that is running now: how far it is and when it can end at the earliest."""

    criterion: str
    step: int
    threshold: float
    hold_start: int
    elapsed: int
    duration: int

    @property
    def earliest_end(self) -> int:
        return self.hold_start + self.duration

    @property
    def fraction(self) -> float:
        return min(1.0, self.elapsed / self.duration)


@dataclass(frozen=True, slots=True)
class Judgement:
    """The engine's answer for a run, complete (offline) or as far as the data goes (live)."""

    verdict: Verdict | None  # None while live and undecided
    schedule_id: str
    schedule_version: str
    params: MappingProxyType[str, str]
    step: StepRef | None
    hold_start: int | None
    hold_end: int | None
    longest_hold: int  # µs
    interruptions: tuple[Interruption, ...]
    findings: tuple[Finding, ...]
    fail_reason: Reason | None = None
    fail_at: int | None = None
    indeterminate_cause: IndeterminateCause | None = None
    criteria: tuple[CriterionOutcome, ...] = ()
    first_sample: int | None = None
    last_sample: int | None = None  # the last sample time judged
    sample_count: int = 0

    @property
    def review_required(self) -> bool:
        return bool(self.findings)


@dataclass(frozen=True, slots=True)
class LiveState:
    phase: Phase
    judgement: Judgement
    holds: tuple[HoldProgress, ...]
    governing: MappingProxyType[str, float | None]  # per hold criterion, at the last sample
    last_sample: int | None
    stale: bool  # now is more than the schedule's interval past the last sample time
    earliest_end: int | None  # the earliest instant the schedule can be satisfied
