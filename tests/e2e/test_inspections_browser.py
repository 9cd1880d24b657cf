"""The inspector's queue and the assessment form in Chromium, in both languages: the queue
lists what the office must inspect with its mode and why; the form refuses a decision that
lacks its reason next to the field, keeping what was typed, then records it and returns to the
queue; the interception records show what was found. The screenshots go to the test artifacts,
or to docs/images/ with PHYTOWATCH_DOC_SCREENSHOTS=1 (how the docs' images are made)."""

from __future__ import annotations

import os
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
T0 = 1_772_361_600_000_000


def _consignments(url: str) -> None:
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from routingworld import submitted

    services = bootstrap(load_settings(database_url=url))
    try:
        for n, (code, product) in enumerate(
            [("0031", "wood-packaging"), ("0032", "citrus-navel-orange"), ("0032", "mango"),
             ("0031", "tea-green")]
        ):  # fmt: skip
            submitted(services, code, f"JX26-{n + 1:05d}", product, at=T0 + n * 60_000_000)
    finally:
        services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("inspections"), extra_facilities=0,
                 prepare=_consignments) as running:  # fmt: skip
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _clip(page: Page, selector: str, name: str, *, top: str | None = None) -> None:
    """From the top of the page (or of ``top``) to the bottom of ``selector``, at most 900 px."""
    box = page.locator(selector).first.bounding_box()
    start = 0.0 if top is None else page.locator(top).first.bounding_box()["y"] - 16  # type: ignore[index]
    assert box is not None
    IMAGES.mkdir(parents=True, exist_ok=True)
    height = min(900.0, box["y"] + box["height"] + 16 - start)
    clip = {"x": 0, "y": start, "width": 1280, "height": height}
    page.screenshot(path=str(IMAGES / f"{name}.png"), clip=clip, full_page=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_queue_the_form_and_the_records(browser: Browser, server: Server, lang: str) -> None:
    page = logged_in(browser, server, "inspector", lang, width=1280)
    suffix = "zh" if lang == "zh-CN" else "en"
    page.goto(f"{server.url}/inspections")
    rows = page.locator("main table tbody tr")
    waiting = rows.count()
    assert waiting == (4 if lang == "zh-CN" else 3)  # the first run of the module assessed one
    assert page.locator("nav a[href='/inspections'] .count").inner_text() == str(waiting)
    oldest = f"JX26-0000{5 - waiting}"  # the longest waiting first
    assert rows.first.locator("td").first.inner_text() == oldest
    _clip(page, "main table", f"inspections-queue-{suffix}")
    rows.first.locator("a").click()
    page.fill("#inspected", "3 of 40 cartons opened" if lang == "en" else "开箱 3/40")
    page.fill("input[name='interceptions-0-pest']", "Bactrocera dorsalis")
    page.select_option("select[name='interceptions-0-life_stage']", "larva")
    page.fill("input[name='interceptions-0-count']", "4")
    page.check("input[name='conformity'][value='not_conforming']")
    page.click("form.assess button[type='submit']")
    error = page.locator("#err-disposal")
    assert error.is_visible()
    assert page.input_value("input[name='interceptions-0-pest']") == "Bactrocera dorsalis"
    _clip(
        page,
        "form.assess",
        f"inspections-form-refused-{suffix}",
        top="form.assess fieldset >> nth=1",
    )
    page.select_option("#disposal", "re_treatment")
    page.click("form.assess button[type='submit']")
    page.wait_for_url("**/inspections?assessed=1")
    assert page.locator("main table tbody tr").count() == waiting - 1
    assert oldest not in page.locator("main table").inner_text()
    page.goto(f"{server.url}/interceptions")
    assert "Bactrocera dorsalis" in page.locator("main table").inner_text()
    _clip(page, "main table", f"interceptions-{suffix}")
    page.context.close()


AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_form_with_its_refusals_has_no_wcag_violation(
    browser: Browser, server: Server, lang: str
) -> None:
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE} (make assets installs it)")
    page = logged_in(browser, server, "inspector", lang, bypass_csp=True)
    try:
        page.goto(f"{server.url}/inspections")
        page.locator("main table tbody tr a").first.click()
        page.fill("#inspected", "2 cartons")
        page.check("input[name='conformity'][value='not_conforming']")
        page.click("form.assess button[type='submit']")
        assert page.locator("#err-disposal").is_visible()
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa',"
            " 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' ')))"
        )
        assert found == []
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_queue_is_filtered_from_its_form(browser: Browser, server: Server, lang: str) -> None:
    page = logged_in(browser, server, "inspector", lang, width=1280)
    try:
        page.goto(f"{server.url}/inspections")
        total = page.locator("main table tbody tr").count()
        assert total > 0
        enterprise = page.locator("main table tbody tr td").nth(1).inner_text()
        page.fill("form.filters input[name='enterprise']", enterprise)
        page.select_option("form.filters select[name='rule']", "not_e_supervised")
        page.click("form.filters button[type='submit']")
        page.wait_for_url("**/inspections?*rule=not_e_supervised*")
        cells = page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()
        assert cells and set(cells) == {enterprise}
        assert page.input_value("form.filters input[name='enterprise']") == enterprise
        export = page.locator("form.filters a[download]").get_attribute("href") or ""
        assert export.startswith("/inspections.csv?") and "rule=not_e_supervised" in export
        page.select_option("form.filters select[name='rule']", "key_list")
        page.click("form.filters button[type='submit']")
        page.wait_for_url("**/inspections?*rule=key_list*")
        assert page.locator("main table").count() == 0
        assert page.locator("main p.empty").is_visible()
    finally:
        page.context.close()
