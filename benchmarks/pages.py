"""Benchmark of the pages in headless Chromium: the wall with 1,000 facilities and a 22-day run.

Run with the project's interpreter (needs Debian's Chromium, ``make browser``)::

    .venv/bin/python benchmarks/pages.py [--facilities N] [--open-runs N] [--write-doc]

1. Seeds a scratch SQLite file with the browser tests' province (tests/e2e/pageworld.py) grown
   to ``--facilities`` facilities of 3 product probes, and a cold room with 8 probes whose
   ``cn-cold-anastrepha-ludens`` run (≤ 1.66 °C for 22 d) started 22 days ago.
2. Starts ``phytowatch serve`` on it; ``--open-runs`` kilns start an ``ispm15-ht`` run and post a
   batch (so the wall and every ``runs`` event carry them); the cold room's 21.5 days of 1-minute
   readings (8 probes, ~250,000 readings) are posted as a device sends them.
3. In headless Chromium, logged in as an inspector: the wall's time to first contentful paint,
   to every tile painted, to live (the first ``runs`` event applied), the bytes it ships, and
   what keeping it live costs (DOM work per frame over 20 s of ``runs`` events); then the 22-day
   run's page: first paint, chart drawn, a zoom's detail, bytes.

Timings are medians of ``--repeats`` page loads (a fresh browser context each, so nothing is
cached). With ``--write-doc`` the figures replace the pages section of ``docs/performance.md``
(between ``<!-- pages:begin -->`` and ``<!-- pages:end -->``). Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from phytowatch.services.clock import FixedClock
from phytowatch.services.context import Context

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # acting.py, which pageworld uses
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import pageworld  # noqa: E402
from browser_support import CHROMIUM, CHROMIUM_ARGS, Server, call, serving  # noqa: E402

from machine import machine  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- pages:begin -->", "<!-- pages:end -->"
HEADING = "## Pages"
COLD = "JX-0031-COLD1"
COLD_PROBES = [f"P{i}" for i in range(1, 7)] + ["A1", "A2"]
DAY_US = 86_400_000_000


def prepare_cold(url: str, store: dict[str, Any]) -> None:
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import add_facility
    from phytowatch.services.runs import start_run

    services = bootstrap(load_settings(database_url=url))
    try:
        now = pageworld.now_us()
        specs = [f"{p}:product" for p in COLD_PROBES[:6]] + ["A1:air", "A2:air"]
        store["token"] = add_facility(
            services.registry, COLD, "0032", "cold_room", specs, ctx=Context.system(FixedClock(now))
        ).token
        store["start"] = now - 22 * DAY_US
        store["run"] = start_run(
            services.runs, COLD, "cn-cold-anastrepha-ludens", load="citrus, 20 t",
            ctx=Context.system(FixedClock(store["start"])),
        ).id  # fmt: skip
    finally:
        services.close()


def post_cold(server: Server, store: dict[str, Any], days: float) -> int:
    """``days`` of 1-minute readings of 8 probes, in batches of 40,000."""
    token = store["token"]
    first = store["start"] + 60_000_000
    minutes = int(days * 1440)
    batch: list[dict[str, Any]] = []
    sent = 0
    for m in range(minutes):
        t = first + m * 60_000_000
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1e6))
        for k, probe in enumerate(COLD_PROBES):
            air = probe.startswith("A")
            value = (0.6 if air else 1.2) + 0.15 * ((m // 30 + k) % 5) / 5
            batch.append({"probe": probe, "t": stamp, "v": round(value, 3)})
        if len(batch) >= 40_000 or m == minutes - 1:
            status, body = call(
                server.port, "POST", "/api/v1/ingest", {"facility": COLD, "readings": batch},
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            assert status == 200, body
            sent += len(batch)
            batch = []
    return sent


def feed(server: Server, tokens: dict[str, str], seconds: float) -> int:
    """Every open kiln posts a reading on each probe, round after round, for ``seconds``."""
    deadline = time.monotonic() + seconds
    posted = 0
    while time.monotonic() < deadline:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time()))
        for n, (code, token) in enumerate(tokens.items()):
            value = 50.0 + (n % 9) + (posted % 7) / 10
            readings = [{"probe": p, "t": stamp, "v": value} for p in ("P1", "P2", "P3")]
            status, _ = call(
                server.port, "POST", "/api/v1/ingest", {"facility": code, "readings": readings},
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            posted += status == 200
            if time.monotonic() >= deadline:
                break
        time.sleep(1.0)
    return posted


def open_runs(server: Server, count: int, admin: dict[str, str]) -> dict[str, str]:
    """Start an ispm15-ht run on ``count`` kilns and post a warm batch to each."""
    status, body = call(server.port, "GET", "/api/v1/wall", headers=admin)
    assert status == 200, body
    kilns = [
        f["code"] for f in json.loads(body)["facilities"] if f["kind"] == "kiln" and not f["run"]
    ][:count]
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.services.provisioning import rotate_token
    from phytowatch.services.runs import start_run

    services = bootstrap(load_settings(database_url=server.world.database_url))
    now = pageworld.now_us()
    tokens = {}
    try:
        for code in kilns:
            start_run(
                services.runs,
                code,
                "ispm15-ht",
                load="pallets",
                ctx=Context.system(FixedClock(now - 600_000_000)),
            )
            tokens[code] = rotate_token(
                services.registry, code, ctx=Context.system(FixedClock(now))
            ).token
    finally:
        services.close()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now / 1e6 - 60))
    for n, code in enumerate(kilns):
        value = 50.0 + (n % 9)
        readings = [{"probe": p, "t": stamp, "v": value} for p in ("P1", "P2", "P3")]
        status, answer = call(
            server.port, "POST", "/api/v1/ingest", {"facility": code, "readings": readings},
            {"Authorization": f"Bearer {tokens[code]}", "Content-Type": "application/json"},
        )  # fmt: skip
        assert status == 200, answer
    return tokens


BYTES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  let total = nav ? nav.encodedBodySize : 0, n = 1;
  for (const r of performance.getEntriesByType('resource')) {
    if (r.name.includes('/api/v1/events')) continue;
    total += r.encodedBodySize; n += 1;
  }
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {bytes: total, requests: n, fcp: fcp ? fcp.startTime : null};
}"""


def login(browser: Any, server: Server) -> Any:
    # bypass_csp: Playwright's wait_for_function evaluates strings, which the pages forbid
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{server.url}/login")
    page.fill("#login", "inspector")
    page.fill("#password", pageworld.PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/wall")
    return page


def measure_wall(browser: Any, server: Server, tokens: dict[str, str]) -> dict[str, Any]:
    page = login(browser, server)
    page.goto(f"{server.url}/wall")
    page.wait_for_function("window.pwWall && window.pwWall.painted > 0")
    page.wait_for_function("window.pwWall.live > 0")
    stats = page.evaluate("window.pwWall")
    sizes = page.evaluate(BYTES)
    tiles = page.evaluate("document.querySelectorAll('.tile').length")
    # keeping it live: DOM work per frame over 20 s of `runs` events
    page.evaluate("window.pwWall.frames = 0; window.pwWall.ms = 0; window.pwWall.maxMs = 0;"
                  "window.pwWall.tilesPainted = 0; window.pwWall.arranges = 0;"
                  "window.pwWall.arrangeMs = 0")  # fmt: skip
    import threading

    feeder = threading.Thread(target=feed, args=(server, tokens, 20.0))
    feeder.start()
    page.wait_for_timeout(20_000)
    feeder.join(timeout=60)
    live = page.evaluate("window.pwWall")
    page.context.close()
    return {
        "fcp": sizes["fcp"], "painted": stats["painted"], "live": stats["live"],
        "bytes": sizes["bytes"], "requests": sizes["requests"], "tiles": tiles,
        "frames": live["frames"], "frame_ms": live["ms"] / max(1, live["frames"]),
        "frame_max": live["maxMs"],
        "tiles_per_frame": live["tilesPainted"] / max(1, live["frames"]),
        "arranges": live.get("arranges", 0),
        "arrange_ms": live.get("arrangeMs", 0) / max(1, live.get("arranges", 0)),
    }  # fmt: skip


def measure_run(browser: Any, server: Server, run: int) -> dict[str, Any]:
    page = login(browser, server)
    page.goto(f"{server.url}/runs/{run}")
    page.wait_for_selector("body[data-chart-ready]")
    ready = page.evaluate("performance.now()")
    sizes = page.evaluate(BYTES)
    started = time.perf_counter()
    page.click("button[data-zoom=in]")
    page.wait_for_function("document.body.dataset.chartFetches === '2'")
    zoom = (time.perf_counter() - started) * 1000
    page.context.close()
    return {"fcp": sizes["fcp"], "chart": ready, "zoom": zoom, "bytes": sizes["bytes"],
            "requests": sizes["requests"]}  # fmt: skip


def median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def report(args: argparse.Namespace, facts: dict[str, Any], walls: list[dict[str, Any]],
           runs: list[dict[str, Any]], took: float) -> str:  # fmt: skip
    m = machine()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    w, r = walls, runs
    lines = [
        f"Command: `python benchmarks/pages.py --facilities {args.facilities} "
        f"--open-runs {args.open_runs}` ({when})",
        "",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in m.items()),
        "",
        f"Setup: `phytowatch serve` (one process, SQLite) and headless Chromium "
        f"(Debian's, 1920x1080) on the same cores; {facts['tiles']:,} facilities on the wall, "
        f"{facts['open']} of them with an open run (each in every `runs` event, once a "
        f"second); a `cn-cold-anastrepha-ludens` cold room run of 22 days, 8 probes, "
        f"{facts['cold_readings']:,} readings at 1-minute intervals. Times from navigation "
        f"start, medians of {args.repeats} loads in fresh browser contexts (nothing cached). "
        f"Whole benchmark: {took:.0f} s.",
        "",
        "| page | first contentful paint | ready | live | bytes shipped (requests) |",
        "|---|---:|---:|---:|---:|",
        f"| the wall, {facts['tiles']:,} tiles | {median(w, 'fcp'):.0f} ms | "
        f"{median(w, 'painted'):.0f} ms (every tile painted) | {median(w, 'live'):.0f} ms "
        f"(first `runs` event applied) | {median(w, 'bytes') / 1024:.0f} KiB "
        f"({median(w, 'requests'):.0f}) |",
        f"| a 22-day run | {median(r, 'fcp'):.0f} ms | {median(r, 'chart'):.0f} ms (chart "
        f"drawn) | – | {median(r, 'bytes') / 1024:.0f} KiB ({median(r, 'requests'):.0f}) |",
        "",
        "Keeping the wall live: for 20 s every open kiln posts a reading each second or so "
        "(as fast as one client manages), and the wall applies the `runs` events: "
        f"{median(w, 'frames'):.0f} frames "
        f"of DOM work, {median(w, 'tiles_per_frame'):.0f} tiles repainted per frame, "
        f"{median(w, 'frame_ms'):.1f} ms per frame (longest {max(x['frame_max'] for x in w):.0f}"
        f" ms), of which {median(w, 'arranges'):.0f} reordered and recounted every tile "
        f"({median(w, 'arrange_ms'):.1f} ms each): an update touches only the tiles whose text "
        "changed, once per animation frame; the order and the counts at most once a second "
        "(a moved ETA alone: every ten seconds).",
        "",
        f"Zooming the 22-day chart into its middle half: {median(r, 'zoom'):.0f} ms from the "
        "click to the window's detail drawn (fetched from the server at the chart's width).",
    ]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    block = f"{BEGIN}\n{section}\n{END}"
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        intro = (
            f"{HEADING}\n\nRegenerate this section with `python benchmarks/pages.py --write-doc`."
        )
        text = text.rstrip("\n") + f"\n\n{intro}\n\n{block}\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=1000)
    parser.add_argument("--open-runs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold-days", type=float, default=21.5, help="of the 22-day run's")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}: make browser", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    began = time.perf_counter()
    store: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pw-pages-") as root, serving(
        Path(root), extra_facilities=args.facilities - 3,
        prepare=lambda url: prepare_cold(url, store),
    ) as server:  # fmt: skip
        cold_readings = post_cold(server, store, args.cold_days)
        cookie = {"Cookie": "phytowatch_session=" + _cookie(server)}
        tokens = open_runs(server, args.open_runs, cookie)
        time.sleep(3)  # the server judges what arrived
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                walls = [measure_wall(browser, server, tokens) for _ in range(args.repeats)]
                runs = [measure_run(browser, server, store["run"]) for _ in range(args.repeats)]
            finally:
                browser.close()
    facts = {"tiles": walls[0]["tiles"], "open": len(tokens) + 1, "cold_readings": cold_readings}
    section = report(args, facts, walls, runs, time.perf_counter() - began)
    print(section)
    if args.write_doc:
        write_doc(section)
    return 0


def _cookie(server: Server) -> str:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(
            "POST", "/api/v1/auth/login",
            json.dumps({"login": "admin", "password": pageworld.PASSWORD}),
            {"Content-Type": "application/json"},
        )  # fmt: skip
        answer = conn.getresponse()
        answer.read()
        return (answer.getheader("set-cookie") or "").split(";", 1)[0].split("=", 1)[1]
    finally:
        conn.close()


if __name__ == "__main__":
    raise SystemExit(main())
