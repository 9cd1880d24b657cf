"""The certificates' pages over the certificates in memory (tests/fakes/certificates.py), on the
world's accounts (SQLite and PostgreSQL): the list within reach and its filters, the queue, the
CSV, the certificate page, each act's form with its refusals said beside it, the edit form that
keeps what was typed. The lifecycle's own rules are tested with the service; the whole chain in
the browser (tests/e2e/test_certificate_pages_browser.py)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from accountsworld import World, client_for, login
from fastapi.testclient import TestClient

from fakes.certificate_service import InMemoryCertificates
from phytowatch.domain.certificates.model import CertificateKind, CertificateState

pytestmark = pytest.mark.integration
S = CertificateState


@pytest.fixture
def store(world: World) -> InMemoryCertificates:
    held = InMemoryCertificates()
    held.add(enterprise="E1", city="赣州", office="GZ", state=S.SUBMITTED, created_at=30)
    held.add(enterprise="E1", city="赣州", office="GZ", state=S.DRAFT, created_at=20)
    held.add(enterprise="E1", city="赣州", office="GZ", state=S.ISSUED, created_at=40,
             number="GZ2026-000001", kind=CertificateKind.TREATMENT)  # fmt: skip
    held.add(enterprise="E2", city="南昌", office="NC", state=S.SUBMITTED, created_at=5)
    held.add(enterprise="E1", city="赣州", office="GZ", state=S.APPROVED, created_at=10)
    world.services.certificates = held
    return held


@pytest.fixture
def pages(world: World, store: InMemoryCertificates) -> Any:
    with client_for(world) as test_client:
        yield test_client


def _get(client: TestClient, who: str, path: str, lang: str = "en") -> Any:
    headers = {**login(client, who), "Accept-Language": lang}
    return client.get(path, headers=headers, follow_redirects=False)


def _post(client: TestClient, who: str, path: str, fields: dict[str, str]) -> Any:
    headers = login(client, who)
    return client.post(
        path, data={**fields, "csrf_token": headers["X-CSRF-Token"]},
        headers={"Cookie": headers["Cookie"], "Accept-Language": "en"}, follow_redirects=False,
    )  # fmt: skip


def test_the_list_holds_what_the_caller_may_see_and_the_certifier_its_queue_oldest_first(
    pages: TestClient,
) -> None:
    declarant = _get(pages, "declarant", "/certificates")
    assert declarant.status_code == 200
    assert 'href="/certificates/4"' not in declarant.text  # E2's, in 南昌
    assert 'href="/certificates/1"' in declarant.text and "To certify" not in declarant.text
    certifier = _get(pages, "certifier", "/certificates").text
    queue = certifier.split('id="queue-h"')[1].split("All certificates within reach")[0]
    assert re.findall(r'href="/certificates/(\d+)"', queue) == ["5", "1"]
    assert 'href="/certificates/4"' not in certifier


def test_the_filters_narrow_the_list_and_a_wrong_one_is_refused_naming_it(
    pages: TestClient,
) -> None:
    treatment = _get(pages, "admin", "/certificates?kind=treatment").text
    assert re.findall(r'<td><a href="/certificates/(\d+)"', treatment) == ["3"]
    numbered = _get(pages, "admin", "/certificates?number=gz2026").text
    assert re.findall(r'<td><a href="/certificates/(\d+)"', numbered) == ["3"]
    states = _get(pages, "admin", "/certificates?state=submitted&enterprise=E2").text
    assert re.findall(r'<td><a href="/certificates/(\d+)"', states) == ["4"]
    wrong = _get(pages, "admin", "/certificates?state=lost")
    assert wrong.status_code == 422 and "state: one of draft" in wrong.text


def test_the_csv_holds_every_certificate_within_reach(pages: TestClient) -> None:
    answer = _get(pages, "declarant", "/certificates.csv")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "number", "kind", "state"]
    assert sorted(r[0] for r in rows[1:]) == ["1", "2", "3", "5"]
    assert rows[1][:4] == ["3", "GZ2026-000001", "treatment", "issued"]


def test_a_certificate_outside_the_callers_reach_is_not_found(pages: TestClient) -> None:
    assert _get(pages, "declarant", "/certificates/4").status_code == 404
    assert _get(pages, "certifier", "/certificates/4").status_code == 404
    assert _get(pages, "insp_nc", "/certificates/1").status_code == 404
    assert _get(pages, "admin", "/certificates/999").status_code == 404


def test_the_certificate_shows_its_fields_under_both_labels_its_issue_and_signature(
    pages: TestClient,
) -> None:
    for lang in ("en", "zh-CN"):
        html = _get(pages, "port", "/certificates/3", lang).text
        assert "发货人名称及地址" in html and "Name and address of exporter" in html
        assert "GZ2026-000001" in html and "ABCD" in html
        assert 'href="/certificates/3/pdf"' in html and 'href="/verify/tok3"' in html
        assert ("verifies" if lang == "en" else "验证通过") in html
        assert "<form" not in html.split('id="acts-h"')[1].split("</section>")[0]  # read only


def test_a_reason_is_asked_for_beside_the_act_and_kept_when_refused(pages: TestClient) -> None:
    refused = _post(pages, "certifier", "/certificates/1/return", {"reason": "  "})
    assert refused.status_code == 422
    assert 'id="err-return"' in refused.text and "reason: say why" in refused.text
    done = _post(pages, "certifier", "/certificates/1/return", {"reason": "marks missing"})
    assert done.status_code == 303 and done.headers["location"] == "/certificates/1?done=return"
    page = _get(pages, "declarant", "/certificates/1").text
    assert "marks missing" in page and "Returned to the applicant." not in page
    late = _post(pages, "certifier", "/certificates/1/approve", {})
    assert late.status_code == 409  # returned already: the service's refusal, on the page
    assert 'id="err-approve"' not in late.text  # not offered any more, said at the top
    assert 'role="alert"' in late.text


def test_the_edit_form_keeps_what_was_typed_and_says_each_refusal_beside_its_field(
    pages: TestClient, store: InMemoryCertificates
) -> None:
    form = _get(pages, "declarant", "/certificates/2/edit")
    assert form.status_code == 200 and 'value="Pacific Fruit Co."' in form.text
    typed = {
        "consignee.name": "Harbour Imports", "consignee.address": "1 Pier",
        "marks": "X" * 2001, "point_of_entry": "Long Beach", "conveyance": "vessel",
        "additional_declaration": "free from Bursaphelenchus", "remarks": "",
    }  # fmt: skip
    refused = _post(pages, "declarant", "/certificates/2/edit", {**typed, "do": "save"})
    assert refused.status_code == 422 and 'id="err-marks"' in refused.text
    assert 'value="Harbour Imports"' in refused.text and "free from Bursaphelenchus" in refused.text
    assert store.rows[2].content.consignee.name == "Pacific Fruit Co."  # nothing saved
    saved = _post(pages, "declarant", "/certificates/2/edit",
                  {**typed, "marks": "HI-1", "do": "submit"})  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=submit")
    assert store.rows[2].content.consignee.name == "Harbour Imports"
    assert store.rows[2].state is S.SUBMITTED
    assert _get(pages, "declarant", "/certificates/2/edit").status_code == 409  # not a draft


def test_approve_issue_cancel_and_a_replacement(
    pages: TestClient, store: InMemoryCertificates
) -> None:
    assert _post(pages, "certifier", "/certificates/1/approve", {}).status_code == 303
    issued = _post(pages, "certifier", "/certificates/1/issue", {})
    assert issued.status_code == 303
    assert "JX2026-000001" in _get(pages, "declarant", "/certificates/1").text
    replaced = _post(pages, "declarant", "/certificates/1/replace", {"reason": "wrong marks"})
    assert replaced.status_code == 303
    new_id = int(re.findall(r"/certificates/(\d+)/edit", replaced.headers["location"])[0])
    assert store.rows[new_id].replaces == 1
    shown = _get(pages, "declarant", f"/certificates/{new_id}").text
    assert "Replaces" in shown and "wrong marks" in shown
    cancelled = _post(pages, "certifier", "/certificates/1/cancel", {"reason": "void"})
    assert cancelled.status_code == 303 and store.rows[1].state is S.CANCELLED
    assert _post(pages, "declarant", "/certificates/1/cancel", {"reason": "x"}).status_code == 403


def test_the_application_refuses_an_unknown_kind_on_its_form(pages: TestClient) -> None:
    answer = _post(pages, "declarant", "/consignments/999/certificates/new", {"kind": "x"})
    assert answer.status_code == 404  # no such consignment: the tenant check


def test_bad_input_gets_a_message_never_a_crash_and_nothing_changes(
    pages: TestClient, store: InMemoryCertificates
) -> None:
    assert _get(pages, "admin", "/certificates?page=0").status_code == 422
    assert _get(pages, "admin", "/certificates.csv?kind=lost").status_code == 422
    nul = _get(pages, "admin", "/certificates?number=%00")
    assert nul.status_code == 200 and "No certificate matches these filters." in nul.text
    for path in ("/certificates/abc", "/certificates/0", "/certificates/99999999999"):
        assert _get(pages, "admin", path).status_code == 404, path
    long = _post(pages, "certifier", "/certificates/1/reject", {"reason": "x" * 2001})
    assert long.status_code == 422 and 'id="err-reject"' in long.text
    assert store.rows[1].state is S.SUBMITTED
    headers = login(pages, "declarant")
    body = b"marks=%ff%fe&csrf_token=" + headers["X-CSRF-Token"].encode()
    broken = pages.post(
        "/certificates/2/edit", content=body,
        headers={"Cookie": headers["Cookie"], "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert broken.status_code == 422 and "<html" in broken.text
    assert store.rows[2].revision == 1  # nothing saved
