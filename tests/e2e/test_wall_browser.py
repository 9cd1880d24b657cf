"""The wall read at a glance, in Chromium against a real ``phytowatch serve``, in Chinese and
English: a province of 77 facilities (the browser tests' province grown, with a failed run, a
pass with tamper findings, a rejected pass and a signed-off pass); clicking a count filters the
tiles and says which filter is on; compact mode with idle facilities hidden fits the province
on one 1920x1080 screen with city and kind on every tile; a failed run is found by the "failed"
count; a rejected run's tile never carries the clean-pass mark. One server for the module."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pageworld
import pytest
from browser_support import Server, call, chromium, need_chromium, serving, shoot

if TYPE_CHECKING:  # imported where a browser is launched: a run without one needs none of it
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
WAIT_MS = 15_000
PROVINCE = 77
MINE = {"F": "FAIL", "T": "PASS", "R": "PASS", "S": "PASS"}  # facility JX-0032-<key>: verdict
TAMPER = {
    "verdict": "PASS",
    "findings": [{"kind": "tracks_air", "probe": "P3"}],
    "review_required": True,
}
LANGUAGES = ["zh-CN", "en"]
WORDS = {
    "zh-CN": {"failed": "不合格", "rejected": "已退回", "review": "待审核", "city": "南昌"},
    "en": {
        "failed": "failed", "rejected": "rejected", "review": "awaiting review",
        "city": "Nanchang",
    },
}  # fmt: skip
# on the screen: no scrolling, and every tile shown is inside the viewport
FITS = """() => document.documentElement.scrollHeight <= innerHeight
  && [...document.querySelectorAll('.tile:not([hidden])')]
       .every(t => t.getBoundingClientRect().bottom <= innerHeight)"""
STATES = "ts => ts.map(t => [t.querySelector('.code').textContent, t.dataset.state])"
PLACES = """ts => ts.map(t => {
  const place = t.querySelector('.place');
  return [place.textContent, place.getBoundingClientRect().height];
})"""


def _closed_runs(url: str, runs: dict[str, int]) -> None:
    """Four kilns of enterprise 0032 (南昌), each with a closed run: failed, a pass with tamper
    findings, and two passes an inspector decides on once serving."""
    from acting import ctx_at
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import add_facility
    from phytowatch.services.runs import start_run

    services = bootstrap(load_settings(database_url=url))
    now = pageworld.now_us()
    try:
        for key, verdict in MINE.items():
            code = f"JX-0032-{key}"
            add_facility(
                services.registry, code, "0032", "kiln", ["P1", "P2", "P3"], ctx=ctx_at(now)
            )
            run = start_run(
                services.runs, code, "ispm15-ht", load="x", ctx=ctx_at(now - 90 * 60_000_000)
            ).id
            judgement = TAMPER if key == "T" else {"verdict": verdict, "findings": []}
            services.runs.close_run(
                run, now - 60_000_000, verdict.lower(), verdict, json.dumps(judgement)
            )
            runs[key] = run
    finally:
        services.close()


def _decide(server: Server, run: int, decision: str) -> None:
    """The inspector's decision on a run, over the API as the page's form would send it."""
    session = _session(server)
    status, body = call(
        server.port, "POST", f"/api/v1/runs/{run}/signoff",
        {"decision": decision, "comment": "the probes were uncalibrated: checked by hand"},
        {"Content-Type": "application/json", **session},
    )  # fmt: skip
    assert status == 201, body


def _session(server: Server) -> dict[str, str]:
    """The inspector's session: its cookie and CSRF token, as headers."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(
            "POST", "/api/v1/auth/login",
            json.dumps({"login": "inspector", "password": pageworld.PASSWORD}),
            {"Content-Type": "application/json"},
        )  # fmt: skip
        answer = conn.getresponse()
        body = json.loads(answer.read())
        cookie = (answer.getheader("set-cookie") or "").split(";", 1)[0]
        return {"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    runs: dict[str, int] = {}
    extra = PROVINCE - 2 - len(MINE)  # pageworld's two kilns, and ours
    with serving(
        tmp_path_factory.mktemp("wall"), extra_facilities=extra,
        prepare=lambda url: _closed_runs(url, runs),
    ) as running:  # fmt: skip
        running.world.runs.update({f"wall-{key}": run for key, run in runs.items()})
        _decide(running, runs["R"], "rejected")
        _decide(running, runs["S"], "signed_off")
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_wall(browser: Browser, server: Server, lang: str, query: str = "") -> Page:
    """The inspector's wall at 1920x1080, logged in through the login page. (Playwright's
    ``wait_for_function`` evaluates strings, which the pages' policy forbids: bypassed here.)"""
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale=lang,
        extra_http_headers={"Accept-Language": lang}, bypass_csp=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/login?next=" + (f"/wall{query}".replace("&", "%26")))
    page.fill("#login", "inspector")
    page.fill("#password", pageworld.PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r".*/wall"))
    page.wait_for_selector("body[data-wall-loaded]")
    page.wait_for_function("document.body.dataset.wallShown !== undefined")
    page.errors = errors  # type: ignore[attr-defined]  # kept with the page for the asserts
    return page


def _shown(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        ".tile:not([hidden])", "tiles => tiles.map(t => t.querySelector('.code').textContent)"
    )


def _counts(page: Page) -> dict[str, int]:
    got = page.eval_on_selector_all(
        "#wall-counts button",
        "bs => bs.map(b => [b.dataset.state, Number(b.querySelector('b').textContent)])",
    )
    return dict(got)


def _api(page: Page) -> Any:
    return page.evaluate("fetch('/api/v1/wall').then(r => r.json())")


def _shot(page: Page, name: str) -> None:
    path = shoot(page, name)
    copy = Path("/tmp/shots/wall")
    if copy.is_dir():  # also where the wall's screenshots are looked at by hand
        (copy / path.name).write_bytes(path.read_bytes())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_clicking_a_count_filters_the_tiles_and_a_failed_run_is_found_by_failed(
    browser: Browser, server: Server, lang: str
) -> None:
    page = open_wall(browser, server, lang)
    assert len(_shown(page)) == PROVINCE
    # the script's states and counts are the server's (web/wall.py): the same rules
    api = _api(page)
    states = dict(page.eval_on_selector_all(".tile", STATES))
    assert states == {row["code"]: row["state"] for row in api["facilities"]}
    assert _counts(page) == api["counts"]
    assert api["counts"]["failed"] == 1 and api["counts"]["all"] == PROVINCE
    failed = page.locator("#wall-counts button[data-state=failed]")
    assert WORDS[lang]["failed"] in failed.inner_text()
    failed.click()
    page.wait_for_function("document.querySelectorAll('.tile:not([hidden])').length === 1")
    assert _shown(page) == ["JX-0032-F"]
    assert failed.get_attribute("aria-pressed") == "true"  # which filter is on
    assert page.locator("#wall-counts [aria-pressed=true]").count() == 1
    assert "state=failed" in page.url  # a wall screen can be bookmarked so
    tile = page.locator(".tile:not([hidden])")
    assert WORDS[lang]["failed"] in tile.inner_text() and "✓" not in tile.inner_text()
    assert tile.get_attribute("href") == f"/runs/{server.world.runs['wall-F']}"
    _shot(page, f"wall-failed-{lang}")
    page.reload()
    page.wait_for_selector("body[data-wall-loaded]")
    page.wait_for_function("document.querySelectorAll('.tile:not([hidden])').length === 1")
    assert (
        page.locator("#wall-counts button[data-state=failed]").get_attribute("aria-pressed")
        == "true"
    )
    # the same count again shows everything
    page.locator("#wall-counts button[data-state=failed]").click()
    page.wait_for_function(
        f"document.querySelectorAll('.tile:not([hidden])').length === {PROVINCE}"
    )
    assert (
        page.locator("#wall-counts button[data-state=all]").get_attribute("aria-pressed") == "true"
    )
    assert "state=" not in page.url
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compact_and_hide_idle_fit_the_province_on_one_screen_with_city_and_kind_on_each_tile(
    browser: Browser, server: Server, lang: str
) -> None:
    page = open_wall(browser, server, lang)
    page.check("input[name=compact]")
    page.wait_for_selector("#wall.compact")
    # every tile of the province on the screen, without scrolling, even the idle ones
    assert len(_shown(page)) == PROVINCE and page.evaluate(FITS)
    places = page.eval_on_selector_all(".tile", PLACES)
    assert all(" · " in text and height > 0 for text, height in places)
    assert any(text.startswith(WORDS[lang]["city"] + " · ") for text, _ in places)
    page.check("input[name=idle]")
    page.wait_for_function(f"document.querySelectorAll('.tile:not([hidden])').length < {PROVINCE}")
    assert page.evaluate(FITS)
    assert page.locator(".tile.s-idle:not([hidden])").count() == 0
    assert "compact=1" in page.url and "idle=hide" in page.url
    _shot(page, f"wall-compact-{lang}")
    page.uncheck("input[name=idle]")
    page.wait_for_function(
        f"document.querySelectorAll('.tile:not([hidden])').length === {PROVINCE}"
    )
    # grouped by city: a heading per city, in the reader's language, with its tiles under it
    page.select_option("select[name=group]", "city")
    page.wait_for_selector(".wall-group:not([hidden])")
    headings = page.locator(".wall-group:not([hidden])").all_inner_texts()
    assert len(headings) == 3 and any(h.startswith(WORDS[lang]["city"] + " · ") for h in headings)
    assert sum(int(h.rsplit(" · ", 1)[1]) for h in headings) == PROVINCE
    assert "group=city" in page.url
    _shot(page, f"wall-compact-by-city-{lang}")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_rejected_run_or_a_pass_with_findings_never_carries_the_clean_pass_mark(
    browser: Browser, server: Server, lang: str
) -> None:
    page = open_wall(browser, server, lang, "?enterprise=0032")
    tile = {key: page.locator(".tile", has_text=f"JX-0032-{key}") for key in MINE}
    rejected, tamper, signed = tile["R"], tile["T"], tile["S"]
    assert rejected.get_attribute("data-state") == "rejected"
    assert "✓" not in rejected.inner_text() and "s-passed" not in (
        rejected.get_attribute("class") or ""
    )
    assert WORDS[lang]["rejected"] in rejected.inner_text()
    assert tamper.get_attribute("data-state") == "review" and "✓" not in tamper.inner_text()
    assert WORDS[lang]["review"] in tamper.inner_text()
    # only the signed-off pass is the green one
    assert signed.get_attribute("data-state") == "passed" and "✓" in signed.inner_text()
    _shot(page, f"wall-review-{lang}")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()
