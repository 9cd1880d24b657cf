"""The e-transfer over the API and the pages (on each database): who sees which transfer, the
password for its enterprise only, retrieval by the port officer (a wrong one and another
office's transfer answered alike), the declarant's amendment with each refusal beside its field,
bad input said, never a 500."""

from __future__ import annotations

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient

from transferworld import PASSWORD, transferred

pytestmark = pytest.mark.integration


def test_the_api_reads_retrieves_and_amends_within_reach(world: World, client: TestClient) -> None:
    made, _ = transferred(world.services)
    declarant = login(client, "declarant")
    mine = client.get(f"/api/v1/transfers/{made.number}", headers=declarant)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["password"] and body["document"]["format"] == "phytowatch.transfer/1"
    port_xm = login(client, "port_xm", PASSWORD)
    theirs = client.get(f"/api/v1/transfers/{made.number}", headers=port_xm)
    assert theirs.status_code == 200 and theirs.json()["password"] is None
    listed = client.get("/api/v1/transfers", headers=port_xm).json()
    assert [t["number"] for t in listed["items"]] == [made.number]
    # the other port office's officer neither lists nor reads it
    other = login(client, "port")
    assert client.get("/api/v1/transfers", headers=other).json()["total"] == 0
    assert client.get(f"/api/v1/transfers/{made.number}", headers=other).status_code == 404
    certifier = login(client, "certifier")  # GZ covers E1's city: the origin office sees it
    assert client.get(f"/api/v1/transfers/{made.number}", headers=certifier).status_code == 200
    op_b = login(client, "op_b")
    assert client.get(f"/api/v1/transfers/{made.number}", headers=op_b).status_code == 404
    assert client.get("/api/v1/transfers", headers=op_b).json()["total"] == 0

    wrong = client.post(
        "/api/v1/transfers/retrieve",
        json={"number": made.number, "password": "AAAAA-AAAAA"},
        headers=port_xm,
    )
    unknown = client.post(
        "/api/v1/transfers/retrieve",
        json={"number": "NOPE", "password": "AAAAA-AAAAA"},
        headers=port_xm,
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    taken = client.post(
        "/api/v1/transfers/retrieve",
        json={"number": made.number.lower(), "password": body["password"]},
        headers=port_xm,
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["retrievals"][0]["office"] == "PXMN"

    refused = client.post(
        f"/api/v1/transfers/{made.number}/amendments",
        json={"changes": {"declared_value": "11500", "destination": "US"}},
        headers=declarant,
    )
    assert refused.status_code == 422
    fields = {f["field"]: f["code"] for f in refused.json()["fields"]}
    assert fields == {
        "declared_value": "transfer.outside_percent",
        "destination": "transfer.no_rule",
    }
    done = client.post(
        f"/api/v1/transfers/{made.number}/amendments",
        json={"changes": {"conveyance": "vessel COSCO Taurus V.031E"}},
        headers=declarant,
    )
    assert done.status_code == 201, done.text
    assert done.json()["values"]["conveyance"] == "vessel COSCO Taurus V.031E"
    bads: list[dict[str, object]] = [
        {"changes": []},
        {"changes": {"quantity": ["x"] * 3}},
        {},
        {"changes": {}},
    ]
    bads.append({"changes": {f"field{i}": "x" for i in range(21)}})  # transfer.too_many
    bads.append({"changes": {"conveyance": {"vessel": "x"}}})
    for bad in bads:
        answer = client.post(
            f"/api/v1/transfers/{made.number}/amendments", json=bad, headers=declarant
        )
        assert answer.status_code == 422 and "code" in answer.json(), answer.text
    by_port = client.post(
        f"/api/v1/transfers/{made.number}/amendments",
        json={"changes": {"conveyance": "x"}},
        headers=port_xm,
    )
    assert by_port.status_code == 403


def _form(client: TestClient, path: str, headers: dict[str, str], **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        path,
        data={**fields, "csrf_token": headers["X-CSRF-Token"]},
        headers={"Cookie": headers["Cookie"]},
        follow_redirects=False,
    )


def test_the_pages_show_retrieve_and_amend(world: World, client: TestClient) -> None:
    made, _ = transferred(world.services)
    declarant = login(client, "declarant")
    page = client.get(f"/consignments/{made.consignment_id}", headers=declarant)
    assert page.status_code == 200
    assert made.number in page.text and 'id="transfer-password"' in page.text
    assert 'id="amend-form"' in page.text
    assert "<dd>10000 USD</dd>" in page.text  # the values in force

    refused = _form(
        client, f"/transfers/{made.number}/amend", declarant,
        declared_value="11500", conveyance="truck 赣B12345", departure_date="",
        containers="MSCU1234566", quantity="1200",
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'id="amend-declared_value-error"' in refused.text
    assert "ports.json 2026.1" in refused.text and 'value="11500"' in refused.text
    done = _form(
        client, f"/transfers/{made.number}/amend", declarant,
        declared_value="10000", conveyance="truck 赣B12345", departure_date="2026-03-09",
        containers="MSCU1234566", quantity="1100",
    )  # fmt: skip
    assert done.status_code == 303, done.text
    shown = client.get(done.headers["location"], headers=declarant)
    assert "2026-03-09" in shown.text and "1100" in shown.text

    port_xm = login(client, "port_xm", PASSWORD)
    assert client.get("/transfers/retrieve", headers=port_xm).status_code == 200
    wrong = _form(client, "/transfers/retrieve", port_xm, number=made.number, password="nope")
    assert wrong.status_code == 404 and 'role="alert"' in wrong.text
    password = world.services.transfers.password(made, _declarant_principal(world))
    assert password is not None
    taken = _form(client, "/transfers/retrieve", port_xm, number=made.number, password=password)
    assert taken.status_code == 303
    listed = client.get("/transfers", headers=port_xm)
    assert listed.status_code == 200 and made.number in listed.text
    assert client.get(f"/transfers/{made.number}", headers=port_xm).status_code == 200
    assert client.get("/transfers/NOPE", headers=port_xm).status_code == 404
    assert client.get("/transfers?offset=-5&number=%00", headers=port_xm).status_code == 200


def _declarant_principal(world: World):  # type: ignore[no-untyped-def]
    from certworld import person

    return person(world.services, "declarant")
