"""What the browser tests and the pages benchmark share: Debian's Chromium (found, or the test is
skipped on a laptop and failed under CI), and a real ``phytowatch serve`` on a free port over a
seeded SQLite database (tests/e2e/pageworld.py), fed over HTTP like a device."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pageworld
import pytest

if TYPE_CHECKING:  # Playwright is imported by the browser tests themselves, when they run
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("PHYTOWATCH_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHYTOWATCH = str(Path(sys.executable).with_name("phytowatch"))


WAIT_MS = 15_000  # what a page may take to answer on a loaded machine


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, for one test module (its ``browser`` fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def logged_in(
    browser: Browser,
    server: Server,
    who: str | None,
    lang: str = "zh-CN",
    *,
    bypass_csp: bool = False,
    width: int = 1440,
) -> Page:
    """A fresh browser context (its own cookies) in ``lang``, logged in as ``who`` through the
    login page (``None``: not logged in). Playwright's ``wait_for_function`` evaluates strings,
    which the pages' Content-Security-Policy forbids: a test that uses it bypasses the policy."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=lang,
        extra_http_headers={"Accept-Language": lang}, bypass_csp=bypass_csp,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    if who is not None:
        page.goto(f"{server.url}/login")
        page.fill("#login", who)
        page.fill("#password", pageworld.PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(re.compile(r".*/(wall|runs)$"))
    return page


def need_chromium() -> None:
    """Skip (laptop) or fail (CI) without Debian's Chromium (``make browser`` installs it)."""
    if Path(CHROMIUM).exists():
        return
    message = f"no Chromium at {CHROMIUM} (make browser installs Debian's, as root)"
    if IN_CI:
        pytest.fail(f"{message}; CI must have it (.ci/run runs make browser)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


@dataclass
class Server:
    port: int
    world: pageworld.World
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, facility: str, batch: dict[str, Any]) -> None:
        token = self.world.tokens[facility]
        status, body = call(
            self.port, "POST", "/api/v1/ingest", batch,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        assert status == 200, body


@contextlib.contextmanager
def serving(
    root: Path, *, extra_facilities: int = 12, prepare: Callable[[str], None] | None = None
) -> Iterator[Server]:
    """Seed (then ``prepare(database_url)``), serve, and feed the finished kiln run; stopped
    (by its pid) on the way out."""
    url = f"sqlite:///{root / 'pages.db'}"
    world = pageworld.seed(url, extra_facilities=extra_facilities)
    if prepare is not None:
        prepare(url)
    port = free_port()
    log = root / "serve.log"
    env = {**os.environ, "PHYTOWATCH_COOKIE_SECURE": "false", "PHYTOWATCH_PASSWORD_HASH_COST": "10"}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [PHYTOWATCH, "serve", "--database-url", url, "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )  # fmt: skip
    server = Server(port, world, proc, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if call(port, "GET", "/api/v1/health")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"serve not healthy:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        for batch in pageworld.finished_batches(world):
            server.post("JX-0031-K1", batch)
        server.post("JX-0031-K2", pageworld.waiting_batch())
        token = world.tokens["JX-0031-K1"]
        status, body = call(
            port, "POST", pageworld.still_path(world), pageworld.JPEG,
            {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
        )  # fmt: skip
        assert status == 201, body
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot kept as a test artifact (test-artifacts/screenshots/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
