"""The pages in a real browser (Debian's Chromium driven by Playwright) against a real
``phytowatch serve``: log in per role, the wall live, an alarm acknowledged, a chart zoomed, the
language switched, a run signed off, administration; a screenshot of each page is kept in
test-artifacts/screenshots/. One server for the module."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pageworld
import pytest
from browser_support import Server, chromium, need_chromium, serving, shoot

if TYPE_CHECKING:  # imported where a browser is launched: a run without one needs none of it
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
WAIT_MS = 15_000
ERRORS: dict[Page, list[str]] = {}  # each page's script errors, dialogs and CSP violations


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("pages")) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_as(
    browser: Browser, server: Server, who: str | None, lang: str = "zh-CN", *, csp: bool = False
) -> Page:
    """A fresh browser context (its own cookies), logged in as ``who`` through the login page.

    Playwright's ``wait_for_function`` evaluates strings, which the pages' Content-Security-Policy
    forbids; such tests bypass it, and those with ``csp=True`` (waiting by selectors only) keep it
    and fail on any violation."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale=lang,
        extra_http_headers={"Accept-Language": lang}, bypass_csp=not csp,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.on(  # the pages run under a Content-Security-Policy: nothing of ours may break it
        "console",
        lambda message: errors.append(message.text) if "Security Policy" in message.text else None,
    )
    ERRORS[page] = errors
    if who is not None:
        page.goto(f"{server.url}/login")
        page.fill("#login", who)
        page.fill("#password", pageworld.PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(re.compile(r".*/(wall|runs)$"))
    return page


def test_nobody_is_sent_to_the_login_page_and_a_wrong_password_is_said(
    browser: Browser, server: Server
) -> None:
    page = open_as(browser, server, None, csp=True)
    page.goto(f"{server.url}/wall")
    assert "/login?next=/wall" in page.url
    page.fill("#login", "inspector")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "用户名或密码错误" in page.inner_text("#login-error")
    shoot(page, "login")
    page.fill("#password", pageworld.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/wall$"))  # back where it was going
    assert ERRORS[page] == []
    page.context.close()


@pytest.mark.parametrize(
    ("who", "lands", "nav"),
    [
        (
            "operator",
            "/wall",
            ["监控墙", "处理记录", "报检货物", "证书", "转单", "告警", "原料基地", "官方政策"],
        ),
        (
            "inspector",
            "/wall",
            [
                "监控墙",
                "待签发",
                "待查验",
                "处理记录",
                "报检货物",
                "证书",
                "转单",
                "告警",
                "截获记录",
                "处理设施",
                "企业",
                "原料基地",
                "官方政策",
                "指标",
            ],
        ),
        (
            "admin",
            "/wall",
            [
                "监控墙",
                "处理记录",
                "报检货物",
                "证书",
                "转单",
                "告警",
                "截获记录",
                "处理设施",
                "企业",
                "原料基地",
                "官方政策",
                "指标",
                "系统管理",
            ],
        ),
        ("declarant", "/runs", ["处理记录", "报检货物", "证书", "转单", "原料基地", "官方政策"]),
        (
            "port",
            "/runs",
            [
                "处理记录",
                "报检货物",
                "证书",
                "转单",
                "截获记录",
                "处理设施",
                "企业",
                "原料基地",
                "官方政策",
                "口岸",
                "指标",
            ],
        ),
    ],
)
def test_each_role_lands_on_its_page_and_sees_only_its_pages(
    browser: Browser, server: Server, who: str, lands: str, nav: list[str]
) -> None:
    page = open_as(browser, server, who)
    assert page.url.endswith(lands)
    shown = page.locator("header nav a").all_inner_texts()
    assert [re.sub(r"\s*\d+$", "", text) for text in shown] == nav  # the queue has its count
    if who == "port":  # no readings for the port: the run opens without its chart
        page.goto(f"{server.url}/runs/{server.world.runs['finished']}")
        assert page.locator("#chart").count() == 0
        page.goto(f"{server.url}/alarms")
        assert page.locator("h1").inner_text() == "无权访问"
    page.context.close()


def test_the_wall_loads_and_a_tile_changes_live_when_a_device_posts(
    browser: Browser, server: Server
) -> None:
    page = open_as(browser, server, "inspector")
    page.wait_for_selector("body[data-wall-loaded]")
    tiles = page.locator(".tile")
    assert tiles.count() == 2 + 12
    kiln = page.locator(".tile", has_text="JX-0031-K2")
    page.wait_for_selector("#wall-live[data-state=live]")
    assert "s-waiting" in (kiln.get_attribute("class") or "")
    assert "升温中" in kiln.inner_text()
    shoot(page, "wall")
    # a device posts a reading above 56 °C on every probe: the tile goes holding, no reload
    page.evaluate("window.__marker = 'same page'")
    server.post("JX-0031-K2", pageworld.hot_batch(57.5))
    run = server.world.runs["open"]
    tile = f"document.querySelector('.tile[href=\"/runs/{run}\"]')"
    page.wait_for_function(f"{tile}?.classList.contains('s-holding')")
    page.wait_for_function(f"{tile}?.innerText.includes('57.5')")  # the next `runs` summary
    text = kiln.inner_text()
    assert "保持中" in text and "57.5 °C" in text and re.search(r"\d+ / 30 分钟", text)
    assert page.evaluate("window.__marker") == "same page"
    # a probe fails: the sensor_fault alarm (minor) reaches the tile's badge, the state stays
    # (2 s later than the batch above: the same instant again would be a conflicting rewrite)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    fault = {"probe": "A1", "t": stamp, "v": None, "fault": "open_circuit"}
    server.post("JX-0031-K2", {"facility": "JX-0031-K2", "readings": [fault]})
    page.wait_for_function(f"!{tile}.querySelector('.badge').hidden")
    assert "⚠ 1" in kiln.inner_text() and "保持中" in kiln.inner_text()
    # the alarm tile sorts first (urgency), and the filters narrow the wall
    page.wait_for_timeout(1200)  # the order is recomputed at most once a second
    assert "JX-0031-K1" in tiles.first.inner_text()
    page.click("#wall-counts button[data-state=running]")
    page.wait_for_function("document.querySelectorAll('.tile:not([hidden])').length === 1")
    page.click("#wall-counts button[data-state=all]")
    page.select_option("select[name=city]", "南昌")
    page.wait_for_function("document.querySelectorAll('.tile:not([hidden])').length === 4")
    assert "city=" in page.url  # kept in the address: a wall display can be bookmarked
    page.reload()
    page.wait_for_selector("body[data-wall-loaded]")
    page.wait_for_function("document.querySelectorAll('.tile:not([hidden])').length === 4")
    assert ERRORS[page] == []
    page.context.close()


def test_the_wall_works_with_the_keyboard(browser: Browser, server: Server) -> None:
    page = open_as(browser, server, "inspector", csp=True)
    page.wait_for_selector("body[data-wall-loaded]")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('tile')"):
            break
    else:
        pytest.fail("no tile reachable with Tab")
    target = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    page.context.close()


def test_hostile_text_is_shown_verbatim_and_never_run(browser: Browser, server: Server) -> None:
    page = open_as(browser, server, "inspector", csp=True)
    page.goto(f"{server.url}/runs/{server.world.runs['finished']}")
    assert pageworld.HOSTILE in page.inner_text(".verdict-box")
    page.wait_for_selector("body[data-chart-ready]")  # the chart runs under the policy too
    page.goto(f"{server.url}/alarms")
    page.wait_for_selector("#alarm-live[data-state=live]")
    page.goto(f"{server.url}/wall")
    page.wait_for_selector("body[data-wall-loaded]")
    assert '<script>alert("x")</script>' in page.inner_text("#wall")
    # no alert dialog, no error, no Content-Security-Policy violation on the wall, a run, alarms
    assert ERRORS[page] == []
    page.context.close()


def test_an_alarm_is_acknowledged_with_a_comment_and_the_inbox_says_who(
    browser: Browser, server: Server
) -> None:
    page = open_as(browser, server, "inspector")
    page.goto(f"{server.url}/alarms")
    rows = page.locator("tbody tr")
    assert rows.count() >= 2
    assert "严重" in rows.first.inner_text()  # by severity: the critical one first
    # the services' English messages are said in Chinese, the instant in the reader's zone (the
    # probe's fault, posted by the wall's test above, is judged by the live thread: on a loaded
    # machine it may come a moment later, and the inbox takes it in from the stream)
    page.wait_for_function(
        "[...document.querySelectorAll('tbody tr .msg')]"
        ".some((m) => m.innerText.includes('报告故障'))"
    )
    messages = " ".join(page.locator("tbody tr .msg").all_inner_texts())
    assert "中断：低于指标（C2）" in messages and "报告故障" in messages, messages
    assert "hold broken" not in messages and "reports" not in messages
    shoot(page, "alarms")
    row = page.locator("tbody tr", has_text="保持中断").first
    row_id = row.get_attribute("id")
    row.locator("textarea[name=comment]").fill("门已关好 door closed <b>ok</b>")
    row.locator("button[type=submit]").click()
    done = page.locator(f"#{row_id}")
    page.wait_for_function(f"document.querySelector('#{row_id}')?.innerText.includes('确认人')")
    text = done.inner_text()
    assert "inspector" in text and "门已关好 door closed <b>ok</b>" in text and "已确认" in text
    assert done.locator("button", has_text="清除").count() == 1  # an inspector may clear it
    shoot(page, "alarms-acknowledged")
    page.context.close()


def test_a_run_chart_draws_and_zooms_with_detail_from_the_server(
    browser: Browser, server: Server
) -> None:
    page = open_as(browser, server, "inspector")
    page.goto(f"{server.url}/runs/{server.world.runs['finished']}")
    page.wait_for_selector("body[data-chart-ready]")
    assert page.locator(".uplot canvas").count() >= 1
    whole = page.evaluate("document.body.dataset.chartRange")
    shoot(page, "run")
    page.click("button[data-zoom=in]")
    page.wait_for_function("document.body.dataset.chartFetches === '2'")
    zoomed = page.evaluate("document.body.dataset.chartRange")
    a, b = (float(x) for x in whole.split("-"))
    c, d = (float(x) for x in zoomed.split("-"))
    assert a < c < d < b and (d - c) < (b - a) * 0.6
    # dragging across the chart zooms too, and fetches that window's detail
    page.locator(".uplot .u-over").scroll_into_view_if_needed()
    box = page.locator(".uplot .u-over").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
    page.mouse.up()
    page.wait_for_function("document.body.dataset.chartFetches === '3'")
    page.click("button[data-zoom=reset]")
    page.wait_for_function("document.body.dataset.chartFetches === '4'")
    assert page.evaluate("document.body.dataset.chartRange") == whole
    assert ERRORS[page] == []
    page.emulate_media(media="print")
    shoot(page, "run-print")
    # the printable treatment record: A4, the chart kept, on at most three pages
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    pdf = page.pdf(format="A4", print_background=True)
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert pdf.startswith(b"%PDF") and 1 <= len(pages) <= 3
    (shoot.__globals__["ARTIFACTS"] / "run-record.pdf").write_bytes(pdf)
    page.context.close()


def test_an_open_run_page_follows_the_run_live(browser: Browser, server: Server) -> None:
    page = open_as(browser, server, "operator")
    page.goto(f"{server.url}/runs/{server.world.runs['open']}")
    page.wait_for_selector("body[data-chart-ready]")
    before = page.evaluate("document.body.dataset.chartFetches")
    server.post("JX-0031-K2", pageworld.hot_batch(58.0))
    page.wait_for_function(  # the hold's progress in words, and the chart fetched again
        f"document.body.dataset.chartFetches !== '{before}'"
        " && document.getElementById('live-text').innerText.includes('/ 30')"
    )
    assert "保持中" in page.inner_text(".verdict-box")
    assert ERRORS[page] == []
    page.context.close()


def test_an_inspector_signs_off_a_run_and_a_missing_comment_is_said(
    browser: Browser, server: Server
) -> None:
    page = open_as(browser, server, "inspector")
    run = server.world.runs["finished"]
    page.goto(f"{server.url}/runs/{run}")
    text = page.inner_text("main")
    assert "按原始读数判定" in text and "judged raw" not in text  # the calibration note
    assert "该处理尚未经检验员审核通过" in text and "not signed off" not in text
    page.check("form.signoff input[value=signed_off]")  # nothing is chosen beforehand
    page.click("form.signoff button[type=submit]")  # findings: a comment is needed
    page.wait_for_selector("form.signoff .error")
    refusal = page.locator("form.signoff .error").inner_text()
    assert "须填写意见" in refusal and "comment" not in refusal, refusal
    page.fill("#signoff-comment", "findings reviewed: door opened, hold restarted; 复核无误")
    page.click("form.signoff button[type=submit]")
    page.wait_for_url(f"**/runs/{run}?signed=1#signoff")
    text = page.inner_text("#signoff")
    assert "已审核通过" in text and "inspector" in text and "复核无误" in text
    assert page.locator("form.signoff").count() == 0  # once
    page.context.close()


def test_the_language_switches_and_is_remembered(browser: Browser, server: Server) -> None:
    page = open_as(browser, server, "inspector")
    assert page.inner_text("h1") == "监控墙"
    page.click("a[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("h1") == "Wall"
    page.wait_for_selector("body[data-wall-loaded]")
    page.wait_for_function("document.querySelector('.tile .st')?.innerText.length > 0")
    assert "waiting" in page.inner_text("#wall") or "holding" in page.inner_text("#wall")
    shoot(page, "wall-en")
    page.goto(f"{server.url}/alarms")
    assert page.inner_text("h1") == "Alarms"  # remembered (a cookie)
    page.goto(f"{server.url}/runs/{server.world.runs['finished']}")
    title = page.locator("time").first.get_attribute("title") or ""
    assert title.endswith("Z UTC")  # local time shown, UTC on hover
    shoot(page, "run-en")
    page.click("a[data-lang=zh_CN]")
    page.wait_for_selector("html[lang=zh-CN]")
    page.context.close()


def test_facility_runs_and_replay_pages(browser: Browser, server: Server) -> None:
    page = open_as(browser, server, "operator")
    page.goto(f"{server.url}/facilities/JX-0031-K1")
    assert "已过期" in page.inner_text("body")  # C3's calibration
    shoot(page, "facility")
    page.click("a[href='/enterprises/0031']")
    page.wait_for_url("**/enterprises/0031")
    assert "JX-0031-K1" in page.inner_text("table")
    shoot(page, "enterprise")
    page.goto(f"{server.url}/runs")
    assert page.locator("tbody tr").count() == 2
    shoot(page, "runs")
    page.goto(f"{server.url}/runs/{server.world.runs['finished']}/replay")
    page.wait_for_selector("body[data-replay-ready]")
    end = float(page.evaluate("document.body.dataset.replayAt"))  # the whole run, before Play
    page.click("#play")  # at ×600: Play starts again from the beginning, then the clock moves
    page.wait_for_function(f"Number(document.body.dataset.replayAt) < {end}")
    start = float(page.evaluate("document.body.dataset.replayAt"))
    page.wait_for_function(f"Number(document.body.dataset.replayAt) > {start + 600}")
    shoot(page, "replay")
    assert ERRORS[page] == []
    page.context.close()


def test_admin_adds_an_enterprise_rotates_a_token_and_bad_input_is_said(
    browser: Browser, server: Server
) -> None:
    page = open_as(browser, server, "admin")
    page.goto(f"{server.url}/admin/enterprises")
    form = page.locator("#add-enterprise")
    form.locator("input[name=code]").fill("0040")
    form.locator("input[name=name_zh]").fill("九江茶业")
    form.locator("input[name=name_en]").fill("Jiujiang Tea")
    form.locator("input[name=city]").fill("九江")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已保存。")
    assert "九江茶业" in page.inner_text("body")
    form = page.locator("#add-enterprise")
    form.locator("input[name=code]").fill("0040")  # again: it exists already
    form.locator("input[name=name_zh]").fill("x")
    form.locator("input[name=name_en]").fill("x")
    form.locator("input[name=city]").fill("x")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".error")
    assert "0040" in page.inner_text(".error")
    page.goto(f"{server.url}/admin/facilities?q=JX-0031-K2")
    page.locator("form[action='/admin/facilities/JX-0031-K2/token'] button").click()
    token = page.inner_text("#new-token")
    assert token.startswith("pwd_")
    server.world.tokens["JX-0031-K2"] = token  # the old one is revoked
    shoot(page, "admin")
    page.context.close()


def test_admin_records_a_calibration_and_sees_the_probes_status(
    browser: Browser, server: Server
) -> None:
    page = open_as(browser, server, "admin", csp=True)
    page.goto(f"{server.url}/admin/facilities")
    page.click("a[href='/admin/facilities/JX-0032-F001']")
    page.wait_for_selector("#probe-P2")
    assert "尚无校准记录" in page.inner_text("#probe-P2")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    soon = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 3 * 86400))
    form = page.locator("#add-calibration")
    form.locator("select[name=probe]").select_option("P2")
    form.locator("input[name=offset]").fill("minus 0.3")  # not a number: said, nothing lost
    form.locator("input[name=calibrated_at]").fill(today)
    form.locator("input[name=due_at]").fill(soon)
    form.locator("input[name=certificate]").fill("JJF-2026-P2")
    form.locator("input[name=certificate]").press("Enter")
    page.wait_for_selector("#form-error")
    assert "未保存" in page.inner_text("#form-error")
    assert page.input_value("#add-calibration input[name=certificate]") == "JJF-2026-P2"
    page.fill("#add-calibration input[name=offset]", "-0.30")
    page.press("#add-calibration input[name=offset]", "Enter")
    page.wait_for_selector(".notice")
    status = page.inner_text("#probe-P2 h3")
    assert "7 天内到期" in status and "◔" in status
    assert "JJF-2026-P2" in page.inner_text("#probe-P2") and "-0.30" in page.inner_text("#probe-P2")
    shoot(page, "admin-facility")
    assert ERRORS[page] == []
    page.context.close()


def test_admin_adds_a_user_and_changes_their_role(browser: Browser, server: Server) -> None:
    page = open_as(browser, server, "admin", csp=True)
    page.goto(f"{server.url}/admin/users")
    form = page.locator("#add-user")
    form.locator("input[name=login]").fill("zhao.lei")
    form.locator("input[name=name]").fill("赵磊")
    form.locator("select[name=role]").select_option("inspector")
    form.locator("select[name=office]").select_option("JX")
    form.locator("button[type=submit]").click()
    password = page.inner_text("#new-password")  # left empty: a temporary one, shown once
    assert re.fullmatch(r"[\w]{4}(-[\w]{4}){3}", password)
    page.click("a[href='/admin/users/zhao.lei']")
    page.wait_for_selector("#set-role")
    assert "检验检疫官" in page.inner_text("#user-role")
    page.select_option("#set-role select[name=role]", "port_officer")
    page.locator("#set-role button[type=submit]").click()
    page.wait_for_selector(".notice")
    assert "口岸检验检疫官" in page.inner_text("#user-role")
    shoot(page, "admin-user")
    page.goto(f"{server.url}/admin/users/admin")  # the last administrator cannot lock all out
    page.locator("#set-disabled button[type=submit]").click()
    page.wait_for_selector("#form-error")
    assert "admin 是最后一个启用的管理员" in page.inner_text("#form-error")  # said in Chinese
    assert ERRORS[page] == []
    page.context.close()
    forced_change(browser, server, "zhao.lei", password, "zh-CN")  # a password made for them


def forced_change(browser: Browser, server: Server, who: str, password: str, lang: str) -> None:
    """``who`` logs in with a password an administrator made: every page sends them to the
    change form, which says so in ``lang``; a repetition that differs is said; once changed, on
    to where they were going."""
    english = lang == "en"
    page = open_as(browser, server, None, lang, csp=True)
    page.goto(f"{server.url}/login?next=/runs")
    page.fill("#login", who)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r".*/account/password\?next=/runs$"))
    said = page.inner_text("#forced-change")
    assert ("An administrator set your password" if english else "您的密码由管理员设置") in said
    page.goto(f"{server.url}/alarms")  # any other page: the form again
    page.wait_for_url(re.compile(r".*/account/password\?next=/alarms$"))
    form = page.locator("#change-password")
    form.locator("input[name=current]").fill(password)
    form.locator("input[name=new]").fill("a long new pass phrase")
    form.locator("input[name=repeat]").fill("a long new pass phrase!")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#password-form")
    differ = "repetition differ" if english else "两次输入的新密码不一致"
    assert differ in page.inner_text("#password-form")
    shoot(page, f"account-forced-{lang}")
    form = page.locator("#change-password")
    form.locator("input[name=current]").fill(password)
    form.locator("input[name=new]").fill("a long new pass phrase")
    form.locator("input[name=repeat]").fill("a long new pass phrase")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/alarms$|.*/runs$"))
    page.goto(f"{server.url}/account")
    assert page.inner_text("#me-login") == who
    assert ERRORS[page] == []
    page.context.close()


def test_a_reset_password_is_changed_first_in_english(browser: Browser, server: Server) -> None:
    page = open_as(browser, server, "admin", "en", csp=True)
    page.goto(f"{server.url}/admin/users")
    form = page.locator("#add-user")
    form.locator("input[name=login]").fill("qian.yu")
    form.locator("input[name=name]").fill("Qian Yu")
    form.locator("select[name=role]").select_option("port_officer")
    form.locator("select[name=office]").select_option("JX")
    form.locator("input[name=password]").fill("a password typed for her")
    form.locator("button[type=submit]").click()
    page.click("a[href='/admin/users/qian.yu']")
    page.locator("#reset-password button[type=submit]").click()
    password = page.inner_text("#new-password")
    assert "They must change it when they first log in." in page.inner_text(".notice")
    page.goto(f"{server.url}/admin/users?q=qian")
    assert "password to change" in page.inner_text("#user-qian\\.yu")
    shoot(page, "admin-users-en")
    assert ERRORS[page] == []
    page.context.close()
    forced_change(browser, server, "qian.yu", password, "en")


def test_screenshots_are_kept(server: Server) -> None:
    del server
    kept = {p.stem for p in Path(shoot.__globals__["ARTIFACTS"]).glob("*.png")}
    assert {"wall", "run", "alarms", "login", "admin-facility", "admin-user"} <= kept
