"""The one context of who acts and when: its actor strings are the audit trail's."""

from __future__ import annotations

import dataclasses

import pytest

from phytowatch.domain.accounts import Action, Principal
from phytowatch.services.clock import FixedClock
from phytowatch.services.context import Context


def test_a_request_acts_as_its_principal_at_the_clocks_now() -> None:
    li = Principal(kind="user", actor="user:li", actions=frozenset({Action.RUNS_WRITE}))
    ctx = Context.of(li, FixedClock(1_000))
    assert (ctx.principal, ctx.actor, ctx.now) == (li, "user:li", 1_000)


def test_the_cli_acts_as_its_operator_and_the_system_as_itself_with_no_route_action() -> None:
    clock = FixedClock(5)
    cli, system, demo = (
        Context.cli("ops", clock),
        Context.system(clock),
        Context.system(clock, "demo"),
    )
    assert [c.actor for c in (cli, system, demo)] == ["cli:ops", "system", "demo"]
    assert [c.principal.kind for c in (cli, system, demo)] == ["cli", "system", "system"]
    assert not any(c.principal.may(action) for c in (cli, system) for action in Action)


def test_a_context_is_read_once_and_never_changes() -> None:
    clock = FixedClock(5)
    ctx = Context.system(clock)
    clock.advance(10)
    assert ctx.now == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.now = 6  # type: ignore[misc]  # frozen on purpose: this must fail
