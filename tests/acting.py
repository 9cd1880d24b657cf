"""Who acts and when, for a use case under test: a :class:`Context` read off a fixed clock."""

from __future__ import annotations

from phytowatch.domain.accounts import Principal
from phytowatch.services.clock import FixedClock
from phytowatch.services.context import Context


def ctx_at(now: int, actor: str = "system") -> Context:
    """``actor`` (as the audit trail names it: ``system``, ``cli:ops``, ``user:li``) at ``now``."""
    return Context.system(FixedClock(now), actor)


def ctx_of(principal: Principal, now: int) -> Context:
    """A signed-in caller (or the admin token, or a device) at ``now``."""
    return Context.of(principal, FixedClock(now))
