"""A run's state as its page, its printed record and the API show it: the verdict and the review
state (services.runs.run_review), a rejected run or a PASS with findings never shown as a clean
pass; the sign-off form only where a decision can be taken, nothing chosen for the inspector, and
answered with a redirect. (In a real browser, and printed: tests/e2e/test_run_trust_browser.py.)"""

from __future__ import annotations

import json
import re

import pytest
from accountsworld import ADMIN, T0, World, login
from fastapi.testclient import TestClient

from acting import ctx_at
from phytowatch.domain.instants import format_instant
from phytowatch.services.provisioning import add_facility
from phytowatch.services.runs import start_run

pytestmark = pytest.mark.integration
TAMPER = {
    "verdict": "PASS",
    "findings": [{"kind": "tracks_air", "probe": "C2", "from": "2026-03-01T10:00:00Z",
                  "to": "2026-03-01T10:30:00Z", "air": "A1"}],
    "review_required": True,
}  # fmt: skip
WHY = "C3 reads the air: the probe was pulled out of the wood"


def _state_block(page: str) -> str:
    """The run's state at the top of its page (what the printed record shows first)."""
    found = re.search(r'<div class="run-state.*?</div>', page, re.S)
    assert found, page
    return found.group(0)


def _closed(world: World, verdict: str, judgement: dict[str, object]) -> int:
    """A run closed with this verdict on a kiln of E1 of its own (K1's run stays open)."""
    services = world.services
    if services.registry.facility_by_code("K3") is None:
        add_facility(services.registry, "K3", "E1", "kiln", ["C1", "C2"], ctx=ctx_at(T0))
    run = start_run(services.runs, "K3", "ispm15-ht", load="600 pallets", ctx=ctx_at(T0 + 3)).id
    services.runs.close_run(run, T0 + 4, "pass", verdict, json.dumps(judgement))
    return run


def test_the_api_gives_each_run_its_review_state_and_who_decided_by_name(
    world: World, client: TestClient
) -> None:
    k1 = world.objects["K1"]
    inspector = login(client, "inspector")
    answer = client.post(
        f"/api/v1/runs/{k1.pass_run}/signoff", headers=inspector,
        json={"decision": "rejected", "comment": WHY},
    )  # fmt: skip
    assert answer.status_code == 201 and answer.json()["review"]["state"] == "rejected"
    run = client.get(f"/api/v1/runs/{k1.pass_run}", headers=login(client, "declarant")).json()
    assert run["verdict"] == "PASS" and "judgement" in run  # the fields it had are kept
    assert run["review"] == {
        "state": "rejected", "looks_clean": False, "decision": "rejected", "by": "inspector",
        "by_name": "Inspector", "office": "GZ", "office_name": "赣州",
        "at": run["review"]["at"],
    }  # fmt: skip
    listed = client.get("/api/v1/runs?facility=K1", headers=ADMIN).json()["runs"]
    states = {r["id"]: (r["review"]["state"], r["review"]["looks_clean"]) for r in listed}
    assert states[k1.pass_run] == ("rejected", False)
    assert states[k1.open_run] == ("running", False)


def test_the_form_is_offered_only_where_a_decision_can_be_taken_with_nothing_chosen(
    world: World, client: TestClient
) -> None:
    k1 = world.objects["K1"]
    failed = _closed(world, "FAIL", {"verdict": "FAIL", "findings": []})
    inspector = login(client, "inspector")
    page = client.get(f"/runs/{k1.pass_run}", headers=inspector).text
    form = re.search(r'<form [^>]*class="signoff.*?</form>', page, re.S).group(0)  # type: ignore[union-attr]
    assert form.count('type="radio"') == 2 and "checked" not in form
    for run, who in ((k1.open_run, "inspector"), (failed, "inspector"), (k1.pass_run, "operator")):
        assert 'class="signoff' not in client.get(f"/runs/{run}", headers=login(client, who)).text
    assert "not_signable" in _state_block(client.get(f"/runs/{failed}", headers=inspector).text)


def test_a_decision_must_be_chosen_and_a_recorded_one_answers_with_a_redirect(
    world: World, client: TestClient
) -> None:
    run = _closed(world, "PASS", TAMPER)
    inspector = {**login(client, "inspector"), "Accept-Language": "zh-CN"}
    page = client.get(f"/runs/{run}", headers=inspector).text
    assert 'data-review="findings_to_review"' in page and 'data-clean="no"' in page
    assert "s-passed" not in _state_block(page) and "✓" not in _state_block(page)
    refused = client.post(
        f"/runs/{run}/signoff", headers=inspector, data={"comment": WHY}, follow_redirects=False
    )
    assert refused.status_code == 422
    assert "请选择结论" in refused.text and f">{WHY}</textarea>" in refused.text
    assert world.services.accounts.signoff_of(run) is None
    done = client.post(
        f"/runs/{run}/signoff", headers=inspector, data={"decision": "rejected", "comment": WHY},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"/runs/{run}?signed=1#signoff"
    shown = client.get(done.headers["location"], headers=inspector).text
    top = _state_block(shown)
    assert 'data-review="rejected"' in top and "s-passed" not in top and "✓" not in top
    assert "已退回" in top and "Inspector" in top and "赣州" in top and WHY in top
    assert 'class="signoff' not in shown  # decided: no form any more
    again = client.post(
        f"/runs/{run}/signoff", headers=inspector, data={"decision": "signed_off", "comment": WHY},
        follow_redirects=False,
    )  # fmt: skip
    assert again.status_code == 409
    assert world.services.accounts.signoff_of(run).decision.value == "rejected"  # type: ignore[union-attr]


def test_only_a_signed_off_pass_shows_the_green_check(world: World, client: TestClient) -> None:
    run = world.objects["K1"].pass_run
    inspector = login(client, "inspector")
    before = _state_block(client.get(f"/runs/{run}", headers=inspector).text)
    assert 'data-review="awaiting_signoff"' in before and "s-passed" not in before
    client.post(
        f"/runs/{run}/signoff", headers=inspector, data={"decision": "signed_off"},
        follow_redirects=False,
    )  # fmt: skip
    after = _state_block(client.get(f"/runs/{run}", headers=inspector).text)
    assert 'data-clean="yes"' in after and "s-passed" in after and "✓" in after


def test_the_printed_record_has_its_office_number_and_the_readings_on_request(
    world: World, client: TestClient
) -> None:
    run = world.objects["K1"].open_run
    admin = {**login(client, "admin"), "Accept-Language": "zh-CN"}
    page = client.get(f"/runs/{run}", headers=admin).text
    number = f"GZ-2026-{run:06d}"
    assert 'class="record-office print-only"' in page and "赣州" in page and number in page
    assert 'class="signatures print-only"' in page and "处理操作员" in page
    assert 'class="appendix"' not in page
    reading = {"probe": "C1", "t": format_instant(T0 + 60_000_000), "v": 41.5}
    stored = client.post(
        "/api/v1/ingest", json={"facility": "K1", "readings": [reading]},
        headers={"Authorization": f"Bearer {world.device_token('K1')}"},
    )  # fmt: skip
    assert stored.status_code == 200, stored.text
    appendix = client.get(f"/runs/{run}?readings=1", headers=admin).text
    assert 'class="appendix"' in appendix and "<th>C1</th>" in appendix
    port = client.get(f"/runs/{run}?readings=1", headers=login(client, "port")).text
    assert 'class="appendix"' not in port  # the readings are not the port officer's


def test_the_facility_and_enterprise_pages_never_show_a_rejected_run_as_passed(
    world: World, client: TestClient
) -> None:
    """Each closed run in a facility's history, and an enterprise's last run per facility, say
    the verdict and the review state as the runs list does: a rejected PASS has no pass mark."""
    rejected = _closed(world, "PASS", TAMPER)
    inspector = login(client, "inspector")
    answer = client.post(
        f"/api/v1/runs/{rejected}/signoff", headers=inspector,
        json={"decision": "rejected", "comment": WHY},
    )  # fmt: skip
    assert answer.status_code == 201
    facility = client.get("/facilities/K3", headers=ADMIN | {"Accept": "text/html"}).text
    row = re.search(rf'<tr><td><a href="/runs/{rejected}">.*?</tr>', facility, re.S)
    assert row, facility
    assert "s-passed" not in row.group(0) and "review-rejected" in row.group(0)
    enterprise = client.get("/enterprises/E1", headers=ADMIN | {"Accept": "text/html"}).text
    cell = re.search(rf'<a href="/runs/{rejected}">.*?</td>', enterprise, re.S)
    assert cell, enterprise
    assert "s-passed" not in cell.group(0) and "review-rejected" in cell.group(0)
