"""The certificates' pages in Chromium, in both languages, through the whole of step 4 as people
do it: the declarant applies for a certificate from a consignment assessed conforming (a refused
field said beside it, what was typed kept) and submits it; the certifying officer finds it in the
queue and returns it with a reason; the declarant corrects and resubmits; the officer approves
and issues it (number, check code, signature that verifies, the treatment box from the run); the
declarant drafts a replacement; the officer cancels the original. Screenshots go to the test
artifacts (and /tmp/shots-pages), or to docs/images/ with PHYTOWATCH_DOC_SCREENSHOTS=1."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
IMAGES = (
    Path(__file__).resolve().parents[2] / "docs" / "images"
    if os.environ.get("PHYTOWATCH_DOC_SCREENSHOTS") == "1"
    else ARTIFACTS
)
SHOTS = Path("/tmp/shots-pages")
KILN = "JX-0031-F006"  # the seventh extra facility: enterprise 0031's kiln
LANGS = ("zh-CN", "en")
CONSIGNMENTS: dict[str, int] = {}


def _ready(url: str) -> None:
    """Per language, a closed PASS run of 0031's kiln, signed off, backing a consignment found
    conforming; the office's signing key."""
    from pageworld import now_us

    from acting import ctx_at
    from certificateworld import conforming, office_key
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.runs import start_run

    services = bootstrap(load_settings(database_url=url))
    try:
        now = now_us()
        for n, lang in enumerate((*LANGS, "axe")):
            start = now - (400 - 100 * n) * 60_000_000
            run = start_run(services.runs, KILN, "ispm15-ht", load="600 pallets, pine",
                            ctx=ctx_at(start)).id  # fmt: skip
            end = start + 60 * 60_000_000
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end / 1e6))
            judgement = {
                "verdict": "PASS", "findings": [], "review_required": False,
                "step": {"threshold": 56, "duration_s": 1800}, "hold_end": stamp,
            }  # fmt: skip
            services.runs.close_run(run, end, "pass", "PASS", json.dumps(judgement))
            CONSIGNMENTS[lang] = conforming(services, run, now=end + 60_000_000).id
        office_key(services, "JX", now=now)
    finally:
        services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("certificates"), extra_facilities=7,
                 prepare=_ready) as running:  # fmt: skip
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _shot(page: Page, name: str) -> None:
    for where in (IMAGES, SHOTS):
        where.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(where / f"{name}.png"), full_page=True)


def _act(page: Page, act: str, reason: str = "") -> None:
    form = page.locator(f"form.act-{act}")
    if reason:
        form.locator("input[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*done={act}$"))


@pytest.mark.parametrize("lang", LANGS)
def test_apply_return_resubmit_approve_issue_replace_and_cancel(
    browser: Browser, server: Server, lang: str
) -> None:
    suffix = "zh" if lang == "zh-CN" else "en"
    zh = lang == "zh-CN"
    consignment = CONSIGNMENTS[lang]
    declarant = logged_in(browser, server, "declarant", lang, width=1280)
    declarant.goto(f"{server.url}/consignments/{consignment}")
    declarant.locator(f"a[href='/consignments/{consignment}/certificates/new']").click()
    assert declarant.locator("input[name=kind][value=phytosanitary]").is_checked()
    declarant.locator("form.certificate-apply button[type=submit]").click()
    declarant.wait_for_url(re.compile(r".*/certificates/\d+/edit\?drafted=1$"))
    certificate = int(re.findall(r"/certificates/(\d+)/edit", declarant.url)[0])
    # a refused field: said beside it, every field typed kept
    declarant.fill("input[name='consignee.name']", "")
    declarant.fill("input[name=marks]", "PF-1/US")
    declarant.fill("textarea[name=remarks]", "补充说明" if zh else "two seals per container")
    declarant.click("button[value=save]")
    assert declarant.locator("#err-consignee-name").is_visible()
    assert declarant.input_value("input[name=marks]") == "PF-1/US"
    assert declarant.input_value("textarea[name=remarks]") in (
        "补充说明",
        "two seals per container",
    )
    _shot(declarant, f"certificate-form-refused-{suffix}")
    declarant.fill("input[name='consignee.name']", "Pacific Fruit Co.")
    declarant.click("button[value=submit]")
    declarant.wait_for_url(re.compile(r".*done=submit$"))

    officer = logged_in(browser, server, "certifier", lang, width=1280)
    officer.goto(f"{server.url}/certificates")
    queue = officer.locator("section[aria-labelledby=queue-h]")
    assert queue.locator(f"a[href='/certificates/{certificate}']").count() == 1
    _shot(officer, f"certificates-queue-{suffix}")
    queue.locator(f"a[href='/certificates/{certificate}']").click()
    officer.locator("form.act-return button").click()  # no reason: refused beside the form
    assert (
        officer.locator("#err-return").is_visible()
        or officer.locator("form.act-return input:invalid").count() == 1
    )  # the browser's own check of a required field comes first
    _act(officer, "return", "标记与包装不符" if zh else "the marks differ from the packages")

    declarant.goto(f"{server.url}/certificates/{certificate}")
    assert ("标记与包装不符" if zh else "the marks differ") in declarant.inner_text("main")
    declarant.goto(f"{server.url}/certificates/{certificate}/edit")
    declarant.fill("input[name=marks]", "PF-1/US/N.M.")
    declarant.click("button[value=submit]")
    declarant.wait_for_url(re.compile(r".*done=submit$"))

    officer.goto(f"{server.url}/certificates/{certificate}")
    _act(officer, "approve")
    _act(officer, "issue")
    main = officer.inner_text("main")
    assert re.search(r"JX\d{4}", main) or "JX" in main
    assert ("验证通过" if zh else "verifies") in main
    assert "56 °C" in main and "发货人名称及地址" in main and "Name and address of exporter" in main
    assert officer.locator(f"a[href='/certificates/{certificate}/pdf']").count() == 1
    assert officer.locator("a[href^='/verify/']").count() == 1
    _shot(officer, f"certificate-issued-{suffix}")

    declarant.goto(f"{server.url}/certificates/{certificate}")
    declarant.locator("form.act-replace input[name=reason]").fill(
        "收货人地址变更" if zh else "the consignee moved"
    )
    declarant.locator("form.act-replace button").click()
    declarant.wait_for_url(re.compile(r".*/certificates/\d+/edit\?drafted=1$"))
    replacement = int(re.findall(r"/certificates/(\d+)/edit", declarant.url)[0])
    assert replacement != certificate
    declarant.goto(f"{server.url}/certificates/{replacement}")
    assert declarant.locator(f"a[href='/certificates/{certificate}']").count() >= 1
    _shot(declarant, f"certificate-replacement-{suffix}")

    officer.goto(f"{server.url}/certificates/{certificate}")
    _act(officer, "cancel", "签发有误" if zh else "issued in error")
    assert ("已作废" if zh else "cancelled") in officer.inner_text("h1")
    history = officer.inner_text("table.history")
    assert ("签发有误" if zh else "issued in error") in history
    officer.goto(f"{server.url}/consignments/{consignment}")
    assert officer.locator(f"section.certificates-of a[href='/certificates/{certificate}']").count()
    _shot(officer, f"consignment-certificates-{suffix}")
    officer.goto(f"{server.url}/certificates?state=cancelled")
    assert officer.locator(f"main table a[href='/certificates/{certificate}']").count() == 1
    _shot(officer, f"certificates-list-{suffix}")
    for page in (declarant, officer):
        page.context.close()


AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = (
    "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa',"
    " 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' ')))"
)


def test_the_form_with_a_refusal_and_the_certificate_have_no_wcag_violation(
    browser: Browser, server: Server
) -> None:
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE} (make assets installs it)")
    page = logged_in(browser, server, "declarant", "zh-CN", bypass_csp=True)
    try:
        page.goto(f"{server.url}/consignments/{CONSIGNMENTS['axe']}/certificates/new")
        page.locator("form.certificate-apply button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/certificates/\d+/edit\?drafted=1$"))
        page.fill("input[name='consignee.name']", "")
        page.click("button[value=save]")
        assert page.locator("#err-consignee-name").is_visible()
        page.add_script_tag(path=str(AXE))
        assert page.evaluate(AXE_RUN) == []
        page.locator("a[href^='/certificates/']:not([href$='/edit'])").first.click()
        page.wait_for_selector("#content-h")
        page.add_script_tag(path=str(AXE))
        assert page.evaluate(AXE_RUN) == []
    finally:
        page.context.close()
