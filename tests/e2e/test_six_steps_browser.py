"""The six steps of the e-supervision chain walked by clicking in Chromium, in Chinese, as each
role in turn: the declarant declares and submits (1), the system routes it at once (2), the
inspector assesses it when it is routed to inspect (3), the declarant applies for the
certificate and the certifying officer approves and issues it (4), the declarant reads the
transfer's number and password and the port officer retrieves the transfer with them (5), records
the check when the draw asks for one and releases (6). At the end the consignment's six-step bar
shows all six with who and when. A screenshot at each step (test artifacts, /tmp/shots-six)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots-six")
PORT = "CNSHA"  # ports.json: Shanghai, taken by the port office PSHA
PORT_OFFICER = "port-psha"


def _ready(url: str) -> None:
    """The certifying office's signing key; the port office of Shanghai and its officer."""
    from pageworld import PASSWORD, now_us

    from acting import ctx_at
    from certificateworld import office_key
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.accounts import add_office, add_user

    services = bootstrap(load_settings(database_url=url))
    try:
        now = now_us()
        office_key(services, "JX", now=now)
        add_office(services.accounts, services.audit, code="PSHA", name="上海口岸局",
                   cities=["上海"], ctx=ctx_at(now, "test"))  # fmt: skip
        add_user(services.accounts, services.audit, login=PORT_OFFICER, name="Port Officer",
                 role="port_officer", password=PASSWORD, enterprise=None, office="PSHA",
                 cost=10, ctx=ctx_at(now, "test"))  # fmt: skip
    finally:
        services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    with serving(tmp_path_factory.mktemp("six-steps"), extra_facilities=0,
                 prepare=_ready) as running:  # fmt: skip
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _shot(page: Page, name: str) -> None:
    for where in (ARTIFACTS, SHOTS):
        where.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(where / f"six-{name}.png"), full_page=True)


def _act(page: Page, act: str) -> None:
    page.locator(f"form.act-{act} button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*done={act}$"))


def _reached(page: Page) -> list[str]:
    return page.locator("ol.six > li").evaluate_all("els => els.map(e => e.className)")


def test_the_six_steps_by_clicking_as_each_role_in_chinese(
    browser: Browser, server: Server
) -> None:
    # 1 e-declaration: the declarant fills the form and submits
    declarant = logged_in(browser, server, "declarant", "zh-CN", width=1280)
    declarant.goto(f"{server.url}/consignments/new")
    declarant.fill("input[name='consignee.name']", "Pacific Fruit Co.")
    declarant.fill("input[name='consignee.address']", "12 Harbour Rd, Long Beach")
    declarant.fill("input[name='destination']", "US")
    declarant.fill("input[name='port_of_exit']", PORT)
    declarant.fill("input[name='conveyance']", "vessel COSCO Aries")
    declarant.fill("textarea[name='containers']", "CSQU3054383")
    declarant.select_option("select[name='lines[0].product']", "wood-packaging")
    declarant.fill("input[name='lines[0].quantity']", "120")
    declarant.select_option("select[name='lines[0].unit']", "pieces")
    declarant.fill("input[name='lines[0].packages']", "120")
    declarant.fill("input[name='lines[0].package_type']", "pallets")
    _shot(declarant, "1-form")
    declarant.click("button[value='submit']")
    declarant.wait_for_url(re.compile(r".*/consignments/\d+\?submitted=1$"))
    consignment = int(re.findall(r"/consignments/(\d+)", declarant.url)[0])
    number = declarant.locator("h1").inner_text().split()[1]
    page = f"{server.url}/consignments/{consignment}"
    # 2 routing: done by the system in the submission's transaction
    assert "六步监管流程" in declarant.inner_text("section.six-steps")
    assert _reached(declarant)[:2] == ["reached", "reached"]
    inspect = declarant.locator("section.route .chip").first.inner_text() == "查验"
    _shot(declarant, "2-routed")

    # 3 conformity assessment: the inspector, when routed to inspect
    if inspect:
        inspector = logged_in(browser, server, "inspector", "zh-CN", width=1280)
        inspector.goto(f"{server.url}/inspections")
        inspector.locator("main table tbody tr", has_text=number).locator("a").first.click()
        inspector.fill("#inspected", "开箱 3/120，未见活虫")
        inspector.check("input[name='conformity'][value='conforming']")
        _shot(inspector, "3-assessment")
        inspector.click("form.assess button[type='submit']")
        inspector.wait_for_url("**/inspections?assessed=1")
        inspector.context.close()
    declarant.goto(page)
    assert _reached(declarant)[:3] == ["reached"] * 3
    _shot(declarant, "3-assessed")

    # 4 e-certificate: the declarant applies, the certifying officer approves and issues
    declarant.locator(f"a[href='/consignments/{consignment}/certificates/new']").click()
    declarant.locator("form.certificate-apply button[type=submit]").click()
    declarant.wait_for_url(re.compile(r".*/certificates/\d+/edit\?drafted=1$"))
    certificate = int(re.findall(r"/certificates/(\d+)/edit", declarant.url)[0])
    declarant.click("button[value=submit]")
    declarant.wait_for_url(re.compile(r".*done=submit$"))
    officer = logged_in(browser, server, "certifier", "zh-CN", width=1280)
    officer.goto(f"{server.url}/certificates/{certificate}")
    _act(officer, "approve")
    _act(officer, "issue")
    assert "验证通过" in officer.inner_text("main")
    _shot(officer, "4-issued")
    officer.context.close()
    # 5 e-transfer: made in the transaction; the declarant reads its number and password
    declarant.goto(page)
    assert _reached(declarant)[:5] == ["reached"] * 5
    transfer = declarant.locator("#transfer-h a").inner_text().strip()
    password = declarant.locator("#transfer-password").inner_text().strip()
    assert transfer and len(password.replace("-", "")) == 10
    _shot(declarant, "5-transfer-and-password")
    port = logged_in(browser, server, PORT_OFFICER, "zh-CN", width=1280)
    port.goto(f"{server.url}/transfers/retrieve")
    port.fill("#retrieve-number", transfer)
    port.fill("#retrieve-password", "WRONG-PASSW")  # a wrong one is refused and counted
    port.click("#retrieve-form button[type=submit]")
    assert port.locator("#retrieve-form .error").is_visible()
    assert port.input_value("#retrieve-number") == transfer  # the number kept
    port.fill("#retrieve-password", password)
    port.click("#retrieve-form button[type=submit]")
    port.wait_for_url(re.compile(r".*/transfers/[^/]+\?taken=1$"))
    _shot(port, "5-taken")

    # 6 port check and release: the draw is made at the first look; a check where drawn
    port.goto(f"{server.url}/port")
    port.locator(f"a[href='/port/transfers/{transfer}']").click()
    port.wait_for_url(re.compile(rf".*/port/transfers/{transfer}$"))
    if port.locator("section[aria-labelledby=draw-h] .port-draw.s-waiting").count():
        for name in ("seals_intact", "containers_match", "goods_match"):
            port.check(f"form.act-check input[name={name}][value=yes]")
        port.locator("form.act-check button[type=submit]").click()
        port.wait_for_url(re.compile(r".*done=check$"))
    _shot(port, "6-port-transfer")
    port.locator("form.act-release button[type=submit]").click()
    port.wait_for_url(re.compile(r".*/clearances/[^/?]+\?released=1$"))
    _shot(port, "6-clearance")
    port.context.close()

    # the six steps, all reached, each with who and when
    declarant.goto(page)
    bar = declarant.locator("ol.six > li")
    assert _reached(declarant) == ["reached"] * 6
    who = [bar.nth(i).locator(".who").inner_text() for i in range(6)]
    assert who == [
        "user:declarant", "system", "user:inspector" if inspect else "system",
        "user:certifier", "user:certifier", f"user:{PORT_OFFICER}",
    ], who  # fmt: skip
    assert all(bar.nth(i).locator(".at time").count() == 1 for i in range(6))
    total = declarant.locator("section.six-steps p.total").inner_text()
    assert "从申报到放行" in total, total
    assert "已放行" in declarant.locator("h1").inner_text()
    _shot(declarant, "6-six-steps")
    declarant.context.close()
