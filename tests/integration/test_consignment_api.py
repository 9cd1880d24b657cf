"""E-declaration over HTTP, on SQLite and PostgreSQL: a declarant drafts, submits, corrects and
withdraws its enterprise's consignments; every refused field is named; nobody sees another
enterprise's consignment, nor an inspector another office's; a run of another enterprise is
answered like one that does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient

API = "/api/v1/consignments"


def declaration(runs: list[int] | None = None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "consignee": {"name": "Pacific Fruit Co.", "address": "12 Harbour Rd, Long Beach"},
        "lines": [
            {
                "product": "wood-packaging",
                "quantity": "120",
                "unit": "pieces",
                "packages": 120,
                "package_type": "pallets",
            }
        ],
        "destination": "US",
        "port_of_exit": "CNSHA",
        "conveyance": "vessel COSCO Aries",
        "marks": "PF-2026/1-120",
        "containers": ["CSQU3054383"],
        "runs": runs or [],
    }
    body.update(changes)
    return body


@pytest.fixture
def signed(client: TestClient, world: World) -> dict[str, int]:
    """Each kiln's PASS run signed off by its office's inspector."""
    for facility, inspector in (("K1", "inspector"), ("K2", "insp_nc")):
        run = world.objects[facility].pass_run
        answer = client.post(
            f"/api/v1/runs/{run}/signoff", json={}, headers=login(client, inspector)
        )
        assert answer.status_code == 201, answer.text
    return {k: o.pass_run for k, o in world.objects.items()}


def test_a_declarant_drafts_and_submits_and_the_timeline_says_so(
    client: TestClient, world: World, signed: dict[str, int]
) -> None:
    headers = login(client, "declarant")
    made = client.post(API, json=declaration([signed["K1"]]), headers=headers)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["state"] == "draft" and body["number"].startswith("CD2026-")
    assert body["declaration"]["exporter"] == {"name": "Enterprise", "address": "赣州"}
    done = client.post(f"{API}/{body['id']}/submit", headers=headers)
    assert done.status_code == 200, done.text
    submitted = done.json()
    # E1 is not under e-supervision: routed to inspect at once, in the submission's unit
    assert submitted["state"] == "routed" and submitted["version"] == 1
    assert [e["step"] for e in submitted["timeline"]] == ["drafted", "submitted", "routed"]
    assert submitted["timeline"][1]["since_submission_s"] == 0
    six = submitted["six_steps"]  # the declarant sees its own consignment's six steps
    assert [s["step"] for s in six["steps"]] == [
        "declaration", "routing", "assessment", "certificate", "transfer", "release"
    ]  # fmt: skip
    assert [s["reached"] for s in six["steps"]] == [True, True, False, False, False, False]
    assert six["steps"][0]["actor"] == "user:declarant" and six["steps"][1]["since_previous_s"] == 0
    assert six["next"] == 3 and six["declaration_to_release_s"] is None
    version = client.get(f"{API}/{body['id']}/versions/1", headers=headers).json()
    assert version["declaration"]["runs"] == [signed["K1"]]
    assert len(version["sha256"]) == 64
    run_page = client.get(f"/runs/{signed['K1']}", headers=headers)
    assert f'<a href="/consignments/{body["id"]}">{body["number"]}</a>' in run_page.text
    again = client.post(f"{API}/{body['id']}/submit", headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "declaration.cannot_submit"


def test_every_refused_field_is_named_at_once(client: TestClient, world: World) -> None:
    headers = login(client, "declarant")
    bad = declaration(
        [world.objects["K2"].pass_run, world.objects["K1"].pass_run],
        destination="XX",
        port_of_exit="SHA",
        containers=["CSQU3054384"],
        bases=["GZ-0001"],
        consignee={"name": "", "address": "x"},
    )
    bad["lines"].append({"product": "durian", "quantity": "1.2345", "unit": "bags", "packages": 0})
    answer = client.post(f"{API}?submit=true", json=bad, headers=headers)
    assert answer.status_code == 422, answer.text
    fields = {f["field"]: f["code"] for f in answer.json()["fields"]}
    assert fields == {
        "consignee.name": "field.required",
        "lines[1].product": "declaration.product",
        "lines[1].quantity": "declaration.quantity",
        "lines[1].packages": "declaration.packages",
        "lines[1].package_type": "field.required",
        "destination": "declaration.country",
        "port_of_exit": "declaration.locode",
        "containers[0]": "declaration.container_check",
        "bases[0]": "declaration.no_base",
        "runs[0]": "declaration.no_run",  # another enterprise's: as if it did not exist
        "runs[1]": "declaration.run_not_signed",
    }
    draft = answer.json()["draft"]  # the draft is kept, as typed
    kept = client.get(f"{API}/{draft}", headers=headers).json()
    assert kept["state"] == "draft" and kept["declaration"]["destination"] == "XX"


def test_a_body_of_the_wrong_shape_is_refused_naming_each_field(
    client: TestClient, world: World
) -> None:
    headers = login(client, "declarant")
    answer = client.post(
        API,
        json={"lines": [{"quantity": "many", "packages": True}], "runs": ["7"], "colour": "red"},
        headers=headers,
    )
    assert answer.status_code == 422
    fields = {f["field"]: f["code"] for f in answer.json()["fields"]}
    assert fields == {
        "colour": "declaration.unknown_field",
        "lines[0].quantity": "declaration.quantity",
        "lines[0].packages": "declaration.wrong_type",
        "runs[0]": "declaration.wrong_type",
    }


def test_lines_come_from_a_csv_and_a_refused_cell_is_named(
    client: TestClient, world: World, signed: dict[str, int]
) -> None:
    headers = login(client, "declarant")
    made = client.post(API, json=declaration(), headers=headers).json()
    csv = (
        "\ufeffproduct,quantity,unit,packages,package_type\r\n"
        "citrus-navel-orange,12000.5,kg,800,cartons\r\n"
        "mango,abc,kg,10,crates\r\n"
    ).encode()
    bad = client.post(
        f"{API}/{made['id']}/lines", content=csv, headers={**headers, "Content-Type": "text/csv"}
    )
    assert bad.status_code == 422
    assert [(f["field"], f["code"]) for f in bad.json()["fields"]] == [
        ("csv[3].quantity", "declaration.quantity")
    ]
    good = client.post(
        f"{API}/{made['id']}/lines",
        content=csv.replace(b"abc", b"300"),
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert good.status_code == 200, good.text
    lines = good.json()["declaration"]["lines"]
    assert [(x["product"], x["quantity"]) for x in lines] == [
        ("citrus-navel-orange", "12000.5"),
        ("mango", "300"),
    ]


def test_a_requirement_no_run_meets_is_a_warning_not_a_refusal(
    client: TestClient, world: World
) -> None:
    headers = login(client, "declarant")
    body = declaration(
        lines=[
            {
                "product": "citrus-navel-orange",
                "quantity": "1000",
                "unit": "kg",
                "packages": 50,
                "package_type": "cartons",
            }
        ]
    )
    answer = client.post(f"{API}?submit=true", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["state"] == "routed"  # inspected: the requirement is a hard rule
    assert [w["code"] for w in answer.json()["warnings"]] == ["declaration.requirement_unmet"]


def test_a_returned_consignment_is_corrected_as_a_new_version_the_old_kept(
    client: TestClient, world: World, signed: dict[str, int]
) -> None:
    headers = login(client, "declarant")
    made = client.post(f"{API}?submit=true", json=declaration([signed["K1"]]), headers=headers)
    consignment_id = made.json()["id"]
    store = world.services.consignments
    returned = client.post(
        f"{API}/{consignment_id}/return",
        json={"reason": "the marks do not match the packages"},
        headers=login(client, "inspector"),
    )
    assert returned.status_code == 200, returned.text
    fixed = declaration([signed["K1"]], marks="PF-2026/1-121")
    assert (
        client.put(f"{API}/{consignment_id}/draft", json=fixed, headers=headers).status_code == 200
    )
    done = client.post(f"{API}/{consignment_id}/submit", headers=headers).json()
    assert done["version"] == 2 and [v["version"] for v in done["versions"]] == [1, 2]
    # the correction is resubmitted, then routed again (a consignment once routed to inspect
    # stays inspected)
    assert [e["step"] for e in done["timeline"]][-3:] == ["returned", "resubmitted", "routed"]
    first = client.get(f"{API}/{consignment_id}/versions/1", headers=headers).json()
    assert first["declaration"]["marks"] == "PF-2026/1-120"
    assert store.count("returned_declarations", "E1", 0, 2**62) == 1
    assert store.count("declarations", "E1", 0, 2**62) == 2
    assert store.count("interceptions", "E1", 0, 2**62) is None


def test_withdraw_needs_a_reason_and_ends_it(client: TestClient, world: World) -> None:
    headers = login(client, "declarant")
    made = client.post(API, json=declaration(), headers=headers).json()
    empty = client.post(f"{API}/{made['id']}/withdraw", json={"reason": " "}, headers=headers)
    assert empty.status_code == 422
    done = client.post(
        f"{API}/{made['id']}/withdraw", json={"reason": "order cancelled"}, headers=headers
    )
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"
    assert done.json()["timeline"][-1]["detail"]["params"] == {"reason": "order cancelled"}
    again = client.post(f"{API}/{made['id']}/withdraw", json={"reason": "x"}, headers=headers)
    assert again.status_code == 409


def test_a_copy_takes_the_content_but_not_the_runs(
    client: TestClient, world: World, signed: dict[str, int]
) -> None:
    headers = login(client, "declarant")
    made = client.post(f"{API}?submit=true", json=declaration([signed["K1"]]), headers=headers)
    copy = client.post(f"{API}/{made.json()['id']}/copy", headers=headers)
    assert copy.status_code == 201, copy.text
    body = copy.json()
    assert body["copied_from"] == made.json()["number"] and body["state"] == "draft"
    assert body["declaration"]["runs"] == []
    assert body["declaration"]["marks"] == "PF-2026/1-120"
    assert body["number"] != made.json()["number"]


def test_each_sees_only_its_own_and_only_a_declarant_declares(
    client: TestClient, world: World
) -> None:
    mine = client.post(API, json=declaration(), headers=login(client, "declarant")).json()
    url = f"{API}/{mine['id']}"
    for who, status in (
        ("declarant", 200),
        ("operator", 200),
        ("inspector", 200),
        ("admin", 200),
        ("op_b", 404),
        ("insp_nc", 404),
    ):
        assert client.get(url, headers=login(client, who)).status_code == status, who
    for who, expected in (("op_b", 0), ("insp_nc", 0), ("inspector", 1), ("operator", 1)):
        listed = client.get(API, headers=login(client, who)).json()
        assert listed["total"] == expected, who
    for who, status in (("operator", 403), ("inspector", 403), ("op_b", 403), ("admin", 403)):
        answer = client.post(f"{url}/submit", headers=login(client, who))
        assert answer.status_code == status, who
    assert client.post(API, json=declaration(), headers=login(client, "admin")).status_code == 403


def test_the_list_filters_sorts_and_pages(client: TestClient, world: World) -> None:
    headers = login(client, "declarant")
    numbers = []
    for destination in ("US", "AU", "US"):
        made = client.post(API, json=declaration(destination=destination), headers=headers)
        numbers.append(made.json()["number"])
    listed = client.get(f"{API}?destination=US&sort=number&order=asc", headers=headers).json()
    assert [c["number"] for c in listed["consignments"]] == [numbers[0], numbers[2]]
    page = client.get(f"{API}?limit=1&offset=1&sort=number&order=asc", headers=headers).json()
    assert page["total"] == 3 and [c["number"] for c in page["consignments"]] == [numbers[1]]
    found = client.get(f"{API}?q=pacific&state=draft", headers=headers).json()
    assert found["total"] == 3
    assert client.get(f"{API}?state=nonsense", headers=headers).status_code == 422
    assert client.get(f"{API}?from=2026-13-01", headers=headers).status_code == 422
