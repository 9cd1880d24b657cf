"""Raw-material bases and classification over HTTP, as each role: an inspector registers and
suspends bases of its office's enterprises only; an enterprise sees its own bases read-only and
never another's; only an administrator changes a class or decides a proposal; wrong input is a
coded 422 naming the field; pages post, then redirect (303)."""

from __future__ import annotations

import pytest
from accountsworld import ADMIN, World, login
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

E1_BASE = {
    "number": "GZ-ORCH-001",
    "enterprise": "E1",
    "name": "安远脐橙基地",
    "products": ["citrus-navel-orange"],
    "location": "安远县",
}
E2_BASE = {**E1_BASE, "number": "NC-ORCH-001", "enterprise": "E2", "name": "南昌基地"}


def _bases(client: TestClient) -> None:
    for body in (E1_BASE, E2_BASE):
        assert client.post("/api/v1/bases", headers=ADMIN, json=body).status_code == 201


def test_an_inspector_registers_and_suspends_a_base_of_its_office(client: TestClient) -> None:
    headers = login(client, "inspector")
    answer = client.post("/api/v1/bases", headers=headers, json=E1_BASE)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "valid"
    refused = client.post("/api/v1/bases/GZ-ORCH-001/suspend", headers=headers, json={})
    assert refused.status_code == 422 and refused.json()["code"] == "field.required"
    done = client.post(
        "/api/v1/bases/GZ-ORCH-001/suspend", headers=headers, json={"reason": "fruit fly found"}
    )
    assert done.status_code == 200 and done.json()["status"] == "suspended"
    again = client.post("/api/v1/bases/GZ-ORCH-001/suspend", headers=headers, json={"reason": "x"})
    assert again.status_code == 409
    base = client.get("/api/v1/bases/GZ-ORCH-001", headers=headers).json()
    assert [e["event"] for e in base["history"]] == ["suspended", "registered"]
    assert base["history"][0]["reason"] == "fruit fly found"


def test_an_inspector_of_another_office_neither_registers_nor_sees(client: TestClient) -> None:
    _bases(client)
    headers = login(client, "insp_nc")
    assert (
        client.post("/api/v1/bases", headers=headers, json={**E1_BASE, "number": "X-1"}).status_code
        == 404
    )
    assert client.get("/api/v1/bases/GZ-ORCH-001", headers=headers).status_code == 404
    assert (
        client.post(
            "/api/v1/bases/GZ-ORCH-001/suspend", headers=headers, json={"reason": "r"}
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/bases", headers=headers).json()
    assert [b["number"] for b in listed["bases"]] == ["NC-ORCH-001"]


@pytest.mark.parametrize("who", ["operator", "declarant"])
def test_an_enterprise_sees_its_own_bases_read_only_and_never_another_s(
    client: TestClient, who: str
) -> None:
    _bases(client)
    headers = login(client, who)
    listed = client.get("/api/v1/bases", headers=headers).json()
    assert [b["number"] for b in listed["bases"]] == ["GZ-ORCH-001"]
    assert client.get("/api/v1/bases?enterprise=E2", headers=headers).json()["bases"] == []
    assert client.get("/api/v1/bases/NC-ORCH-001", headers=headers).status_code == 404
    assert client.post("/api/v1/bases", headers=headers, json=E1_BASE).status_code == 403
    page = client.get("/bases", headers=headers)
    assert page.status_code == 200 and "GZ-ORCH-001" in page.text
    assert "NC-ORCH-001" not in page.text and 'id="register-form"' not in page.text
    assert "NC-ORCH-001" not in client.get("/bases.csv", headers=headers).text
    assert client.get("/bases/NC-ORCH-001", headers=headers).status_code == 404


def test_wrong_input_is_a_coded_422_naming_the_field(client: TestClient) -> None:
    answer = client.post("/api/v1/bases", headers=ADMIN, json={**E1_BASE, "products": ["durian"]})
    assert answer.status_code == 422 and answer.json()["code"] == "bases.product"
    assert answer.json()["params"]["field"] == "products"
    answer = client.post("/api/v1/bases", headers=ADMIN, json={**E1_BASE, "products": "x"})
    assert answer.status_code == 422
    answer = client.post(
        "/api/v1/enterprises/E1/standing", headers=ADMIN, json={"class": "AA", "reason": "r"}
    )
    assert answer.status_code == 422 and answer.json()["code"] == "classification.class"
    assert client.get("/api/v1/bases?status=lost", headers=ADMIN).status_code == 422
    assert client.get("/api/v1/bases", headers=ADMIN).json()["bases"] == []


def test_an_administrator_sets_a_standing_and_an_enterprise_reads_its_own(
    client: TestClient,
) -> None:
    answer = client.post(
        "/api/v1/enterprises/E1/standing",
        headers=ADMIN,
        json={"class": "III", "key_list": True, "reason": "two interceptions"},
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["class"], answer.json()["key_list"]) == ("III", True)
    operator = login(client, "operator")
    own = client.get("/api/v1/enterprises/E1/standing", headers=operator).json()
    assert own["standing"]["class"] == "III" and len(own["history"]) == 1
    assert client.get("/api/v1/enterprises/E2/standing", headers=operator).status_code == 404
    assert client.post(
        "/api/v1/enterprises/E1/standing", headers=login(client, "inspector"),
        json={"class": "I", "reason": "r"},
    ).status_code == 403  # fmt: skip


def test_proposals_over_the_api_then_confirmed(world: World, client: TestClient) -> None:
    answer = client.post("/api/v1/classification/proposals/propose", headers=ADMIN, json={})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # the world's runs passed and nothing was returned: both upgrade rules propose class II -> I
    # for both enterprises, each proposal naming its rule
    added = sorted(body["added"], key=lambda p: (p["enterprise"], p["rule"]))
    assert [(p["enterprise"], p["to"], p["rule"]) for p in added] == [
        ("E1", "I", "up-clean-year"), ("E1", "I", "up-no-returned"),
        ("E2", "I", "up-clean-year"), ("E2", "I", "up-no-returned"),
    ]  # fmt: skip
    assert body["unknown_measures"] == []
    again = client.post("/api/v1/classification/proposals/propose", headers=ADMIN, json={})
    assert again.json()["added"] == []
    first = added[0]["id"]
    done = client.post(f"/api/v1/classification/proposals/{first}/confirm", headers=ADMIN, json={})
    assert done.status_code == 200 and done.json()["class"] == "I"
    assert "up-clean-year" in done.json()["reason"]
    second = added[1]["id"]
    assert (
        client.post(
            f"/api/v1/classification/proposals/{second}/dismiss", headers=ADMIN, json={}
        ).status_code
        == 422
    )
    assert client.post(
        f"/api/v1/classification/proposals/{second}/dismiss", headers=ADMIN,
        json={"comment": "wait for the season"},
    ).status_code == 200  # fmt: skip
    listed = client.get("/api/v1/classification/proposals?state=proposed", headers=ADMIN)
    assert listed.json()["total"] == 2  # E2's, still open
    bad = client.post(
        "/api/v1/classification/proposals/propose", headers=ADMIN, json={"end": "tomorrow"}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "field.date"


def test_the_pages_post_and_redirect(client: TestClient) -> None:
    admin = login(client, "admin")
    form = {"csrf_token": admin["X-CSRF-Token"]}
    cookies_only = {k: v for k, v in admin.items() if k != "X-CSRF-Token"}
    answer = client.post(
        "/admin/classification/E1", headers=cookies_only,
        data={**form, "class": "II", "e_supervised": "yes", "reason": "joined the scheme"},
        follow_redirects=False,
    )  # fmt: skip
    assert (
        answer.status_code == 303
        and answer.headers["location"] == "/admin/classification/E1?saved=1"
    )
    page = client.get("/admin/classification/E1", headers=admin)
    assert "joined the scheme" in page.text
    refused = client.post(
        "/admin/classification/E1", headers=cookies_only,
        data={**form, "class": "II", "reason": "  "}, follow_redirects=False,
    )  # fmt: skip
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    listed = client.get("/admin/classification?e_supervised=yes", headers=admin)
    assert listed.status_code == 200 and "/admin/classification/E1" in listed.text
    assert "/admin/classification/E2" not in listed.text
    csv = client.get("/admin/classification.csv", headers=admin)
    assert csv.status_code == 200 and csv.text.splitlines()[0].lstrip("\ufeff").startswith(
        "enterprise,"
    )
    registered = client.post(
        "/bases", headers=cookies_only,
        data={**form, "number": "B-9", "enterprise": "E1", "name": "基地",
              "products": "citrus-navel-orange，mango", "location": "赣州"},
        follow_redirects=False,
    )  # fmt: skip
    assert registered.status_code == 303 and registered.headers["location"] == "/bases/B-9"
    kept = client.post(
        "/bases", headers=cookies_only,
        data={**form, "number": "B-10", "enterprise": "E1", "name": "基地",
              "products": "durian", "location": "赣州"},
    )  # fmt: skip
    assert kept.status_code == 422 and 'value="B-10"' in kept.text
    proposed = client.post(
        "/admin/classification/proposals/propose", headers=cookies_only, data=form,
        follow_redirects=False,
    )  # fmt: skip
    assert proposed.status_code == 303
    page = client.get(proposed.headers["location"], headers=admin)
    assert "interceptions" in page.text or "截获疫情" in page.text


def test_a_nul_in_a_path_or_a_filter_finds_nothing_and_breaks_nothing(client: TestClient) -> None:
    _bases(client)
    assert client.get("/api/v1/bases?q=%00", headers=ADMIN).json()["bases"] == []
    assert client.get("/api/v1/bases?product=a%00", headers=ADMIN).json()["bases"] == []
    assert client.get("/api/v1/bases/GZ%00", headers=ADMIN).status_code == 404
    assert client.get("/api/v1/enterprises/E1%00/standing", headers=ADMIN).status_code == 404
    answer = client.post("/api/v1/bases", headers=ADMIN, json={**E1_BASE, "enterprise": "E\u0000"})
    assert answer.status_code == 404
    answer = client.post("/api/v1/bases", headers=ADMIN, json={**E1_BASE, "name": "a\u0000b"})
    assert answer.status_code == 422
    assert client.get("/bases?q=%00", headers=login(client, "admin")).status_code == 200


def test_the_pages_of_another_office_s_base_are_not_found(client: TestClient) -> None:
    _bases(client)
    headers = login(client, "insp_nc")
    page = client.get("/bases", headers=headers)
    assert "NC-ORCH-001" in page.text and "GZ-ORCH-001" not in page.text
    assert 'id="register-form"' in page.text
    assert client.get("/bases/GZ-ORCH-001", headers=headers).status_code == 404
    answer = client.post(
        "/bases/GZ-ORCH-001/suspend", headers=headers, data={"reason": "not mine"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 404
    base = client.get("/api/v1/bases/GZ-ORCH-001", headers=ADMIN).json()
    assert base["status"] == "valid" and len(base["history"]) == 1
