"""The charts of every treatment kind, and every page checked for accessibility, in Chromium
against a real ``phytowatch serve`` over the page world (tests/e2e/pageworld.py) with a 17-day
cold room, a failed hot-water line and a vapour-heat chamber added (tests/e2e/chartworld.py).
One server and one browser for the module (the two share the world to keep the suite fast).

Charts: date labels that never overlap on a multi-day axis, humidity on its own axis in %, the
judged role in view, one legend entry per probe in colours told apart, the replay drawn before
Play; a screenshot of each is kept in test-artifacts/screenshots/.

Accessibility: every page, in both languages, as the roles that use it, checked by axe-core for
WCAG 2.0 and 2.1 level A and AA violations (colour contrast, names, labels, landmarks, ...).
axe-core comes from npm (frontend/package.json, a development dependency: read here from
frontend/node_modules, never served). Each role logs in once per language and visits its paths.
A new page: add its path to ``PAGES`` under a role that may see it (and, when its script draws
after loading, the selector that says it is ready to ``READY``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import chartworld
import pytest
from browser_support import IN_CI, Server, chromium, logged_in, need_chromium, serving, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGS = ("zh-CN", "en")

# role (a pageworld login, or None for nobody logged in) -> the paths it visits; {finished},
# {open}, {cold}, {hot_water}, {vapour} are the world's runs
PAGES: dict[str | None, list[str]] = {
    None: ["/login", "/no-such-page"],
    "operator": [
        "/wall", "/runs", "/runs/{open}", "/facilities/JX-0031-K1", "/enterprises/0031",
        "/alarms", "/admin", "/bases",
    ],
    "declarant": ["/runs/{open}", "/consignments", "/consignments/new"],
    "inspector": [
        "/wall", "/runs", "/runs/{open}", "/runs/{finished}", "/runs/{cold}", "/runs/{hot_water}",
        "/runs/{vapour}", "/runs/{cold}/replay", "/runs/{hot_water}/replay",
        "/facilities/JX-0032-H1", "/alarms", "/runs/999999", "/rules", "/bases", "/consignments",
        "/facilities/JX-0032-H1", "/alarms", "/runs/999999", "/inspections", "/interceptions",
    ],
    "certifier": ["/runs/{open}", "/runs/{finished}"],
    "port": ["/wall", "/runs/{open}"],
    "admin": [
        "/admin", "/admin/facilities/JX-0031-K1", "/admin/users/inspector", "/admin/rules",
        "/admin/rules/routing/versions/2026.1",
        "/admin/classification", "/admin/classification/0031", "/admin/classification/proposals",
    ],
}  # fmt: skip
# a path (pattern) -> what says its script has drawn
READY = {
    r"^/wall$": "#wall[aria-busy=false], main:not(:has(#wall))",
    r"^/runs/\d+$": "body[data-chart-ready], main:not(:has(#chart))",
    r"^/runs/\d+/replay$": "body[data-replay-ready]",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    if not AXE.exists():
        message = f"no axe-core at {AXE} (make assets installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    made = chartworld.Made()
    with serving(tmp_path_factory.mktemp("charts"), extra_facilities=4, prepare=made) as running:
        made.post(running)
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def opened(browser: Browser, server: Server, who: str | None, lang: str) -> Page:
    """Logged in as ``who``; axe is injected as a script, so the pages' Content-Security-Policy
    is bypassed for it."""
    return logged_in(browser, server, who, lang, bypass_csp=True)


def violations(page: Page) -> list[str]:
    """axe's WCAG 2 A/AA violations on the page as shown, one line per element."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => ["
        "n.target.join(' '), n.failureSummary.split('\\n').slice(1, 2).join('')])})))",
        TAGS,
    )
    return [f"{v['id']}: {target} ({why.strip()})" for v in found for target, why in v["nodes"]]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("who", list(PAGES), ids=lambda who: who or "nobody")
def test_no_page_has_a_wcag_violation(
    browser: Browser, server: Server, who: str | None, lang: str
) -> None:
    page = opened(browser, server, who, lang)
    failures = []
    try:
        for pattern in PAGES[who]:
            path = pattern.format(**server.world.runs)
            page.goto(f"{server.url}{path}")
            ready = next((sel for rx, sel in READY.items() if re.search(rx, path)), None)
            if ready:
                page.wait_for_selector(ready, state="attached")
            failures += [f"{path}: {line}" for line in violations(page)]
    finally:
        page.context.close()
    assert failures == [], "\n".join(failures)


# -- charts ---------------------------------------------------------------------------------

LABELS_APART = """() => {
  // the time axis's labels (drawn on the canvas): each pair of neighbours apart by more than
  // half of both their widths, the widest line of a two-line label counting
  const u = window.pwChart.plot, axis = u.axes[0];
  u.ctx.font = axis.font[0];
  const xs = axis._splits.map((s) => u.valToPos(s, "x"));
  const width = (v) => Math.max(...String(v).split("\\n").map((l) => u.ctx.measureText(l).width));
  const widths = axis._values.map(width);
  const tight = xs.slice(1).filter((x, k) => x - xs[k] <= (widths[k] + widths[k + 1]) / 2 + 4);
  return { labels: axis._values.map(String), tight: tight.length };
}"""

LEGEND = """() => [...document.querySelectorAll('.u-legend .u-series')]
  .filter((row) => getComputedStyle(row).display !== 'none')
  .map((row) => row.querySelector('.u-label').textContent)"""

SCALE = "(key) => [window.pwChart.plot.scales[key].min, window.pwChart.plot.scales[key].max]"


def chart_page(browser: Browser, server: Server, run: str, lang: str = "zh-CN") -> Page:
    page = opened(browser, server, "inspector", lang)
    page.goto(f"{server.url}/runs/{server.world.runs[run]}")
    page.wait_for_selector("body[data-chart-ready]", state="attached")
    return page


@pytest.mark.parametrize("lang", LANGS)
def test_a_17_day_cold_run_has_date_labels_that_never_overlap(
    browser: Browser, server: Server, lang: str
) -> None:
    page = chart_page(browser, server, "cold", lang)
    axis = page.evaluate(LABELS_APART)
    assert axis["tight"] == 0, axis["labels"]
    days = [label for label in axis["labels"] if re.fullmatch(r"\d\d-\d\d(\n\d{4})?", label)]
    assert len(days) >= 8, axis["labels"]  # a label a day or every other day, never times
    page.set_viewport_size({"width": 720, "height": 900})  # a narrow window: fewer labels
    page.wait_for_function("window.pwChart.plot.width < 720")
    narrow = page.evaluate(LABELS_APART)
    assert narrow["tight"] == 0 and len(narrow["labels"]) < len(axis["labels"]), narrow
    page.set_viewport_size({"width": 1440, "height": 900})
    # zoomed in to a few hours, the times come back, the date under the first tick of a day
    page.click("button[data-zoom='in']")
    for _ in range(4):
        page.click("button[data-zoom='in']")
    page.wait_for_function("document.body.dataset.chartFetches === '6'")
    zoomed = page.evaluate(LABELS_APART)
    assert zoomed["tight"] == 0, zoomed["labels"]
    assert any(re.fullmatch(r"\d\d:\d\d", label) for label in zoomed["labels"]), zoomed
    # one legend entry per probe (six product cores, two air), each its own colour
    legend = page.evaluate(LEGEND)
    assert [label.split(" ")[0] for label in legend[1:]] == [
        "C1", "C2", "C3", "C4", "C5", "C6", "A1", "A2"
    ]  # fmt: skip
    colours = page.eval_on_selector_all(
        ".u-legend .u-series:not(.u-partner) .u-marker", "ms => ms.map(m => m.style.borderColor)"
    )
    assert len(set(colours[1:])) == 8, colours
    shoot(page, f"chart-cold-{lang}")
    page.context.close()


def test_a_failed_hot_water_run_shows_its_water_probes_and_the_tolerance_band(
    browser: Browser, server: Server
) -> None:
    page = chart_page(browser, server, "hot_water", "en")
    low, high = page.evaluate(SCALE, "y")
    # the water (about 44 to 46.6 °C), the threshold 46.1 and the tolerance 45.4 fill the chart:
    # the pulp warming from 24 °C does not squeeze them against the edge
    assert 42 <= low <= 44 and 46.6 <= high <= 49, (low, high)
    assert page.get_attribute("#chart", "data-shown") == "W1 W2"
    assert "tolerance 45.4 °C" not in page.inner_text("body")  # drawn on the canvas, not text
    shoot(page, "chart-hot-water")
    # a click on a pulp probe's legend entry shows it, and the range follows it
    page.click(".u-legend .u-series:not(.u-partner) >> text=P1")
    low, _ = page.evaluate(SCALE, "y")
    assert low <= 25, low
    assert page.get_attribute("#chart", "data-shown") == "P1 W1 W2"
    # and with the keyboard: a probe's legend entry is a toggle button
    p2 = page.locator(".u-legend .u-series[role=button]", has_text="P2")
    assert p2.get_attribute("aria-pressed") == "false"
    p2.focus()
    page.keyboard.press("Enter")
    assert page.get_attribute("#chart", "data-shown") == "P1 P2 W1 W2"
    assert p2.get_attribute("aria-pressed") == "true"
    # the cursor's time in the legend is the reader's zone, 24-hour
    page.hover("#chart .u-over", position={"x": 300, "y": 100})
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d", page.inner_text(".u-legend .u-series >> nth=0 >> .u-value")
    )
    page.context.close()


def test_a_vapour_heat_run_has_humidity_on_its_own_axis_in_per_cent(
    browser: Browser, server: Server
) -> None:
    page = chart_page(browser, server, "vapour", "en")
    _, top = page.evaluate(SCALE, "y")
    assert top < 60, top  # the °C axis is not stretched by 90 % humidity
    low, high = page.evaluate(SCALE, "rh")
    assert low <= 60 and high >= 95, (low, high)  # the humidity and its 60 % criterion
    labels = page.evaluate("() => window.pwChart.plot.axes.map((a) => a.label)")
    assert labels[1:] == ["°C", "%"]
    assert page.evaluate(LEGEND)[-1].startswith("H1 (relative humidity)")
    shoot(page, "chart-vapour-heat")
    page.context.close()


@pytest.mark.parametrize("run", ["finished", "cold"])
def test_the_replay_shows_the_curves_before_play(
    browser: Browser, server: Server, run: str
) -> None:
    page = opened(browser, server, "inspector", "en")
    page.goto(f"{server.url}/runs/{server.world.runs[run]}/replay")
    page.wait_for_selector("body[data-replay-ready]", state="attached")
    drawn = page.evaluate(
        "() => window.pwChart.plot.data.slice(1).map((vs) => vs.filter((v) => v != null).length)"
    )
    assert min(drawn) > 10, drawn
    assert page.get_attribute("#play", "aria-pressed") in (None, "false")
    shoot(page, f"replay-{run}")
    page.context.close()
