"""The IPPC mark in Chromium, in both languages: the inspector authorises it from the run page
(a wrong quantity is said next to the form, keeping what was typed), the authorisation's page
shows the mark and its check code, and anyone verifies it on the public page without logging
in. Screenshots go to the test artifacts (and /tmp/shots-mark/ when that exists)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots-mark") if Path("/tmp/shots-mark").is_dir() else ARTIFACTS
RUNS = Path("marks-runs.json")


def _passed_runs(url: str) -> None:
    """A kiln with treater number 007 and two closed PASS runs under ispm15-ht, signed off by
    the inspector (one per language), written beside the database for the tests."""
    from acting import ctx_at
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services import signoff
    from phytowatch.services.accounts import principal_of
    from phytowatch.services.clock import FixedClock
    from phytowatch.services.context import Context
    from phytowatch.services.provisioning import add_facility
    from phytowatch.services.runs import start_run

    services = bootstrap(load_settings(database_url=url))
    try:
        now = services.clock.now()
        add_facility(
            services.registry, "JX-0031-K9", "0031", "kiln", ["C1:product", "C2:product",
            "C3:product"], treater_number="007", ctx=ctx_at(now),
        )  # fmt: skip
        user = services.accounts.user_by_login("inspector")
        assert user is not None
        inspector = principal_of(services.accounts, user)
        runs = []
        for n in range(2):
            run = start_run(
                services.runs, "JX-0031-K9", "ispm15-ht", load="pine pallets",
                ctx=ctx_at(now - 100_000_000 + n),
            ).id  # fmt: skip
            judgement = {"verdict": "PASS", "findings": [], "review_required": False}
            services.runs.close_run(
                run, now - 50_000_000 + n, "pass", "PASS", json.dumps(judgement)
            )
            signoff.sign_off(
                services.runs, services.accounts, services.audit, run,
                ctx=Context.of(inspector, FixedClock(now)), decision="signed_off",
                comment="core probes checked against the curve",
            )  # fmt: skip
            runs.append(run)
    finally:
        services.close()
    (Path(url.removeprefix("sqlite:///")).parent / RUNS).write_text(json.dumps(runs))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, list[int]]]:
    need_chromium()
    root = tmp_path_factory.mktemp("marks")
    with serving(root, extra_facilities=0, prepare=_passed_runs) as running:
        yield running, json.loads((root / RUNS).read_text())


@pytest.fixture(scope="module")
def browser(server: tuple[Server, list[int]]) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "index"), [("zh-CN", 0), ("en", 1)])
def test_authorise_from_the_run_page_then_verify_publicly(
    browser: Browser, server: tuple[Server, list[int]], lang: str, index: int
) -> None:
    running, runs = server
    run = runs[index]
    suffix = "zh" if lang == "zh-CN" else "en"
    page = logged_in(browser, running, "inspector", lang, width=1280)
    page.goto(f"{running.url}/runs/{run}#marks")
    section = page.locator("#marks")
    assert ("IPPC 标识" if suffix == "zh" else "IPPC mark") in section.locator("h2").inner_text()
    page.fill("#mark-load", "heat-treated pine pallets")
    page.fill("#mark-quantity", "zero")
    page.select_option("#mark-unit", "pallets")
    page.click("#mark-form button[type=submit]")
    page.wait_for_selector("#mark-form .error")
    said = page.inner_text("#mark-form .error")
    assert ("数量" in said or "quantity" in said) and said.startswith("quantity")
    assert page.input_value("#mark-load") == "heat-treated pine pallets"
    page.fill("#mark-quantity", "120")
    page.click("#mark-form button[type=submit]")
    page.wait_for_url(f"**/runs/{run}?marked=*")
    row = page.locator("#mark-list tbody tr").first
    number = row.locator("td").first.inner_text()
    assert number.startswith("MK") and "CN-36 007 HT" in row.inner_text()
    page.locator("#marks").scroll_into_view_if_needed()
    _shot(page, f"mark-run-{suffix}")
    page.click(f"#mark-list a[href='/marks/{number}']")
    page.wait_for_url(f"**/marks/{number}")
    check = page.locator("dl.facts code").inner_text()
    assert len(check) == 6
    assert page.locator(".ippc-mark-lines span").all_inner_texts() == ["CN-36 007", "HT"]
    _shot(page, f"mark-page-{suffix}")
    page.context.close()

    public = logged_in(browser, running, None, lang, width=1280)
    public.goto(f"{running.url}/marks/verify")
    public.fill("#verify-number", number)
    public.fill("#verify-check", "WRONG9")
    public.click("#verify-form button[type=submit]")
    public.wait_for_selector("#verify-error")
    assert public.locator("#verify-result").count() == 0
    public.fill("#verify-check", check.lower())
    public.click("#verify-form button[type=submit]")
    public.wait_for_selector("#verify-result")
    result = public.inner_text("#verify-result")
    assert ("有效" if suffix == "zh" else "Valid") in result
    assert "CN-36 007 HT" in result and "JX-0031-K9" in result
    _shot(public, f"mark-verify-{suffix}")
    public.context.close()
    if suffix == "en":  # the second language's run is then revoked, and verified again
        _revoke_then_verify(browser, running, number, check)


def _revoke_then_verify(browser: Browser, running: Server, number: str, check: str) -> None:
    page = logged_in(browser, running, "inspector", "en", width=1280)
    page.goto(f"{running.url}/marks/{number}")
    page.fill("#revoke-reason", "the load was found untreated at the port")
    page.click("#revoke-form button[type=submit]")
    page.wait_for_selector("#revocation .s-failed")
    assert "found untreated" in page.inner_text("#revocation")
    _shot(page, "mark-revoked-en")
    page.context.close()
    public = logged_in(browser, running, None, "zh-CN", width=1280)
    public.goto(f"{running.url}/marks/verify?number={number}&check={check}")
    result = public.inner_text("#verify-result")
    assert "已撤销" in result and "有效" not in result
    _shot(public, "mark-verify-revoked-zh")
    public.context.close()
