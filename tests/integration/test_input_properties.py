"""Arbitrary text in the API's query parameters and the pages' form fields (hypothesis, small
budgets, on SQLite and PostgreSQL): never a 5xx; a refusal names the field it refuses; and a
refusal stores nothing (every table that holds what a person or a device sent keeps its rows).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from accountsworld import ADMIN, World, client_for, login
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, Select, func, select
from sqlalchemy.engine import Engine

pytestmark = pytest.mark.integration

BUDGET = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# what a request may store; sessions and login failures are a caller's own traces, not data
STORED = (
    "enterprises", "facilities", "probes", "calibrations", "cameras", "device_tokens", "offices",
    "office_areas", "users", "personal_tokens", "runs", "run_signoffs", "alarms", "snapshots",
    "readings", "audit_log",
)  # fmt: skip

# text a person might type, and text nobody would: NUL, controls, surrogate-free Unicode,
# numbers at and past every limit, dates and instants of every form
NUMBERISH = st.sampled_from(
    ["0", "-0", "1", "-1", "20", "20.0001", "1e999999999", "-1e400", "NaN", "inf", "-Infinity",
     "2.08e16", "9" * 40, "0x10", "1_000", " 5 ", "", "2026-03-01", "2026-02-30",
     "9999-12-31T23:59:59Z", "1e-999999999", str(2**63), str(-(2**63) - 1), "true"]
)  # fmt: skip
TEXT = st.one_of(
    NUMBERISH,
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Zs", "Nd"]), max_size=8),
)


# the counting query of each database, built once from its reflected tables: every example
# counts twice, and reflecting sixteen tables each time cost more than the request it checks
_COUNTING: weakref.WeakKeyDictionary[Engine, tuple[list[str], Select[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _counts(world: World) -> dict[str, int]:
    engine = world.services.engine
    if engine not in _COUNTING:
        metadata = MetaData()
        with engine.connect() as conn:
            metadata.reflect(conn, only=STORED)
        counted = select(
            *(select(func.count()).select_from(t).scalar_subquery() for t in metadata.sorted_tables)
        )
        _COUNTING[engine] = ([t.name for t in metadata.sorted_tables], counted)
    names, counted = _COUNTING[engine]
    with engine.connect() as conn:
        return dict(zip(names, conn.execute(counted).one(), strict=True))


class Callers:
    """The app, and one session per person, logged in once for all of a test's examples."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._sessions: dict[str, dict[str, str]] = {"admin-token": ADMIN}

    def headers(self, who: str) -> dict[str, str]:
        if who not in self._sessions:
            self._sessions[who] = {**login(self.client, who), "Accept-Language": "en"}
        return self._sessions[who]


@pytest.fixture
def callers(world: World) -> Iterator[Callers]:
    with client_for(world, raise_server_exceptions=False) as client:
        yield Callers(client)


# refusals of how two fields stand to each other: the code says which fields they are
ABOUT = {
    "calibration.due_before": {"calibrated_at", "due_at"},
    "calibration.future": {"calibrated_at"},
}


def _names_the_field(answer: Response, field: str) -> None:
    body = answer.json()
    assert isinstance(body, dict) and body.get("error"), answer.text
    if field in ABOUT.get(body.get("code", ""), ()):
        return
    said = str(body["error"]) + " " + " ".join(str(v) for v in body.get("params", {}).values())
    assert field in said, (field, answer.text)


# -- the API's query parameters ------------------------------------------------------------------

QUERIES = (
    ("/api/v1/runs", "facility"),
    ("/api/v1/alarms", "facility"),
    ("/api/v1/alarms", "all"),
    ("/api/v1/runs/{run}/readings", "points"),
    ("/api/v1/runs/{run}/readings", "raw"),
    ("/api/v1/runs/{run}/chart", "points"),
    ("/api/v1/runs/{run}/chart", "t_from"),
    ("/api/v1/runs/{run}/chart", "t_to"),
    ("/runs", "facility"),
    ("/alarms", "all"),
    ("/runs/{run}", "signed"),
    ("/login", "next"),
    ("/prefs", "lang"),
    ("/prefs", "tz"),
    ("/prefs", "next"),
)


@BUDGET
@given(st.sampled_from(QUERIES), TEXT, st.sampled_from(["admin-token", "operator", "inspector"]))
def test_arbitrary_text_in_a_query_parameter_is_never_a_5xx_and_a_refusal_names_it(
    world: World, callers: Callers, query: tuple[str, str], text: str, who: str
) -> None:
    template, name = query
    url = template.format(run=world.objects["K1"].open_run)
    headers = callers.headers(who)
    before = _counts(world)
    answer = callers.client.get(url, params={name: text}, headers=headers, follow_redirects=False)
    assert answer.status_code < 500, (url, name, text, answer.text)
    if answer.status_code == 422:
        _names_the_field(answer, name)
    assert _counts(world) == before


def test_a_query_parameter_the_type_refuses_is_said_as_a_code(callers: Callers) -> None:
    for url, name, code in (
        ("/api/v1/alarms?all=maybe", "all", "field.boolean"),
        ("/api/v1/runs/1/readings?points=many", "points", "field.integer"),
        ("/api/v1/runs/1/readings?raw=2", "raw", "field.boolean"),
    ):
        answer = callers.client.get(url, headers=ADMIN)
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == code and answer.json()["params"] == {"field": name}


# -- the API's body fields with numbers, dates and ids -------------------------------------------


@BUDGET
@given(
    st.fixed_dictionaries(
        {"offset": TEXT, "calibrated_at": TEXT, "due_at": TEXT, "certificate": TEXT}
    ),
    st.sampled_from(["offset", "calibrated_at", "due_at", "certificate"]),
)
def test_arbitrary_calibration_fields_over_the_api_are_never_a_5xx_and_a_refusal_names_one(
    world: World, callers: Callers, fields: dict[str, str], plausible: str
) -> None:
    body = {"offset": "-0.3", "calibrated_at": "2026-01-01", "due_at": "2027-01-01",
            "certificate": "JJF-1", plausible: fields[plausible]}  # fmt: skip
    before = _counts(world)
    url = "/api/v1/admin/facilities/K1/probes/C1/calibrations"
    answer = callers.client.post(url, json=body, headers=ADMIN)
    assert answer.status_code < 500, (body, answer.text)
    if answer.status_code != 201:
        assert answer.status_code == 422, answer.text
        _names_the_field(answer, plausible)
        assert _counts(world) == before


# -- the pages' forms ------------------------------------------------------------------------------

FORMS = {
    "/admin/facilities/K1/calibrations": ("probe", "offset", "calibrated_at", "due_at",
                                          "certificate"),
    "/admin/facilities/K1/cameras": ("camera", "description"),
    "/admin/enterprises": ("code", "name_zh", "name_en", "city", "grade"),
    "/admin/facilities": ("code", "enterprise", "kind", "probes", "name", "treater_number"),
    "/admin/offices": ("code", "name", "cities", "enterprises", "everywhere"),
    "/admin/users/operator/role": ("role", "enterprise", "office"),
}  # fmt: skip


@st.composite
def forms(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    url = draw(st.sampled_from(sorted(FORMS)))
    fields = {name: draw(TEXT) for name in FORMS[url]}
    return url, fields


@BUDGET
@given(forms())
def test_arbitrary_form_fields_are_never_a_5xx_and_a_refusal_stores_nothing(
    world: World, callers: Callers, form: tuple[str, dict[str, str]]
) -> None:
    url, fields = form
    admin = callers.headers("admin")
    before = _counts(world)
    answer = callers.client.post(url, data=fields, headers=admin, follow_redirects=False)
    assert answer.status_code < 500, (url, fields, answer.text)
    if answer.status_code >= 400:
        assert 'id="form-error">' in answer.text, answer.text  # said beside the form
        assert _counts(world) == before


@BUDGET
@given(st.sampled_from(["signed_off", "rejected"]) | TEXT, TEXT)
def test_arbitrary_sign_off_fields_are_never_a_5xx(
    world: World, callers: Callers, decision: str, comment: str
) -> None:
    inspector = callers.headers("inspector")
    before = _counts(world)
    url = f"/runs/{world.objects['K1'].pass_run}/signoff"
    answer = callers.client.post(
        url, data={"decision": decision, "comment": comment}, headers=inspector,
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code < 500, (decision, comment, answer.text)
    if answer.status_code >= 400:
        assert _counts(world) == before
