"""schemathesis against the app's own OpenAPI document: every operation, every credential.

The app runs on a fresh SQLite database holding the accounts world (accountsworld.py: two
enterprises, two kilns with runs, alarms and stills, a person of every role). Each generated
request (valid and invalid data, by the document) is sent once with each credential: no
credential, the break-glass admin token, a personal token of each role, a session (cookie and
CSRF token), and a kiln's device token. Every answer must be no 5xx, a status the document lists
for the operation, of the content type it lists, with a body its schema accepts; invalid data
must be refused (4xx).

The budget is a setting: ``PHYTOWATCH_FUZZ_EXAMPLES`` generated requests per operation (default
6, which keeps this file under a minute on the 2-core CI machine); the figures of a longer run
by hand are in docs/security.md (``PHYTOWATCH_FUZZ_REPORT=FILE`` writes the requests sent per
credential). The run is derandomized (the same requests each time) unless
``PHYTOWATCH_FUZZ_SEED`` names a seed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from accountsworld import ADMIN_TOKEN, ROLES, World, build
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.python.asgi import ASGIClient, get_client

from acting import ctx_at
from phytowatch.bootstrap import Services, bootstrap
from phytowatch.config import load_settings
from phytowatch.services.accounts import SESSION_PREFIX, issue_token, sha256_hex
from phytowatch.web.app import create_app

EXAMPLES = int(os.environ.get("PHYTOWATCH_FUZZ_EXAMPLES", "6"))
SEED = os.environ.get("PHYTOWATCH_FUZZ_SEED")
REPORT = os.environ.get("PHYTOWATCH_FUZZ_REPORT")  # a file: the run's figures, as JSON
STREAM_READ_S = 0.1  # the event stream never ends: what it sent by then is its answer
STREAM_SLOW_S = 5.0  # ...or by this, when its start took longer (a busy machine)
CHECKS = [  # registered by name (schemathesis.checks loads them on first use)
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]

pytestmark = pytest.mark.integration


def _document() -> dict[str, Any]:
    """The document as the app serves it (building the app opens no database)."""

    def never(_: object) -> Any:
        raise AssertionError("the document is read without starting the app")

    return create_app(load_settings(), build=never).openapi()


OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in _document()["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
)


@dataclass
class Credentials:
    """Every way to call the API, kept valid: a call that revokes one is followed by a new one."""

    world: World
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def refresh(self) -> None:
        services = self.world.services
        accounts, audit = services.accounts, services.audit
        self.headers = {
            "anonymous": {},
            "admin-token": {"Authorization": f"Bearer {ADMIN_TOKEN}"},
            "device-K1": {"Authorization": f"Bearer {self.world.device_token('K1')}"},
        }
        now = services.clock.now()
        for who in ROLES:
            user = accounts.user_by_login(who)
            assert user is not None
            token = issue_token(accounts, audit, ctx=ctx_at(now, "fuzz"), user=user, name="fuzz")
            self.headers[f"token-{who}"] = {"Authorization": f"Bearer {token.token}"}
        # a session as a login makes it, without the password: the fuzzed password changes
        # lock the user's logins out for a while
        admin = accounts.user_by_login("admin")
        assert admin is not None
        session, csrf = SESSION_PREFIX + secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        accounts.add_session(
            admin.id, sha256_hex(session), csrf, "fuzz", now=now, expires_at=now + 3600 * 10**6
        )
        self.headers["session-admin"] = {
            "Cookie": f"phytowatch_session={session}",
            "X-CSRF-Token": csrf,
        }


REVOKES = re.compile(r"/token|/logout")  # a success here may end a credential


@dataclass
class Fuzz:
    world: World
    client: ASGIClient
    schema: Any
    credentials: Credentials
    counts: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "phytowatch.db"
    services: Services = bootstrap(load_settings(database_url=f"sqlite:///{path}"))
    try:
        world = build(services)
        app = create_app(world.services.settings, world.services)
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
        credentials = Credentials(world)
        credentials.refresh()
        asgi: Any = app  # schemathesis types an ASGI app with plain dicts, Starlette with mappings
        with get_client(asgi) as client:
            fuzz = Fuzz(world, client, schema, credentials)
            yield fuzz
        if REPORT:
            figures = {"operations": len(OPERATIONS), "examples": EXAMPLES, **fuzz.counts}
            Path(REPORT).write_text(json.dumps(figures, indent=1))
    finally:
        services.close()


def _known(world: World, path: str) -> dict[str, Any]:
    """Path parameters naming objects that exist, so that the requests reach real data."""
    k1 = world.objects["K1"]
    known: dict[str, Any] = {
        "code": "K1",
        "run_id": k1.open_run,
        "alarm_id": k1.alarm,
        "snapshot_id": k1.snapshot,
        "probe": "C1",
        "token_id": 1,
    }
    return {name: known[name] for name in re.findall(r"{(\w+)}", path) if name in known}


def checks_of(path: str) -> list[Any]:
    """The checks of an operation's answers. A device batch is answered 200 when some of its
    readings are not readings: each is rejected on its own, in the answer's ``rejected``
    (docs/device-protocol.md), so a reading the document would not accept is no reason to refuse
    the batch, and "invalid data must be refused" does not hold there. A body that is not a batch
    is still refused (tests/integration/test_http_ingest.py)."""
    if path == "/api/v1/ingest":
        return [check for check in CHECKS if check is not checks.negative_data_rejection]
    return CHECKS


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_answer_is_one_the_document_describes(fuzz: Fuzz, method: str, path: str) -> None:
    operation = fuzz.schema[path][method]
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    known = _known(fuzz.world, path)
    if known:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters=known) for mode in modes
        ]
    timeout = STREAM_READ_S if path == "/api/v1/events" else None

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        for who, headers in list(fuzz.credentials.headers.items()):
            try:
                response = case.call(session=fuzz.client, headers=headers, timeout=timeout)
            except requests.exceptions.ReadTimeout:
                response = case.call(session=fuzz.client, headers=headers, timeout=STREAM_SLOW_S)
            fuzz.counts[who] = fuzz.counts.get(who, 0) + 1
            if method != "GET" and response.status_code < 300 and REVOKES.search(path):
                fuzz.credentials.refresh()
            try:
                case.validate_response(response, checks=checks_of(path), headers=headers)
            except Exception as error:
                raise AssertionError(f"as {who}: {error}") from error

    if SEED is not None:
        run = seed(int(SEED))(run)
    run()


def test_every_error_an_operation_lists_has_the_error_body() -> None:
    document = _document()
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]
    assert set(error["properties"]) == {"error", "code", "params"}
    public = {
        ("POST", "/api/v1/auth/login"),
        ("GET", "/api/v1/health"),
        # anyone verifies a certificate or a mark: no caller to refuse (docs/verification.md)
        ("GET", "/api/v1/verify"),
        ("GET", "/api/v1/verify/keys"),
        ("GET", "/api/v1/verify/{token}"),
        ("GET", "/api/v1/marks/verify"),
    }
    for method, path in OPERATIONS:
        responses = document["paths"][path][method.lower()]["responses"]
        errors = {int(status) for status in responses if int(status) >= 400}
        assert 503 in errors, (method, path)  # every route reads the database
        if (method, path) not in public:
            assert {401, 403} <= errors, (method, path)
        if "{" in path or "parameters" in document["paths"][path][method.lower()]:
            assert 422 in errors or 404 in errors, (method, path)
        for status in errors:
            body = responses[str(status)]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)


def test_a_body_that_is_not_json_in_utf8_is_refused_with_its_code_and_stores_nothing(
    tmp_path: Path,
) -> None:
    services = bootstrap(load_settings(database_url=f"sqlite:///{tmp_path / 'p.db'}"))
    try:
        world = build(services)
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
        runs_before = services.runs.runs_of(None, 100)
        with TestClient(create_app(services.settings, services)) as client:
            for path in ("/api/v1/admin/enterprises", "/api/v1/runs"):
                answer = client.post(path, content=b"\x80{\xba}", headers=admin)
                assert answer.status_code == 422, answer.text
                assert answer.json()["code"] == "body.not_json"
        assert services.registry.enterprise_by_code("\ufffd") is None
        assert services.runs.runs_of(None, 100) == runs_before
        del world
    finally:
        services.close()
