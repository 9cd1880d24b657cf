"""Roles, jurisdiction, passwords, lock-out, sessions, tokens and the sign-off rules, with
in-memory fakes (the sign-off use case: test_signoff_service.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from acting import ctx_at, ctx_of
from fakes import InMemoryAccountStore, InMemoryAuditRecorder
from phytowatch.domain.accounts import (
    ACCOUNT_LOCKOUT,
    ROLE_ACTIONS,
    Action,
    FailureCount,
    Jurisdiction,
    Principal,
    Role,
    effective_actions,
    parse_scopes,
    password_problem,
)
from phytowatch.domain.messages import Code, Kind, Message, Refused, say
from phytowatch.domain.signoff import Decision, SignOff, backs_certificate, refusal
from phytowatch.services import accounts
from phytowatch.services.accounts import passwords
from refusals import refused

S = 1_000_000
PASSWORD = "correct horse battery"


def _store() -> tuple[InMemoryAccountStore, InMemoryAuditRecorder]:
    store = InMemoryAccountStore({"E1": "赣州", "E2": "南昌"})
    audit = InMemoryAuditRecorder()
    accounts.add_office(store, audit, code="GZ", name="赣州", cities=["赣州"], ctx=ctx_at(0, "t"))
    return store, audit


def _user(store: InMemoryAccountStore, audit: InMemoryAuditRecorder, login: str, role: str) -> None:
    placement: dict[str, Any] = {"enterprise": "E1"} if role.startswith("enterprise") else {}
    if role in {"inspector", "certifying_officer", "port_officer"}:
        placement = {"office": "GZ"}
    accounts.add_user(
        store,
        audit,
        login=login,
        name=login,
        role=role,
        password=PASSWORD,
        cost=10,
        ctx=ctx_at(0, "t"),
        **placement,
    )


# -- domain -------------------------------------------------------------------------------------


def test_a_password_is_judged_by_its_length_not_its_composition() -> None:
    assert password_problem("short", "li") == say(Code.PASSWORD_SHORT, min=10)
    assert password_problem("li.wei.abc", "LI.WEI.ABC") == say(Code.PASSWORD_IS_LOGIN)
    assert password_problem("aaaaaaaaaaaa", "li") == say(Code.PASSWORD_REPETITIVE)
    assert password_problem("x" * 1025, "li") == say(Code.PASSWORD_LONG, max=1024)
    assert password_problem("松木托盘热处理监管系统", "li") is None


def test_the_account_lock_doubles_from_the_sixth_failure_and_is_capped() -> None:
    count = FailureCount()
    for _ in range(5):
        count = count.after_failure(100 * S)
    assert count.locked_until(ACCOUNT_LOCKOUT, 100 * S) == 130 * S
    count = count.after_failure(200 * S)
    assert count.locked_until(ACCOUNT_LOCKOUT, 200 * S) == 260 * S
    for _ in range(30):
        count = count.after_failure(300 * S)
    assert count.locked_until(ACCOUNT_LOCKOUT, 300 * S) == 1200 * S  # 15 min at most
    # a failure a day old is forgotten
    assert count.locked_until(ACCOUNT_LOCKOUT, 300 * S + 86_401 * S) is None
    assert FailureCount(4, 1).locked_until(ACCOUNT_LOCKOUT, 2) is None


def test_a_tokens_scope_only_narrows_the_role() -> None:
    operator = ROLE_ACTIONS[Role.ENTERPRISE_OPERATOR]
    assert effective_actions(Role.ENTERPRISE_OPERATOR, None) == operator
    narrowed = effective_actions(Role.ENTERPRISE_OPERATOR, frozenset({Action.RUNS_READ}))
    assert narrowed == {Action.RUNS_READ}
    assert effective_actions(Role.PORT_OFFICER, frozenset({Action.ALARMS_CLEAR})) == frozenset()
    assert Action.SIGNOFF_WRITE not in ROLE_ACTIONS[Role.ADMINISTRATOR]
    assert all(Action.INGEST_WRITE not in actions for actions in ROLE_ACTIONS.values())


def test_no_personal_token_manages_people_whatever_its_scope() -> None:
    admin = Role.ADMINISTRATOR
    assert Action.USERS_WRITE in effective_actions(admin, None)  # a signed-in administrator
    assert Action.USERS_WRITE not in effective_actions(admin, None, via_token=True)
    wide = frozenset(ROLE_ACTIONS[admin])
    assert Action.USERS_WRITE not in effective_actions(admin, wide, via_token=True)
    with refused(Code.SCOPE_SESSION_ONLY, Kind.INVALID):
        parse_scopes(["runs:read", "users:write"])


def test_who_covers_a_facility() -> None:
    office = Jurisdiction(cities=frozenset({"赣州"}), enterprises=frozenset({"E9"}))
    inspector = Principal("user", "user:i", frozenset(), Role.INSPECTOR, jurisdiction=office)
    assert inspector.covers("E1", "赣州") and inspector.covers("E9", "南昌")
    assert not inspector.covers("E2", "南昌")
    operator = Principal("user", "user:o", frozenset(), Role.ENTERPRISE_OPERATOR, enterprise="E1")
    assert operator.covers("E1", "赣州") and not operator.covers("E2", "赣州")
    officeless = Principal("user", "user:p", frozenset(), Role.PORT_OFFICER)
    assert not officeless.covers("E1", "赣州")
    province = Principal(
        "user", "user:q", frozenset(), Role.PORT_OFFICER, jurisdiction=Jurisdiction(everywhere=True)
    )
    assert province.covers("E2", "南昌")


def test_the_sign_off_rules() -> None:
    def why(**kw: Any) -> Message | None:
        base: dict[str, Any] = {
            "run_id": 7,
            "closed": True,
            "verdict": "PASS",
            "judgement": {"findings": [], "review_required": False},
            "calibration_notes": [],
            "decision": Decision.SIGNED_OFF,
            "comment": "",
            "existing": None,
        }
        return refusal(**{**base, **kw})

    assert why() is None
    assert "still open" in str(why(closed=False))
    assert "is FAIL: only a PASS run" in str(why(verdict="FAIL"))
    assert "written comment" in str(why(judgement={"findings": [{"kind": "flatline"}]}))
    assert "written comment" in str(why(calibration_notes=["C1 judged raw"]))
    assert why(calibration_notes=["C1 judged raw"], comment="checked the probe on site") is None
    assert "rejection needs" in str(why(decision=Decision.REJECTED))
    done = SignOff(7, Decision.SIGNED_OFF, "", "li", "GZ", 1)
    assert "final" in str(why(existing=done))
    assert backs_certificate(closed=True, verdict="PASS", signoff=done)[0]
    rejected = SignOff(7, Decision.REJECTED, "bad probe", "li", "GZ", 1)
    assert not backs_certificate(closed=True, verdict="PASS", signoff=rejected)[0]
    assert not backs_certificate(closed=True, verdict="FAIL", signoff=done)[0]


# -- use cases ----------------------------------------------------------------------------------


def test_a_user_is_placed_by_role_and_stored_without_the_password() -> None:
    store, audit = _store()
    with refused(Code.ROLE_NEEDS_ENTERPRISE, Kind.INVALID):
        accounts.add_user(
            store,
            audit,
            login="op",
            name="o",
            role="enterprise_operator",
            password=PASSWORD,
            cost=10,
            ctx=ctx_at(0, "t"),
        )
    with refused(Code.NO_OFFICE, Kind.NOT_FOUND):
        accounts.add_user(
            store,
            audit,
            login="in",
            name="i",
            role="inspector",
            office="XX",
            password=PASSWORD,
            cost=10,
            ctx=ctx_at(0, "t"),
        )
    _user(store, audit, "li", "inspector")
    user = store.user_by_login("li")
    assert user is not None and user.password_hash.startswith("scrypt$10$8$1$")
    assert PASSWORD not in json.dumps(audit.entries, ensure_ascii=False)
    with refused(Code.USER_EXISTS, Kind.CONFLICT):
        _user(store, audit, "li", "inspector")


def test_login_locks_after_failures_and_never_says_which_part_was_wrong() -> None:
    store, audit = _store()
    _user(store, audit, "li", "inspector")
    said = []
    for n in range(6):
        with pytest.raises(Refused) as caught:
            accounts.login(
                store,
                audit,
                login_name="li",
                password="wrong password",
                address="10.0.0.1",
                now=n,
                session_ttl_us=S,
                cost=10,
            )
        said.append((caught.value.kind, caught.value.message.code))
    assert said[0] == (Kind.UNAUTHENTICATED, Code.LOGIN_WRONG)
    assert said[5] == (Kind.THROTTLED, Code.LOGIN_LOCKED) and caught.value.retry_after == 30
    with pytest.raises(Refused) as unknown:
        accounts.login(
            store,
            audit,
            login_name="nobody",
            password="x" * 12,
            address="10.0.0.2",
            now=0,
            session_ttl_us=S,
            cost=10,
        )
    assert unknown.value.message == say(Code.LOGIN_WRONG)
    result = accounts.login(
        store,
        audit,
        login_name="LI",
        password=PASSWORD,
        address="10.0.0.3",
        now=3600 * S,
        session_ttl_us=S,
        cost=10,
    )
    assert result.principal.actor == "user:li" and result.session_token.startswith("pws_")
    assert store.session_by_hash(accounts.sha256_hex(result.session_token)) is not None
    assert "login.failed" in audit.actions() and "login" in audit.actions()


def test_a_session_ends_by_expiry_idleness_logout_and_password_change() -> None:
    store, audit = _store()
    _user(store, audit, "li", "inspector")

    def new_session(now: int) -> str:
        return accounts.login(
            store,
            audit,
            login_name="li",
            password=PASSWORD,
            address="a",
            now=now,
            session_ttl_us=100 * S,
            cost=10,
        ).session_token

    token = new_session(0)
    assert accounts.session_principal(store, token, now=50 * S, idle_us=60 * S) is not None
    assert accounts.session_principal(store, token, now=100 * S, idle_us=60 * S) is None
    token = new_session(0)
    assert accounts.session_principal(store, token, now=61 * S, idle_us=60 * S) is None
    keep, other = new_session(0), new_session(0)
    found = accounts.session_principal(store, keep, now=1, idle_us=60 * S)
    assert found is not None
    accounts.change_password(
        store,
        audit,
        current=PASSWORD,
        new="a brand new passphrase",
        cost=10,
        ctx=ctx_of(found[0], 2),
    )
    assert accounts.session_principal(store, other, now=3, idle_us=60 * S) is None
    assert accounts.session_principal(store, keep, now=3, idle_us=60 * S) is not None
    accounts.logout(store, audit, ctx=ctx_of(found[0], 4))
    assert accounts.session_principal(store, keep, now=5, idle_us=60 * S) is None
    assert accounts.session_principal(store, "pws_forged", now=5, idle_us=60 * S) is None


def test_a_token_follows_its_users_role_and_dies_with_revocation_or_disabling() -> None:
    store, audit = _store()
    _user(store, audit, "li", "inspector")
    user = store.user_by_login("li")
    assert user is not None
    with refused(Code.SCOPE_BEYOND_ROLE, Kind.FORBIDDEN):
        accounts.issue_token(
            store, audit, user=user, name="x", scopes=["registry:write"], ctx=ctx_at(0, "t")
        )
    issued = accounts.issue_token(store, audit, user=user, name="wall", ctx=ctx_at(0, "t"))
    session = accounts.login(
        store,
        audit,
        login_name="li",
        password=PASSWORD,
        address="a",
        now=0,
        session_ttl_us=S,
        cost=10,
    ).session_token
    principal = accounts.token_principal(store, issued.token, now=1)
    assert principal is not None and principal.may(Action.SIGNOFF_WRITE) and principal.via_token
    accounts.set_role(
        store, audit, login="li", role="port_officer", office="GZ", ctx=ctx_at(2, "t")
    )
    assert accounts.session_principal(store, session, now=3, idle_us=S) is None  # a new role
    demoted = accounts.token_principal(store, issued.token, now=3)
    assert demoted is not None and not demoted.may(Action.SIGNOFF_WRITE)
    accounts.set_disabled(store, audit, login="li", disabled=True, ctx=ctx_at(4, "t"))
    assert accounts.token_principal(store, issued.token, now=5) is None
    accounts.set_disabled(store, audit, login="li", disabled=False, ctx=ctx_at(6, "t"))
    assert accounts.token_principal(store, issued.token, now=7) is not None
    accounts.revoke_token(store, audit, user=user, token_id=issued.record.id, ctx=ctx_at(8, "t"))
    assert accounts.token_principal(store, issued.token, now=9) is None
    assert issued.token not in json.dumps(audit.entries)


def test_a_password_typed_as_the_login_is_recorded_nowhere() -> None:
    store, audit = _store()
    _user(store, audit, "li", "inspector")
    for _ in range(7):
        with pytest.raises(Refused):
            accounts.login(
                store,
                audit,
                login_name=PASSWORD,
                password=PASSWORD,
                address="a",
                now=0,
                session_ttl_us=S,
                cost=10,
            )
    recorded = json.dumps([audit.entries, list(store.failure_counts)], ensure_ascii=False)
    assert PASSWORD not in recorded and PASSWORD.lower() not in recorded
    assert "(unknown login)" in recorded and "login.locked" in recorded


def test_an_unknown_login_costs_the_same_scrypt_work_as_a_known_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # with the production cost (15) a check takes ~100 ms and the old fixed dummy (cost 10)
    # ~3 ms: the time of a refusal told whether the login exists
    store, audit = _store()
    accounts.add_user(
        store,
        audit,
        login="li",
        name="li",
        role="inspector",
        password=PASSWORD,
        office="GZ",
        cost=12,
        ctx=ctx_at(0, "t"),
    )
    costs: list[int] = []
    real = passwords._scrypt

    def spy(password: str, salt: bytes, cost: int, r: int, p: int) -> bytes:
        costs.append(cost)
        return real(password, salt, cost, r, p)

    monkeypatch.setattr(passwords, "_scrypt", spy)
    for who in ("li", "nobody"):
        with refused(Code.LOGIN_WRONG, Kind.UNAUTHENTICATED):
            accounts.check_password(
                store,
                audit,
                login_name=who,
                password="wrong password",
                address="a",
                now=0,
                cost=12,
            )
        assert costs[-1] == 12, who


def test_a_password_longer_than_any_allowed_one_is_wrong_even_when_it_starts_right() -> None:
    # only the first 1,024 characters were checked: with a password of exactly that length,
    # anything typed after it was accepted as well
    store, audit = _store()
    longest = "abcd" * 256
    accounts.add_user(
        store,
        audit,
        login="li",
        name="li",
        role="inspector",
        password=longest,
        office="GZ",
        cost=10,
        ctx=ctx_at(0, "t"),
    )
    with refused(Code.LOGIN_WRONG, Kind.UNAUTHENTICATED):
        accounts.check_password(
            store,
            audit,
            login_name="li",
            password=longest + "anything",
            address="a",
            now=0,
            cost=10,
        )
    assert (
        accounts.check_password(
            store, audit, login_name="li", password=longest, address="a", now=0, cost=10
        ).login
        == "li"
    )


@pytest.mark.parametrize(
    "comment", ["\u200b" * 12, "\x00" * 12, "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e"]
)
def test_invisible_or_control_characters_are_no_written_comment(comment: str) -> None:
    why = refusal(
        run_id=7,
        closed=True,
        verdict="PASS",
        judgement={"verdict": "PASS", "findings": [{"kind": "flatline"}]},
        calibration_notes=[],
        decision=Decision.SIGNED_OFF,
        comment=comment,
        existing=None,
    )
    assert why is not None
    assert why.code in {Code.SIGNOFF_NEEDS_COMMENT, Code.SIGNOFF_COMMENT_CONTROL}
    # a comment on several lines, in Chinese, is one
    written = "C2 平线：已到现场核查探头。\n\tprobe replaced, checked on site"
    assert (
        refusal(
            run_id=7,
            closed=True,
            verdict="PASS",
            judgement={"verdict": "PASS", "findings": [{"kind": "flatline"}]},
            calibration_notes=[],
            decision=Decision.SIGNED_OFF,
            comment=written,
            existing=None,
        )
        is None
    )


def test_the_last_enabled_administrator_can_be_neither_disabled_nor_demoted() -> None:
    store, audit = _store()
    _user(store, audit, "root", "administrator")
    with refused(Code.LAST_ADMIN, Kind.CONFLICT):
        accounts.set_disabled(store, audit, login="root", disabled=True, ctx=ctx_at(1, "user:root"))
    with refused(Code.LAST_ADMIN, Kind.CONFLICT):
        accounts.set_role(
            store, audit, login="root", role="inspector", office="GZ", ctx=ctx_at(1, "t")
        )
    root = store.user_by_login("root")
    assert root is not None and not root.disabled and root.role.value == "administrator"
    _user(store, audit, "deputy", "administrator")
    accounts.set_disabled(store, audit, login="deputy", disabled=True, ctx=ctx_at(2, "t"))
    with refused(Code.LAST_ADMIN, Kind.CONFLICT):  # a disabled one is none
        accounts.set_disabled(store, audit, login="root", disabled=True, ctx=ctx_at(3, "t"))
    accounts.set_disabled(store, audit, login="deputy", disabled=False, ctx=ctx_at(4, "t"))
    accounts.set_role(store, audit, login="root", role="inspector", office="GZ", ctx=ctx_at(5, "t"))
    accounts.set_role(store, audit, login="root", role="administrator", ctx=ctx_at(6, "t"))
    accounts.set_disabled(store, audit, login="deputy", disabled=True, ctx=ctx_at(7, "t"))


# What a refused attempt records changes nothing but the lock-out counters, which count on
# their own (an attempt counts even when what it was for is refused); everything else records
# a change, and its entry is written in the change's unit of work.
_NO_CHANGE = {
    "login.failed",
    "login.locked",
    "login.refused_disabled",
    "user.password_change_refused",
}


def test_every_change_and_its_entry_are_one_unit_of_work() -> None:
    store, audit = _store()
    _user(store, audit, "li", "inspector")
    li = store.user_by_login("li")
    assert li is not None
    accounts.set_role(store, audit, login="li", role="inspector", office="GZ", ctx=ctx_at(1, "t"))
    accounts.set_disabled(store, audit, login="li", disabled=True, ctx=ctx_at(2, "t"))
    accounts.set_disabled(store, audit, login="li", disabled=False, ctx=ctx_at(3, "t"))
    accounts.reset_password(
        store, audit, login="li", password=PASSWORD, cost=10, ctx=ctx_at(4, "t")
    )
    result = accounts.login(
        store, audit, login_name="li", password=PASSWORD, address="a", now=5,
        session_ttl_us=S, cost=10,
    )  # fmt: skip
    with pytest.raises(Refused):
        accounts.login(
            store, audit, login_name="li", password="not the password", address="a", now=6,
            session_ttl_us=S, cost=10,
        )  # fmt: skip
    issued = accounts.issue_token(
        store, audit, user=li, name="script", scopes=[], expires_at=None, ctx=ctx_at(7, "t")
    )
    accounts.revoke_token(store, audit, user=li, token_id=issued.record.id, ctx=ctx_at(8, "t"))
    accounts.logout(store, audit, ctx=ctx_of(result.principal, 9))
    actions = {entry["action"] for entry in audit.entries}
    assert {"user.set_role", "user.disable", "login", "token.issue", "logout"} <= actions
    assert "login.failed" in actions
    outside = [e["action"] for e in audit.entries if not e["in_unit"]]
    assert set(outside) <= _NO_CHANGE and outside
    assert audit.units == 0
