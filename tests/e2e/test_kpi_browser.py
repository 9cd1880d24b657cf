"""The bureau's figures in Chromium, in Chinese and English: the headline figures, the charts
drawn by uPlot (served locally), the tables and a CSV, over the known history of
tests/kpiworld.py. Screenshots go to the test artifacts (and /tmp/shots-kpi/ when it exists)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots-kpi") if Path("/tmp/shots-kpi").is_dir() else ARTIFACTS
MARCH = "/kpi?first=2026-03-01&last=2026-03-31"


def _history(url: str) -> None:
    from kpiworld import build
    from phytowatch.storage.database import make_engine

    engine = make_engine(url)
    try:
        build(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("kpi"), extra_facilities=0, prepare=_history) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize(("lang", "title"), [("zh-CN", "本局指标"), ("en", "The bureau's figures")])
def test_the_figures_page_in_both_languages(
    browser: Browser, server: Server, lang: str, title: str
) -> None:
    page = logged_in(browser, server, "admin", lang)
    page.goto(server.url + MARCH)
    assert page.locator("h1").inner_text() == title
    headline = page.locator("#kpi-headline").inner_text()
    assert "5 / 5" in headline  # e-declaration: five declared in March, all electronic
    assert "4 / 5" in headline  # released on documents
    # the three charts are drawn (uPlot, from /static/vendor)
    for chart in ("#chart-release", "#chart-runs", "#chart-alarms"):
        page.locator(f"{chart} canvas").wait_for()
    assert page.locator("#table-interceptions tbody tr").count() == 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"kpi-{lang}.png"), full_page=True)
    with page.expect_download() as download:
        page.locator('a[href^="/kpi/runs.csv"]').click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[1:] == ["S1,3,2,1,0.5000", "S2,1,1,1,1.0000"]
    page.context.close()
