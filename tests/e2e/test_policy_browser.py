"""The policy pages in a real browser (Debian's Chromium, Playwright) against a real
``phytowatch serve``: /rules read by an inspector (the matrix, the [M] values marked in words,
a product searched) and /admin/rules used by the administrator (a ratio changed through the
form, a refused one said beside the form with what was typed kept), in Chinese and in English.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import Server, chromium, logged_in, need_chromium, serving, shoot

if TYPE_CHECKING:
    from playwright._impl._api_structures import FloatRect
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("policy"), extra_facilities=0) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _clip(page: Page, selector: str, name: str, height: int = 420) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    clip: FloatRect = {"x": box["x"], "y": box["y"], "width": box["width"], "height": height}
    page.screenshot(path=str(IMAGES / name), clip=clip)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_inspector_reads_the_policy_with_unverified_values_marked(
    browser: Browser, server: Server, lang: str
) -> None:
    page = logged_in(browser, server, "inspector", lang, width=1100)
    page.click("nav a[href='/rules']")
    page.wait_for_url("**/rules")
    unverified = "未核实" if lang == "zh-CN" else "unverified"
    assert unverified in page.locator("#policy-documents").inner_text()
    strict = "严密监管" if lang == "zh-CN" else "strict supervision"
    assert strict in page.locator("#routing-matrix").inner_text()
    page.fill("input[name=q]", "080450")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/rules?q=080450")
    rows = page.locator("#products tbody tr")
    assert rows.count() == 1
    assert ("芒果" if lang == "zh-CN" else "mango") in rows.first.inner_text()
    page.goto(f"{server.url}/rules")
    suffix = "zh" if lang == "zh-CN" else "en"
    _clip(page, "main", f"policy-rules-{suffix}.png", height=760)
    shoot(page, f"policy-rules-{suffix}")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_administrator_changes_a_ratio_and_a_refusal_keeps_what_was_typed(
    browser: Browser, server: Server, lang: str
) -> None:
    page = logged_in(browser, server, "admin", lang)
    page.goto(f"{server.url}/admin/rules")
    ratio, mode = ("0.45", "special") if lang == "zh-CN" else ("0.4", "general")  # each a change
    page.fill("input[name='r.strict']", ratio)
    page.select_option("select[name='m.IV.general']", mode)
    page.fill("#policy-routing input[name=note]", "")
    # the browser's own check asks for a note first; the server says why too
    page.evaluate("document.querySelector('#policy-routing').noValidate = true")
    page.click("#policy-routing button[type=submit]")
    error = page.locator("#policy-routing .error")
    said = "必须填写说明" if lang == "zh-CN" else "a note saying why"
    assert said in error.inner_text()
    assert page.input_value("input[name='r.strict']") == ratio
    assert page.input_value("select[name='m.IV.general']") == mode
    suffix = "zh" if lang == "zh-CN" else "en"
    _clip(page, "#policy-routing", f"policy-admin-refused-{suffix}.png", height=620)
    page.fill("#policy-routing input[name=note]", f"ratio review ({lang})")
    page.click("#policy-routing button[type=submit]")
    page.wait_for_selector("#policy-done")
    assert "routing 2026.1+" in page.locator("#policy-done").inner_text()
    assert f"ratio review ({lang})" in page.locator("#history-routing + p + table").inner_text()
    shoot(page, f"policy-admin-{suffix}")
