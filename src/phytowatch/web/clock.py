"""Now, for a request that only reads: the application's one clock (``App.clock``), never the
system's directly. A request that acts gets its context (who, and now) from ``deps.context_of``."""

from __future__ import annotations

from fastapi import Request


def now_of(request: Request) -> int:
    now: int = request.app.state.services.clock.now()
    return now
