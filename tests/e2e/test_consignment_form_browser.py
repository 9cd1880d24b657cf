"""The declarant's form and the consignment page in Chromium, in both languages: a CSV file of
lines read into the form, a refused field shown beside it with what was typed kept, a draft
submitted, and the timeline. Screenshots of both go to docs/images/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import Server, chromium, logged_in, need_chromium, serving, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
CSV = (
    "product,quantity,unit,packages,package_type\n"
    "mango,300,kg,30,crates\nginger-fresh,5,t,100,bags\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("consignments"), extra_facilities=2) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def clip(page: Page, selector: str, name: str) -> None:
    """A small picture of one part of the page, for the docs."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    page.screenshot(
        path=str(IMAGES / f"{name}.png"),
        clip={
            "x": box["x"],
            "y": box["y"],
            "width": box["width"],
            "height": min(box["height"], 900),
        },
    )


def fill_parties(page: Page, destination: str) -> None:
    page.fill("input[name='consignee.name']", "Pacific Fruit Co.")
    page.fill("input[name='consignee.address']", "12 Harbour Rd, Long Beach")
    page.fill("input[name='destination']", destination)
    page.fill("input[name='port_of_exit']", "CNSHA")
    page.fill("input[name='conveyance']", "vessel COSCO Aries")
    page.fill("textarea[name='containers']", "CSQU3054383")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_declarant_uploads_lines_is_told_what_is_wrong_and_submits(
    browser: Browser, server: Server, lang: str, tmp_path: Path
) -> None:
    page = logged_in(browser, server, "declarant", lang)
    try:
        page.goto(f"{server.url}/consignments/new")
        fill_parties(page, "XX")
        page.locator("details.csv-lines summary").click()
        lines = tmp_path / "lines.csv"
        lines.write_text("\ufeff" + CSV, encoding="utf-8")
        page.set_input_files("#lines-file", str(lines))
        from playwright.sync_api import expect

        # the page's script reads the file into the box (under the page's CSP)
        expect(page.locator("#lines-csv")).to_have_value(re.compile("ginger-fresh"))
        page.click("button[value='submit']")
        page.wait_for_selector("#err-destination")
        assert page.input_value("input[name='destination']") == "XX"  # what was typed, kept
        assert page.locator("#err-destination").get_attribute("role") == "alert"
        products = page.locator("select[name='lines[1].product']").input_value()
        assert products == "ginger-fresh"  # the CSV's lines are in the draft's table now
        clip(page, "#declaration-form", "consignment-form" + ("" if lang == "en" else "-zh"))
        page.fill("input[name='destination']", "US")
        page.click("button[value='submit']")
        page.wait_for_url(re.compile(r".*/consignments/\d+\?submitted=1$"))
        # drafted, submitted, and routed at once (in the submission's transaction)
        assert page.locator("table.timeline tbody tr").count() == 3
        assert page.locator("section.route").count() == 1
        shown = "consignment-timeline" + ("" if lang == "en" else "-zh")
        clip(page, "section:has(#timeline-h)", shown)
        shoot(page, f"consignment-{lang}")
    finally:
        page.context.close()


AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page) -> list[str]:
    """axe's WCAG 2 A/AA violations on the page as shown (as the accessibility test runs it)."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, object]] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}).then(r => r.violations.map(v => v.id + ' ' +"
        " v.nodes.map(n => n.target.join(' ')).join(', ')))",
        TAGS,
    )
    return [str(v) for v in found]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_refused_form_and_the_consignment_page_pass_axe(
    browser: Browser, server: Server, lang: str
) -> None:
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE} (make assets installs it)")
    page = logged_in(browser, server, "declarant", lang, bypass_csp=True)  # axe is a script
    try:
        page.goto(f"{server.url}/consignments/new")
        fill_parties(page, "US")
        page.select_option("select[name='lines[0].product']", "mango")
        page.fill("input[name='lines[0].quantity']", "ten")
        page.click("button[value='submit']")
        page.wait_for_selector("#err-lines-0-quantity")
        assert violations(page) == []
        page.fill("input[name='lines[0].quantity']", "10")
        page.select_option("select[name='lines[0].unit']", "kg")
        page.fill("input[name='lines[0].packages']", "2")
        page.fill("input[name='lines[0].package_type']", "crates")
        page.click("button[value='submit']")
        page.wait_for_url(re.compile(r".*/consignments/\d+\?submitted=1$"))
        assert violations(page) == []
    finally:
        page.context.close()
