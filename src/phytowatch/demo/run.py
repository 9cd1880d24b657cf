"""``phytowatch demo``: seed the demo province, serve it, and feed it with simulated facilities."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from phytowatch.config import load_settings
from phytowatch.demo.province import (
    CITIES,
    COLD_SPAN,
    COLD_SPEEDUP,
    DEMO_OFFICE,
    DEMO_PEOPLE,
    RUN_LEAD,
    SHORT_SPAN,
    admin_token,
    demo_password,
    province,
)
from phytowatch.domain.instants import US_PER_S, format_instant

if TYPE_CHECKING:
    from phytowatch.simulate.spec import FacilitySpec


@dataclass
class Demo:
    data: Path
    port: int
    speed: float
    token: str
    url: str


def now_us() -> int:
    return time.time_ns() // 1000


def seed(data: Path, token_out: dict[str, str], *, short_start: int, cold_start: int) -> str:
    """A fresh database with the province and its runs; returns its URL."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.services.clock import FixedClock
    from phytowatch.services.context import Context
    from phytowatch.services.provisioning import add_enterprise, add_facility
    from phytowatch.services.runs import start_run

    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    url = f"sqlite:///{(data / 'phytowatch.db').resolve()}"
    services = bootstrap(load_settings(database_url=url))
    # the province is registered as of its story's start, not as of the machine's clock
    seeded = Context.system(FixedClock(short_start))
    try:
        enterprises, facilities = province()
        for e in enterprises:
            add_enterprise(
                services.registry,
                e.code,
                e.name_zh,
                e.name_en,
                e.city,
                e.grade,
                ctx=seeded,
                audit=services.audit,
            )
        for f in facilities:
            issued = add_facility(
                services.registry,
                f.code,
                f.enterprise,
                f.kind,
                [p.rsplit(":", 1)[0] if p.count(":") == 2 else p for p in f.probes],
                treater_number=f"{360 + len(token_out):03d}" if f.kind == "kiln" else None,
                ctx=seeded,
                audit=services.audit,
            )
            token_out[f.code] = issued.token
            if f.schedule is not None:
                start = cold_start if f.kind == "cold_room" else short_start
                start_run(
                    services.runs,
                    f.code,
                    f.schedule,
                    params=f.params,
                    load=f.load,
                    ctx=Context.system(FixedClock(start - RUN_LEAD)),
                )
    finally:
        services.close()
    return url


def seed_people(url: str, *, now: int) -> list[tuple[str, str, str]]:
    """An office over the whole province and one person per role: (login, password, role)."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.services.accounts import add_office, add_user
    from phytowatch.services.clock import FixedClock
    from phytowatch.services.context import Context

    services = bootstrap(load_settings(database_url=url), migrate=False)
    people = []
    ctx = Context.system(FixedClock(now), "demo")
    try:
        add_office(
            services.accounts,
            services.audit,
            ctx=ctx,
            code=DEMO_OFFICE[0],
            name=DEMO_OFFICE[1],
            cities=[zh for _, zh, _ in CITIES],
        )
        for login, name, role, enterprise, office in DEMO_PEOPLE:
            password = demo_password()
            add_user(
                services.accounts,
                services.audit,
                ctx=ctx,
                login=login,
                name=name,
                role=role,
                password=password,
                enterprise=enterprise,
                office=office,
                cost=services.settings.password_hash_cost,
            )
            people.append((login, password, role))
    finally:
        services.close()
    return people


def serve(url: str, port: int, token: str) -> Callable[[], None]:
    """The service in this process; returns its stop."""
    import uvicorn

    from phytowatch.bootstrap import bootstrap
    from phytowatch.web.app import create_app

    settings = load_settings(database_url=url, port=port)
    settings = settings.model_copy(
        # plain http on 127.0.0.1: the session cookie cannot be Secure-only here
        update={
            "admin_token": SecretStr(token),
            "future_tolerance_s": 600,
            "cookie_secure": False,
        }
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, build=bootstrap), host="127.0.0.1", port=port, log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, name="demo-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the demo server did not start on port {port}")
        time.sleep(0.1)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=15)

    return stop


def simulate(
    base_url: str,
    tokens: dict[str, str],
    *,
    speed: float,
    short_start: int,
    cold_start: int,
    stop: threading.Event,
) -> list[threading.Thread]:
    """Two simulated fleets (the cold rooms run faster): threads feeding the service."""
    from phytowatch.simulate.runner import run_fleet
    from phytowatch.simulate.spec import facility_spec
    from phytowatch.simulate.transports import HttpTransport

    _, facilities = province()
    running = [f for f in facilities if f.schedule is not None]
    fleets = {
        "short": ([f for f in running if f.kind != "cold_room"], speed, short_start, SHORT_SPAN),
        "cold": (
            [f for f in running if f.kind == "cold_room"],
            speed * COLD_SPEEDUP,
            cold_start,
            COLD_SPAN,
        ),
    }
    threads = []
    for name, (members, pace, start, span) in fleets.items():
        specs = [
            facility_spec(
                f.code,
                tokens[f.code],
                f.sim_kind,
                f.probes,
                list(f.faults),
                seed=7 + k,
                interval_s=f.interval_s,
            )
            for k, f in enumerate(members)
        ]

        def run(
            specs: list[FacilitySpec] = specs,
            pace: float = pace,
            start: int = start,
            span: int = span,
        ) -> None:
            run_fleet(
                specs,
                connect=lambda spec: HttpTransport(base_url, spec.token),
                start=start,
                speed=pace,
                duration_s=span // US_PER_S,
                report_every_s=0,
                emit=lambda line: None,
                drain_s=5.0,
            )

        thread = threading.Thread(target=run, name=f"demo-fleet-{name}", daemon=True)
        thread.start()
        threads.append(thread)
    del stop
    return threads


def _get(url: str, token: str) -> list[dict[str, Any]]:
    """The list in an answer of our own API (``runs`` or ``alarms``)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        data: dict[str, list[dict[str, Any]]] = json.loads(answer.read())
    return next(iter(data.values()))


def summary(base_url: str, token: str) -> tuple[str, dict[str, int], dict[str, int]]:
    runs = _get(f"{base_url}/api/v1/runs", token)
    alarms = _get(f"{base_url}/api/v1/alarms", token)  # the open ones
    phases = Counter(str(r["phase"] or "starting") for r in runs)
    kinds = Counter(str(a["kind"]) for a in alarms)
    line = (
        "runs: "
        + ", ".join(f"{n} {p.lower()}" for p, n in sorted(phases.items()))
        + f" | open alarms: {len(alarms)}"
        + (f" ({', '.join(f'{k} {n}' for k, n in kinds.most_common(4))})" if kinds else "")
    )
    return line, dict(phases), dict(kinds)


def run_demo(
    data: Path, port: int, speed: float, minutes: float | None, emit: Callable[[str], None]
) -> dict[str, int]:
    """Seed, serve, simulate; print a summary every few seconds. Returns the final phases."""
    start_wall = now_us()
    short_start = start_wall - SHORT_SPAN
    cold_start = start_wall - COLD_SPAN
    tokens: dict[str, str] = {}
    token = admin_token()
    url = seed(data, tokens, short_start=short_start, cold_start=cold_start)
    people = seed_people(url, now=start_wall)
    base_url = f"http://127.0.0.1:{port}"
    stop_server = serve(url, port, token)
    stop = threading.Event()
    emit(
        f"The demo province is live: 77 enterprises in 11 cities, {len(tokens)} facilities, "
        f"{sum(1 for f in province()[1] if f.schedule)} runs under way "
        f"(simulated from {format_instant(short_start)[:16]}, {speed:g}x; cold rooms "
        f"{speed * COLD_SPEEDUP:g}x)."
    )
    emit(f"  the wall   {base_url}/wall   (log in as one of the people below, in a browser)")
    emit(f"  API        {base_url}/api/v1/runs   (header: Authorization: Bearer {token})")
    emit(f"  alarms     {base_url}/api/v1/alarms")
    emit(
        f"  log in     curl -c cookies -X POST {base_url}/api/v1/auth/login "
        """-H 'Content-Type: application/json' -d '{"login": "inspector", "password": "…"}'"""
    )
    emit(f"  people     (office {DEMO_OFFICE[0]}: the whole province; enterprise GZ01)")
    for login, password, role in people:
        emit(f"             {login:<10} {password:<20} {role}")
    emit(f"  CLI        phytowatch runs list --database-url {url}")
    emit(f"             phytowatch alarms list --database-url {url}")
    emit("  Ctrl-C stops the demo.")
    threads = simulate(
        base_url, tokens, speed=speed, short_start=short_start, cold_start=cold_start, stop=stop
    )
    phases: dict[str, int] = {}
    deadline = None if minutes is None else time.monotonic() + minutes * 60
    try:
        while deadline is None or time.monotonic() < deadline:
            time.sleep(5)
            line, phases, _ = summary(base_url, token)
            emit(time.strftime("%H:%M:%S ") + line)
    except KeyboardInterrupt:
        emit("stopping the demo…")
    finally:
        stop.set()
        stop_server()
    del threads
    return phases
