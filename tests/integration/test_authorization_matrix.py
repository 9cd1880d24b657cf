"""The authorization matrix, built from the application's own route table.

``EXPECTED`` is the specification (docs/accounts.md): who may call each route. The test walks
``app.routes``: a route missing from ``EXPECTED``, or without a declared rule, fails it. Every
route is then called by every role (each on a fresh session, with its CSRF token), anonymously,
with a device token and with the admin token. "Allowed" means the rule let the call through (the
route then answers 2xx, 404, 409 or 422, never 401, 403 or 5xx); "refused" is 401 for nobody and
403 for anyone known. Objects in paths are the E1 / 赣州 ones, within every caller's reach.
"""

from __future__ import annotations

from typing import Any

import pytest
from accountsworld import ADMIN, World, login
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwsupport import app_of

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.web.app import create_app
from phytowatch.web.auth import app_routes, undeclared_routes

pytestmark = pytest.mark.integration

PEOPLE = ("operator", "declarant", "inspector", "certifier", "port", "admin")
EVERYONE = frozenset(PEOPLE)
WATCHERS = frozenset({"operator", "inspector", "certifier", "admin"})  # see alarms, stills, live
PUBLIC, SIGNED_IN, SESSION, DEVICE = "public", "signed_in", "session", "device"
EPHYTO = frozenset({"inspector", "certifier", "port", "admin"})  # received ePhyto: read, import
KPI = frozenset({"inspector", "certifier", "port", "admin"})  # the bureau's figures

EXPECTED: dict[tuple[str, str], str | frozenset[str]] = {
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/auth/me"): SIGNED_IN,
    ("POST", "/api/v1/auth/password"): SESSION,
    ("GET", "/api/v1/auth/tokens"): SIGNED_IN,
    ("POST", "/api/v1/auth/tokens"): SESSION,
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): SIGNED_IN,
    ("GET", "/api/v1/facilities"): EVERYONE,
    ("GET", "/api/v1/facilities/{code}/snapshots"): WATCHERS,
    ("GET", "/api/v1/facilities/{code}/snapshots/{snapshot_id}"): WATCHERS,
    ("POST", "/api/v1/facilities/{code}/snapshots"): DEVICE,
    ("POST", "/api/v1/ingest"): DEVICE,
    ("POST", "/api/v1/runs/{run_id}/signoff"): frozenset({"inspector"}),
    ("GET", "/api/v1/runs/{run_id}/signoff"): EVERYONE,
    ("POST", "/api/v1/admin/enterprises"): frozenset({"admin"}),
    ("POST", "/api/v1/admin/facilities"): frozenset({"admin"}),
    ("GET", "/api/v1/admin/facilities/{code}"): EVERYONE,
    ("POST", "/api/v1/admin/facilities/{code}/token"): frozenset({"admin"}),
    ("DELETE", "/api/v1/admin/facilities/{code}/token"): frozenset({"admin"}),
    ("POST", "/api/v1/admin/facilities/{code}/probes/{probe}/calibrations"): frozenset(
        {"operator", "admin"}
    ),
    ("POST", "/api/v1/admin/facilities/{code}/cameras"): frozenset({"operator", "admin"}),
    ("POST", "/api/v1/runs"): frozenset({"operator", "admin"}),
    ("GET", "/api/v1/runs"): EVERYONE,
    ("GET", "/api/v1/runs/{run_id}"): EVERYONE,
    ("POST", "/api/v1/runs/{run_id}/close"): frozenset({"operator", "admin"}),
    ("GET", "/api/v1/runs/{run_id}/readings.csv"): EVERYONE - {"port"},
    ("GET", "/api/v1/runs/{run_id}/readings"): EVERYONE - {"port"},
    ("GET", "/api/v1/alarms"): WATCHERS,
    ("POST", "/api/v1/alarms/{alarm_id}/acknowledge"): frozenset(
        {"operator", "inspector", "admin"}
    ),
    ("POST", "/api/v1/alarms/{alarm_id}/clear"): frozenset({"inspector", "admin"}),
    ("GET", "/api/v1/events"): WATCHERS,
    ("GET", "/api/v1/health"): PUBLIC,
    ("HEAD", "/api/v1/health"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    # the pages (web/pages*.py): the same rules as the APIs they show; nobody is sent to /login
    ("GET", "/api/v1/wall"): WATCHERS,
    ("GET", "/api/v1/runs/{run_id}/chart"): EVERYONE - {"port"},
    ("GET", "/static/{path:path}"): PUBLIC,
    ("GET", "/"): SIGNED_IN,
    ("GET", "/login"): PUBLIC,
    ("POST", "/logout"): SIGNED_IN,
    ("GET", "/prefs"): PUBLIC,
    ("GET", "/wall"): WATCHERS,
    ("GET", "/runs"): EVERYONE,
    ("GET", "/runs.csv"): EVERYONE,
    ("GET", "/queue"): frozenset({"inspector"}),
    ("GET", "/facilities"): EVERYONE,
    ("GET", "/facilities.csv"): EVERYONE,
    ("GET", "/enterprises"): EVERYONE,
    ("GET", "/enterprises.csv"): EVERYONE,
    ("GET", "/runs/{run_id}"): EVERYONE,
    ("POST", "/runs/{run_id}/signoff"): frozenset({"inspector"}),
    ("GET", "/runs/{run_id}/replay"): EVERYONE - {"port"},
    ("GET", "/alarms"): WATCHERS,
    ("GET", "/alarms/table"): WATCHERS,
    ("GET", "/alarms.csv"): WATCHERS,
    ("POST", "/alarms/{alarm_id}/acknowledge"): frozenset({"operator", "inspector", "admin"}),
    ("POST", "/alarms/{alarm_id}/clear"): frozenset({"inspector", "admin"}),
    ("GET", "/facilities/{code}"): EVERYONE,
    ("GET", "/enterprises/{code}"): EVERYONE,
    ("GET", "/admin"): frozenset({"admin"}),
    ("POST", "/admin/enterprises"): frozenset({"admin"}),
    ("POST", "/admin/facilities"): frozenset({"admin"}),
    ("POST", "/admin/facilities/{code}/token"): frozenset({"admin"}),
    ("POST", "/admin/users"): frozenset({"admin"}),
    ("POST", "/admin/offices"): frozenset({"admin"}),
    ("GET", "/admin/facilities/{code}"): frozenset({"admin"}),
    ("POST", "/admin/facilities/{code}/calibrations"): frozenset({"admin"}),
    ("POST", "/admin/facilities/{code}/cameras"): frozenset({"admin"}),
    ("POST", "/admin/facilities/{code}/token/revoke"): frozenset({"admin"}),
    ("GET", "/admin/users/{login}"): frozenset({"admin"}),
    ("POST", "/admin/users/{login}/role"): frozenset({"admin"}),
    ("POST", "/admin/users/{login}/disabled"): frozenset({"admin"}),
    ("POST", "/admin/users/{login}/password"): frozenset({"admin"}),
    ("GET", "/admin/enterprises"): frozenset({"admin"}),
    ("GET", "/admin/facilities"): frozenset({"admin"}),
    ("GET", "/admin/offices"): frozenset({"admin"}),
    ("GET", "/admin/users"): frozenset({"admin"}),
    ("GET", "/admin/audit"): frozenset({"admin"}),
    ("POST", "/admin/audit/verify"): frozenset({"admin"}),
    # my account: every person (the admin token is no person: 400, "allowed" by its rule)
    ("GET", "/account"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SESSION,
    ("POST", "/account/tokens"): SESSION,
    ("POST", "/account/tokens/{token_id}/revoke"): SIGNED_IN,
    # -- the e-supervision chain: official policy --
    ("GET", "/api/v1/policy"): EVERYONE,
    ("GET", "/api/v1/policy/{kind}"): EVERYONE,
    ("GET", "/api/v1/policy/{kind}/versions"): EVERYONE,
    ("POST", "/api/v1/policy/{kind}"): frozenset({"admin"}),
    ("GET", "/rules"): EVERYONE,
    ("GET", "/admin/rules"): frozenset({"admin"}),
    ("POST", "/admin/rules/routing"): frozenset({"admin"}),
    ("POST", "/admin/rules/upload"): frozenset({"admin"}),
    ("GET", "/admin/rules/{kind}.json"): frozenset({"admin"}),
    ("GET", "/admin/rules/{kind}/versions/{version}"): frozenset({"admin"}),
    # -- the e-supervision chain: classification and raw-material bases --
    ("GET", "/api/v1/enterprises/{code}/standing"): EVERYONE,
    ("POST", "/api/v1/enterprises/{code}/standing"): frozenset({"admin"}),
    ("GET", "/api/v1/bases"): EVERYONE,
    ("POST", "/api/v1/bases"): frozenset({"inspector", "admin"}),
    ("GET", "/api/v1/bases/{number}"): EVERYONE,
    ("POST", "/api/v1/bases/{number}/suspend"): frozenset({"inspector", "admin"}),
    ("POST", "/api/v1/bases/{number}/reinstate"): frozenset({"inspector", "admin"}),
    ("GET", "/api/v1/classification/proposals"): frozenset({"admin"}),
    ("POST", "/api/v1/classification/proposals/propose"): frozenset({"admin"}),
    ("POST", "/api/v1/classification/proposals/{proposal_id}/confirm"): frozenset({"admin"}),
    ("POST", "/api/v1/classification/proposals/{proposal_id}/dismiss"): frozenset({"admin"}),
    ("GET", "/admin/classification"): frozenset({"admin"}),
    ("GET", "/admin/classification.csv"): frozenset({"admin"}),
    ("GET", "/admin/classification/proposals"): frozenset({"admin"}),
    ("POST", "/admin/classification/proposals/propose"): frozenset({"admin"}),
    ("POST", "/admin/classification/proposals/{proposal_id}/confirm"): frozenset({"admin"}),
    ("POST", "/admin/classification/proposals/{proposal_id}/dismiss"): frozenset({"admin"}),
    ("GET", "/admin/classification/{code}"): frozenset({"admin"}),
    ("POST", "/admin/classification/{code}"): frozenset({"admin"}),
    ("GET", "/bases"): EVERYONE,
    ("GET", "/bases.csv"): EVERYONE,
    ("POST", "/bases"): frozenset({"inspector", "admin"}),
    ("GET", "/bases/{number}"): EVERYONE,
    ("POST", "/bases/{number}/suspend"): frozenset({"inspector", "admin"}),
    ("POST", "/bases/{number}/reinstate"): frozenset({"inspector", "admin"}),
    # -- the e-supervision chain: declarations --
    ("GET", "/api/v1/consignments"): EVERYONE,
    ("POST", "/api/v1/consignments"): frozenset({"declarant"}),
    ("GET", "/api/v1/consignments/{consignment_id}"): EVERYONE,
    ("GET", "/api/v1/consignments/{consignment_id}/versions/{version}"): EVERYONE,
    ("PUT", "/api/v1/consignments/{consignment_id}/draft"): frozenset({"declarant"}),
    ("POST", "/api/v1/consignments/{consignment_id}/lines"): frozenset({"declarant"}),
    ("POST", "/api/v1/consignments/{consignment_id}/submit"): frozenset({"declarant"}),
    ("POST", "/api/v1/consignments/{consignment_id}/withdraw"): frozenset({"declarant"}),
    ("POST", "/api/v1/consignments/{consignment_id}/copy"): frozenset({"declarant"}),
    ("GET", "/consignments"): EVERYONE,
    ("GET", "/consignments.csv"): EVERYONE,
    ("GET", "/consignments/new"): frozenset({"declarant"}),
    ("POST", "/consignments/new"): frozenset({"declarant"}),
    ("GET", "/consignments/{consignment_id}"): EVERYONE,
    ("GET", "/consignments/{consignment_id}/edit"): frozenset({"declarant"}),
    ("POST", "/consignments/{consignment_id}/edit"): frozenset({"declarant"}),
    ("POST", "/consignments/{consignment_id}/withdraw"): frozenset({"declarant"}),
    ("POST", "/consignments/{consignment_id}/copy"): frozenset({"declarant"}),
    # -- the e-supervision chain: routing and conformity assessment --
    ("GET", "/api/v1/inspections"): EVERYONE,
    ("GET", "/api/v1/consignments/{consignment_id}/route"): EVERYONE,
    ("POST", "/api/v1/consignments/{consignment_id}/assessment"): frozenset({"inspector"}),
    ("POST", "/api/v1/consignments/{consignment_id}/return"): frozenset({"inspector"}),
    ("POST", "/api/v1/consignments/{consignment_id}/reject"): frozenset({"inspector"}),
    ("GET", "/api/v1/interceptions"): EVERYONE,
    ("GET", "/inspections"): EVERYONE,
    ("GET", "/inspections.csv"): EVERYONE,
    ("GET", "/consignments/{consignment_id}/assess"): frozenset({"inspector"}),
    ("POST", "/consignments/{consignment_id}/assess"): frozenset({"inspector"}),
    ("GET", "/interceptions"): EVERYONE,
    ("GET", "/interceptions.csv"): EVERYONE,
    # -- step 4, certificates: the lifecycle, numbers, keys --
    ("GET", "/api/v1/certificates"): EVERYONE,
    ("GET", "/api/v1/certificates/{certificate_id}"): EVERYONE,
    ("GET", "/api/v1/consignments/{consignment_id}/certificates"): EVERYONE,
    ("POST", "/api/v1/consignments/{consignment_id}/certificates"): frozenset({"declarant"}),
    ("PATCH", "/api/v1/certificates/{certificate_id}"): frozenset({"declarant"}),
    ("POST", "/api/v1/certificates/{certificate_id}/submit"): frozenset({"declarant"}),
    ("POST", "/api/v1/certificates/{certificate_id}/replace"): frozenset({"declarant"}),
    ("POST", "/api/v1/certificates/{certificate_id}/return"): frozenset({"certifier"}),
    ("POST", "/api/v1/certificates/{certificate_id}/approve"): frozenset({"certifier"}),
    ("POST", "/api/v1/certificates/{certificate_id}/reject"): frozenset({"certifier"}),
    ("POST", "/api/v1/certificates/{certificate_id}/issue"): frozenset({"certifier"}),
    ("POST", "/api/v1/certificates/{certificate_id}/cancel"): frozenset({"certifier"}),
    # -- step 4, certificates: pages and forms --
    ("GET", "/certificates"): EVERYONE,
    ("GET", "/certificates.csv"): EVERYONE,
    ("GET", "/certificates/{certificate_id}"): EVERYONE,
    ("GET", "/certificates/{certificate_id}/edit"): frozenset({"declarant"}),
    ("POST", "/certificates/{certificate_id}/edit"): frozenset({"declarant"}),
    ("POST", "/certificates/{certificate_id}/submit"): frozenset({"declarant"}),
    ("POST", "/certificates/{certificate_id}/replace"): frozenset({"declarant"}),
    ("POST", "/certificates/{certificate_id}/return"): frozenset({"certifier"}),
    ("POST", "/certificates/{certificate_id}/approve"): frozenset({"certifier"}),
    ("POST", "/certificates/{certificate_id}/reject"): frozenset({"certifier"}),
    ("POST", "/certificates/{certificate_id}/issue"): frozenset({"certifier"}),
    ("POST", "/certificates/{certificate_id}/cancel"): frozenset({"certifier"}),
    ("GET", "/consignments/{consignment_id}/certificates/new"): frozenset({"declarant"}),
    ("POST", "/consignments/{consignment_id}/certificates/new"): frozenset({"declarant"}),
    # -- step 4, certificates: the printed certificate, QR, public verification --
    ("GET", "/verify"): PUBLIC,
    ("GET", "/verify/keys"): PUBLIC,
    ("GET", "/verify/{token}"): PUBLIC,
    ("GET", "/api/v1/verify"): PUBLIC,
    ("GET", "/api/v1/verify/keys"): PUBLIC,
    ("GET", "/api/v1/verify/{token}"): PUBLIC,
    ("GET", "/certificates/{certificate_id}/pdf"): frozenset({"declarant", "certifier"}),
    ("GET", "/certificates/{certificate_id}/preview.pdf"): EVERYONE,
    # -- step 4, IPPC ePhyto: export, validate, import --
    ("POST", "/api/v1/ephyto"): EPHYTO,
    ("GET", "/api/v1/ephyto"): EPHYTO,
    ("GET", "/api/v1/ephyto/{received_id}"): EPHYTO,
    ("GET", "/api/v1/ephyto/{received_id}/xml"): EPHYTO,
    ("GET", "/ephyto"): EPHYTO,
    ("POST", "/ephyto"): EPHYTO,
    ("GET", "/ephyto/{received_id}"): EPHYTO,
    ("GET", "/ephyto/{received_id}/received.xml"): EPHYTO,
    ("GET", "/api/v1/certificates/{certificate_id}/ephyto.xml"): EVERYONE,
    # -- step 4, the IPPC mark for wood packaging --
    ("POST", "/api/v1/runs/{run_id}/marks"): frozenset({"inspector"}),
    ("GET", "/api/v1/marks"): EVERYONE,
    ("GET", "/api/v1/marks/verify"): PUBLIC,
    ("GET", "/api/v1/marks/{number}"): EVERYONE,
    ("POST", "/api/v1/marks/{number}/revoke"): frozenset({"inspector"}),
    ("POST", "/runs/{run_id}/marks"): frozenset({"inspector"}),
    ("GET", "/marks"): EVERYONE,
    ("GET", "/marks/verify"): PUBLIC,
    ("GET", "/marks/{number}"): EVERYONE,
    ("POST", "/marks/{number}/revoke"): frozenset({"inspector"}),
    # -- step 5, e-transfer: transfers, retrieval, amendments --
    ("GET", "/api/v1/transfers"): EVERYONE,
    ("GET", "/api/v1/transfers/{number}"): EVERYONE,
    ("POST", "/api/v1/transfers/retrieve"): frozenset({"port"}),
    ("POST", "/api/v1/transfers/{number}/amendments"): frozenset({"declarant"}),
    ("GET", "/transfers"): EVERYONE,
    ("GET", "/transfers/retrieve"): frozenset({"port"}),
    ("POST", "/transfers/retrieve"): frozenset({"port"}),
    ("GET", "/transfers/{number}"): EVERYONE,
    ("POST", "/transfers/{number}/amend"): frozenset({"declarant"}),
    # -- step 5, the outbox and the port's receiver --
    # -- step 6, port check and release --
    ("GET", "/api/v1/port/queue"): frozenset({"port"}),
    ("GET", "/api/v1/port/transfers/{number}"): frozenset({"port"}),
    ("POST", "/api/v1/port/transfers/{number}/check"): frozenset({"port"}),
    ("POST", "/api/v1/port/transfers/{number}/hold"): frozenset({"port"}),
    ("POST", "/api/v1/port/transfers/{number}/release"): frozenset({"port"}),
    ("GET", "/api/v1/clearances/{number}"): EVERYONE,
    ("GET", "/port"): frozenset({"port"}),
    ("GET", "/port/transfers/{number}"): frozenset({"port"}),
    ("POST", "/port/transfers/{number}/check"): frozenset({"port"}),
    ("POST", "/port/transfers/{number}/hold"): frozenset({"port"}),
    ("POST", "/port/transfers/{number}/release"): frozenset({"port"}),
    ("GET", "/clearances/{number}"): EVERYONE,
    # -- the six-step timeline --
    # -- the bureau's view (KPIs) --
    ("GET", "/api/v1/kpi"): KPI,
    ("GET", "/kpi"): KPI,
    ("GET", "/kpi/{table}.csv"): KPI,
    # -- steps 5-6, the demo province runs the whole chain --
}


def route_table(app: FastAPI) -> set[tuple[str, str]]:
    return {(method, entry.path) for entry in app_routes(app) for method in entry.methods}


def coverage_problems(app: FastAPI) -> list[str]:
    """What makes the matrix incomplete: an undeclared rule, a route the spec does not know."""
    problems = [f"no rule: {route}" for route in undeclared_routes(app)]
    served = route_table(app)
    problems += [f"not in EXPECTED: {m} {p}" for m, p in sorted(served - EXPECTED.keys())]
    problems += [f"EXPECTED but not served: {m} {p}" for m, p in sorted(EXPECTED.keys() - served)]
    return problems


def _url(world: World, path: str) -> str:
    k1 = world.objects["K1"]
    return (
        path.replace("{code}", "K1")
        .replace("{run_id}", str(k1.open_run))
        .replace("{alarm_id}", str(k1.alarm))
        .replace("{probe}", "C1")
        .replace("{login}", "nobody")  # a user the admin pages do not find (404): nothing changed
        .replace("{token_id}", "999999")
        .replace("{snapshot_id}", str(k1.snapshot))
        .replace("{table}", "runs")
    )


def _call(client: TestClient, method: str, url: str, headers: dict[str, str]) -> int:
    if url.endswith("/events"):
        with client.stream(method, url, headers=headers) as response:
            return response.status_code
    if method in {"POST", "DELETE"} and "snapshots" in url:
        content = b"not a jpeg"
        return client.request(method, url, headers=headers, content=content).status_code
    if method == "POST":  # an empty JSON body: a route that lets the call through answers 422
        return client.request(
            method, url, headers=headers, json={}, follow_redirects=False
        ).status_code
    return client.request(method, url, headers=headers, follow_redirects=False).status_code


def _sensor_fault(world: World) -> int:
    from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change, Severity
    from phytowatch.domain.messages import Code, say

    alarm = Alarm(
        AlarmKind.SENSOR_FAULT, "K1", "C1", Severity.MINOR, AlarmState.ACTIVE, 1, 1, 1, "",
        say(Code.TEXT, text="C1 reports ERR"),
    )  # fmt: skip
    [raised] = world.services.alarm_store.apply([Change("raised", alarm)])
    assert raised.alarm.id is not None
    return raised.alarm.id


def _allowed(status: int) -> bool:
    return status not in {401, 403} and status < 500


def test_every_route_has_exactly_one_rule_and_is_in_the_matrix(client: TestClient) -> None:
    assert coverage_problems(app_of(client)) == []


def test_a_route_added_without_a_rule_fails_the_matrix_and_the_app_refuses_to_start(
    services: Services,
) -> None:
    app = create_app(services.settings, services)
    assert coverage_problems(app) == []

    def sneaky() -> dict[str, str]:
        return {"secret": "everything"}

    app.add_api_route("/api/v1/sneaky", sneaky, methods=["GET"])
    assert coverage_problems(app) == [
        "no rule: GET /api/v1/sneaky",
        "not in EXPECTED: GET /api/v1/sneaky",
    ]


def test_create_app_refuses_a_route_without_a_rule(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi import APIRouter

    from phytowatch.web import app as app_module

    extra = APIRouter()

    @extra.get("/api/v1/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    original = app_module.FastAPI.include_router
    calls: list[str] = []

    def include(self: FastAPI, router: APIRouter, **kwargs: Any) -> None:
        original(self, router, **kwargs)
        if not calls:
            calls.append("once")
            original(self, extra)

    monkeypatch.setattr(app_module.FastAPI, "include_router", include)
    with pytest.raises(RuntimeError, match="GET /api/v1/forgotten"):
        create_app(services.settings, services)


def test_every_route_answers_every_caller_as_the_matrix_says(
    world: World, client: TestClient
) -> None:
    failures: list[str] = []
    # the alarm routes are called on a sensor fault, which the enterprise may answer too: the
    # world's own alarm (hold_broken) accuses the enterprise, and only the bureau answers it
    # (a refusal of the service, not of the route's rule: tests/integration/test_alarm_inbox.py)
    fault = _sensor_fault(world)
    for (method, path), who in sorted(EXPECTED.items()):
        url = _url(world, path).replace(
            f"/alarms/{world.objects['K1'].alarm}/", f"/alarms/{fault}/"
        )

        def check(
            caller: str,
            status: int,
            allowed: bool,
            refused_with: int = 403,
            route: str = f"{method} {path}",
        ) -> None:
            ok = _allowed(status) if allowed else status == refused_with
            if not ok:
                want = "allowed" if allowed else str(refused_with)
                failures.append(f"{route} by {caller}: {status}, expected {want}")

        # nobody (a page sends nobody to the login page instead)
        nobody = 401 if path.startswith("/api/") else 303
        check("anonymous", _call(client, method, url, {}), who == PUBLIC, nobody)
        # a device token (of K1, minted afresh: a route may have rotated it)
        device = {"Authorization": f"Bearer {world.device_token('K1')}"}
        check("device", _call(client, method, url, device), who in (PUBLIC, DEVICE))
        # the break-glass admin token: an administrator, but no session and no person
        admin_ok = who in (PUBLIC, SIGNED_IN) or (isinstance(who, frozenset) and "admin" in who)
        check("admin-token", _call(client, method, url, ADMIN), admin_ok)
        # each role on a fresh session, CSRF token included
        for person in PEOPLE:
            headers = login(client, person)
            if who in (PUBLIC, SIGNED_IN, SESSION):
                allowed = True
            elif who == DEVICE:
                allowed = False
            else:
                assert isinstance(who, frozenset)
                allowed = person in who
            check(person, _call(client, method, url, headers), allowed)
    assert failures == []


def test_a_personal_token_is_held_to_its_role_and_its_scope(
    world: World, client: TestClient
) -> None:
    from phytowatch.services.accounts import issue_token

    accounts = world.services.accounts
    operator = accounts.user_by_login("operator")
    assert operator is not None
    whole = issue_token(
        accounts, world.services.audit, user=operator, name="all", ctx=ctx_at(1, "t")
    ).token
    narrow = issue_token(
        accounts,
        world.services.audit,
        user=operator,
        name="ro",
        scopes=["runs:read"],
        ctx=ctx_at(1, "t"),
    ).token
    run = world.objects["K1"].open_run
    for token, path, status in (
        (whole, "/api/v1/alarms", 200),
        (narrow, "/api/v1/alarms", 403),
        (narrow, f"/api/v1/runs/{run}", 200),
        (narrow, f"/api/v1/runs/{run}/readings.csv", 403),
        (whole, "/api/v1/admin/facilities/K1", 200),
    ):
        answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == status, (path, answer.text)
    # a token acts for its user: it cannot mint tokens nor change the password
    bearer = {"Authorization": f"Bearer {whole}"}
    assert client.post("/api/v1/auth/tokens", headers=bearer, json={"name": "x"}).status_code == 403
    body = {"current": "correct horse battery staple", "new": "another long password"}
    assert client.post("/api/v1/auth/password", headers=bearer, json=body).status_code == 403
