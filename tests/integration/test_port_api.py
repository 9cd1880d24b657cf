"""The port over HTTP (SQLite and PostgreSQL): the queue, a check with a bad field (422 naming
it), the release (409 saying why, then 200 with the clearance), the clearance for whoever sees
the consignment and 404 for others; a port officer reaches a consignment their office took, and
only that."""

from __future__ import annotations

import pytest
from accountsworld import PASSWORD, World, login
from fastapi.testclient import TestClient

from acting import ctx_at
from certworld import T0
from phytowatch.services.accounts import add_office, add_user
from portworld import transferred

pytestmark = pytest.mark.integration


def _port_officers(world: World) -> None:
    services = world.services
    for code, city in (("PSHA", "上海"), ("PNGB", "宁波")):
        add_office(services.accounts, services.audit, code=code, name=code, cities=[city],
                   ctx=ctx_at(T0, "test"))  # fmt: skip
        add_user(services.accounts, services.audit, login=f"port_{code.lower()}", name=code,
                 role="port_officer", password=PASSWORD, enterprise=None, office=code, cost=10,
                 ctx=ctx_at(T0, "test"))  # fmt: skip


def test_the_port_checks_and_releases_over_the_api(world: World, client: TestClient) -> None:
    _port_officers(world)
    transfer = transferred(world.services)
    port = login(client, "port_psha")
    queue = client.get("/api/v1/port/queue", headers=port)
    assert queue.status_code == 200
    [item] = queue.json()["items"]
    assert item["transfer"] == transfer.number and item["draw"]["confidence"] == "C2"
    bad = client.post(
        f"/api/v1/port/transfers/{transfer.number}/hold", json={"reason": "  "}, headers=port
    )
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "reason"
    held = client.post(
        f"/api/v1/port/transfers/{transfer.number}/hold", json={"reason": "seal"}, headers=port
    )
    assert held.status_code == 200
    refused = client.post(f"/api/v1/port/transfers/{transfer.number}/release", headers=port)
    assert refused.status_code == 409 and refused.json()["code"] == "port.held"
    wrong = client.post(
        f"/api/v1/port/transfers/{transfer.number}/check",
        json={"seals_intact": "perhaps", "containers_match": True, "goods_match": True},
        headers=port,
    )
    assert wrong.status_code == 422
    checked = client.post(
        f"/api/v1/port/transfers/{transfer.number}/check",
        json={"seals_intact": True, "containers_match": True, "goods_match": True},
        headers=port,
    )
    assert checked.status_code == 200 and checked.json()["conforming"] is True
    other = login(client, "port_pngb")
    hidden = client.get(f"/api/v1/port/transfers/{transfer.number}", headers=other)
    assert hidden.status_code == 404 and hidden.json()["code"] == "port.unknown_transfer"
    elsewhere = client.post(f"/api/v1/port/transfers/{transfer.number}/release", headers=other)
    # the same answer as the look: another office's number says nothing
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "port.unknown_transfer"
    released = client.post(f"/api/v1/port/transfers/{transfer.number}/release", headers=port)
    assert released.status_code == 200, released.text
    number = released.json()["number"]
    for who, status in (("port_psha", 200), ("declarant", 200), ("port_pngb", 404),
                        ("insp_nc", 404), ("op_b", 404)):  # fmt: skip
        shown = client.get(f"/api/v1/clearances/{number}", headers=login(client, who))
        assert shown.status_code == status, (who, shown.text)
    page = client.get(f"/clearances/{number}", headers=login(client, "port_psha"))
    assert page.status_code == 200 and "通关单" in page.text


def test_a_port_officer_reaches_the_consignments_their_office_took(
    world: World, client: TestClient
) -> None:
    _port_officers(world)
    untaken = transferred(world.services, take=False)
    taken = transferred(world.services, T0 + 1000)
    psha, pngb = login(client, "port_psha"), login(client, "port_pngb")
    for path in ("/api/v1/consignments/{}", "/consignments/{}"):
        assert client.get(path.format(taken.consignment_id), headers=psha).status_code == 200
    certificates = client.get(f"/api/v1/consignments/{taken.consignment_id}/certificates",
                              headers=psha)  # fmt: skip
    assert certificates.status_code == 200 and len(certificates.json()) == 1
    for headers, consignment in ((psha, untaken.consignment_id), (pngb, taken.consignment_id)):
        for path in ("/api/v1/consignments/{}", "/consignments/{}"):
            assert client.get(path.format(consignment), headers=headers).status_code == 404
