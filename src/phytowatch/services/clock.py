"""The one clock of the product: what "now" is, in µs since the epoch (UTC).

The rules never read a clock (time is their parameter); the adapters read the application's
clock (``App.clock``) once per request or command into a ``services.context.Context`` (who acts,
and now) and hand it to the use cases. ``bootstrap`` gives the system clock; a test gives a
:class:`FixedClock` and moves it.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> int:
        """Microseconds since the epoch."""
        ...


class SystemClock:
    def now(self) -> int:
        return time.time_ns() // 1000


class FixedClock:
    """A clock that says what it is told: for tests."""

    def __init__(self, at: int) -> None:
        self.at = at

    def now(self) -> int:
        return self.at

    def advance(self, us: int) -> None:
        self.at += us
