"""The certificates' API per role and across tenants (web/api/certificates/lifecycle.py): the
declarant drafts, edits and submits, the certifying officer of GZ returns, approves and issues;
what others may not see is a 404; a wrong state a 409; bad fields a 422 naming each."""

from __future__ import annotations

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient

from acting import ctx_at
from certworld import T0, assessed, passed_run

pytestmark = pytest.mark.integration


@pytest.fixture
def drafted(world: World, client: TestClient) -> int:
    services = world.services
    services.certificates.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    consignment = assessed(services, runs=(passed_run(services),))
    answer = client.post(
        f"/api/v1/consignments/{consignment.id}/certificates",
        json={"kind": "phytosanitary"},
        headers=login(client, "declarant"),
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["state"] == "draft" and body["office"] == "GZ" and body["number"] is None
    assert body["content"]["treatments"][0]["duration_and_temperature"] == "56 °C core for 30 min"
    assert [e["state"] for e in body["history"]] == ["draft"]
    return int(body["id"])


def test_a_certificate_is_applied_for_approved_and_issued_over_the_api(
    client: TestClient, drafted: int
) -> None:
    declarant, certifier = login(client, "declarant"), login(client, "certifier")
    url = f"/api/v1/certificates/{drafted}"
    edited = client.patch(url, json={"remarks": "two seals"}, headers=declarant)
    assert edited.status_code == 200 and edited.json()["revision"] == 2
    assert edited.json()["content"]["remarks"] == "two seals"
    early = client.post(f"{url}/issue", headers=certifier)
    assert early.status_code == 409 and early.json()["code"] == "certificate.state"
    assert client.post(f"{url}/submit", headers=declarant).status_code == 200
    empty = client.post(f"{url}/return", json={"reason": "  "}, headers=certifier)
    assert empty.status_code == 422 and empty.json()["fields"][0]["field"] == "reason"
    assert client.post(f"{url}/approve", headers=certifier).status_code == 200
    issued = client.post(f"{url}/issue", headers=certifier)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["state"] == "issued" and body["number"] == "GZ26P000001"
    assert body["signature"] == {
        "valid": True, "hash_matches": True, "key_id": body["issue"]["key_id"], "key_known": True,
    }  # fmt: skip
    assert "token" not in body["issue"] and "check_code" not in body["issue"]
    edit_issued = client.patch(url, json={"remarks": "forged"}, headers=declarant)
    assert edit_issued.status_code == 409
    queue = client.get("/api/v1/certificates?state=issued&office=GZ", headers=login(client, "port"))
    assert [c["number"] for c in queue.json()["items"]] == ["GZ26P000001"]
    assert queue.headers["X-Total-Count"] == "1"


def test_what_the_caller_may_not_see_is_a_404_and_bad_fields_a_422(
    client: TestClient, drafted: int
) -> None:
    url = f"/api/v1/certificates/{drafted}"
    other = login(client, "op_b")  # E2's operator: not E1's certificate
    assert client.get(url, headers=other).status_code == 404
    assert client.get(url, headers=other).json()["code"] == "not_found.certificate"
    assert client.get("/api/v1/certificates", headers=other).json()["total"] == 0
    assert (
        client.get("/api/v1/certificates/999999", headers=login(client, "admin")).status_code == 404
    )
    declarant = login(client, "declarant")
    fixed = client.patch(url, json={"consignee": {"name": "", "address": "x"}}, headers=declarant)
    assert fixed.status_code == 422
    assert fixed.json()["fields"][0]["field"] == "consignee.name"
    unknown = client.patch(url, json={"lines": []}, headers=declarant)
    assert unknown.status_code == 422
    wrong_kind = client.post(
        "/api/v1/consignments/1/certificates", json={"kind": "gold"}, headers=declarant
    )
    assert wrong_kind.status_code == 422 and wrong_kind.json()["params"]["field"] == "kind"
    reexport = client.post(
        "/api/v1/consignments/1/certificates", json={"kind": "reexport"}, headers=declarant
    )
    assert reexport.status_code == 422 and reexport.json()["fields"][0]["field"] == "reexport"
    bad_state = client.get("/api/v1/certificates?state=lost", headers=declarant)
    assert bad_state.status_code == 422
