"""Hostile names and notes are stored and returned verbatim, never executed nor interpreted.

Markup, SQL fragments, right-to-left text and very long text go in through the API and the
services; the answers give them back byte for byte as JSON data, the tables they might have
harmed are intact, and a text over a limit is one clear 422, with nothing stored.
"""

from __future__ import annotations

import pytest
from accountsworld import ADMIN, PASSWORD, World, login
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from acting import ctx_at
from phytowatch.domain.messages import Code, Kind
from phytowatch.services.accounts import add_user, issue_token
from phytowatch.storage.accounts_tables import users
from phytowatch.storage.tables import runs
from refusals import refused

pytestmark = pytest.mark.integration

SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"
SQL = "Robert'); DROP TABLE runs; -- \" OR 1=1 /*"
RTL = "مصنع الخشب في غانتشو — עץ אורן 松木"
LONG = ("松" + "a<b>'\";" + "עץ") * 1000  # 10,000 characters: mixed scripts, markup, quotes
HOSTILE = (SCRIPT, SQL, RTL)


def _counts(world: World) -> tuple[int, int]:
    with world.services.engine.connect() as conn:
        return (
            int(conn.execute(select(func.count()).select_from(runs)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(users)).scalar_one()),
        )


def test_hostile_names_of_enterprises_and_facilities_come_back_verbatim(
    world: World, client: TestClient
) -> None:
    for n, text in enumerate(HOSTILE):
        answer = client.post(
            "/api/v1/admin/enterprises",
            headers=ADMIN,
            json={"code": f"H{n}", "name_zh": text, "name_en": text, "city": text, "grade": "II"},
        )
        assert answer.status_code == 201, answer.text
        stored = world.services.registry.enterprise_by_code(f"H{n}")
        assert stored is not None
        assert (stored.name_zh, stored.name_en, stored.city) == (text, text, text)
        facility = client.post(
            "/api/v1/admin/facilities",
            headers=ADMIN,
            json={
                "code": f"HK{n}",
                "enterprise": f"H{n}",
                "kind": "kiln",
                "name": text,
                "probes": [{"id": "C1", "placement": text}],
            },
        )
        assert facility.status_code == 201, facility.text
        shown = client.get(f"/api/v1/admin/facilities/HK{n}", headers=ADMIN).json()
        assert shown["probes"][0]["placement"] == text
    assert _counts(world)[0] == 4  # the runs table is still there, with its rows


def test_hostile_loads_notes_and_comments_are_data(world: World, client: TestClient) -> None:
    operator = login(client, "operator")
    # K1's open run is closed first: one open run per facility
    k1 = world.objects["K1"]
    assert client.post(f"/api/v1/runs/{k1.open_run}/close", headers=operator).status_code == 200
    for text in HOSTILE:
        started = client.post(
            "/api/v1/runs",
            headers=operator,
            json={"facility": "K1", "schedule": "ispm15-ht", "load": text, "note": text},
        )
        assert started.status_code == 201, started.text
        run = started.json()
        assert (run["load"], run["note"]) == (text, text)
        again = client.get(f"/api/v1/runs/{run['id']}", headers=operator).json()
        assert (again["load"], again["note"]) == (text, text)
        assert client.post(f"/api/v1/runs/{run['id']}/close", headers=operator).status_code == 200
    # an alarm comment and a sign-off comment of 10,000 characters, verbatim
    inspector = login(client, "inspector")
    acked = client.post(
        f"/api/v1/alarms/{k1.alarm}/acknowledge", headers=inspector, json={"comment": SCRIPT + SQL}
    )
    assert acked.status_code == 200 and acked.json()["comment"] == SCRIPT + SQL
    signed = client.post(
        f"/api/v1/runs/{k1.pass_run}/signoff", headers=inspector, json={"comment": LONG}
    )
    assert signed.status_code == 201, signed.text
    assert len(LONG) == 10_000 and signed.json()["signoff"]["comment"] == LONG
    read = client.get(f"/api/v1/runs/{k1.pass_run}/signoff", headers=inspector)
    assert read.json()["signoff"]["comment"] == LONG
    assert read.headers["content-type"] == "application/json"


def test_text_over_a_limit_is_one_clear_refusal_and_nothing_is_stored(
    world: World, client: TestClient
) -> None:
    before = _counts(world)
    operator = login(client, "operator")
    k1 = world.objects["K1"]
    client.post(f"/api/v1/runs/{k1.open_run}/close", headers=operator)
    answer = client.post(
        "/api/v1/runs",
        headers=operator,
        json={"facility": "K1", "schedule": "ispm15-ht", "load": "pallets", "note": LONG},
    )
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "note: at most 2000 characters",
        "code": "run.note_too_long",
        "params": {"max": 2000},
    }
    too_long = client.post(
        f"/api/v1/runs/{k1.pass_run}/signoff",
        headers=login(client, "inspector"),
        json={"comment": LONG + "x"},
    )
    assert too_long.status_code == 422 and "comment" in too_long.json()["error"]
    assert _counts(world) == before
    assert world.services.accounts.signoff_of(k1.pass_run) is None


def test_hostile_user_and_token_names_are_kept_verbatim(world: World, client: TestClient) -> None:
    accounts, audit = world.services.accounts, world.services.audit
    for n, text in enumerate(HOSTILE):
        user = add_user(
            accounts,
            audit,
            login=f"hostile{n}",
            name=text,
            role="enterprise_declarant",
            password=PASSWORD,
            enterprise="E1",
            cost=10,
            ctx=ctx_at(1, "t"),
        )
        assert user.name == text
        issue_token(accounts, audit, user=user, name=text[:100], ctx=ctx_at(1, "t"))
        headers = login(client, f"hostile{n}")
        tokens = client.get("/api/v1/auth/tokens", headers=headers).json()["tokens"]
        assert tokens[0]["name"] == text[:100]
    assert _counts(world)[1] == 8 + len(HOSTILE)
    # a login is not free text: markup and SQL are refused with a reason, not stored
    for login_name in ("<script>", "x' OR '1'='1"):
        with refused(Code.LOGIN_FORMAT, Kind.INVALID):
            add_user(
                accounts,
                audit,
                login=login_name,
                name="x",
                role="administrator",
                password=PASSWORD,
                cost=10,
                ctx=ctx_at(1, "t"),
            )
    # a login form with SQL in it is just a wrong login
    answer = client.post(
        "/api/v1/auth/login", json={"login": "admin' --", "password": "' OR '1'='1"}
    )
    assert answer.status_code == 401
