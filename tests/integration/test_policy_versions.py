"""Official policy over HTTP and in the database: the versions in force, an edit stored and
audited (or refused naming the field, nothing stored), and the versions append-only by trigger.
On SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.config import Settings
from phytowatch.domain.supervision.policy import PolicyKind, RiskLevel, SupervisionMode
from phytowatch.services.audit import AuditFilter
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration
ADMIN = {"Authorization": "Bearer admin-secret-for-tests"}


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    secret = SecretStr("admin-secret-for-tests")
    services.settings = settings.model_copy(update={"admin_token": secret})
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


def _routing(client: TestClient) -> dict[str, Any]:
    answer = client.get("/api/v1/policy/routing", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()["document"]
    return copy.deepcopy(document)


def test_the_shipped_documents_are_in_force_at_first(client: TestClient) -> None:
    answer = client.get("/api/v1/policy", headers=ADMIN)
    assert answer.status_code == 200
    found = answer.json()
    assert set(found) == {k.value for k in PolicyKind}
    assert found["routing"]["version"] == "2026.1"
    assert found["routing"]["origin"] == "shipped"
    assert found["routing"]["confidence"] == "M"
    assert client.get("/api/v1/policy/routing/versions", headers=ADMIN).json() == {
        "kind": "routing",
        "shipped": "2026.1",
        "versions": [],
    }
    assert client.get("/api/v1/policy/tariffs", headers=ADMIN).status_code == 404


def test_an_edit_over_http_is_in_force_stored_and_audited(
    client: TestClient, services: Services
) -> None:
    body = _routing(client)
    body["matrix"]["II"]["high"] = "strict"
    answer = client.post(
        "/api/v1/policy/routing", headers=ADMIN, json={"document": body, "note": "2027 review"}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["version"] == "2026.1+1"
    policy = services.policy.policy()
    assert policy.routing.matrix[("II", RiskLevel.HIGH)] is SupervisionMode.STRICT
    assert policy.versions[PolicyKind.ROUTING] == "2026.1+1"
    [entry] = services.audit.search(AuditFilter(action="policy.edit"), offset=0, limit=10).items
    assert entry.object_id == "routing"
    assert entry.after is not None and json.loads(entry.after)["changed"] == ["matrix.II.high"]
    versions = client.get("/api/v1/policy/routing/versions", headers=ADMIN).json()["versions"]
    assert [v["version"] for v in versions] == ["2026.1+1"]
    assert versions[0]["note"] == "2027 review"
    # a second process reading the same database sees the new version (the cache is per id)
    current = client.get("/api/v1/policy/routing", headers=ADMIN).json()
    assert current["origin"] == "stored" and current["document"]["matrix"]["II"]["high"] == "strict"


def test_a_refused_edit_names_the_field_and_stores_nothing(
    client: TestClient, services: Services
) -> None:
    body = _routing(client)
    body["matrix"]["III"]["high"] = "strictt"
    answer = client.post(
        "/api/v1/policy/routing", headers=ADMIN, json={"document": body, "note": "typo"}
    )
    assert answer.status_code == 422
    said = answer.json()
    assert said["code"] == "policy_file.choice"
    assert said["params"]["field"] == "matrix.III.high"
    assert said["error"].startswith('routing.json: matrix.III.high: "strictt": must be one of')
    body["matrix"]["III"]["high"] = "strict"
    no_note = client.post("/api/v1/policy/routing", headers=ADMIN, json={"document": body})
    assert no_note.status_code == 422 and no_note.json()["params"]["field"] == "note"
    not_object = client.post(
        "/api/v1/policy/routing", headers=ADMIN, json={"document": [1], "note": "x"}
    )
    assert not_object.status_code == 422
    assert services.policy.history(PolicyKind.ROUTING) == []
    assert services.audit.search(AuditFilter(action="policy.edit"), offset=0, limit=10).items == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE policy_versions SET note = 'rewritten'",
        "DELETE FROM policy_versions",
    ],
)
def test_policy_versions_are_append_only(services: Services, statement: str) -> None:
    from phytowatch.rules import shipped_documents

    body = shipped_documents()[PolicyKind.ROUTING]
    body["ratios"]["credit"] = "0.03"
    services.policy.edit(PolicyKind.ROUTING, body, note="n", ctx=_cli(services))
    with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
        conn.execute(text(statement))
    with services.engine.connect() as conn:
        from phytowatch.storage.supervision.policy_tables import policy_versions

        rows = conn.execute(select(policy_versions.c.note, policy_versions.c.body)).all()
    assert [row.note for row in rows] == ["n"]
    assert json.loads(rows[0].body)["ratios"]["credit"] == "0.03"


def _cli(services: Services) -> Any:
    from phytowatch.services.context import Context

    return Context.cli("ops", services.clock)


def test_the_system_context_is_refused(services: Services) -> None:
    from phytowatch.domain.messages import Refused
    from phytowatch.rules import shipped_documents

    with pytest.raises(Refused):
        services.policy.edit(
            PolicyKind.ROUTING, shipped_documents()[PolicyKind.ROUTING], note="x", ctx=ctx_at(1)
        )


def test_an_edit_whose_audit_entry_fails_stores_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phytowatch.rules import shipped_documents

    def broken(**_: Any) -> None:
        raise RuntimeError("the trail is full")

    body = shipped_documents()[PolicyKind.ROUTING]
    body["ratios"]["credit"] = "0.03"
    monkeypatch.setattr(services.policy.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.policy.edit(PolicyKind.ROUTING, body, note="n", ctx=_cli(services))
    assert services.policy.history(PolicyKind.ROUTING) == []
    assert services.policy.policy().versions[PolicyKind.ROUTING] == "2026.1"
