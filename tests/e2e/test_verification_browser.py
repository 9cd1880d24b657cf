"""The public verification page in Chromium, in both languages, with no login: the form, a
certificate found by its number and check code (valid, its key fields, the signature), the QR
code's address, and the same "not found" for a wrong check code. Screenshots go to the test
artifacts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e
ISSUED: dict[str, str] = {}


def _issue_one(url: str) -> None:
    """JX's key, a signed-off PASS run of JX-0031-K2, 0031's consignment declared with it and
    assessed conforming, then drafted, approved and issued: its number, check code and token."""
    from acting import ctx_at, ctx_of
    from certworld import HT_JUDGEMENT, declaration
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Principal, Role
    from phytowatch.domain.certificates.model import CertificateKind
    from phytowatch.services.runs import start_run
    from phytowatch.services.signoff import sign_off
    from phytowatch.services.supervision.assessment import InspectionForm, record_inspection
    from phytowatch.services.supervision.declare import DeclarationService

    services = bootstrap(load_settings(database_url=url))
    jx = Jurisdiction(cities=frozenset({"赣州", "南昌", "九江"}))

    def who(login: str):  # type: ignore[no-untyped-def]
        user = services.accounts.user_by_login(login)
        assert user is not None
        return Principal(
            "user",
            f"user:{login}",
            ROLE_ACTIONS[Role(user.role)],
            Role(user.role),
            user_id=user.id,
            login=login,
            enterprise=user.enterprise,
            office=user.office,
            jurisdiction=jx if user.office else None,
        )

    try:
        at = services.clock.now() - 3_600_000_000
        services.certificates.create_key("JX", ctx=ctx_at(at, "cli:ops"))
        for record in services.runs.runs_of("JX-0031-K2", 50):
            if record.closed_at is None:
                services.runs.close_run(record.id, at - 3, "operator", "INDETERMINATE", "{}")
        run = start_run(services.runs, "JX-0031-K2", "ispm15-ht", load="crates", ctx=ctx_at(at))
        run_id = run.id
        services.runs.close_run(run_id, at + 1, "pass", "PASS", json.dumps(HT_JUDGEMENT))
        sign_off(
            services.runs,
            services.accounts,
            services.audit,
            run_id,
            ctx=ctx_of(who("inspector"), at + 2),
            decision="signed_off",
            comment="",
        )
        declare = DeclarationService.of(services)
        made = declare.create(declaration((run_id,)), ctx=ctx_of(who("declarant"), at + 3))
        submitted = declare.submit(made.id, ctx=ctx_of(who("declarant"), at + 4)).consignment
        if submitted.state.value == "routed":
            record_inspection(
                services.consignments,
                services.assessments,
                services.audit,
                made.id,
                InspectionForm("5 of 40 pallets", (), "", "none", (), "conforming", "", ""),
                ctx=ctx_of(who("inspector"), at + 5),
            )
        c = services.certificates
        draft = c.draft(
            made.id, CertificateKind.PHYTOSANITARY, ctx=ctx_of(who("declarant"), at + 6)
        )
        c.submit(draft.id, ctx=ctx_of(who("declarant"), at + 7))
        c.approve(draft.id, ctx=ctx_of(who("certifier"), at + 8))
        issued = c.issue(draft.id, ctx=ctx_of(who("certifier"), at + 9))
        assert issued.issue is not None
        ISSUED.update(
            number=issued.issue.number, code=issued.issue.check_code, token=issued.issue.token
        )
    finally:
        services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(
        tmp_path_factory.mktemp("verify"), extra_facilities=0, prepare=_issue_one
    ) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    shots = Path("/tmp/shots-print")
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_anyone_verifies_a_certificate_by_number_and_check_code(
    browser: Browser, server: Server, lang: str
) -> None:
    suffix = "zh" if lang == "zh-CN" else "en"
    page = logged_in(browser, server, None, lang, width=1100)
    page.goto(f"{server.url}/verify")
    assert page.locator("#verify-form").is_visible()
    assert page.locator("h1").inner_text() == (
        "验证证书" if suffix == "zh" else "Verify a certificate"
    )
    page.fill("#number", ISSUED["number"])
    page.fill("#code", ISSUED["code"].lower())
    page.click("#verify-form button[type='submit']")
    result = page.locator("#verify-result")
    assert "verify-valid" in (result.get_attribute("class") or "")
    assert ISSUED["number"] in result.inner_text()
    assert "Lim Trading Pte Ltd" in result.inner_text()
    assert page.locator("#verify-signature").inner_text().startswith("✓")
    _shot(page, f"verify-valid-{suffix}")
    page.fill("#code", "WRONG000")
    page.click("#verify-form button[type='submit']")
    assert "verify-valid" not in (page.locator("#verify-result").get_attribute("class") or "")
    _shot(page, f"verify-not-found-{suffix}")
    page.goto(f"{server.url}/verify/{ISSUED['token']}")
    assert ISSUED["number"] in page.locator("#verify-result").inner_text()
    page.context.close()
