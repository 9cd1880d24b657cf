"""The demo's one clock: the service, its judging, its alarms and the simulated devices all read
it, so a reading, the close of its run and the alarm it raised are stamped on the same time.

Demo time starts at the machine's time and runs ``speed`` times faster (60: a minute a second),
so that a kiln run takes a couple of real minutes. It is a ``services.clock.Clock``: ``bootstrap``
is given it, and the simulated devices take their samples by it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class DemoClock:
    def __init__(
        self,
        speed: float,
        origin: int | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.speed = speed
        self.origin = time.time_ns() // 1000 if origin is None else origin
        self._monotonic = monotonic
        self._wall0: float | None = None

    def start(self) -> None:
        """Time runs from now on; until then it stands at its origin (while the demo's devices
        upload what they recorded before it began)."""
        if self._wall0 is None:
            self._wall0 = self._monotonic()

    def now(self) -> int:
        """Demo time, µs since the epoch."""
        if self._wall0 is None:
            return self.origin
        return self.origin + int((self._monotonic() - self._wall0) * self.speed * 1_000_000)

    def real_seconds(self, demo_us: int) -> float:
        """How long ``demo_us`` of demo time takes on the wall clock."""
        return demo_us / 1_000_000 / self.speed
