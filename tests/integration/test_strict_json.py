"""The API's one strict JSON body reader (web/body.py): a body past its limit is a 413 before it
is read whole or anyone is looked up; JSON that is not strict (a BOM, UTF-16, a key twice, deep
nesting, a number out of range, gzip) is a 422 or 415 with a code, the login's too; a boolean is
neither a number nor a text; unknown paths and wrong methods are said with a code, a trailing
slash is no redirect; a refusal quotes a long input cut short. Nothing is stored meanwhile."""

from __future__ import annotations

import codecs
import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest
from accountsworld import ADMIN, World, login
from fastapi.testclient import TestClient

from phytowatch.web.body import MAX_DEPTH, SHOWN_CHARS

pytestmark = pytest.mark.integration

JSON = {"Content-Type": "application/json"}
RUN = {"facility": "K1", "schedule": "ispm15-ht", "load": "1,200 pallets, pine"}
ROUTES = [
    "/api/v1/runs",
    "/api/v1/admin/enterprises",
    "/api/v1/auth/tokens",
    "/api/v1/alarms/1/clear",
]


def _runs(client: TestClient) -> Any:
    answer = client.get("/api/v1/runs", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _coded(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    said: dict[str, Any] = answer.json()
    assert said["code"] == code, said
    assert said["error"]
    return said


def _chunks(size: int) -> Iterator[bytes]:
    """A body of ``size`` bytes, sent without a Content-Length (chunked)."""
    sent = 0
    piece = b" " * 65536
    while sent < size:
        yield piece
        sent += len(piece)


@pytest.mark.parametrize("path", ROUTES)
def test_a_body_past_the_limit_is_refused_by_its_declared_length_before_any_lookup(
    world: World, client: TestClient, path: str
) -> None:
    limit = world.services.settings.max_json_body_bytes
    body = b"{" + b" " * limit + b"}"
    # no credentials at all: the size is said first, before anyone is looked up
    answer = client.post(path, content=body, headers=JSON)
    assert _coded(answer, 413, "body.too_large")["params"] == {"max": limit}


def test_a_body_that_grows_past_the_limit_while_read_is_refused(
    world: World, client: TestClient
) -> None:
    before = _runs(client)
    limit = world.services.settings.max_json_body_bytes
    answer = client.post("/api/v1/runs", content=_chunks(40 * limit), headers={**ADMIN, **JSON})
    _coded(answer, 413, "body.too_large")
    assert _runs(client) == before


def test_a_body_at_the_limit_is_read_and_reaches_its_use_case(
    world: World, client: TestClient
) -> None:
    limit = world.services.settings.max_json_body_bytes
    text = json.dumps({**RUN, "note": "n"})
    body = text[:-1] + " " * (limit - len(text)) + "}"
    assert len(body.encode()) == limit
    answer = client.post("/api/v1/runs", content=body.encode(), headers={**ADMIN, **JSON})
    _coded(answer, 409, "run.open_already")  # K1's run is open: the use case said so


DEEP = b"[" * 3000 + b"]" * 3000
SHALLOW_ENOUGH_TO_PARSE = b'{"facility":' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}"
RUN_TEXT = json.dumps(RUN)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (DEEP, "body.too_deep"),
        (SHALLOW_ENOUGH_TO_PARSE, "body.too_deep"),
        (
            b'{"facility":"K1","facility":"K2","schedule":"ispm15-ht","load":"x"}',
            "payload.duplicate_key",
        ),
        (codecs.BOM_UTF8 + RUN_TEXT.encode(), "payload.bom"),
        (RUN_TEXT.encode("utf-16"), "body.not_json"),
        (RUN_TEXT.encode("utf-32-le"), "body.not_json"),
        (b'{"facility":"K\xff1"}', "body.not_json"),
        (b'{"facility":"K1","note":' + b"9" * 5000 + b"}", "payload.number"),
        (b'{"facility":"K1","note":1e400}', "payload.number"),
        (b'{"facility":"K1","note":NaN}', "payload.constant"),
    ],
)
@pytest.mark.parametrize("path", ROUTES)
def test_json_that_is_not_strict_is_refused_with_a_code_and_nothing_is_stored(
    world: World, client: TestClient, path: str, body: bytes, code: str
) -> None:
    before = _runs(client)
    said = _coded(client.post(path, content=body, headers={**ADMIN, **JSON}), 422, code)
    assert len(json.dumps(said)) < 1000  # a 5000-digit number is not echoed whole
    assert _runs(client) == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (DEEP, "body.too_deep"),
        (b'{"login":"admin","password":"x","login":"y"}', "payload.duplicate_key"),
        (codecs.BOM_UTF8 + b'{"login":"admin","password":"x"}', "payload.bom"),
        ('{"login":"admin","password":"x"}'.encode("utf-16"), "body.not_json"),
    ],
)
def test_the_login_reads_json_as_strictly(client: TestClient, body: bytes, code: str) -> None:
    _coded(client.post("/api/v1/auth/login", content=body, headers=JSON), 422, code)


@pytest.mark.parametrize("path", [*ROUTES, "/api/v1/auth/login"])
def test_a_compressed_json_body_is_refused_not_read_as_plain(client: TestClient, path: str) -> None:
    body = gzip.compress(json.dumps(RUN).encode())
    headers = {**ADMIN, **JSON, "Content-Encoding": "gzip"}
    said = _coded(client.post(path, content=body, headers=headers), 415, "payload.encoded")
    assert said["params"] == {"encoding": "gzip"}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/admin/facilities/K1/probes/C1/calibrations",
            {"offset": True, "calibrated_at": "2026-03-01", "due_at": "2027-03-01"},
            "offset",
        ),
        ("/api/v1/auth/tokens", {"name": "t", "expires_days": True}, "expires_days"),
        ("/api/v1/auth/tokens", {"name": "t", "expires_days": 30.0}, "expires_days"),
        ("/api/v1/runs", {**RUN, "load": True}, "load"),
        ("/api/v1/runs", {**RUN, "facility": 1}, "facility"),
    ],
)
def test_a_boolean_or_a_float_is_not_taken_for_another_json_type(
    world: World, client: TestClient, path: str, body: dict[str, object], field: str
) -> None:
    before = _runs(client)
    headers = login(client, "admin") if path.startswith("/api/v1/auth/") else ADMIN
    said = _coded(client.post(path, json=body, headers=headers), 422, said_code(field))
    assert said["params"]["field"] == field
    assert _runs(client) == before


def said_code(field: str) -> str:
    return {"offset": "field.invalid", "expires_days": "field.integer"}.get(field, "field.string")


@pytest.mark.parametrize("offset", ["-0.30", -0.3, 1])
def test_an_offset_is_a_text_or_a_number(world: World, client: TestClient, offset: object) -> None:
    body = {"offset": offset, "calibrated_at": "2026-03-01", "due_at": "2027-03-01"}
    answer = client.post(
        "/api/v1/admin/facilities/K1/probes/C1/calibrations", json=body, headers=ADMIN
    )
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/runs/", "/api/v2/runs"])
def test_an_unknown_path_is_a_coded_404_and_never_a_redirect(client: TestClient, path: str) -> None:
    answer = client.get(path, headers={**ADMIN, "Host": "evil.example"}, follow_redirects=False)
    said = _coded(answer, 404, "api.no_path")
    assert said["params"] == {"path": path}
    assert "location" not in answer.headers


@pytest.mark.parametrize(
    ("path", "lang", "said"),
    [
        ("/nothing", "zh-CN", "此地址没有页面：/nothing"),
        ("/runs/", "en", "there is no page at /runs/"),
    ],
)
def test_an_unknown_page_is_the_not_found_page_in_the_readers_language(
    client: TestClient, path: str, lang: str, said: str
) -> None:
    answer = client.get(path, headers={"Accept-Language": lang}, follow_redirects=False)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert said in answer.text and "location" not in answer.headers


def test_a_long_unknown_path_is_quoted_cut_short(client: TestClient) -> None:
    path = "/api/v1/" + "x" * 5000
    said = _coded(client.get(path, headers=ADMIN), 404, "api.no_path")
    assert said["params"]["path"] == path[:SHOWN_CHARS] + "…"


def test_a_wrong_method_is_a_coded_405_with_the_allowed_ones(client: TestClient) -> None:
    answer = client.put("/api/v1/runs", json=RUN, headers=ADMIN)
    said = _coded(answer, 405, "api.method")
    assert said["params"]["method"] == "PUT"
    allowed = answer.headers["allow"]
    assert "POST" in allowed.replace(" ", "").split(",")
    assert said["params"]["allowed"] == allowed


def test_head_on_the_health_check_answers_200(client: TestClient) -> None:
    answer = client.head("/api/v1/health")
    assert answer.status_code == 200
    assert answer.content == b""


def test_a_long_text_past_its_limit_is_not_echoed_back(client: TestClient) -> None:
    answer = client.post("/api/v1/runs", json={**RUN, "schedule": "x" * 100_000}, headers=ADMIN)
    assert 400 <= answer.status_code < 500, answer.text
    assert len(answer.content) < 2000, answer.content[:300]


def test_the_document_declares_what_the_reader_answers(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json", headers=ADMIN).json()
    with_body = [
        (path, op)
        for path, ops in doc["paths"].items()
        for op in ops.values()
        if "requestBody" in op and not path.startswith(("/api/v1/ingest", "/api/v1/facilities"))
    ]
    assert with_body
    for path, op in with_body:
        assert {"413", "415", "422"} <= set(op["responses"]), path
    description = doc["components"]["schemas"]["ErrorBody"]["description"]
    assert "for every refusal" in description
