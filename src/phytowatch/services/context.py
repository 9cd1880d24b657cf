"""Who acts, and when: what every use case that acts for someone is given.

An adapter builds one :class:`Context` per request or command, from who asks and the
application's one clock (``App.clock``), and hands it to each use case it calls; a use case
never reads a clock, and records ``ctx.actor`` and ``ctx.now`` in the audit trail. The web
builds it from the signed-in principal (``web.deps.context_of``), the CLI from its operator
(:meth:`Context.cli`), and the processes that act on their own (the demo) as the system
(:meth:`Context.system`).

Who acts is always a :class:`~phytowatch.domain.accounts.Principal`: a person, the admin token
or a device, as the web found them; the CLI's operator (``cli:<OS user>``) and the system are
principals too, of kind ``cli`` and ``system``, that may do no action of a route
(``actions`` is empty): their authority is the process's own, and a use case that checks
``may`` refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from phytowatch.domain.accounts import Principal
from phytowatch.services.clock import Clock

SYSTEM = "system"


def acting_as(actor: str, kind: str = SYSTEM) -> Principal:
    """A principal that is only a name in the audit trail (the CLI's operator, the system)."""
    return Principal(kind=kind, actor=actor, actions=frozenset())


@dataclass(frozen=True)
class Context:
    """Who acts (``principal``) and when (``now``, µs since the epoch, from the one clock)."""

    principal: Principal
    now: int

    @property
    def actor(self) -> str:
        """Who the audit trail names: ``user:<login>``, ``admin-token``, ``device:<facility>``,
        ``cli:<OS user>``, ``system``, ``demo``."""
        return self.principal.actor

    @classmethod
    def of(cls, principal: Principal, clock: Clock) -> Context:
        """A request's context: the principal the web found, now by the application's clock."""
        return cls(principal, clock.now())

    @classmethod
    def cli(cls, operator: str, clock: Clock) -> Context:
        """A command's context: the operating-system user who typed it."""
        return cls(acting_as(f"cli:{operator}", kind="cli"), clock.now())

    @classmethod
    def system(cls, clock: Clock, name: str = SYSTEM) -> Context:
        """What the product does on its own (``system``), or a named process of it (``demo``)."""
        return cls(acting_as(name), clock.now())
