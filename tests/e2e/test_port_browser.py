"""The port officer's pages in Chromium, in both languages: the queue at Shanghai (PSHA) shows
the transferred batch with its draw and the ratio's confidence; the officer holds it with a
reason, and the release is then refused with the reason said beside the release button; a check
with a field left out is refused beside that field, what was typed kept; a conforming check, then
the release, opens the clearance record (通关单). Screenshots go to the test artifacts (and
/tmp/shots-port when that exists)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import ARTIFACTS, Server, chromium, logged_in, need_chromium, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots-port") if Path("/tmp/shots-port").is_dir() else ARTIFACTS
KILN = "JX-0031-F006"  # the seventh extra facility: enterprise 0031's kiln
LANGS = ("zh-CN", "en")
TRANSFERS = Path("port-transfers.json")


def _ready(url: str) -> None:
    """Per language, a consignment of 0031 by Shanghai, certified by JX, transferred to PSHA
    and taken there; PSHA's office and its port officer ``port_sha``."""
    from pageworld import PASSWORD, now_us

    from acting import ctx_at, ctx_of
    from certificateworld import conforming, office_key, principal
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.domain.certificates.model import CertificateKind
    from phytowatch.services.accounts import add_office, add_user
    from phytowatch.services.runs import start_run
    from phytowatch.storage.transfers.repo import SqlTransferStore

    services = bootstrap(load_settings(database_url=url))
    numbers = {}
    try:
        now = now_us()
        add_office(services.accounts, services.audit, code="PSHA", name="上海口岸",
                   cities=["上海"], ctx=ctx_at(now, "test"))  # fmt: skip
        add_user(services.accounts, services.audit, login="port_sha", name="Port Sha",
                 role="port_officer", password=PASSWORD, enterprise=None, office="PSHA",
                 cost=10, ctx=ctx_at(now, "test"))  # fmt: skip
        office_key(services, "JX", now=now)
        for n, lang in enumerate(LANGS):
            start = now - (400 - 100 * n) * 60_000_000
            run = start_run(services.runs, KILN, "ispm15-ht", load="600 pallets, pine",
                            ctx=ctx_at(start)).id  # fmt: skip
            end = start + 60 * 60_000_000
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end / 1e6))
            judgement = {
                "verdict": "PASS", "findings": [], "review_required": False,
                "step": {"threshold": 56, "duration_s": 1800}, "hold_end": stamp,
            }  # fmt: skip
            services.runs.close_run(run, end, "pass", "PASS", json.dumps(judgement))
            consignment = conforming(services, run, now=end + 60_000_000)
            declarant = ctx_of(principal(services, "declarant"), end + 61_000_000)
            certifier = ctx_of(principal(services, "certifier"), end + 62_000_000)
            draft = services.certificates.draft(
                consignment.id, CertificateKind.PHYTOSANITARY, ctx=declarant
            )
            services.certificates.submit(draft.id, ctx=declarant)
            services.certificates.approve(draft.id, ctx=certifier)
            services.certificates.issue(draft.id, ctx=certifier)
            transfer = services.transfers.of_consignment(consignment.id)
            assert transfer is not None and transfer.port_office == "PSHA"
            SqlTransferStore(services.engine).add_retrieval(
                transfer.id, "PSHA", "127.0.0.1", at=end + 63_000_000, actor="user:port_sha"
            )
            numbers[lang] = transfer.number
    finally:
        services.close()
    (Path(url.removeprefix("sqlite:///")).parent / TRANSFERS).write_text(json.dumps(numbers))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    need_chromium()
    root = tmp_path_factory.mktemp("port")
    with serving(root, extra_facilities=7, prepare=_ready) as running:
        yield running, json.loads((root / TRANSFERS).read_text())


@pytest.fixture(scope="module")
def browser(server: tuple[Server, dict[str, str]]) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", LANGS)
def test_hold_refused_release_check_then_release_to_the_clearance(
    browser: Browser, server: tuple[Server, dict[str, str]], lang: str
) -> None:
    running, numbers = server
    number = numbers[lang]
    zh = lang == "zh-CN"
    page = logged_in(browser, running, "port_sha", lang, width=1280)
    page.goto(f"{running.url}/port")
    row = page.locator(f"table.port-queue tr:has(a[href='/port/transfers/{number}'])")
    assert row.count() == 1
    shown = row.inner_text()
    assert "[C2]" in shown or "重点" in shown or "key list" in shown
    _shot(page, f"port-queue-{'zh' if zh else 'en'}")
    page.click(f"a[href='/port/transfers/{number}']")
    page.wait_for_url(f"**/port/transfers/{number}")
    page.fill(".act-hold input[name=reason]", "seal 3 differs from the declaration")
    page.click(".act-hold button")
    page.wait_for_url(f"**/port/transfers/{number}?done=hold")
    page.click(".act-release button")
    page.wait_for_selector("#err-release")
    said = page.inner_text("#err-release")
    assert "seal 3 differs" in said and (("扣留" in said) if zh else ("held" in said))
    _shot(page, f"port-refused-{'zh' if zh else 'en'}")
    page.check(".act-check input[name=seals_intact][value=yes]")
    page.check(".act-check input[name=goods_match][value=yes]")
    page.fill("#findings", "resealed in our presence")
    page.click(".act-check button")
    page.wait_for_selector("#err-containers_match")
    assert page.input_value("#findings") == "resealed in our presence"
    assert page.is_checked(".act-check input[name=seals_intact][value=yes]")
    _shot(page, f"port-check-refused-{'zh' if zh else 'en'}")
    page.check(".act-check input[name=containers_match][value=yes]")
    page.click(".act-check button")
    page.wait_for_url(f"**/port/transfers/{number}?done=check")
    page.click(".act-release button")
    page.wait_for_url("**/clearances/PSHA-*")
    text = page.inner_text("article.clearance")
    assert number in text and "通关单" in text
    _shot(page, f"port-clearance-{'zh' if zh else 'en'}")
    page.context.close()
