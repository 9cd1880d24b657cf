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
        if lang == "en":
            clip(page, "#declaration-form", "consignment-form")
        page.fill("input[name='destination']", "US")
        page.click("button[value='submit']")
        page.wait_for_url(re.compile(r".*/consignments/\d+\?submitted=1$"))
        assert page.locator("table.timeline tbody tr").count() == 2
        if lang == "en":
            clip(page, "section:has(#timeline-h)", "consignment-timeline")
        shoot(page, f"consignment-{lang}")
    finally:
        page.context.close()
