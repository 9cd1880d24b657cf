"""Whether a run can be trusted, as a person sees it in Chromium, on screen and printed: a PASS
with tamper findings and a rejected run never show the clean-pass mark; the sign-off form is
offered only where a decision can be taken, chooses nothing, and a reload after posting does not
post again. One server for the module (tests/e2e/trustworld.py adds the runs)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pageworld
import pytest
import trustworld
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving, shoot

if TYPE_CHECKING:  # imported where a browser is launched
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
WHY = "C3 reads the air: the probe was pulled out of the wood. 探头被拔出"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    runs: dict[str, int] = {}
    start = pageworld.now_us() - 200 * pageworld.MIN
    tokens: dict[str, str] = {}
    seed = trustworld.prepare(tokens, runs, start)
    with serving(tmp_path_factory.mktemp("trust"), extra_facilities=0, prepare=seed) as running:
        running.world.tokens.update(tokens)
        running.world.runs.update(runs)
        for key, code in trustworld.RUNS.items():
            for batch in trustworld.batches(code, start, pulled=key == "tamper"):
                running.post(code, batch)
        trustworld.wait_closed(running.world.database_url, list(runs.values()))
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_as(browser: Browser, server: Server, who: str, lang: str) -> Page:
    """Logged in as ``who`` through the login page (browser_support.logged_in)."""
    return logged_in(browser, server, who, lang, width=1280)


def assert_not_clean(page: Page, state: str) -> None:
    """The run's state at the top says ``state`` and nothing there is the green check."""
    top = page.locator(".run-state")
    assert top.get_attribute("data-review") == state and top.get_attribute("data-clean") == "no"
    assert page.locator(".run-state .s-passed").count() == 0
    assert "✓" not in top.inner_text()


def test_a_tamper_pass_then_rejected_never_looks_clean_on_screen_or_printed(
    browser: Browser, server: Server
) -> None:
    run = server.world.runs["tamper"]
    page = open_as(browser, server, "inspector", "zh-CN")
    page.goto(f"{server.url}/runs/{run}")
    assert_not_clean(page, "findings_to_review")
    assert "探头读数跟随空气温度" in page.inner_text(".verdict-box")  # the tamper finding
    # nothing chosen: sending the form as it comes is refused, and what was typed is kept
    radios = page.locator("form.signoff input[name=decision]")
    assert radios.count() == 2 and not any(r.is_checked() for r in radios.all())
    page.fill("#signoff-comment", WHY)
    page.click("form.signoff button[type=submit]")
    page.wait_for_selector("form.signoff .error")
    assert "请选择结论" in page.inner_text("form.signoff .error")
    assert page.input_value("#signoff-comment") == WHY
    page.check("form.signoff input[value=rejected]")
    page.click("form.signoff button[type=submit]")
    page.wait_for_url(f"**/runs/{run}?signed=1#signoff")
    assert_not_clean(page, "rejected")
    assert "已退回" in page.inner_text(".run-state") and WHY in page.inner_text(".run-state")
    assert page.locator("form.signoff").count() == 0
    # a reload after the redirect asks again, it does not post again
    again = page.reload()
    assert again is not None and again.request.method == "GET" and again.status == 200
    assert page.locator("#signoff .error").count() == 0
    shoot(page, "run-rejected")
    # printed: the bureau's heading and the rejection at the top, no green check anywhere there
    page.emulate_media(media="print")
    assert page.locator(".record-office").is_visible()
    assert page.locator(".run-state .review-chip.s-failed").is_visible()
    assert_not_clean(page, "rejected")
    assert page.locator(".signatures").is_visible() and "Inspector" in page.inner_text(
        ".signatures"
    )
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) <= 3
    (ARTIFACTS / "run-rejected.pdf").write_bytes(pdf)
    page.context.close()


def test_the_form_is_offered_only_where_a_decision_can_be_taken(
    browser: Browser, server: Server
) -> None:
    operator = open_as(browser, server, "operator", "en")
    operator.goto(f"{server.url}/runs/{server.world.runs['clean']}")
    assert operator.locator("form.signoff").count() == 0  # not an inspector
    assert_not_clean(operator, "awaiting_signoff")
    operator.context.close()
    page = open_as(browser, server, "inspector", "en")
    page.goto(f"{server.url}/runs/{server.world.runs['open']}")  # still open
    assert page.locator("form.signoff").count() == 0
    page.goto(f"{server.url}/runs/{server.world.runs['clean']}")
    assert page.locator("form.signoff").count() == 1
    page.check("form.signoff input[value=signed_off]")
    page.click("form.signoff button[type=submit]")
    page.wait_for_url("**?signed=1#signoff")
    top = page.locator(".run-state")
    assert top.get_attribute("data-clean") == "yes" and page.locator(".run-state .s-passed").count()
    assert "Inspector" in top.inner_text() and page.locator("form.signoff").count() == 0
    page.context.close()
