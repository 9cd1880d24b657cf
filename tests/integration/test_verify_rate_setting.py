"""The public verification's rate limit is the setting ``verify_rate_per_minute``: 30 look-ups
a minute per client address unless the operator says otherwise (a benchmark's clients, which
all come from one address, are given more)."""

from __future__ import annotations

import pytest
from accountsworld import World, client_for

from phytowatch.config import Settings

pytestmark = pytest.mark.integration


def test_the_verification_limit_is_thirty_a_minute_unless_set() -> None:
    assert Settings().verify_rate_per_minute == 30
    assert Settings(verify_rate_per_minute=5000).verify_rate_per_minute == 5000


def test_the_limit_set_lower_refuses_the_look_up_after_it(world: World) -> None:
    settings = world.services.settings
    world.services.settings = settings.model_copy(update={"verify_rate_per_minute": 3})
    with client_for(world) as client:
        answers = [client.get("/api/v1/verify/no-such-token").status_code for _ in range(3)]
        refused = client.get("/verify/no-such-token")
    assert answers == [404, 404, 404]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_the_limit_set_higher_lets_more_look_ups_through(world: World) -> None:
    settings = world.services.settings
    world.services.settings = settings.model_copy(update={"verify_rate_per_minute": 40})
    with client_for(world) as client:
        answers = [client.get("/api/v1/verify/no-such-token").status_code for _ in range(40)]
        refused = client.get("/api/v1/verify/no-such-token")
    assert answers == [404] * 40  # past the default 30
    assert refused.status_code == 429
