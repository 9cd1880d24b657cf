"""``phytowatch demo``: seed the demo province, serve it, and keep it working.

One clock (demo/clock.py) for everything: the service's (its judging, its alarms, its pages) and
the simulated devices'. Each working facility runs load after load (demo/cycle.py). Everything
said is a message (a code and its parameters): the command renders it in the reader's language.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from phytowatch.config import load_settings
from phytowatch.demo.certifying import seed_certifying
from phytowatch.demo.chain import Chain, seed_chain
from phytowatch.demo.clock import DemoClock
from phytowatch.demo.cycle import Cycle, Station
from phytowatch.demo.idle import report_idle
from phytowatch.demo.port import seed_ports
from phytowatch.demo.province import (
    CITIES,
    DEMO_OFFICE,
    DEMO_PEOPLE,
    DemoFacility,
    admin_token,
    demo_password,
    province,
)
from phytowatch.demo.receivers import (
    outbox_settings,
    ready,
    receiver_names,
    start_receivers,
    stop_receivers,
)
from phytowatch.domain.instants import US_PER_D, format_instant
from phytowatch.domain.messages import Code, Instant, Invalid, Message, Word, say

if TYPE_CHECKING:
    from phytowatch.services.app import App

LOOP_S = 0.1  # wall seconds between two steps of the cycle
CHAIN_S = 1.0  # wall seconds between two steps of the e-supervision chain
SUMMARY_S = 5.0  # wall seconds between two summary lines
# calibrations: most probes calibrated half a year ago and good for another; one kiln's probe
# expired (its runs carry the note, and the alarm rises), another's falls due within the fortnight
CALIBRATED = 180 * US_PER_D
VALID_FOR = 365 * US_PER_D


def seed(
    data: Path, token_out: dict[str, str], *, at: int, only: Collection[str] | None = None
) -> str:
    """A fresh database with the province, its calibrations and cameras; returns its URL.
    ``only``: just these facilities and their enterprises (a test's few)."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.services.clock import FixedClock
    from phytowatch.services.context import Context
    from phytowatch.services.provisioning import (
        add_calibration,
        add_camera,
        add_enterprise,
        add_facility,
    )

    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    url = f"sqlite:///{(data / 'phytowatch.db').resolve()}"
    services = bootstrap(load_settings(database_url=url))
    ctx = Context.system(FixedClock(at), "demo")
    try:
        enterprises, facilities = province()
        if only is not None:
            facilities = [f for f in facilities if f.code in only]
            enterprises = [e for e in enterprises if e.code in {f.enterprise for f in facilities}]
        for e in enterprises:
            add_enterprise(
                services.registry,
                e.code,
                e.name_zh,
                e.name_en,
                e.city,
                e.grade,
                ctx=ctx,
                audit=services.audit,
            )
        working = 0
        for f in facilities:
            probes = [p.rsplit(":", 1)[0] if p.count(":") == 2 else p for p in f.probes]
            issued = add_facility(
                services.registry,
                f.code,
                f.enterprise,
                f.kind,
                probes,
                treater_number=f"{360 + len(token_out):03d}" if f.kind == "kiln" else None,
                ctx=ctx,
                audit=services.audit,
            )
            token_out[f.code] = issued.token
            if f.schedule is None:
                continue
            working += 1
            for k, probe in enumerate(probes):
                code = probe.split(":", 1)[0]
                due = at - CALIBRATED + VALID_FOR
                if working == 2 and k == 0:
                    due = at - 10 * US_PER_D  # expired: judged raw, noted on the run
                elif working == 3 and k == 0:
                    due = at + 9 * US_PER_D  # falls due soon
                add_calibration(
                    services.registry,
                    f.code,
                    code,
                    ("0.0", "-0.1", "0.1")[k % 3],
                    calibrated_at=at - CALIBRATED,
                    due_at=due,
                    certificate=f"JXCAL-{f.enterprise}-{code}",
                    ctx=ctx,
                    audit=services.audit,
                )
            if f.camera:
                add_camera(services.registry, f.code, f.camera, ctx=ctx, audit=services.audit)
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


def seed_standing(url: str, *, now: int) -> tuple[list[str], list[tuple[str, str, str]], list[str]]:
    """The e-supervision chain's standings, bases and declarants (demo/chain.py), each office's
    signing key and certifying officer (demo/certifying.py), and each e-transfer port's office
    and port officer (demo/port.py): the declarants' logins (their password is not printed: the
    demo acts for them), the officers added (login, password, role), printed with the other
    people, and the ports' receivers to start (demo/receivers.py)."""
    from phytowatch.bootstrap import bootstrap

    services = bootstrap(load_settings(database_url=url), migrate=False)
    try:
        enterprises, facilities = province()
        password = demo_password()
        declarants = seed_chain(services, enterprises, facilities, now=now, password=password)
        officers = seed_certifying(services, now=now, password=demo_password())
        officers += seed_ports(services, now=now, password=demo_password())
        return declarants, officers, receiver_names(services)
    finally:
        services.close()


@dataclass
class Served:
    services: App  # the service's own application: the one its pages and judging use
    stop: Callable[[], None]


def serve(
    url: str, port: int, token: str, clock: DemoClock, outbox: dict[str, Any] | None = None
) -> Served:
    """The service in this process, on the demo's clock; with ``outbox`` (the receivers'
    settings), its outbox delivering to the ports' receivers in a thread."""
    import uvicorn

    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import Settings
    from phytowatch.web.app import create_app

    settings = load_settings(database_url=url, port=port)
    settings = settings.model_copy(
        update={
            "admin_token": SecretStr(token),
            # plain http on 127.0.0.1: the session cookie cannot be Secure-only here
            "cookie_secure": False,
            # the certificates' QR codes and printed addresses point at this demo
            "public_url": f"http://127.0.0.1:{port}",
            # sessions last as long in real time as they would at 1×: the clock runs faster
            "session_ttl_s": int(settings.session_ttl_s * clock.speed),
            "session_idle_s": int(settings.session_idle_s * clock.speed),
            **(outbox or {}),
        }
    )
    built: list[App] = []
    delivering = threading.Event()
    deliveries: list[threading.Thread] = []

    def build(given: Settings) -> App:
        services = bootstrap(given, clock=clock)
        built.append(services)
        if outbox:
            log = logging.getLogger("phytowatch.outbox")
            worker = threading.Thread(
                target=services.deliveries.run,
                args=(delivering,),
                kwargs={"on_error": lambda error: log.warning("outbox delivery: %s", error)},
                name="demo-outbox",
                daemon=True,
            )
            worker.start()
            deliveries.append(worker)
        return services

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, build=build), host="127.0.0.1", port=port, log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, name="demo-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise Invalid(say(Code.DEMO_NOT_STARTED, port=port))
        time.sleep(0.1)

    def stop() -> None:
        delivering.set()
        for worker in deliveries:
            worker.join(timeout=15)
        server.should_exit = True
        thread.join(timeout=15)

    return Served(built[0], stop)


class DemoService:
    """The cycle's service: runs started and closed by the demo's operators (use cases of the
    service's own application, on its one clock), stills sent as a camera sends them."""

    def __init__(self, services: App, base_url: str) -> None:
        self.services = services
        self.base_url = base_url

    def _ctx(self, at: int) -> Any:
        from phytowatch.services.clock import FixedClock
        from phytowatch.services.context import Context

        return Context.system(FixedClock(at), "demo")

    def start(self, facility: DemoFacility, at: int) -> int:
        from phytowatch.services.runs import start_run

        assert facility.schedule is not None
        record = start_run(
            self.services.runs,
            facility.code,
            facility.schedule,
            params=facility.params,
            load=facility.load,
            ctx=self._ctx(at),
            audit=self.services.audit,
        )
        return record.id

    def is_open(self, run_id: int) -> bool:
        record = self.services.runs.run(run_id)
        return record is not None and record.closed_at is None

    def close(self, run_id: int, at: int) -> None:
        from phytowatch.domain.messages import Refused

        with contextlib.suppress(Refused):  # closed meanwhile by its verdict
            self.services.monitor.close(run_id, ctx=self._ctx(at))

    def still(self, facility: DemoFacility, token: str, jpeg: bytes, taken_at: int) -> None:
        query = urllib.parse.urlencode(
            {"camera": facility.camera, "taken_at": format_instant(taken_at)}
        )
        request = urllib.request.Request(
            f"{self.base_url}/api/v1/facilities/{facility.code}/snapshots?{query}",
            data=jpeg,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                answer.read()
        except (urllib.error.URLError, OSError):
            pass  # a camera that cannot send skips a still; the readings matter


def _get(url: str, token: str) -> list[dict[str, Any]]:
    """The list in an answer of our own API (``runs`` or ``alarms``)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        data: dict[str, list[dict[str, Any]]] = json.loads(answer.read())
    return next(iter(data.values()))


def chain_summary(chain: Chain) -> Message:
    """What the e-supervision chain did since the demo began."""
    counts = chain.counts
    return say(
        Code.DEMO_CHAIN,
        declared=counts["declared"],
        documents=counts["documents"],
        inspected=counts["inspected"],
        intercepted=counts["intercepted"],
        returned=counts["returned"],
    )


def certificates_summary(chain: Chain) -> Message:
    """What step 4 did since the demo began: certificates and IPPC marks."""
    counts = chain.counts
    return say(
        Code.DEMO_CERTIFICATES,
        applied=counts["applied"],
        issued=counts["issued"],
        printed=counts["printed"],
        returned=counts["cert_returned"],
        replaced=counts["replaced"],
        cancelled=counts["cancelled"],
        marks=counts["marks"],
    )


def port_summary(chain: Chain) -> Message:
    """What steps 5 and 6 did since the demo began: transfers, amendments, the port's acts."""
    counts = chain.counts
    return say(
        Code.DEMO_PORT,
        transferred=counts["transferred"],
        paper=counts["paper"],
        amended=counts["amended"],
        refused=counts["amend_refused"],
        retrieved=counts["retrieved"],
        checked=counts["checked"],
        held=counts["held"],
        released=counts["released"],
    )


def summary(base_url: str, token: str, cycle: Cycle, now: int) -> Message:
    """What the demo is doing, as the API shows it: runs started since the demo began, the
    verdicts of the closed ones (among the latest 200), the open runs' phases, the open alarms."""
    runs = _get(f"{base_url}/api/v1/runs", token)
    alarms = _get(f"{base_url}/api/v1/alarms", token)  # the open ones
    closed = [r for r in runs if r["closed_at"] is not None]
    verdicts = Counter(str(r["verdict"]) for r in closed)
    phases = Counter(str(r["phase"] or "").lower() for r in runs if r["closed_at"] is None)
    return say(
        Code.DEMO_SUMMARY,
        now=Instant(now - now % 1_000_000),
        started=cycle.started,
        closed=len(closed),
        passed=verdicts["PASS"],
        failed=verdicts["FAIL"],
        holding=phases["holding"],
        waiting=phases["waiting"],
        alarms=len(alarms),
    )


def new_alarms(services: App, seen: set[int]) -> list[tuple[Message, Message]]:
    """The alarms raised since the last look: (what and where, the alarm's own message)."""
    out = []
    for alarm in sorted(services.alarm_store.open_alarms(), key=lambda a: a.id or 0):
        if alarm.id is None or alarm.id in seen:
            continue
        seen.add(alarm.id)
        head = say(
            Code.DEMO_ALARM,
            alarm=alarm.id,
            severity=Word(alarm.severity.value),
            facility=alarm.facility,
            at=Instant(alarm.raised_at - alarm.raised_at % 1_000_000),
        )
        out.append((head, alarm.message))
    return out


def run_demo(
    data: Path,
    port: int,
    speed: float,
    minutes: float | None,
    emit: Callable[[Message | str | tuple[Message, ...]], None],
) -> Cycle:
    """Seed, serve, keep the province working; a summary every few seconds. Returns the cycle."""
    # the judging thread logs each alarm in English; the demo says them itself, in the reader's
    logging.getLogger("phytowatch.runtime.live").setLevel(logging.ERROR)
    clock = DemoClock(speed)
    tokens: dict[str, str] = {}
    token = admin_token()
    begun = clock.now()
    url = seed(data, tokens, at=begun)
    people = seed_people(url, now=begun)
    _declarants, officers, names = seed_standing(url, now=begun)
    people += officers
    base_url = f"http://127.0.0.1:{port}"
    receivers, failed = ready(start_receivers(names, data / "ports"))
    atexit.register(stop_receivers, receivers)  # whatever stops the demo, no child outlives it
    try:
        served = serve(url, port, token, clock, outbox_settings(receivers))
    except BaseException:
        stop_receivers(receivers)  # a demo that did not start stops its receivers at once
        raise
    enterprises, facilities = province()
    working = [f for f in facilities if f.schedule is not None]
    emit(
        say(
            Code.DEMO_LIVE,
            enterprises=len(enterprises),
            cities=len(CITIES),
            facilities=len(facilities),
            working=len(working),
            start=Instant(begun - begun % 1_000_000),
            speed=f"{speed:g}",
        )
    )
    emit(say(Code.DEMO_WALL, url=f"{base_url}/wall"))
    emit(say(Code.DEMO_API, url=f"{base_url}/api/v1/runs", token=token))
    emit(say(Code.DEMO_ALARMS, url=f"{base_url}/api/v1/alarms"))
    emit(
        say(
            Code.DEMO_CHAIN_PAGES,
            consignments=f"{base_url}/consignments",
            inspections=f"{base_url}/inspections",
            certificates=f"{base_url}/certificates",
            marks=f"{base_url}/marks",
        )
    )
    emit(
        say(
            Code.DEMO_PORT_PAGES,
            transfers=f"{base_url}/transfers",
            port=f"{base_url}/port",
            outbox=f"{base_url}/admin/outbox",
            kpi=f"{base_url}/kpi",
        )
    )
    for receiver in receivers:
        emit(
            say(
                Code.DEMO_RECEIVER,
                name=receiver.name,
                url=receiver.url,
                database=str(receiver.database.resolve()),
            )
        )
    for receiver in failed:
        emit(say(Code.DEMO_RECEIVER_FAILED, name=receiver.name, log=str(receiver.log)))
    emit(say(Code.DEMO_VERIFY, url=f"{base_url}/verify"))
    emit(say(Code.DEMO_PRINTS, folder=str((data / "prints").resolve())))
    body = '{"login": "inspector", "password": "…"}'
    login = (
        f"curl -c cookies -X POST {base_url}/api/v1/auth/login "
        f"-H 'Content-Type: application/json' -d '{body}'"
    )
    emit(say(Code.DEMO_LOGIN, command=login))
    emit(say(Code.DEMO_PEOPLE, office=DEMO_OFFICE[0], enterprise="GZ01"))
    for login_name, password, role in people:
        emit(f"             {login_name:<10} {password:<20} {role}")
    emit(say(Code.DEMO_CLI, command=f"phytowatch runs list --database-url {url}"))
    emit(f"             phytowatch alarms list --database-url {url}")
    emit(say(Code.DEMO_STOP))

    from phytowatch.simulate.transports import HttpTransport

    cycle = Cycle(
        [(f, tokens[f.code]) for f in working],
        service=DemoService(served.services, base_url),
        connect=lambda f, device_token: HttpTransport(base_url, device_token),
        now=begun,
    )
    # what the devices recorded before the demo began goes up first, with time standing still:
    # no facility looks silent while the others upload
    deadline = time.monotonic() + 120
    cycle.step(clock.now(), time.monotonic())
    while cycle.busy and time.monotonic() < deadline:
        cycle.step(clock.now(), time.monotonic())
    # the facilities between loads report their probes once: monitored, like the working ones
    report_idle(facilities, tokens, base_url, clock.now())
    clock.start()
    stop = threading.Event()

    def work(station: Station) -> None:
        while not stop.is_set():
            try:
                cycle.step_one(station, clock.now(), time.monotonic())
            except Exception:
                logging.getLogger(__name__).exception("demo station %s", station.facility.code)
            stop.wait(LOOP_S)

    chain = Chain(served.services, working, print_to=data / "prints")

    def declare() -> None:
        """The e-supervision chain, in its own thread: the judging is never held up by it."""
        while not stop.is_set():
            try:
                chain.step(clock.now())
            except Exception:
                logging.getLogger(__name__).exception("demo chain")
            stop.wait(CHAIN_S)

    workers = [
        threading.Thread(target=work, args=(s,), name=f"demo-{s.facility.code}", daemon=True)
        for s in cycle.stations
    ]
    workers.append(threading.Thread(target=declare, name="demo-chain", daemon=True))
    for worker in workers:
        worker.start()
    seen: set[int] = set()
    end = None if minutes is None else time.monotonic() + minutes * 60
    try:
        while end is None or time.monotonic() < end:
            wait = SUMMARY_S if end is None else max(0.0, min(SUMMARY_S, end - time.monotonic()))
            time.sleep(wait)
            for alarm in new_alarms(served.services, seen):
                emit(alarm)
            while chain.porting.said:
                emit(chain.porting.said.popleft())
            emit(
                (
                    summary(base_url, token, cycle, clock.now()),
                    chain_summary(chain),
                    certificates_summary(chain),
                    port_summary(chain),
                )
            )
    except KeyboardInterrupt:
        emit(say(Code.DEMO_STOPPING))
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=15)
        served.stop()
        stop_receivers(receivers)
    return cycle
