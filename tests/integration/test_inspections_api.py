"""The inspections API and pages per role and across tenants (web/api/supervision/inspections.py,
web/pages/supervision/inspections.py): an inspector sees and assesses its office's
consignments only, an enterprise its own; refusals name the field; the form keeps what was typed
and redirects once recorded; the interception records and their CSV."""

from __future__ import annotations

import pytest
from accountsworld import T0, World, login
from fastapi.testclient import TestClient

from phytowatch.domain.supervision.consignment import Consignment
from routingworld import submitted

pytestmark = pytest.mark.integration

GOOD = {
    "inspected": "3 of 40 cartons opened",
    "samples": [{"sample_id": "S-1", "kind": "fruit", "lab": "Ganzhou lab", "result": "positive"}],
    "interceptions": [
        {"pest": "Bactrocera dorsalis", "life_stage": "larva", "count": 4, "batches": "lot 2"}
    ],
    "conformity": "not_conforming",
    "disposal": "destruction",
}


@pytest.fixture
def two(world: World) -> tuple[Consignment, Consignment]:
    """E1's consignment (赣州: office GZ) and E2's (南昌: office NC), both routed to inspect
    (neither enterprise is classified yet)."""
    e1 = submitted(world.services, "E1", "GZ-0001", "mango", at=T0)
    e2 = submitted(world.services, "E2", "NC-0001", "mango", at=T0 + 1)
    return e1, e2


def test_each_caller_sees_the_queue_of_its_reach(
    client: TestClient, two: tuple[Consignment, Consignment]
) -> None:
    seen = {}
    for who in ("inspector", "insp_nc", "declarant", "op_b", "admin"):
        answer = client.get("/api/v1/inspections", headers=login(client, who))
        assert answer.status_code == 200
        seen[who] = [row["number"] for row in answer.json()]
    assert seen == {
        "inspector": ["GZ-0001"],
        "insp_nc": ["NC-0001"],
        "declarant": ["GZ-0001"],
        "op_b": ["NC-0001"],
        "admin": ["GZ-0001", "NC-0001"],
    }
    row = client.get("/api/v1/inspections", headers=login(client, "inspector")).json()[0]
    assert row["hard_rules"] == ["not_e_supervised"]
    assert row["reasons"][0]["code"] == "route.cell"  # classed by its registered grade


def test_the_route_is_shown_to_its_enterprise_and_office_only(
    client: TestClient, two: tuple[Consignment, Consignment]
) -> None:
    e1, e2 = two
    mine = client.get(f"/api/v1/consignments/{e1.id}/route", headers=login(client, "declarant"))
    assert mine.status_code == 200
    [route] = mine.json()["routes"]
    assert route["outcome"] == "inspect" and route["rules_version"] == "2026.1"
    assert route["inputs"]["number"] == "GZ-0001"
    for who, cid in (("declarant", e2.id), ("inspector", e2.id), ("op_b", e1.id)):
        answer = client.get(f"/api/v1/consignments/{cid}/route", headers=login(client, who))
        assert answer.status_code == 404, who
        assert answer.json()["code"] == "not_found.consignment"


def test_an_inspector_records_an_assessment_of_its_office_only(
    client: TestClient, two: tuple[Consignment, Consignment]
) -> None:
    e1, e2 = two
    inspector = login(client, "inspector")
    other = client.post(f"/api/v1/consignments/{e2.id}/assessment", json=GOOD, headers=inspector)
    assert other.status_code == 404
    lacking = {**GOOD, "disposal": ""}
    refused = client.post(
        f"/api/v1/consignments/{e1.id}/assessment", json=lacking, headers=inspector
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "assessment.disposal_needed"
    assert refused.json()["params"] == {"field": "disposal"}
    done = client.post(f"/api/v1/consignments/{e1.id}/assessment", json=GOOD, headers=inspector)
    assert done.status_code == 201, done.text
    assert done.json()["assessment"]["interceptions"][0]["life_stage"] == "larva"
    again = client.post(f"/api/v1/consignments/{e1.id}/assessment", json=GOOD, headers=inspector)
    assert again.status_code == 409
    records = client.get("/api/v1/interceptions?pest=dorsalis", headers=login(client, "declarant"))
    assert [r["number"] for r in records.json()["items"]] == ["GZ-0001"]
    assert client.get("/api/v1/interceptions", headers=login(client, "op_b")).json()["total"] == 0


def test_a_wrong_life_stage_or_date_is_refused_naming_the_field(
    client: TestClient, two: tuple[Consignment, Consignment]
) -> None:
    e1, _ = two
    inspector = login(client, "inspector")
    body = {**GOOD, "interceptions": [{**GOOD["interceptions"][0], "life_stage": "teen"}]}  # type: ignore[dict-item]
    answer = client.post(f"/api/v1/consignments/{e1.id}/assessment", json=body, headers=inspector)
    assert answer.status_code == 422
    assert answer.json()["params"]["field"] == "interceptions[0].life_stage"
    nul = client.get("/api/v1/interceptions?pest=%00", headers=inspector)
    assert nul.status_code == 200 and nul.json()["total"] == 0
    dated = client.get("/api/v1/interceptions?from=yesterday", headers=inspector)
    assert dated.status_code == 422 and dated.json()["params"] == {"field": "from"}


def test_return_and_reject_move_the_consignment(
    client: TestClient, world: World, two: tuple[Consignment, Consignment]
) -> None:
    e1, e2 = two
    inspector, nc = login(client, "inspector"), login(client, "insp_nc")
    empty = client.post(f"/api/v1/consignments/{e1.id}/return", json={"reason": " "},
                        headers=inspector)  # fmt: skip
    assert empty.status_code == 422 and empty.json()["params"]["field"] == "reason"
    back = client.post(f"/api/v1/consignments/{e1.id}/return", json={"reason": "wrong HS code"},
                       headers=inspector)  # fmt: skip
    assert back.status_code == 200 and back.json()["state"] == "returned"
    gone = client.post(f"/api/v1/consignments/{e2.id}/reject", json={"reason": "forged"},
                       headers=nc)  # fmt: skip
    assert gone.status_code == 200 and gone.json()["state"] == "rejected"
    assert world.services.audit.verify().intact


def test_the_form_keeps_what_was_typed_and_redirects_once_recorded(
    client: TestClient, two: tuple[Consignment, Consignment]
) -> None:
    e1, e2 = two
    inspector = login(client, "inspector")
    queue = client.get("/inspections", headers=inspector)
    assert queue.status_code == 200 and "GZ-0001" in queue.text and "NC-0001" not in queue.text
    form = client.get(f"/consignments/{e1.id}/assess", headers=inspector)
    assert form.status_code == 200 and "samples-0-sample_id" in form.text
    assert client.get(f"/consignments/{e2.id}/assess", headers=inspector).status_code == 404
    csrf = inspector["X-CSRF-Token"]
    fields = {
        "csrf_token": csrf,
        "inspected": "opened 3 cartons",
        "interceptions-0-pest": "Bactrocera dorsalis",
        "interceptions-0-life_stage": "adult",
        "interceptions-0-count": "2",
        "conformity": "conforming",
    }
    refused = client.post(f"/consignments/{e1.id}/assess", data=fields, headers=inspector)
    assert refused.status_code == 422
    assert 'id="err-comment"' in refused.text and "opened 3 cartons" in refused.text
    fields["comment"] = "dead adults, not viable"
    done = client.post(
        f"/consignments/{e1.id}/assess", data=fields, headers=inspector, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/inspections?assessed=1"
    records = client.get("/interceptions?q=dorsalis", headers=inspector)
    assert records.status_code == 200 and "GZ-0001" in records.text
    exported = client.get("/interceptions.csv", headers=inspector)
    assert exported.status_code == 200
    assert exported.text.splitlines()[1].split(",")[1] == "GZ-0001"
    assert client.get("/interceptions?from=nope", headers=inspector).status_code == 422
    nul = client.get("/interceptions?pest=%00", headers=inspector)
    assert nul.status_code == 200 and "GZ-0001" not in nul.text
