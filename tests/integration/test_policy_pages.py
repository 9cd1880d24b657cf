"""The policy pages without a browser: /rules for everyone signed in (each document's version,
source and confidence, [M] marked in words, products searched), /admin/rules for the
administrator (the matrix and ratios form: 303 and in force, or the refusal beside the form with
what was typed kept; a document pasted; the download; an old version)."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient

from phytowatch.domain.supervision.policy import PolicyKind, RiskLevel, SupervisionMode

pytestmark = pytest.mark.integration


def test_rules_shows_every_document_with_its_confidence_in_both_languages(
    client: TestClient,
) -> None:
    inspector = login(client, "inspector")
    zh = client.get("/rules", headers={**inspector, "Accept-Language": "zh-CN"})
    assert zh.status_code == 200
    for text in ("官方政策", "未核实", "严密监管", "高风险", "脐橙", "一类", "ispm15-ht"):
        assert text in zh.text
    en = client.get("/rules", headers={**inspector, "Accept-Language": "en"})
    for text in ("unverified", "strict supervision", "high risk", "navel orange", "Class I"):
        assert text in en.text
    assert 'id="routing-matrix"' in en.text and "2026.1" in en.text
    assert "Edit the policy" not in en.text  # not the inspector's
    found = client.get("/rules?q=Mangifera", headers={**inspector, "Accept-Language": "en"})
    products = found.text[found.text.index('id="products"') : found.text.index("</table>",
                          found.text.index('id="products"'))]  # fmt: skip
    assert "mango" in products and "navel orange" not in products
    assert client.get("/admin/rules", headers=inspector).status_code == 403


def _form(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    page = client.get("/admin/rules", headers=admin)
    assert page.status_code == 200
    fields = {"csrf_token": admin["X-CSRF-Token"], "note": "ratio review"}
    for klass in ("I", "II", "III", "IV"):
        for risk in ("high", "elevated", "general"):
            assert f'name="m.{klass}.{risk}"' in page.text
    return fields


def test_the_matrix_form_puts_a_new_version_in_force(client: TestClient, world: World) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    fields = {**_form(client, admin), "m.II.high": "strict", "r.credit": "0.03"}
    answer = client.post("/admin/rules/routing", data=fields, headers=admin, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert unquote(answer.headers["location"]).startswith("/admin/rules?done=routing 2026.1+1")
    policy = world.services.policy.policy()
    assert policy.routing.matrix[("II", RiskLevel.HIGH)] is SupervisionMode.STRICT
    assert str(policy.routing.ratios[SupervisionMode.CREDIT]) == "0.03"
    after = client.get(answer.headers["location"], headers=admin)
    assert 'id="policy-done"' in after.text and "ratio review" in after.text
    entries = world.services.audit.latest(limit=5, object_type="policy", object_id="routing")
    assert [e.action for e in entries] == ["policy.edit"]
    old = client.get("/admin/rules/routing/versions/2026.1", headers=admin)
    assert old.status_code == 200 and "&#34;credit&#34;: &#34;0.02&#34;" in old.text
    download = client.get("/admin/rules/routing.json", headers=admin)
    assert download.headers["content-disposition"] == (
        'attachment; filename="routing-2026.1+1.json"'
    )
    assert json.loads(download.text)["ratios"]["credit"] == "0.03"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"r.credit": "1.5"}, "routing.json: ratios.credit: &#34;1.5&#34;: must be a decimal"),
        ({"m.III.high": "strictt"}, "routing.json: matrix.III.high: &#34;strictt&#34;"),
        ({"note": " "}, "a note saying why the policy changes is required"),
    ],
)
def test_a_refused_form_says_why_and_keeps_what_was_typed(
    client: TestClient, world: World, change: dict[str, str], said: str
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    fields = {**_form(client, admin), "r.strict": "0.45", **change}
    answer = client.post("/admin/rules/routing", data=fields, headers=admin, follow_redirects=False)
    assert answer.status_code == 422
    assert said in answer.text
    assert 'value="0.45"' in answer.text  # what was typed is kept
    assert world.services.policy.history(PolicyKind.ROUTING) == []


def test_a_pasted_document_is_checked_and_put_in_force(client: TestClient, world: World) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "zh-CN"}
    products = json.loads(client.get("/admin/rules/products.json", headers=admin).text)
    products["products"].append(
        {"code": "navel-gannan", "name_zh": "赣南脐橙", "name_en": "Gannan navel orange",
         "botanical_name": "Citrus sinensis", "hs_code": "080510", "risk": "high",
         "confidence": "M"}
    )  # fmt: skip
    form = {"csrf_token": admin["X-CSRF-Token"], "kind": "products", "note": "本站产品"}
    broken = client.post(
        "/admin/rules/upload", data={**form, "document": '{"kind": "products",'}, headers=admin
    )
    assert broken.status_code == 422 and "products.json：不是有效的 JSON" in broken.text
    answer = client.post(
        "/admin/rules/upload", data={**form, "document": json.dumps(products)}, headers=admin,
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    assert world.services.policy.policy().products["navel-gannan"].site
    shown = client.get("/rules?q=gannan", headers=admin)
    assert "本站添加" in shown.text


def test_the_ports_document_is_shown_and_an_edit_of_it_is_checked_and_put_in_force(
    client: TestClient, world: World
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "zh-CN"}
    page = client.get("/rules", headers=admin)
    ports = page.text[page.text.index('id="ports"') : page.text.index("</section>",
                      page.text.index('id="ports"'))]  # fmt: skip
    for text in ("CNXMN", "厦门港", "PXMN", "xiamen-port", "纸质转单", "二手来源", "只可减少"):
        assert text in ports
    document = json.loads(client.get("/admin/rules/ports.json", headers=admin).text)
    form = {"csrf_token": admin["X-CSRF-Token"], "kind": "ports", "note": "蛇口开通电子转单"}
    bad = json.loads(json.dumps(document))
    bad["amendments"][1]["how"] = "decrease"  # a vessel cannot "decrease"
    refused = client.post(
        "/admin/rules/upload", data={**form, "document": json.dumps(bad)}, headers=admin
    )
    assert refused.status_code == 422 and "ports.json：amendments[1].how" in refused.text
    document["ports"][5]["office"] = "PSZX"  # Shekou takes e-transfers from now on
    answer = client.post(
        "/admin/rules/upload", data={**form, "document": json.dumps(document)}, headers=admin,
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    in_force = world.services.policy.policy().ports
    assert in_force.ports["CNSZX"].electronic and in_force.version == "2026.1+1"
    entries = world.services.audit.latest(limit=5, object_type="policy", object_id="ports")
    assert [e.action for e in entries] == ["policy.edit"]
    assert "ports[5].office" in json.dumps(entries[0].after)
