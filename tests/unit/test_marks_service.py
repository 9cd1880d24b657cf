"""The IPPC mark's use cases (services/certificates/marks.py) on the in-memory stores: who may
authorise, on which runs, what is recorded and audited in one unit, the yearly numbers, the
reach of the reads, and the public verification (no enumeration, rate limited per address)."""

from __future__ import annotations

from dataclasses import replace
from itertools import count

import pytest

from acting import ctx_of
from fakes import InMemoryAccountStore, InMemoryAuditRecorder
from fakes.marks import InMemoryMarkStore
from phytowatch.domain.accounts import Action, Jurisdiction, LockoutPolicy, Principal, Role
from phytowatch.domain.certificates.mark import Authorisation, MarkFacility, MarkRun, Method
from phytowatch.domain.messages import Code, Kind
from phytowatch.domain.signoff import Decision
from phytowatch.rules.mark import load_mark_policy
from phytowatch.services.certificates.marks import Marks
from refusals import refused

INSPECTOR = Principal(
    "user",
    "user:li",
    frozenset({Action.MARKS_AUTHORISE, Action.CERTIFICATES_READ}),
    role=Role.INSPECTOR,
    user_id=1,
    login="li",
    office="JX",
    jurisdiction=Jurisdiction(cities=frozenset({"赣州"})),
)
ELSEWHERE = replace(
    INSPECTOR, actor="user:wu", jurisdiction=Jurisdiction(cities=frozenset({"南昌"}))
)
OPERATOR = Principal(
    "user", "user:op", frozenset({Action.CERTIFICATES_READ}),
    role=Role.ENTERPRISE_OPERATOR, user_id=2, login="op", enterprise="E1",
)  # fmt: skip
OTHER_OPERATOR = replace(OPERATOR, actor="user:op2", enterprise="E2")
ADMIN = Principal("user", "user:admin", frozenset(Action) - {Action.MARKS_AUTHORISE},
                  role=Role.ADMINISTRATOR, user_id=3, login="admin")  # fmt: skip
NOW = 1_780_000_000_000_000  # 2026
PASSED = MarkRun(7, "ispm15-ht", True, "PASS", Decision.SIGNED_OFF)
KILN = MarkFacility("K1", "kiln", "E1", "赣州", "001")


class World:
    def __init__(self) -> None:
        self.store = InMemoryMarkStore()
        self.audit = InMemoryAuditRecorder()
        self.accounts = InMemoryAccountStore()
        tokens = count(1)
        self.marks = Marks(
            self.store,
            self.audit,
            load_mark_policy(),
            self.accounts,
            token=lambda: f"token-{next(tokens):020d}",
            lockout=LockoutPolicy(free=3, first_delay_us=30_000_000, max_delay_us=60_000_000),
        )
        self.store.facts[7] = (PASSED, KILN)
        self.store.facts[8] = (replace(PASSED, run_id=8, decision=None), KILN)

    def authorise(self, run_id: int = 7, who: Principal = INSPECTOR, **typed: str) -> Authorisation:
        fields = {"load": "pine pallets", "quantity": "120", "unit": "pallets", **typed}
        return self.marks.authorise(run_id, ctx=ctx_of(who, NOW), **fields)


@pytest.fixture
def world() -> World:
    return World()


def test_an_inspector_authorises_the_mark_with_its_number_text_and_an_audit_entry_in_one_unit(
    world: World,
) -> None:
    done = world.marks.authorise(
        7, load="pine pallets", quantity="120", unit="pallets", ctx=ctx_of(INSPECTOR, NOW)
    )
    assert done.number == "MK2026-000001"
    assert done.mark == "CN-36 001 HT"
    assert done.method is Method.HT
    assert done.treater_number == "001" and done.facility == "K1" and done.by == "user:li"
    assert len(done.check_code) == 6 and done.token == "token-00000000000000000001"
    [entry] = world.audit.entries
    assert entry["action"] == "mark.authorised" and entry["in_unit"]
    assert entry["object"] == "mark:MK2026-000001"
    assert entry["after"]["bureau_code_confidence"] == "C2"


def test_numbers_follow_each_other_within_the_year(world: World) -> None:
    numbers = [world.authorise().number for _ in range(3)]
    assert numbers == ["MK2026-000001", "MK2026-000002", "MK2026-000003"]


def test_only_an_inspector_may_authorise(world: World) -> None:
    for who in (OPERATOR, ADMIN):
        with refused(Code.MARK_INSPECTOR_ONLY, Kind.FORBIDDEN):
            world.authorise(who=who)
    assert world.store.rows == []


def test_a_run_out_of_reach_is_the_same_404_as_one_that_does_not_exist(world: World) -> None:
    with refused(Code.NO_RUN, Kind.NOT_FOUND):
        world.authorise(who=ELSEWHERE)
    with refused(Code.NO_RUN, Kind.NOT_FOUND):
        world.authorise(run_id=99)


def test_a_run_not_signed_off_is_refused_with_the_rules_reason_and_nothing_is_stored(
    world: World,
) -> None:
    with refused(Code.MARK_NOT_SIGNED_OFF, Kind.CONFLICT):
        world.authorise(run_id=8)
    assert world.store.rows == [] and world.audit.entries == []
    assert world.marks.refusal(8, principal=INSPECTOR) is not None
    assert world.marks.refusal(7, principal=INSPECTOR) is None


def test_a_method_that_is_not_the_schedules_or_not_a_method_is_refused(world: World) -> None:
    with refused(Code.MARK_METHOD, Kind.CONFLICT):
        world.authorise(method="DH")
    with refused(Code.MARK_METHOD_CHOICE, Kind.INVALID):
        world.authorise(method="SF")
    assert world.authorise(method="ht").method is Method.HT


def test_a_wrong_load_is_refused_naming_the_field(world: World) -> None:
    with refused(Code.MARK_QUANTITY, Kind.INVALID) as caught:
        world.authorise(quantity="twelve")
    assert caught.value.message.params["field"] == "quantity"
    with refused(Code.FIELD_REQUIRED, Kind.INVALID):
        world.authorise(load=" ")
    assert world.store.rows == []


def test_reads_keep_to_the_callers_reach(world: World) -> None:
    done = world.authorise()
    number = done.number
    assert [m.number for m in world.marks.find(principal=OPERATOR).items] == [number]
    assert world.marks.find(principal=OTHER_OPERATOR).total == 0
    assert world.marks.find(principal=ADMIN).total == 1
    assert world.marks.by_number(number, principal=OPERATOR).number == number
    for who in (OTHER_OPERATOR, ELSEWHERE):
        with refused(Code.NO_MARK, Kind.NOT_FOUND):
            world.marks.by_number(number, principal=who)
    assert [m.number for m in world.marks.of_run(7, principal=INSPECTOR)] == [number]


def test_anyone_verifies_by_number_and_check_code_or_by_token(world: World) -> None:
    done = world.authorise()
    found = world.marks.verify(
        done.number.lower(), done.check_code.lower(), address="1.2.3.4", now=NOW
    )
    assert found.stands and found.authorisation.mark == "CN-36 001 HT"
    assert found.lines == ("CN-36 001", "HT")
    by_token = world.marks.verify_token(done.token, address="1.2.3.4", now=NOW)
    assert by_token.authorisation.number == done.number


def test_a_wrong_check_code_and_an_unknown_number_get_the_same_answer(world: World) -> None:
    done = world.authorise()
    with refused(Code.MARK_VERIFY_NONE, Kind.NOT_FOUND):
        world.marks.verify(done.number, "ZZZZZZ", address="a", now=NOW)
    with refused(Code.MARK_VERIFY_NONE, Kind.NOT_FOUND):
        world.marks.verify("MK2026-000999", done.check_code, address="a", now=NOW)
    with refused(Code.MARK_VERIFY_ASK, Kind.INVALID):
        world.marks.verify("", "", address="a", now=NOW)


def test_failed_verifications_from_one_address_are_throttled_like_logins(world: World) -> None:
    done = world.authorise()
    for _ in range(3):
        with refused(Code.MARK_VERIFY_NONE):
            world.marks.verify_token("x" * 32, address="6.6.6.6", now=NOW)
    with refused(Code.LOGIN_LOCKED, Kind.THROTTLED) as caught:
        world.marks.verify_token(done.token, address="6.6.6.6", now=NOW)
    assert caught.value.retry_after is not None
    # another address is not held back, and a success does not count
    for _ in range(5):
        world.marks.verify_token(done.token, address="7.7.7.7", now=NOW)


def test_a_mark_whose_run_no_longer_backs_it_does_not_stand(world: World) -> None:
    done = world.authorise()
    world.store.facts[7] = (replace(PASSED, decision=Decision.REJECTED), KILN)
    found = world.marks.verify_token(done.token, address="a", now=NOW)
    assert not found.stands


def test_an_inspector_revokes_an_authorisation_once_and_it_no_longer_stands(world: World) -> None:
    done = world.authorise()
    with refused(Code.FIELD_TEXT, Kind.INVALID):
        world.marks.revoke(done.number, reason="  ", ctx=ctx_of(INSPECTOR, NOW))
    for who in (OPERATOR, ADMIN):
        with refused(Code.MARK_INSPECTOR_ONLY, Kind.FORBIDDEN):
            world.marks.revoke(done.number, reason="untreated", ctx=ctx_of(who, NOW))
    with refused(Code.NO_MARK, Kind.NOT_FOUND):
        world.marks.revoke(done.number, reason="untreated", ctx=ctx_of(ELSEWHERE, NOW))
    revoked = world.marks.revoke(
        done.number, reason="the load was found untreated", ctx=ctx_of(INSPECTOR, NOW + 1)
    )
    assert (revoked.by, revoked.office, revoked.at) == ("user:li", "JX", NOW + 1)
    with refused(Code.MARK_REVOKED_ALREADY, Kind.CONFLICT):
        world.marks.revoke(done.number, reason="again", ctx=ctx_of(INSPECTOR, NOW + 2))
    found = world.marks.verify_token(done.token, address="a", now=NOW)
    assert not found.stands and found.revocation == revoked
    assert [e["action"] for e in world.audit.entries] == ["mark.authorised", "mark.revoked"]
    assert all(e["in_unit"] for e in world.audit.entries)
    assert world.store.by_number(done.number) == done  # the authorisation itself is unchanged
