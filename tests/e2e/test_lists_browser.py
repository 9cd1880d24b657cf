"""The lists in a real browser (Debian's Chromium, Playwright) against a real ``phytowatch
serve``: the inspector's queue (findings first) reached from the nav with its count, and the
runs list filtered through its form, in Chinese and in English. One server for the module.

Besides pageworld's runs, three closed runs: a PASS with findings (JX-0031-F000), a clean PASS
that closed earlier (JX-0032-F001, calibrated here), and a FAIL (JX-0099-F002).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pageworld
import pytest
from browser_support import Server, chromium, logged_in, need_chromium, serving, shoot

from acting import ctx_at

if TYPE_CHECKING:  # imported where a browser is launched: a run without one needs none of it
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
HOUR = 3_600_000_000
RUNS: dict[str, int] = {}


def _prepare(database_url: str) -> None:
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import add_calibration
    from phytowatch.services.runs import start_run

    services = bootstrap(load_settings(database_url=database_url))
    now = pageworld.now_us()
    try:
        for probe in ("P1", "P2", "P3"):
            add_calibration(
                services.registry, "JX-0032-F001", probe, "0.00", calibrated_at=now - 9 * HOUR,
                due_at=now + 9000 * HOUR, certificate="JJF-1", ctx=ctx_at(now),
            )  # fmt: skip
        made = (
            ("awaiting", "JX-0032-F001", 8, "PASS", {"findings": [], "review_required": False}),
            ("findings", "JX-0031-F000", 6, "PASS", {"findings": [{"kind": "flatline"}]}),
            ("failed", "JX-0099-F002", 4, "FAIL", {"findings": [], "review_required": False}),
        )
        for name, facility, hours_ago, verdict, judgement in made:
            start = now - hours_ago * HOUR
            run = start_run(services.runs, facility, "ispm15-ht", load="x", ctx=ctx_at(start))
            services.runs.close_run(
                run.id, start + HOUR, verdict.lower(), verdict, json.dumps(judgement)
            )
            RUNS[name] = run.id
    finally:
        services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("lists"), prepare=_prepare) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_as(browser: Browser, server: Server, who: str, lang: str) -> Page:
    """Logged in as ``who`` through the login page (browser_support.logged_in)."""
    return logged_in(browser, server, who, lang)


def _rows(page: Page) -> list[tuple[int, str]]:
    """(run, review state) of each row of the list, in its order."""
    out = []
    for row in page.locator("table.lists tbody tr").all():
        state = (row.get_attribute("class") or "").removeprefix("review-row-")
        run = row.locator("td").first.inner_text().strip().lstrip("#")
        out.append((int(run), state))
    return out


@pytest.mark.parametrize(
    ("lang", "queue", "findings"),
    [("zh-CN", "待签发", "有发现待审核"), ("en", "To sign off", "findings to review")],
)
def test_the_inspectors_queue_is_in_the_nav_with_its_count_findings_first(
    browser: Browser, server: Server, lang: str, queue: str, findings: str
) -> None:
    page = open_as(browser, server, "inspector", lang)
    link = page.locator('header nav a[href="/queue"]')
    count = int(link.locator(".count").inner_text())
    assert link.inner_text().startswith(queue)
    link.click()
    page.wait_for_url("**/queue")
    rows = _rows(page)
    assert len(rows) == count >= 2
    states = [state for _, state in rows]
    assert set(states) <= {"findings_to_review", "awaiting_signoff"}
    assert states == sorted(states, key=lambda s: s != "findings_to_review")  # findings first
    ids = [run for run, _ in rows]
    # the run with findings comes first although the clean one has waited longer
    assert ids.index(RUNS["findings"]) < ids.index(RUNS["awaiting"])
    assert findings in page.locator("table.lists").inner_text()
    assert page.locator("table.lists .s-passed").count() == 0  # nothing here is signed off
    shoot(page, f"queue-inspector-{lang}")
    page.context.close()


@pytest.mark.parametrize(
    ("lang", "review_label", "filter_button"),
    [("zh-CN", "有发现待审核", "筛选"), ("en", "findings to review", "Filter")],
)
def test_the_runs_list_filters_through_its_form(
    browser: Browser, server: Server, lang: str, review_label: str, filter_button: str
) -> None:
    page = open_as(browser, server, "inspector", lang)
    page.goto(f"{server.url}/runs")
    shoot(page, f"runs-inspector-{lang}")
    assert {RUNS["findings"], RUNS["awaiting"], RUNS["failed"]} <= {r for r, _ in _rows(page)}
    page.select_option('select[name="review"]', label=review_label)
    page.get_by_role("button", name=filter_button).click()
    page.wait_for_url("**/runs?*review=findings_to_review*")
    rows = _rows(page)
    assert RUNS["findings"] in {r for r, _ in rows}
    assert {state for _, state in rows} == {"findings_to_review"}
    # the filters stay in the form, and a search narrows them
    assert page.locator('select[name="review"]').input_value() == "findings_to_review"
    page.fill('input[name="q"]', "F000")
    page.get_by_role("button", name=filter_button).click()
    page.wait_for_url("**/runs?*q=F000*")
    assert _rows(page) == [(RUNS["findings"], "findings_to_review")]
    # a failed run is found by the verdict filter, and the CSV link keeps the filters
    page.goto(f"{server.url}/runs?verdict=FAIL")
    assert RUNS["failed"] in {r for r, _ in _rows(page)}
    assert page.locator("a[download]").get_attribute("href") == "/runs.csv?verdict=FAIL"
    page.context.close()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_an_enterprise_user_sees_only_its_own_runs_and_facilities(
    browser: Browser, server: Server, lang: str
) -> None:
    page = open_as(browser, server, "operator", lang)  # enterprise 0031
    page.goto(f"{server.url}/runs")
    facilities = set(page.locator("table.lists tbody td:nth-child(2) a").all_inner_texts())
    assert facilities and all(code.startswith("JX-0031-") for code in facilities)
    shoot(page, f"runs-operator-{lang}")
    page.goto(f"{server.url}/facilities")
    codes = page.locator("table.lists tbody td:first-child a").all_inner_texts()
    assert codes and all(code.startswith("JX-0031-") for code in codes)
    shoot(page, f"facilities-operator-{lang}")
    page.context.close()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_facilities_and_enterprises_lists_as_the_bureau_sees_them(
    browser: Browser, server: Server, lang: str
) -> None:
    page = open_as(browser, server, "inspector", lang)
    page.locator('header nav a[href="/facilities"]').click()
    page.wait_for_url("**/facilities")
    assert page.locator("table.lists tbody tr").count() == 14  # 2 kilns and 12 others
    assert ("赣州" if lang == "zh-CN" else "Ganzhou") in page.locator("table.lists").inner_text()
    shoot(page, f"facilities-inspector-{lang}")
    page.goto(f"{server.url}/facilities?kind=kiln")
    assert page.locator("table.lists tbody tr").count() == 5
    page.locator('header nav a[href="/enterprises"]').click()
    page.wait_for_url("**/enterprises")
    assert page.locator("table.lists tbody tr").count() == 3
    shoot(page, f"enterprises-inspector-{lang}")
    page.context.close()
