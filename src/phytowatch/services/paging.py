"""One page of what a store searched: the rows from ``offset`` on, and how many match in all
(counted by the store, so that a list of 10,000 costs the page it shows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
