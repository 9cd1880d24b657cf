"""Where each probe sits in a sample group: slots ordered by role, one slice per role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Self

from phytowatch.domain.schedule import Role

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
