"""Who answers an alarm, in a real browser (Debian's Chromium) against a real ``phytowatch
serve``: the enterprise cannot acknowledge a tamper alarm (no button, and the POST is refused);
its acknowledgement of what is its own shows as the enterprise's and the facility stays in alarm
on the wall; an inspector's acknowledgement and clearing ask for a written comment and refuse an
empty one. One server and one browser for the module; screenshots in test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pageworld
import pytest
from browser_support import Server, call, chromium, logged_in, need_chromium, serving, shoot

from acting import ctx_at
from phytowatch.bootstrap import bootstrap
from phytowatch.config import load_settings
from phytowatch.services.provisioning import add_calibration

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response

pytestmark = pytest.mark.e2e
DAY = 86_400_000_000
ADMIN_TOKEN = "admin-token-for-the-alarms-browser-test"


def _k2_calibration_expired(database_url: str) -> None:
    """K2's C1 past its calibration: a major alarm that is the enterprise's to act on."""
    services = bootstrap(load_settings(database_url=database_url))
    try:
        now = pageworld.now_us()
        add_calibration(
            services.registry, "JX-0031-K2", "C1", "0.00", calibrated_at=now - 400 * DAY,
            due_at=now - DAY, certificate="JJF-2026-K2C1", ctx=ctx_at(now),
        )  # fmt: skip
    finally:
        services.close()


def _alarms(server: Server, query: str = "") -> list[dict[str, object]]:
    """The alarms as the API lists them to the admin token (the test's own view)."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    status, body = call(server.port, "GET", f"/api/v1/alarms{query}", None, headers)
    assert status == 200, body
    return list(json.loads(body)["alarms"])


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch
) -> Iterator[Server]:
    need_chromium()
    monkeypatch_module.setenv("PHYTOWATCH_ADMIN_TOKEN", ADMIN_TOKEN)
    with serving(
        tmp_path_factory.mktemp("alarms"), extra_facilities=2, prepare=_k2_calibration_expired
    ) as running:
        # a reading of K1 rewritten with another value: refused, and a tamper alarm
        first = running.world.kiln_start + pageworld.MIN
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(first / 1e6))
        rewrite = {"probe": "C1", "t": stamp, "v": 99.0}
        running.post("JX-0031-K1", {"facility": "JX-0031-K1", "readings": [rewrite]})
        deadline = time.monotonic() + 30
        # the rewrite's own alarm (K1, its readings) and K2's calibration: another tamper alarm
        # the live judge may raise on a loaded machine is not the one the tests answer
        wanted = {("tamper", "JX-0031-K1", "readings"), ("calibration_expired", "JX-0031-K2")}

        def seen() -> set[tuple[str, ...]]:
            found = _alarms(running)
            return {(str(a["kind"]), str(a["facility"]), str(a["subject"])) for a in found} | {
                (str(a["kind"]), str(a["facility"])) for a in found
            }

        while not wanted <= seen():
            assert time.monotonic() < deadline, _alarms(running)
            running.post("JX-0031-K1", {"facility": "JX-0031-K1", "readings": [rewrite]})
            time.sleep(0.5)
        yield running


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_as(browser: Browser, server: Server, who: str, lang: str = "zh-CN") -> Page:
    """Logged in as ``who`` through the login page (browser_support.logged_in)."""
    return logged_in(browser, server, who, lang, bypass_csp=True)  # wait_for_function: strings


def _id_of(server: Server, kind: str, facility: str, subject: str | None = None) -> int:
    [found] = [
        a
        for a in _alarms(server)
        if a["kind"] == kind and a["facility"] == facility and subject in (None, a["subject"])
    ]
    return int(str(found["id"]))


def test_an_enterprise_user_has_no_button_for_a_tamper_alarm_and_its_post_is_refused(
    browser: Browser, server: Server
) -> None:
    tamper = _id_of(server, "tamper", "JX-0031-K1", "readings")
    page = open_as(browser, server, "operator")
    page.goto(f"{server.url}/alarms")
    row = page.locator(f"#alarm-{tamper}")
    assert "篡改" in row.inner_text() or "tamper" in row.inner_text()
    assert row.locator("form").count() == 0 and row.locator("button").count() == 0
    assert "此告警由检验检疫局确认和清除" in row.inner_text()
    shoot(page, "alarms-enterprise")
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    answer = page.request.post(
        f"{server.url}/api/v1/alarms/{tamper}/acknowledge",
        data={"comment": "the probe was fine, we checked"},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status == 403 and answer.json()["code"] == "alarm.bureau_only"
    page.reload()
    assert "未确认" in page.locator(f"#alarm-{tamper}").inner_text()  # still active
    page.context.close()


def test_the_enterprises_acknowledgement_shows_as_its_own_and_the_wall_keeps_the_alarm(
    browser: Browser, server: Server
) -> None:
    expired = _id_of(server, "calibration_expired", "JX-0031-K2")
    page = open_as(browser, server, "operator", "en")
    page.goto(f"{server.url}/alarms?facility=JX-0031-K2")
    row = page.locator(f"#alarm-{expired}")
    row.locator("textarea[name=comment]").fill("C1 sent for calibration today")
    row.locator("button", has_text="Acknowledge for the enterprise").click()
    done = f"document.querySelector('#alarm-{expired}')?.innerText"
    page.wait_for_function(f"{done}.includes('the enterprise acknowledged')")
    text = page.locator(f"#alarm-{expired}").inner_text()
    assert "operator" in text and "C1 sent for calibration today" in text
    assert "still open for the bureau" in text and "active" in text
    assert page.locator(f"#alarm-{expired} form").count() == 0  # once
    shoot(page, "alarms-enterprise-acknowledged-en")
    page.goto(f"{server.url}/wall")
    page.wait_for_selector("body[data-wall-loaded]")
    tile = page.locator(".tile", has_text="JX-0031-K2")
    page.wait_for_function(
        "[...document.querySelectorAll('.tile')].some((t) => t.innerText.includes('JX-0031-K2')"
        " && t.classList.contains('s-alarm'))"
    )
    assert "acked" not in (tile.locator(".badge").get_attribute("class") or "")
    page.context.close()


def answered(alarm_id: int) -> Callable[[Response], bool]:
    """The answer to a post on the alarm's row (acknowledge or clear), before the next step."""
    return lambda response: (
        response.request.method == "POST" and (f"/alarms/{alarm_id}/" in response.url)
    )


def test_an_inspector_is_asked_why_and_an_empty_comment_is_refused(
    browser: Browser, server: Server
) -> None:
    tamper = _id_of(server, "tamper", "JX-0031-K1", "readings")
    page = open_as(browser, server, "inspector")
    page.goto(f"{server.url}/alarms?kind=tamper")
    row = page.locator(f"#alarm-{tamper}")
    assert "意见（必填，至少 10 个字符）" in row.inner_text()
    with page.expect_response(answered(tamper)):
        row.locator("button", has_text="确认").click()  # no comment
    page.wait_for_selector(f"#alarm-{tamper} .error")
    assert "确认时须填写意见" in page.locator(f"#alarm-{tamper} .error").inner_text()
    page.locator(f"#alarm-{tamper} textarea[name=comment]").fill("复核：探头读数被改写，已约谈企业")
    with page.expect_response(answered(tamper)):
        page.locator(f"#alarm-{tamper} button", has_text="确认").click()
    page.wait_for_selector(f"#alarm-{tamper} form.clear")
    assert "清除理由（必填，至少 10 个字符）" in page.locator(f"#alarm-{tamper}").inner_text()
    with page.expect_response(answered(tamper)):
        page.locator(f"#alarm-{tamper} button", has_text="清除").click()  # empty: asked why
    page.wait_for_selector(f"#alarm-{tamper} .error")
    refusal = page.locator(f"#alarm-{tamper} .error").inner_text()
    assert "清除告警须填写说明理由的意见" in refusal and "comment" not in refusal
    shoot(page, "alarms-clear-refused")
    page.locator(f"#alarm-{tamper} textarea[name=comment]").fill("  ")
    with page.expect_response(answered(tamper)):
        page.locator(f"#alarm-{tamper} button", has_text="清除").click()
    page.wait_for_selector(f"#alarm-{tamper} .error")
    assert _alarm_state(server, tamper) == "acknowledged"  # nothing cleared without a word
    page.locator(f"#alarm-{tamper} textarea[name=comment]").fill(
        "企业已重新处理该批货物，记录已复核"
    )
    with page.expect_response(answered(tamper)) as cleared:
        page.locator(f"#alarm-{tamper} button", has_text="清除").click()
    # the row as answered (the stream's refresh may then drop it from the open inbox)
    row_html = cleared.value.text()
    assert "企业已重新处理" in row_html and "已清除" in row_html
    assert _alarm_state(server, tamper) == "cleared"
    shoot(page, "alarms-cleared")
    page.context.close()


def _alarm_state(server: Server, alarm_id: int) -> str:
    [found] = [a for a in _alarms(server, "?all=true") if a["id"] == alarm_id]
    return str(found["state"])
