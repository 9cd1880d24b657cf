"""Received ePhyto in Chromium, in both languages: an inspector uploads a broken certificate and
reads each problem with its line and element above the form, then a valid SOAP delivery, lands on
its page with every field labelled in the reader's language, and finds it in the list. The
screenshots go to the test artifacts, or to docs/images/ with PHYTOWATCH_DOC_SCREENSHOTS=1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e
IMAGES = (
    Path(__file__).resolve().parents[2] / "docs" / "images"
    if os.environ.get("PHYTOWATCH_DOC_SCREENSHOTS") == "1"
    else ARTIFACTS
)
SAMPLES = Path(__file__).resolve().parents[1] / "ephyto_samples"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("ephyto"), extra_facilities=0) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_an_inspector_imports_and_reads_a_received_ephyto(
    browser: Browser, server: Server, lang: str
) -> None:
    page = logged_in(browser, server, "inspector", lang, width=1280)
    suffix = "zh" if lang == "zh-CN" else "en"
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server.url}/ephyto")
    page.set_input_files("#ephyto-file", str(SAMPLES / "ar-ec-test-out-of-order.xml"))
    page.locator("#ephyto-import button[type=submit]").click()
    alert = page.locator("#ephyto-import [role=alert]")
    alert.wait_for()
    said = alert.inner_text()
    assert "TransitSPSCountry" in said and "127" in said and "84" in said
    assert ("未导入" if suffix == "zh" else "Not imported") in said
    page.screenshot(path=str(IMAGES / f"ephyto-refused-{suffix}.png"), full_page=True)
    page.set_input_files("#ephyto-file", str(SAMPLES / "bo-ar-hub-envelope-soap.xml"))
    page.locator("#ephyto-import button[type=submit]").click()
    page.wait_for_url(f"{server.url}/ephyto/1?*")
    main = page.locator("main").inner_text()
    assert "BO-5845145424" in main and "Elymus elongatus" in main
    assert ("授权官员" if suffix == "zh" else "Authorized officer") in main
    notice = page.locator("[role=status]").inner_text()
    # the module's server is shared: the Chinese run imports it, the English one is told it was
    assert ("已导入为收到的电子证书 1" if suffix == "zh" else "imported already") in notice
    page.screenshot(path=str(IMAGES / f"ephyto-received-{suffix}.png"), full_page=True)
    page.goto(f"{server.url}/ephyto")
    assert page.locator("main table tbody tr").count() == 1
    assert "BO-5845145424" in page.locator("main table").inner_text()
    page.screenshot(path=str(IMAGES / f"ephyto-list-{suffix}.png"), full_page=True)
