"""The AccountStore port (services.accounts.ports): what InMemoryAccountStore and SqlAccountStore
both do, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from phytowatch.domain.accounts import Action, FailureCount, Jurisdiction, Office, Role
from phytowatch.domain.messages import Code, Kind
from phytowatch.services.accounts import AccountStore, UserQuery, UserRecord
from refusals import refused

pytestmark = pytest.mark.contract
T0 = 1_772_361_600_000_000


def _add(
    store: AccountStore, login: str, role: str = "inspector", office: str | None = "GZ"
) -> int:
    return store.add_user(login, login.title(), role, None, office, f"hash-{login}", now=T0)


def test_a_user_is_found_by_login_and_by_id_as_added(account_store: AccountStore) -> None:
    user_id = account_store.add_user(
        "wang", "王", "enterprise_operator", "E1", None, "scrypt$hash", now=T0
    )
    expected = UserRecord(
        user_id, "wang", "王", Role.ENTERPRISE_OPERATOR, "E1", None, "scrypt$hash", False, T0
    )
    assert account_store.user_by_login("wang") == expected
    assert account_store.user(user_id) == expected
    assert account_store.user_by_login("li") is None
    assert account_store.user(user_id + 1) is None


def test_a_login_is_taken_once(account_store: AccountStore) -> None:
    _add(account_store, "li")
    with refused(Code.USER_EXISTS, Kind.CONFLICT):
        _add(account_store, "li", "administrator", None)
    assert [u.role for u in account_store.list_users()] == [Role.INSPECTOR]


def test_users_are_listed_by_login(account_store: AccountStore) -> None:
    for login in ("zhao", "li", "wang"):
        _add(account_store, login)
    assert [u.login for u in account_store.list_users()] == ["li", "wang", "zhao"]


def test_an_update_changes_the_fields_given_and_a_disabling_instant_disables(
    account_store: AccountStore,
) -> None:
    user_id = _add(account_store, "li")
    account_store.update_user(user_id, {"role": "certifying_officer", "name": "Li Si"}, now=T0)
    account_store.update_user(user_id, {"disabled_at": T0 + 1}, now=T0 + 1)
    user = account_store.user(user_id)
    assert user is not None
    assert (user.role, user.name, user.office, user.disabled) == (
        Role.CERTIFYING_OFFICER,
        "Li Si",
        "GZ",
        True,
    )
    account_store.update_user(user_id, {"disabled_at": None}, now=T0 + 2)
    enabled = account_store.user(user_id)
    assert enabled is not None and not enabled.disabled


def test_an_update_of_what_a_user_does_not_have_is_refused(account_store: AccountStore) -> None:
    user_id = _add(account_store, "li")
    with pytest.raises(ValueError, match="login"):
        account_store.update_user(user_id, {"login": "root"}, now=T0)
    user = account_store.user(user_id)
    assert user is not None and user.login == "li"


def test_an_enterprise_exists_when_the_registry_has_it(account_store: AccountStore) -> None:
    assert account_store.enterprise_exists("E1") and account_store.enterprise_exists("E2")
    assert not account_store.enterprise_exists("E9")


def test_an_office_keeps_its_reach_and_is_added_once(account_store: AccountStore) -> None:
    account_store.add_office("NC", "南昌", ["南昌"], [], False, now=T0)
    account_store.add_office("GZ", "赣州", ["赣州", "瑞金"], ["E2"], False, now=T0)
    account_store.add_office("JX", "江西", [], [], True, now=T0)
    gz = Office("GZ", "赣州", Jurisdiction(frozenset({"赣州", "瑞金"}), frozenset({"E2"}), False))
    assert account_store.office("GZ") == gz
    assert account_store.office("XX") is None
    assert [o.code for o in account_store.list_offices()] == ["GZ", "JX", "NC"]
    assert account_store.list_offices()[1].jurisdiction == Jurisdiction(everywhere=True)
    with refused(Code.OFFICE_EXISTS, Kind.CONFLICT):
        account_store.add_office("GZ", "另一个", [], [], True, now=T0)
    assert account_store.office("GZ") == gz


def test_a_session_is_found_by_its_hash_touched_and_revoked_once(
    account_store: AccountStore,
) -> None:
    li, wang = _add(account_store, "li"), _add(account_store, "wang")
    first = account_store.add_session(li, "h1", "csrf1", "10.0.0.1", now=T0, expires_at=T0 + 9)
    second = account_store.add_session(li, "h2", "csrf2", "10.0.0.1", now=T0, expires_at=T0 + 9)
    other = account_store.add_session(wang, "h3", "csrf3", "10.0.0.2", now=T0, expires_at=T0 + 9)
    session = account_store.session_by_hash("h1")
    assert session is not None
    assert (session.id, session.user_id, session.csrf_token, session.revoked_at) == (
        first,
        li,
        "csrf1",
        None,
    )
    assert (session.created_at, session.last_seen_at, session.expires_at) == (T0, T0, T0 + 9)
    assert account_store.session_by_hash("h9") is None
    account_store.touch_session(first, now=T0 + 5)
    touched = account_store.session_by_hash("h1")
    assert touched is not None and touched.last_seen_at == T0 + 5
    assert account_store.revoke_sessions(li, now=T0 + 6, keep=first) == 1
    assert account_store.revoke_sessions(li, now=T0 + 7, keep=first) == 0
    account_store.revoke_session(first, now=T0 + 8)
    account_store.revoke_session(first, now=T0 + 9)  # revoked once: the instant stays
    revoked = {h: account_store.session_by_hash(h) for h in ("h1", "h2", "h3")}
    assert {h: s.revoked_at for h, s in revoked.items() if s is not None} == {
        "h1": T0 + 8,
        "h2": T0 + 6,
        "h3": None,
    }
    assert len({first, second, other}) == 3


def test_failed_logins_are_counted_per_key(account_store: AccountStore) -> None:
    assert account_store.failures("user:li") == FailureCount()
    account_store.set_failures("user:li", FailureCount(2, T0))
    assert account_store.failures("user:li") == FailureCount(2, T0)
    before, after = account_store.change_failures(
        "user:li", lambda count: FailureCount(count.failures + 1, T0 + 1)
    )
    assert (before, after) == (FailureCount(2, T0), FailureCount(3, T0 + 1))
    assert account_store.failures("user:li") == FailureCount(3, T0 + 1)
    assert account_store.change_failures("addr:1", lambda count: count) == (
        FailureCount(),
        FailureCount(),
    )
    account_store.set_failures("user:li", FailureCount())
    assert account_store.failures("user:li") == FailureCount()


def test_a_personal_token_keeps_its_scopes_and_is_revoked_once(
    account_store: AccountStore,
) -> None:
    li = _add(account_store, "li")
    scoped = account_store.add_token(
        li, "script", "t1", "pwt_ab", json.dumps(["runs:read"]), now=T0, expires_at=T0 + 9
    )
    whole = account_store.add_token(li, "cli", "t2", "pwt_cd", None, now=T0, expires_at=None)
    token = account_store.token_by_hash("t1")
    assert token is not None
    assert (token.id, token.user_id, token.name, token.hint, token.scopes) == (
        scoped,
        li,
        "script",
        "pwt_ab",
        frozenset({Action.RUNS_READ}),
    )
    assert (token.created_at, token.expires_at, token.last_used_at, token.revoked_at) == (
        T0,
        T0 + 9,
        None,
        None,
    )
    assert account_store.token_by_hash("t9") is None
    account_store.touch_token(whole, now=T0 + 1)
    account_store.revoke_token(scoped, now=T0 + 2)
    account_store.revoke_token(scoped, now=T0 + 3)  # revoked once: the instant stays
    tokens = account_store.tokens_of(li)
    assert [(t.id, t.scopes, t.last_used_at, t.revoked_at) for t in tokens] == [
        (scoped, frozenset({Action.RUNS_READ}), None, T0 + 2),
        (whole, None, T0 + 1, None),
    ]
    assert account_store.tokens_of(li + 1) == []


def test_users_are_found_by_text_role_and_state_a_page_at_a_time_and_counted(
    account_store: AccountStore,
) -> None:
    for login in ("li.wei", "li.na", "wang", "zhao", "lin_x"):
        _add(account_store, login)
    root = account_store.add_user("root", "Li Root", "administrator", None, None, "h", now=T0)
    disabled = account_store.user_by_login("li.na")
    assert disabled is not None
    account_store.update_user(disabled.id, {"disabled_at": T0}, now=T0)
    found = account_store.find_users(UserQuery("LI"), offset=0, limit=2)
    assert [u.login for u in found.items] == ["li.na", "li.wei"] and found.total == 4
    assert [
        u.login for u in account_store.find_users(UserQuery("li"), offset=2, limit=2).items
    ] == [
        "lin_x",
        "root",  # by its name
    ]
    assert [u.login for u in account_store.find_users(UserQuery("_"), offset=0, limit=9).items] == [
        "lin_x"
    ]  # "_" is a literal underscore, not any one character
    enabled = account_store.find_users(UserQuery("li", disabled=False), offset=0, limit=9)
    assert [u.login for u in enabled.items] == ["li.wei", "lin_x", "root"]
    admins = account_store.find_users(UserQuery(role=Role.ADMINISTRATOR), offset=0, limit=9)
    assert [u.id for u in admins.items] == [root] and admins.total == 1
    assert account_store.count_users() == (6, 1)


def test_a_login_and_a_forced_change_are_kept_on_the_user(account_store: AccountStore) -> None:
    user_id = _add(account_store, "li")
    fresh = account_store.user(user_id)
    assert fresh is not None and fresh.last_login_at is None and not fresh.must_change_password
    account_store.update_user(
        user_id, {"last_login_at": T0 + 5, "must_change_password": True}, now=T0 + 5
    )
    changed = account_store.user(user_id)
    assert changed is not None
    assert (changed.last_login_at, changed.must_change_password) == (T0 + 5, True)


def test_offices_are_found_by_code_name_or_what_they_cover(account_store: AccountStore) -> None:
    account_store.add_office("GZ", "赣州办事处", ["赣州"], [], False, now=T0)
    account_store.add_office("JA", "吉安", ["吉安"], ["E2"], False, now=T0)
    account_store.add_office("PROV", "Province", [], [], True, now=T0)
    assert [o.code for o in account_store.find_offices("赣州", offset=0, limit=9).items] == ["GZ"]
    assert [o.code for o in account_store.find_offices("e2", offset=0, limit=9).items] == ["JA"]
    every = account_store.find_offices("", offset=1, limit=1)
    assert [o.code for o in every.items] == ["JA"] and every.total == 3
