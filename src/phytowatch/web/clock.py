"""Now, for a request: the application's one clock (``App.clock``), never the system's directly."""

from __future__ import annotations

from fastapi import Request


def now_of(request: Request) -> int:
    now: int = request.app.state.services.clock.now()
    return now
