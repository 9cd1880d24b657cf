"""The consignments' pages, on SQLite and PostgreSQL: the declarant's form (lines typed, a CSV
of lines, refused fields shown beside each field with what was typed kept), the list within
reach, and the consignment page with its timeline, versions, copy and withdraw."""

from __future__ import annotations

import re
from typing import Any

from accountsworld import World, login
from fastapi.testclient import TestClient

FORM = {
    "consignee.name": "Pacific Fruit Co.",
    "consignee.address": "12 Harbour Rd, Long Beach",
    "destination": "us",
    "port_of_exit": "CNSHA",
    "conveyance": "vessel COSCO Aries",
    "marks": "PF-1",
    "containers": "CSQU3054383",
    "lines[0].product": "wood-packaging",
    "lines[0].quantity": "120",
    "lines[0].unit": "pieces",
    "lines[0].packages": "120",
    "lines[0].package_type": "pallets",
}


def _post(client: TestClient, who: str, path: str, fields: dict[str, str]) -> Any:
    headers = login(client, who)
    data = {**fields, "csrf_token": headers["X-CSRF-Token"]}
    return client.post(
        path, data=data, headers={"Cookie": headers["Cookie"]}, follow_redirects=False
    )


def test_a_draft_saved_from_the_form_then_submitted(client: TestClient, world: World) -> None:
    saved = _post(client, "declarant", "/consignments/new", {**FORM, "do": "save"})
    assert saved.status_code == 303, saved.text
    edit = saved.headers["location"]
    consignment_id = int(re.findall(r"/consignments/(\d+)/edit", edit)[0])
    page = client.get(edit, headers=login(client, "declarant"))
    assert page.status_code == 200 and "Pacific Fruit Co." in page.text
    done = _post(
        client, "declarant", f"/consignments/{consignment_id}/edit", {**FORM, "do": "submit"}
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?submitted=1")
    shown = client.get(done.headers["location"], headers=login(client, "declarant"))
    assert shown.status_code == 200
    assert "CD2026-" in shown.text and 'class="grid compact timeline"' in shown.text
    assert shown.text.count("<tr><td>") >= 2


def test_a_refused_field_is_shown_beside_it_and_what_was_typed_is_kept(
    client: TestClient, world: World
) -> None:
    bad = {**FORM, "lines[0].quantity": "lots", "destination": "XX", "do": "submit"}
    answer = _post(client, "declarant", "/consignments/new", bad)
    assert answer.status_code == 422
    html = answer.text
    assert 'id="err-lines-0-quantity"' in html and 'value="lots"' in html
    refused = _post(
        client, "declarant", "/consignments/new", {**FORM, "destination": "XX", "do": "submit"}
    )
    assert refused.status_code == 422  # the draft saved, the submission refused
    assert 'id="err-destination"' in refused.text and 'value="XX"' in refused.text


def test_a_csv_of_lines_replaces_the_table(client: TestClient, world: World) -> None:
    csv = (
        "product,quantity,unit,packages,package_type\n"
        "mango,300,kg,30,crates\nginger-fresh,5,t,100,bags\n"
    )
    saved = _post(
        client, "declarant", "/consignments/new", {**FORM, "lines_csv": csv, "do": "save"}
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"], headers=login(client, "declarant")).text
    assert 'value="ginger-fresh" selected' in page and 'value="300"' in page
    bad = _post(
        client, "declarant", "/consignments/new", {**FORM, "lines_csv": csv.replace("300", "x")}
    )
    assert bad.status_code == 422 and "csv[2].quantity" in bad.text


def test_the_list_is_within_reach_and_exports_csv(client: TestClient, world: World) -> None:
    _post(client, "declarant", "/consignments/new", {**FORM, "do": "save"})
    mine = client.get("/consignments", headers=login(client, "inspector"))
    assert mine.status_code == 200 and "CD2026-" in mine.text
    other = client.get("/consignments", headers=login(client, "insp_nc"))
    assert other.status_code == 200 and "CD2026-" not in other.text
    exported = client.get("/consignments.csv?state=draft", headers=login(client, "inspector"))
    assert exported.status_code == 200 and exported.text.count("CD2026-") == 1
    assert (
        client.get("/consignments?state=nope", headers=login(client, "inspector")).status_code
        == 422
    )


def test_withdraw_and_copy_from_the_page(client: TestClient, world: World) -> None:
    saved = _post(client, "declarant", "/consignments/new", {**FORM, "do": "save"})
    consignment_id = int(re.findall(r"/consignments/(\d+)/edit", saved.headers["location"])[0])
    copied = _post(client, "declarant", f"/consignments/{consignment_id}/copy", {})
    assert copied.status_code == 303 and copied.headers["location"].endswith("/edit")
    empty = _post(client, "declarant", f"/consignments/{consignment_id}/withdraw", {"reason": ""})
    assert empty.status_code == 422
    done = _post(
        client, "declarant", f"/consignments/{consignment_id}/withdraw", {"reason": "cancelled"}
    )
    assert done.status_code == 303
    page = client.get(f"/consignments/{consignment_id}", headers=login(client, "declarant")).text
    assert "cancelled" in page and "Withdraw the declaration" not in page
    assert (
        client.get(f"/consignments/{consignment_id}", headers=login(client, "op_b")).status_code
        == 404
    )
    assert client.get("/consignments/new", headers=login(client, "inspector")).status_code == 403


def test_add_a_row_keeps_what_was_typed_and_offers_one_more(
    client: TestClient, world: World
) -> None:
    shown = _post(client, "declarant", "/consignments/new", {**FORM, "do": "add_row"})
    assert shown.status_code == 200  # nothing stored: the form again, one row more
    assert 'value="Pacific Fruit Co."' in shown.text
    assert 'name="lines[3].quantity"' in shown.text and 'name="lines[4].quantity"' not in shown.text
    listed = client.get("/api/v1/consignments", headers=login(client, "declarant")).json()
    assert listed["total"] == 0


def test_an_older_version_is_shown_as_it_was_submitted(client: TestClient, world: World) -> None:
    done = _post(client, "declarant", "/consignments/new", {**FORM, "do": "submit"})
    consignment_id = int(re.findall(r"/consignments/(\d+)", done.headers["location"])[0])
    returned = client.post(
        f"/api/v1/consignments/{consignment_id}/return",
        json={"reason": "the marks do not match the packages"},
        headers=login(client, "inspector"),
    )
    assert returned.status_code == 200, returned.text
    fixed = _post(
        client, "declarant", f"/consignments/{consignment_id}/edit",
        {**FORM, "marks": "PF-2", "do": "submit"},
    )  # fmt: skip
    assert fixed.status_code == 303
    headers = login(client, "inspector")
    first = client.get(f"/consignments/{consignment_id}?version=1", headers=headers).text
    newest = client.get(f"/consignments/{consignment_id}", headers=headers).text
    assert "<dd>PF-1</dd>" in first and "<dd>PF-2</dd>" in newest
    assert (
        client.get(f"/consignments/{consignment_id}?version=3", headers=headers).status_code == 404
    )
