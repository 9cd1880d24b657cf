"""Where each probe sits in a sample group, and the state of one hold criterion."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Self

from phytowatch.domain.schedule import HoldCriterion, Role

Group = Sequence[float | None]  # one value per slot: a float, NaN for a fault, None: no reading


@dataclass(frozen=True)
class Layout:
    """Which slot is which probe, and the slice of slots of each role."""

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self  # an immutable value

    names: tuple[str, ...]
    roles: tuple[Role, ...]
    role_slice: MappingProxyType[str, tuple[int, int]]
    sample_slots: tuple[int, ...]

    @classmethod
    def build(cls, probes: Sequence[tuple[str, Role]], sample_roles: Sequence[Role]) -> Layout:
        order = {"product": 0, "air": 1, "water": 2, "rh": 3}
        ranked = sorted(probes, key=lambda item: order[item[1]])  # stable within a role
        names = tuple(name for name, _ in ranked)
        roles = tuple(role for _, role in ranked)
        slices: dict[str, tuple[int, int]] = {}
        for index, role in enumerate(roles):
            start, _ = slices.get(role, (index, index))
            slices[role] = (start, index + 1)
        sample = tuple(i for i, role in enumerate(roles) if role in sample_roles)
        return cls(names, roles, MappingProxyType(slices), sample)

    def slots(self, role: str) -> tuple[int, int]:
        return self.role_slice.get(role, (0, 0))


@dataclass
class HoldTrack:
    """The state of one hold criterion: one hold per step (§3.2 multi-step tables)."""

    crit: HoldCriterion
    lo: int
    hi: int
    cold: bool
    holds: list[int | None]
    longest: int = 0
    first_hold_start: int | None = None
    satisfied_now: tuple[int, int, int] | None = None  # (step, hold_start, t)
    governing: float | None = None
    band_used: int = 0
    # per step, pairs of slots still candidates for duplicate_series / tracks_air
    dup_pairs: list[set[tuple[int, int]] | None] = field(default_factory=list)
    air_pairs: list[set[tuple[int, int]] | None] = field(default_factory=list)
    # the steady state: which steps comply (a suffix of the table), when the next is due
    keys: list[float] = field(default_factory=list)  # thresholds, negated for heat: ascending
    steady: bool = False
    first_ok: int = 0
    oldest_start: int | None = None
    next_due: int | None = None
    # implausible rate while the probes report together: one window of rows for all of them
    aligned: bool = True
    win_t: deque[int] = field(default_factory=deque)
    win_v: deque[list[float]] = field(default_factory=deque)
    # flatline: per probe of the criterion, the current run of identical values
    streaking: bool = False
    s_cnt: list[int] = field(default_factory=list)
    s_start: list[int] = field(default_factory=list)
    s_val: list[float | None] = field(default_factory=list)
    s_last: list[int] = field(default_factory=list)

    def holding(self) -> bool:
        return self.holds.count(None) != len(self.holds)
