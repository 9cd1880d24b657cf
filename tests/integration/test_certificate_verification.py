"""Printing and verifying certificates on SQLite and PostgreSQL (web/printed/): the original
printed once and every later print a COPY, each logged; a draft's preview; the public page and
API by QR token and by number and check code, valid, cancelled and replaced; the same answer for
everything not found; the rate limit; the offices' keys, which check the QR offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from accountsworld import World, client_for, login
from fastapi.testclient import TestClient

from acting import ctx_at, ctx_of
from certworld import T0, assessed, passed_run, person
from phytowatch.bootstrap import Services
from phytowatch.domain.certificates.model import Certificate, CertificateKind
from phytowatch.services.certificates.offline import load_public_key, verify_qr
from phytowatch.services.certificates.printing import certificate_qr_text

pytestmark = pytest.mark.integration
# poppler-utils comes with `make browser`; on a machine without it these skip, but not in CI
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None and os.environ.get("CI", "").lower() not in {"1", "true"},
    reason="poppler-utils (make browser installs it)",
)


@dataclass(frozen=True)
class Issued:
    services: Services
    certificate: Certificate
    draft_id: int


def _ctx(services: Services, who: str, at: int):  # type: ignore[no-untyped-def]
    return ctx_of(person(services, who), at)


def _issue(services: Services, at: int) -> Certificate:
    consignment = assessed(services, at=at, runs=(passed_run(services, at=at),))
    c = services.certificates
    draft = c.draft(
        consignment.id, CertificateKind.PHYTOSANITARY, ctx=_ctx(services, "declarant", at + 10)
    )
    c.submit(draft.id, ctx=_ctx(services, "declarant", at + 11))
    c.approve(draft.id, ctx=_ctx(services, "certifier", at + 12))
    return c.issue(draft.id, ctx=_ctx(services, "certifier", at + 13))


@pytest.fixture
def issued(world: World) -> Issued:
    services = world.services
    services.certificates.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    certificate = _issue(services, T0)
    consignment = assessed(services, at=T0 + 100, runs=(passed_run(services, at=T0 + 100),))
    draft = services.certificates.draft(
        consignment.id, CertificateKind.TREATMENT, ctx=_ctx(services, "declarant", T0 + 110)
    )
    return Issued(services, certificate, draft.id)


@pytest.fixture
def client(issued: Issued, world: World) -> Iterator[TestClient]:
    with client_for(world) as test_client:
        yield test_client


def _text(pdf: bytes) -> str:
    run = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return run.stdout.decode("utf-8")


@needs_poppler
def test_the_first_print_is_the_original_and_every_later_one_a_logged_copy(
    client: TestClient, issued: Issued
) -> None:
    cid = issued.certificate.id
    number = issued.certificate.issue.number  # type: ignore[union-attr]
    first = client.get(f"/certificates/{cid}/pdf", headers=login(client, "certifier"))
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert f'filename="{number}.pdf"' in first.headers["content-disposition"]
    assert "正本 ORIGINAL" in _text(first.content) and number in _text(first.content)
    second = client.get(f"/certificates/{cid}/pdf", headers=login(client, "declarant"))
    assert second.status_code == 200
    text = _text(second.content)
    assert "副本 COPY" in text and "ORIGINAL" not in text
    prints = issued.services.certificates.prints(cid)
    assert [(p.sequence, p.copy, p.actor) for p in prints] == [
        (1, False, "user:certifier"),
        (2, True, "user:declarant"),
    ]


def test_a_print_outside_the_callers_reach_is_not_found_and_not_logged(
    client: TestClient, issued: Issued
) -> None:
    cid = issued.certificate.id
    for who in ("op_b", "port"):
        answer = client.get(f"/certificates/{cid}/pdf", headers=login(client, who))
        assert answer.status_code in (403, 404), who
    assert issued.services.certificates.prints(cid) == []


@needs_poppler
def test_a_draft_preview_is_marked_draft_and_is_no_print(
    client: TestClient, issued: Issued
) -> None:
    headers = login(client, "declarant")
    answer = client.get(f"/certificates/{issued.draft_id}/preview.pdf", headers=headers)
    assert answer.status_code == 200
    assert "草稿 DRAFT" in _text(answer.content)
    assert issued.services.certificates.prints(issued.draft_id) == []
    again = client.get(f"/certificates/{issued.certificate.id}/preview.pdf", headers=headers)
    assert again.status_code == 409  # issued: it is printed, not previewed
    assert "application/pdf" not in again.headers["content-type"]


def test_the_qr_address_shows_a_valid_certificate_without_a_login(
    client: TestClient, issued: Issued
) -> None:
    issue = issued.certificate.issue
    assert issue is not None
    client.cookies.clear()
    page = client.get(f"/verify/{issue.token}")
    assert page.status_code == 200
    assert issue.number in page.text and "verify-valid" in page.text
    assert "Lim Trading Pte Ltd" in page.text
    destination = issued.certificate.content.destination
    assert f"({destination})" in page.text  # the country by its name, with its code
    data = client.get(f"/api/v1/verify/{issue.token}").json()
    assert data["standing"] == "valid" and data["number"] == issue.number
    assert data["signature"] == {"valid": True, "key_id": issue.key_id, "key_known": True}
    # what the page reveals: what the paper says, no internal id
    assert not re.search(r'"(id|certificate_id|consignment_id|run_id)"', page.text + str(data))
    assert issued.certificate.content.consignment not in page.text
    assert f"/certificates/{issued.certificate.id}" not in page.text


def test_a_number_with_its_check_code_finds_it_and_every_wrong_pair_answers_the_same(
    client: TestClient, issued: Issued
) -> None:
    issue = issued.certificate.issue
    assert issue is not None
    code = issue.check_code.lower()[:4] + " " + issue.check_code.lower()[4:]  # as typed
    found = client.get("/api/v1/verify", params={"number": issue.number, "code": code})
    assert found.status_code == 200 and found.json()["number"] == issue.number
    wrong_code = client.get("/api/v1/verify", params={"number": issue.number, "code": "AAAA0000"})
    no_number = client.get("/api/v1/verify", params={"number": "GZ26P999999", "code": "AAAA0000"})
    no_token = client.get("/api/v1/verify/not-a-token")
    assert wrong_code.status_code == no_number.status_code == no_token.status_code == 404
    assert wrong_code.json() == no_number.json() == no_token.json()
    assert wrong_code.json()["code"] == "verify.not_found"
    page_wrong = client.get("/verify", params={"number": issue.number, "code": "AAAA0000"})
    page_none = client.get("/verify", params={"number": "GZ26P999999", "code": "AAAA0000"})
    assert page_wrong.status_code == page_none.status_code == 404
    strip = lambda t: t.replace(issue.number, "").replace("GZ26P999999", "")  # noqa: E731
    assert strip(page_wrong.text) == strip(page_none.text)


def test_a_cancelled_certificate_says_so(client: TestClient, issued: Issued) -> None:
    services = issued.services
    cid = issued.certificate.id
    services.certificates.cancel(
        cid, "consignment not shipped", ctx=_ctx(services, "certifier", T0 + 500)
    )
    token = issued.certificate.issue.token  # type: ignore[union-attr]
    data = client.get(f"/api/v1/verify/{token}").json()
    assert data["standing"] == "cancelled"
    assert "verify-cancelled" in client.get(f"/verify/{token}").text


def test_a_replaced_certificate_names_its_replacement(client: TestClient, issued: Issued) -> None:
    services = issued.services
    old = issued.certificate
    new = services.certificates.replace(
        old.id, "consignee's address", {}, ctx=_ctx(services, "declarant", T0 + 600)
    )
    services.certificates.submit(new.id, ctx=_ctx(services, "declarant", T0 + 601))
    services.certificates.approve(new.id, ctx=_ctx(services, "certifier", T0 + 602))
    newer = services.certificates.issue(new.id, ctx=_ctx(services, "certifier", T0 + 603))
    data = client.get(f"/api/v1/verify/{old.issue.token}").json()  # type: ignore[union-attr]
    assert data["standing"] == "replaced"
    assert data["replaced_by"] == newer.issue.number  # type: ignore[union-attr]


def test_too_many_checks_from_one_address_are_refused_for_a_while(
    client: TestClient, issued: Issued
) -> None:
    token = issued.certificate.issue.token  # type: ignore[union-attr]
    answers = [client.get(f"/api/v1/verify/{token}").status_code for _ in range(30)]
    assert answers == [200] * 30
    refused = client.get(f"/api/v1/verify/{token}")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["code"] == "verify.too_many"
    assert "秒后再试" in refused.json()["error_zh"]
    page = client.get(f"/verify/{token}")
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert "秒后再试" in page.text and "try again in" in page.text
    assert client.get("/verify/keys").status_code == 200  # the keys are not counted


def test_the_published_keys_check_the_qr_code_offline(client: TestClient, issued: Issued) -> None:
    pem = client.get("/verify/keys")
    assert pem.status_code == 200 and "BEGIN CERTIFICATE" in pem.text
    keys = client.get("/api/v1/verify/keys").json()
    assert [k["key_id"] for k in keys] == [issued.certificate.issue.key_id]  # type: ignore[union-attr]
    certificate = issued.certificate
    text = certificate_qr_text(certificate, certificate.issue, "https://verify.example.cn")  # type: ignore[arg-type]
    first_pem = pem.text.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    result = verify_qr(text, [load_public_key(first_pem.encode())])
    assert result.genuine and result.qr.payload.number == certificate.issue.number  # type: ignore[union-attr]


def test_hostile_look_ups_are_not_found_or_refused_by_name_never_an_error(
    client: TestClient, issued: Issued
) -> None:
    for params in (
        {"number": "GZ\x0026P000001", "code": "x"},
        {"number": "' OR 1=1 --", "code": "' OR 1=1 --"},
        {"number": "①②③", "code": "𝟘𝟙"},
        {"number": " ", "code": " "},
    ):
        answer = client.get("/api/v1/verify", params=params)
        assert answer.status_code == 404, params
        assert answer.json()["code"] == "verify.not_found"
    too_long = client.get("/api/v1/verify", params={"number": "9" * 300, "code": "A"})
    assert too_long.status_code == 422 and "number" in too_long.text
    for token in ("%00", "a%0Ab", "x" * 500, "%E2%80%AE"):
        assert client.get(f"/api/v1/verify/{token}").status_code == 404, token
        assert client.get(f"/verify/{token}").status_code == 404, token
    assert (
        client.get("/verify", params={"number": "<script>x</script>", "code": "1"}).status_code
        == 404
    )
