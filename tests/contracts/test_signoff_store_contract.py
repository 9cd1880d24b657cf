"""The SignOffStore port (services.signoff): what InMemorySignOffStore and SqlAccountStore (which
keeps the sign-offs) both do."""

from __future__ import annotations

import pytest
from stores import T0, SignOffDesk

from phytowatch.domain.signoff import Decision, SignOff

pytestmark = pytest.mark.contract


def test_a_facility_is_owned_by_its_enterprise_in_its_city(signoff_desk: SignOffDesk) -> None:
    assert signoff_desk.store.facility_owner("K1") == ("E1", "赣州")
    assert signoff_desk.store.facility_owner("K9") is None


def test_a_run_gets_one_decision_and_it_is_read_back_as_made(signoff_desk: SignOffDesk) -> None:
    store, run = signoff_desk.store, signoff_desk.run
    assert store.signoff_of(run) is None
    decision = SignOff(run, Decision.SIGNED_OFF, "检查无误", "li", "GZ", T0)
    assert store.add_signoff(decision, signoff_desk.user)
    late = SignOff(run, Decision.REJECTED, "another inspector", "li", "GZ", T0 + 1)
    assert not store.add_signoff(late, signoff_desk.user)
    assert store.signoff_of(run) == decision
