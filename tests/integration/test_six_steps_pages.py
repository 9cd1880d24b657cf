"""The six steps on the consignment's page and in its JSON for a transfer on paper (SQLite and
PostgreSQL): a port of exit without a port office (Shekou) takes the certificate on paper; step
5 is reached and said to be on paper, in Chinese and English, and the JSON says it is not
electronic; the declarant of another enterprise sees neither."""

from __future__ import annotations

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient

from transferworld import transferred

pytestmark = pytest.mark.integration


def _bar(client: TestClient, who: str, consignment: int, lang: str) -> str:
    headers = {**login(client, who), "Accept-Language": lang}
    page = client.get(f"/consignments/{consignment}", headers=headers)
    assert page.status_code == 200, page.text
    return page.text.split('class="six"')[1].split("</ol>")[0]


def test_a_transfer_on_paper_is_step_five_said_on_paper(world: World, client: TestClient) -> None:
    made, _ = transferred(world.services, "CNSZX")  # ports.json: Shekou has no office
    assert not made.electronic
    zh = _bar(client, "declarant", made.consignment_id, "zh-CN")
    assert zh.count('class="reached"') == 5 and "纸质转单" in zh
    assert '<li class="next" data-step="6">' in zh
    assert "on paper" in _bar(client, "declarant", made.consignment_id, "en")
    answer = client.get(
        f"/api/v1/consignments/{made.consignment_id}", headers=login(client, "declarant")
    ).json()
    six = answer["six_steps"]
    assert six["electronic_transfer"] is False and six["next"] == 6
    assert [s["reached"] for s in six["steps"]] == [True] * 5 + [False]
    assert six["steps"][4]["actor"] == six["steps"][3]["actor"]  # made in the issuing unit
    other = client.get(f"/api/v1/consignments/{made.consignment_id}", headers=login(client, "op_b"))
    assert other.status_code == 404
