"""How often one client address may check certificates: a sliding window, in memory.

Per process and per address (``request.client.host``: the connection's address, never a
forwarded header a client could write itself). A bureau running several processes behind a
proxy gets a limit per process: the proxy limits across them (docs/verification.md).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

LIMIT = 30  # checks per address
WINDOW_US = 60 * 1_000_000  # per minute
MAX_ADDRESSES = 50_000  # past this, the quietest addresses are forgotten first


@dataclass
class RateLimiter:
    limit: int = LIMIT
    window_us: int = WINDOW_US
    _seen: dict[str, deque[int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, address: str, *, now: int) -> int | None:
        """None when this check may go ahead (it is counted); else the seconds to wait."""
        with self._lock:
            times = self._seen.get(address)
            if times is None:
                if len(self._seen) >= MAX_ADDRESSES:
                    self._forget(now)
                times = self._seen[address] = deque()
            while times and times[0] <= now - self.window_us:
                times.popleft()
            if len(times) >= self.limit:
                wait_us = times[0] + self.window_us - now
                return max(1, -(-wait_us // 1_000_000))
            times.append(now)
            return None

    def _forget(self, now: int) -> None:
        stale = [a for a, t in self._seen.items() if not t or t[-1] <= now - self.window_us]
        for address in stale or list(self._seen)[: MAX_ADDRESSES // 10]:
            del self._seen[address]
