"""Classification and raw-material bases in a real Chromium, in Chinese and English: the
administrator's classification list and its proposals, an inspector suspending a base through
its form, an enterprise seeing only its own bases. Screenshots of the pages go to the test
artifacts; with ``DOCS_IMAGES=1`` to docs/images/ (the docs' pictures, made again).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving

from acting import ctx_of
from phytowatch.bootstrap import bootstrap
from phytowatch.config import load_settings
from phytowatch.domain.accounts import ROLE_ACTIONS, Principal, Role
from phytowatch.services.supervision.bases import register_base
from phytowatch.services.supervision.standing import compute_proposals, set_standing

if TYPE_CHECKING:
    from playwright._impl._api_structures import Clip
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
IMAGES = (
    Path(__file__).resolve().parents[2] / "docs" / "images"
    if os.environ.get("DOCS_IMAGES") == "1"
    else ARTIFACTS
)
ADMIN = Principal("user", "user:admin", ROLE_ACTIONS[Role.ADMINISTRATOR], Role.ADMINISTRATOR)
T = 1_772_446_620_000_000
BASES = (
    ("GZ-ORCH-0001", "0031", "安远脐橙标准化基地", ["citrus-navel-orange"], "赣州市安远县"),
    ("GZ-ORCH-0002", "0031", "寻乌脐橙基地", ["citrus-navel-orange", "citrus-mandarin"],
     "赣州市寻乌县"),
    ("NC-TEA-0001", "0032", "南昌绿茶基地", ["tea-green"], "南昌市湾里区"),
)  # fmt: skip


def _prepare(url: str) -> None:
    services = bootstrap(load_settings(database_url=url))
    try:
        ctx = ctx_of(ADMIN, T)
        for number, enterprise, name, products, location in BASES:
            register_base(
                services.bases, services.policy, services.audit, ctx=ctx, number=number,
                enterprise=enterprise, name=name, products=products, location=location,
            )  # fmt: skip
        set_standing(
            services.classification, services.policy, services.audit, "0031", ctx=ctx,
            e_supervised=True, reason="纳入电子监管试点",
        )  # fmt: skip
        compute_proposals(
            services.classification, services.policy, services.record_counters,
            services.audit, ctx=ctx,
        )  # fmt: skip
    finally:
        services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(
        tmp_path_factory.mktemp("classification"), extra_facilities=0, prepare=_prepare
    ) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _picture(page: Page, name: str, lang: str) -> None:
    """The page's main part, clipped: a small image for the docs."""
    box = page.locator("main").bounding_box()
    assert box is not None
    clip: Clip = {
        "x": box["x"],
        "y": box["y"],
        "width": min(box["width"], 1400),
        "height": min(box["height"], 700),
    }
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}-{'zh' if lang == 'zh-CN' else 'en'}.png"), clip=clip)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_administrator_sees_every_enterprise_and_the_proposals(
    browser: Browser, server: Server, lang: str
) -> None:
    page = logged_in(browser, server, "admin", lang)
    page.goto(f"{server.url}/admin/classification")
    table = page.locator("#standings")
    assert table.locator("tbody tr").count() == 3
    assert ("二类" if lang == "zh-CN" else "Class II") in table.inner_text()
    _picture(page, "classification", lang)
    page.goto(f"{server.url}/admin/classification/proposals?state=proposed")
    proposals = page.locator("#proposals tbody tr")
    assert proposals.count() >= 1
    # every measure the rules name is counted by a store: no note of a measure not counted
    assert page.locator("[role=note]").count() == 0
    _picture(page, "classification-proposals", lang)
    page.goto(f"{server.url}/admin/classification/0031")
    assert "纳入电子监管试点" in page.locator("#history").inner_text()
    _picture(page, "classification-enterprise", lang)
    page.context.close()


def test_an_inspector_suspends_a_base_through_its_form(browser: Browser, server: Server) -> None:
    page = logged_in(browser, server, "inspector", "en")
    page.goto(f"{server.url}/bases/NC-TEA-0001")
    page.fill("#status-form textarea[name=reason]", "tea mites found on inspection")
    page.click("#status-form button[type=submit]")
    page.wait_for_url(f"{server.url}/bases/NC-TEA-0001")
    assert "tea mites found on inspection" in page.locator("#history").inner_text()
    assert "suspended" in page.locator(".facts").inner_text()
    _picture(page, "base", "en")
    page.context.close()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_an_enterprise_sees_only_its_own_bases_read_only(
    browser: Browser, server: Server, lang: str
) -> None:
    page = logged_in(browser, server, "operator", lang)
    page.goto(f"{server.url}/bases")
    rows = page.locator("#bases tbody tr")
    assert rows.count() == 2
    assert "NC-TEA-0001" not in page.locator("main").inner_text()
    assert page.locator("#register-form").count() == 0
    _picture(page, "bases", lang)
    page.context.close()
