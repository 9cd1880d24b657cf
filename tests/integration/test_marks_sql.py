"""The IPPC mark on real SQLite and PostgreSQL (storage/certificates/marks_repo.py, the API,
the CLI): an inspector authorises it on a signed-off PASS run; numbers follow without gaps, also
when authorised in parallel; the table refuses UPDATE and DELETE; reads keep to the caller's
reach; the public verification needs no login and names nothing without the check code."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from accountsworld import PASSWORD, World, login
from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from acting import ctx_of
from clirunner import phytowatch
from phytowatch.domain.certificates.mark import Authorisation, Revocation
from phytowatch.services.accounts import principal_of
from phytowatch.storage.tables import facilities

pytestmark = pytest.mark.integration
LOAD = {"load": "heat-treated pine pallets", "quantity": "120", "unit": "pallets"}


@pytest.fixture
def marked(world: World, client: TestClient) -> tuple[World, int, dict[str, str]]:
    """K1 registered with treater number 001; its PASS run signed off by GZ's inspector."""
    with world.services.engine.begin() as conn:
        conn.execute(
            update(facilities).where(facilities.c.code == "K1").values(treater_number="001")
        )
    run = world.objects["K1"].pass_run
    headers = login(client, "inspector")
    signed = client.post(f"/api/v1/runs/{run}/signoff", headers=headers, json={})
    assert signed.status_code == 201, signed.text
    return world, run, headers


def _authorise(world: World, run: int, n: int) -> Authorisation:
    user = world.services.accounts.user_by_login("inspector")
    assert user is not None
    inspector = principal_of(world.services.accounts, user)
    return world.services.marks.authorise(
        run,
        load=f"load {n}",
        quantity="1",
        unit="crates",
        ctx=ctx_of(inspector, world.services.clock.now()),
    )


def test_an_inspector_authorises_the_mark_over_the_api_and_it_is_shown_and_audited(
    marked: tuple[World, int, dict[str, str]], client: TestClient
) -> None:
    world, run, headers = marked
    answer = client.post(f"/api/v1/runs/{run}/marks", headers=headers, json=LOAD)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert re.fullmatch(r"MK\d{4}-000001", body["number"])
    assert body["mark"] == "CN-36 001 HT" and body["method"] == "HT"
    assert body["load"] == {"description": "heat-treated pine pallets", "quantity": "120",
                            "unit": "pallets"}  # fmt: skip
    assert body["authorised_by"] == "user:inspector" and body["office"] == "GZ"
    entries = world.services.audit.latest(limit=5, object_type="mark", object_id=body["number"])
    assert [(e.actor, e.action) for e in entries] == [("user:inspector", "mark.authorised")]
    shown = client.get(f"/api/v1/marks/{body['number']}", headers=login(client, "operator"))
    assert shown.status_code == 200 and shown.json()["check_code"] == body["check_code"]
    page = client.get(f"/runs/{run}", headers=headers)
    assert body["number"] in page.text and "CN-36 001 HT" in page.text


def test_a_run_that_cannot_back_the_mark_is_refused_with_why_and_no_number_is_used(
    marked: tuple[World, int, dict[str, str]], client: TestClient
) -> None:
    world, run, headers = marked
    open_run = world.objects["K1"].open_run
    answer = client.post(f"/api/v1/runs/{open_run}/marks", headers=headers, json=LOAD)
    assert answer.status_code == 409 and answer.json()["code"] == "mark.run_open"
    k2 = world.objects["K2"].pass_run  # another office's: the same 404 as none
    assert client.post(f"/api/v1/runs/{k2}/marks", headers=headers, json=LOAD).status_code == 404
    bad = client.post(f"/api/v1/runs/{run}/marks", headers=headers, json={**LOAD, "quantity": "0"})
    assert bad.status_code == 422 and bad.json()["params"]["field"] == "quantity"
    odd = client.post(f"/api/v1/runs/{run}/marks", headers=headers, json={**LOAD, "unit": "tons"})
    assert odd.status_code == 422 and odd.json()["params"]["field"] == "unit"
    good = client.post(f"/api/v1/runs/{run}/marks", headers=headers, json=LOAD)
    assert good.json()["number"].endswith("-000001")


def test_numbers_follow_without_gaps_when_authorised_in_parallel(
    marked: tuple[World, int, dict[str, str]],
) -> None:
    world, run, _ = marked
    with ThreadPoolExecutor(max_workers=6) as pool:
        done = list(pool.map(lambda n: _authorise(world, run, n), range(12)))
    serials = sorted(int(d.number[-6:]) for d in done)
    assert serials == list(range(1, 13))
    assert len({d.token for d in done}) == 12


@pytest.mark.parametrize("statement", [
    "UPDATE mark_authorisations SET mark = 'CN-36 999 HT'",
    "UPDATE mark_authorisations SET quantity = '9999'",
    "DELETE FROM mark_authorisations",
    "UPDATE mark_revocations SET reason = 'never mind'",
    "DELETE FROM mark_revocations",
])  # fmt: skip
def test_the_authorisations_refuse_update_and_delete_in_the_database(
    marked: tuple[World, int, dict[str, str]], statement: str
) -> None:
    world, run, _ = marked
    done = _authorise(world, run, 1)
    world.services.marks.store.revoke(Revocation(done.number, "found untreated", "GZ", "user:x", 1))
    with pytest.raises(DBAPIError, match="append-only"), world.services.engine.begin() as conn:
        conn.execute(text(statement))
    [kept] = world.services.marks.store.of_run(run)
    assert kept.mark == "CN-36 001 HT" and str(kept.load.quantity) == "1"
    revoked = world.services.marks.store.revocation_of(done.number)
    assert revoked is not None and revoked.reason == "found untreated"


def test_reads_keep_to_the_callers_reach(
    marked: tuple[World, int, dict[str, str]], client: TestClient
) -> None:
    world, run, _ = marked
    done = _authorise(world, run, 1)
    mine = client.get("/api/v1/marks", headers=login(client, "operator")).json()
    assert [m["number"] for m in mine["items"]] == [done.number]
    theirs = login(client, "op_b")
    assert client.get("/api/v1/marks", headers=theirs).json()["total"] == 0
    assert client.get(f"/api/v1/marks/{done.number}", headers=theirs).status_code == 404
    csv = client.get("/marks?format=csv", headers=login(client, "certifier"))
    assert csv.status_code == 200 and done.number in csv.text and "CN-36 001 HT" in csv.text


def test_anyone_verifies_a_mark_without_logging_in_and_learns_nothing_from_a_guess(
    marked: tuple[World, int, dict[str, str]], client: TestClient
) -> None:
    world, run, _ = marked
    done = _authorise(world, run, 1)
    client.cookies.clear()
    by_code = client.get(
        "/api/v1/marks/verify", params={"number": done.number, "check": done.check_code}
    )
    assert by_code.status_code == 200, by_code.text
    assert by_code.json()["stands"] is True and by_code.json()["mark"]["mark"] == "CN-36 001 HT"
    assert "token" not in by_code.json()["mark"] and "check_code" not in by_code.json()["mark"]
    by_token = client.get("/api/v1/marks/verify", params={"t": done.token})
    assert by_token.json()["mark"]["number"] == done.number
    wrong = client.get("/api/v1/marks/verify", params={"number": done.number, "check": "ZZZZZZ"})
    none = client.get(
        "/api/v1/marks/verify", params={"number": "MK2026-999999", "check": done.check_code}
    )
    assert wrong.status_code == none.status_code == 404
    assert wrong.json() == none.json()
    page = client.get("/marks/verify", params={"t": done.token})
    assert page.status_code == 200 and "CN-36 001" in page.text and done.number in page.text


def test_the_cli_authorises_as_an_inspector_lists_and_shows(
    marked: tuple[World, int, dict[str, str]],
) -> None:
    world, run, _ = marked
    url = world.services.settings.database_url
    done = phytowatch(
        "marks", "authorise", str(run), "--as", "inspector", "--password-stdin",
        "--load", "pine crates", "--quantity", "40", "--unit", "crates", "--json",
        "--database-url", url, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["mark"] == "CN-36 001 HT" and body["quantity"] == "40"
    listed = phytowatch("marks", "list", "--database-url", url)
    assert listed.returncode == 0 and body["number"] in listed.stdout
    shown = phytowatch("marks", "show", body["number"], "--database-url", url)
    assert json.loads(shown.stdout)["check_code"] == body["check_code"]
    missing = phytowatch("marks", "show", "MK2026-999999", "--database-url", url)
    assert (missing.returncode, missing.stderr) == (
        2,
        "phytowatch: no mark authorisation MK2026-999999\n",
    )
    refused = phytowatch(
        "marks", "authorise", str(world.objects["K1"].open_run), "--as", "inspector",
        "--password-stdin", "--load", "x", "--quantity", "1", "--database-url", url,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert refused.returncode == 2 and "still open" in refused.stderr
    revoked = phytowatch(
        "marks", "revoke", body["number"], "--as", "inspector", "--password-stdin",
        "--reason", "found untreated", "--database-url", url, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    assert body["number"] in revoked.stdout
    twice = phytowatch(
        "marks", "revoke", body["number"], "--as", "inspector", "--password-stdin",
        "--reason", "again", "--database-url", url, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert twice.returncode == 2 and body["number"] in twice.stderr


@pytest.mark.parametrize(
    "body",
    [
        {**LOAD, "load": "x" * 501},
        {**LOAD, "load": "pallets\ud800"},
        {**LOAD, "quantity": "Infinity"},
        {**LOAD, "quantity": "sNaN"},
        {**LOAD, "quantity": "1e999999999"},
        {**LOAD, "quantity": 12},
        {**LOAD, "method": "SF"},
        {**LOAD, "extra": "field"},
        {"load": "pallets"},
    ],
)
def test_bad_input_is_a_clear_422_and_nothing_is_stored(
    marked: tuple[World, int, dict[str, str]], client: TestClient, body: dict[str, object]
) -> None:
    world, run, headers = marked
    sent = json.dumps(body)  # ASCII escapes: a lone surrogate goes as \\ud800, as a client may
    answer = client.post(
        f"/api/v1/runs/{run}/marks",
        headers={**headers, "Content-Type": "application/json"},
        content=sent.encode(),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"]
    assert world.services.marks.store.of_run(run) == []


def test_the_run_pages_form_says_a_refusal_in_place_and_odd_queries_get_no_500(
    marked: tuple[World, int, dict[str, str]], client: TestClient
) -> None:
    _, run, headers = marked
    form = {"load": "pine pallets", "quantity": "-1", "unit": "pallets",
            "csrf_token": headers["X-CSRF-Token"]}  # fmt: skip
    cookie = {"Cookie": headers["Cookie"]}
    answer = client.post(f"/runs/{run}/marks", headers=cookie, data=form, follow_redirects=False)
    assert answer.status_code == 422 and "pine pallets" in answer.text
    assert "大于 0" in answer.text  # the page speaks zh-CN by default
    done = client.post(f"/runs/{run}/marks", headers=cookie, data={**form, "quantity": "3"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and "marked=MK" in done.headers["location"]
    for url in ("/marks?page_no=abc", "/marks?page_no=99999999999999999999", "/marks/%00",
                "/marks/verify?number=%ED%A0%80&check=x", "/marks/verify?t=%00%00"):  # fmt: skip
        assert client.get(url, headers=cookie).status_code < 500, url


def test_an_address_that_keeps_guessing_is_throttled_with_retry_after(
    marked: tuple[World, int, dict[str, str]], client: TestClient
) -> None:
    world, run, _ = marked
    done = _authorise(world, run, 1)
    client.cookies.clear()
    guesses = [
        client.get("/api/v1/marks/verify", params={"number": done.number, "check": f"X{n:05d}"})
        for n in range(20)
    ]
    assert {g.status_code for g in guesses} == {404}
    held = client.get("/api/v1/marks/verify", params={"t": done.token})  # even the right one
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    assert held.json()["code"] == "login.locked"
    page = client.get("/marks/verify", params={"t": done.token})
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "verify-result" not in page.text


def test_an_inspector_revokes_over_the_api_and_the_verification_says_so(
    marked: tuple[World, int, dict[str, str]], client: TestClient
) -> None:
    world, run, headers = marked
    done = _authorise(world, run, 1)
    url = f"/api/v1/marks/{done.number}/revoke"
    assert client.post(url, headers=headers, json={"reason": "   "}).status_code == 422
    answer = client.post(url, headers=headers, json={"reason": "load found untreated at the port"})
    assert answer.status_code == 201, answer.text
    again = client.post(url, headers=headers, json={"reason": "again"})
    assert again.status_code == 409 and again.json()["code"] == "mark.revoked_already"
    elsewhere = login(client, "insp_nc")
    assert client.post(url, headers=elsewhere, json={"reason": "x"}).status_code == 404
    shown = client.get(f"/api/v1/marks/{done.number}", headers=headers).json()
    assert shown["revocation"]["reason"] == "load found untreated at the port"
    client.cookies.clear()
    checked = client.get("/api/v1/marks/verify", params={"t": done.token}).json()
    assert (checked["stands"], checked["status"], checked["revoked"]) == (False, "revoked", True)
    entries = world.services.audit.latest(limit=5, object_type="mark", object_id=done.number)
    assert [e.action for e in entries] == ["mark.revoked", "mark.authorised"]
