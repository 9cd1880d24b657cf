"""Benchmark of the e-certificates: the printed PDF, the ePhyto XML, and the public verification
page under 50 concurrent clients, each against a floor measured in the same run, on SQLite and
PostgreSQL.

Run with the project's interpreter (PostgreSQL at ``--postgres``, a scratch database is created
and dropped)::

    .venv/bin/python benchmarks/certificates.py [--database sqlite|postgresql|both]
        [--certificates N] [--clients C] [--seconds S] [--write-doc]

For each database:

1. Seeds it in-process with the project's own use cases: one office covering three cities, its
   inspector and certifying officer and a signing key, ``--enterprises`` enterprises (a kiln, a
   declarant, a standing each), and for each certificate a signed-off PASS ``ispm15-ht`` run, a
   consignment declared with it, submitted, routed (and inspected when routed so), then a
   certificate drafted, submitted, approved and issued (phytosanitary, one in eight a treatment
   certificate). Then about one in ten is cancelled and one in ten replaced (the replacement
   drafted, submitted, approved and issued: the old one becomes replaced).
2. On the first database only (what is timed reads nothing from it): a fresh interpreter
   (``--child``) reads the issued certificates and times, in this order, the first PDF render in
   the process (fpdf2's import and the cut-down fonts read and parsed: ``printing/fonts.py``;
   the cut itself, about 4 s, is made once after ``make assets`` and kept on disk), then
   ``--renders`` renders interleaved with the floor (fpdf2 writing the same text, captured from
   a render, with the same fonts on one page, no layout); then the first ePhyto export (the
   schemas loaded), then ``--exports`` exports (written, serialised, parsed back and validated:
   ``ephyto/export.py``) interleaved with the floor (lxml parsing the same document and
   validating its SPSCertificate against the same schema), and ``check`` (what
   ``phytowatch ephyto validate`` does) of each document.
3. Starts ``phytowatch serve`` on it (a real process) with ``PHYTOWATCH_VERIFY_RATE_PER_MINUTE``
   high: the limit counts per client address, and every client here is 127.0.0.1. ``--clients``
   keep-alive clients, each sending its next request as soon as it has read the answer to the
   last, for ``--seconds`` per round, ``--rounds`` rounds alternating: the floor
   (``GET /api/v1/health``) and the verification page (a random issued certificate by its QR
   token ``GET /verify/{token}``, 70 %; by number and check code ``GET /verify?number=&code=``,
   15 %; an unknown token, 15 %); then one round of each with the same clients at a person's
   pace (each pauses a random while before each look-up: ``--paced-rate`` a second in all).
   Every answer is checked (the standing shown, or 404).

Targets: PDF render ≤ 300 ms (p95 of the steady renders), XML export with its schema
validation ≤ 30 ms (p95), the verification page's p99 ≤ 50 ms under the 50 clients. With
``--write-doc`` the figures replace the certificates section of ``docs/performance.md``
(between ``<!-- certificates:begin -->`` and ``<!-- certificates:end -->``). Exit status 1 when
a target is missed or an answer was wrong. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import cpu_seconds, pct, scratch, write_doc
from machine import machine
from serving import free_port, wait_until_healthy

BEGIN, END = "<!-- certificates:begin -->", "<!-- certificates:end -->"
HEADING = "## Certificates: the PDF, the ePhyto XML and the verification page"
PHYTOWATCH = Path(sys.executable).parent / "phytowatch"
HOST = "127.0.0.1"
PASSWORD = "correct horse battery staple"
CITIES = ("赣州", "南昌", "九江")
PROBES = ("C1", "C2", "C3")
US = 1_000_000
DAY_US = 86_400 * US
TARGET_PDF_MS = 300.0
TARGET_XML_MS = 30.0
TARGET_VERIFY_P99_MS = 50.0
RATE_PER_MINUTE = 100_000_000  # the benchmark's server: the limit is per address
MIX = (("token", 0.70), ("number", 0.15), ("unknown", 0.15))
PRODUCE = (
    ("wood-packaging", "Pinus massoniana", "wooden pallets"),
    ("citrus-mandarin", "Citrus reticulata", "mandarins, fresh"),
    ("bamboo-products", "Bambusoideae", "bamboo baskets"),
)


def now_us() -> int:
    return time.time_ns() // 1000


def judgement(hold_end_us: int) -> dict[str, Any]:
    """A PASS of ispm15-ht, 56 °C core for 30 min, as a closed run's judgement says it."""

    def iso(us: int) -> str:
        return datetime.fromtimestamp(us / US, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {
        "verdict": "PASS",
        "schedule": {"id": "ispm15-ht", "version": "1"},
        "step": {"index": 0, "threshold": 56.0, "duration_s": 1800},
        "hold_start": iso(hold_end_us - 6_000 * US),
        "hold_end": iso(hold_end_us),
        "findings": [],
        "review_required": False,
    }


# ------------------------------------------------------------------------------------ seeding


def container(n: int) -> str:
    """An ISO 6346 container number with its check digit."""
    from phytowatch.domain.supervision.codes import container_check_digit

    first = f"CSQU{300000 + n:06d}"
    return f"{first}{container_check_digit(first) % 10}"


@dataclass(frozen=True)
class Lookup:
    token: str
    number: str
    check_code: str
    standing: str  # valid, cancelled, replaced


@dataclass
class Seeded:
    lookups: list[Lookup] = field(default_factory=list)
    exported: list[int] = field(default_factory=list)  # phytosanitary, issued or cancelled
    printed: list[int] = field(default_factory=list)  # every issued certificate

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("valid", "cancelled", "replaced"), 0)
        for lookup in self.lookups:
            out[lookup.standing] = out.get(lookup.standing, 0) + 1
        return out


def seed(url: str, enterprises: int, certificates: int) -> Seeded:
    """Office, people, key, enterprises; a certificate issued per consignment through the
    lifecycle; some cancelled, some replaced."""
    from decimal import Decimal

    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings
    from phytowatch.domain.accounts import Action, Principal, Role
    from phytowatch.domain.certificates.model import CertificateKind
    from phytowatch.domain.supervision.consignment import Declaration, Line, Party
    from phytowatch.services.accounts import add_office, add_user
    from phytowatch.services.accounts.principals import principal_of
    from phytowatch.services.clock import FixedClock
    from phytowatch.services.context import Context
    from phytowatch.services.provisioning import add_calibration, add_enterprise, add_facility
    from phytowatch.services.runs import start_run
    from phytowatch.services.signoff import sign_off
    from phytowatch.services.supervision.assessment import InspectionForm, record_inspection
    from phytowatch.services.supervision.declare import DeclarationService
    from phytowatch.services.supervision.standing import set_standing

    rng = random.Random(14)
    seeded = Seeded()
    services = bootstrap(load_settings(database_url=url))
    try:
        start = now_us() - 200 * DAY_US
        clock = [start]

        def tick() -> int:
            clock[0] += 60 * US
            return clock[0]

        def system() -> Context:
            return Context.system(FixedClock(tick()), "cli:bench")

        def person(login: str) -> Any:
            user = services.accounts.user_by_login(login)
            assert user is not None
            return principal_of(services.accounts, user)

        def as_(principal: Any) -> Context:
            return Context.of(principal, FixedClock(tick()))

        add_office(
            services.accounts, services.audit, code="GZ", name="赣南", cities=list(CITIES),
            ctx=system(),
        )  # fmt: skip
        for login, role in (("inspector", "inspector"), ("certifier", "certifying_officer")):
            add_user(
                services.accounts, services.audit, login=login, name=login.title(), role=role,
                password=PASSWORD, office="GZ", cost=10, ctx=system(),
            )  # fmt: skip
        inspector, certifier = person("inspector"), person("certifier")
        admin = Principal(
            kind="user", actor="cli:bench", actions=frozenset(Action), role=Role.ADMINISTRATOR
        )
        services.certificates.create_key("GZ", ctx=system())
        declare = DeclarationService.of(services)
        declarants = []
        for k in range(enterprises):
            code, city = f"{8000 + k}", CITIES[k % len(CITIES)]
            add_enterprise(
                services.registry, code, f"出口企业{k}有限公司", f"Jiangxi Exporter {k} Co., Ltd.",
                city, "II", ctx=system(),
            )  # fmt: skip
            add_facility(services.registry, f"CT-{k:03d}-K1", code, "kiln", list(PROBES),
                         ctx=system())  # fmt: skip
            for probe in PROBES:
                add_calibration(
                    services.registry, f"CT-{k:03d}-K1", probe, "0.0",
                    calibrated_at=start - 30 * DAY_US, due_at=start + 700 * DAY_US,
                    certificate="JJF-1", ctx=system(),
                )  # fmt: skip
            add_user(
                services.accounts, services.audit, login=f"decl{k:03d}", name=f"Declarant {k}",
                role="enterprise_declarant", password=PASSWORD, enterprise=code, cost=10,
                ctx=system(),
            )  # fmt: skip
            set_standing(
                services.standing, services.policy, services.audit, code,
                ctx=Context.of(admin, FixedClock(tick())), klass=("I", "II", "III")[k % 3],
                e_supervised=True, reason="benchmark",
            )  # fmt: skip
            declarants.append(person(f"decl{k:03d}"))

        def issue(certificate_id: int) -> Any:
            certs = services.certificates
            certs.approve(certificate_id, ctx=as_(certifier))
            return certs.issue(certificate_id, ctx=as_(certifier))

        issued = []
        for n in range(certificates):
            k = n % enterprises
            facility = f"CT-{k:03d}-K1"
            began = tick()
            run = start_run(services.runs, facility, "ispm15-ht", load="pallets",
                            ctx=Context.system(FixedClock(began), "cli:bench")).id  # fmt: skip
            ended = tick()
            services.runs.close_run(run, ended, "pass", "PASS", json.dumps(judgement(ended)))
            sign_off(
                services.runs, services.accounts, services.audit, run, ctx=as_(inspector),
                decision="signed_off", comment="",
            )  # fmt: skip
            produce, botanical, description = PRODUCE[n % len(PRODUCE)]
            lines = tuple(
                Line(
                    produce,
                    botanical,
                    Decimal(100 * (j + 1) + n % 97),
                    "kg",
                    10 + j,
                    "cartons",
                    f"{description}, lot {j + 1}",
                )
                for j in range(1 + n % 3)
            )
            declaration = Declaration(
                exporter=Party("", ""),
                consignee=Party(f"Pacific Trading {n} Pte Ltd", f"{n} Jurong Port Rd, Singapore"),
                lines=lines,
                destination="SG",
                port_of_exit="CNSHA",
                conveyance="vessel COSCO Aries",
                marks=f"PT-{n:05d}",
                containers=(container(n),),
                bases=(),
                runs=(run,),
                place_of_origin=f"{CITIES[k % 3]}, Jiangxi",
                point_of_entry="Singapore",
            )
            made = declare.create(declaration, ctx=as_(declarants[k]))
            try:
                submitted = declare.submit(made.id, ctx=as_(declarants[k])).consignment
            except Exception as error:
                raise RuntimeError(getattr(error, "problems", error)) from error
            if submitted.state.value == "routed":
                form = InspectionForm("5 of 40 cartons", (), "", "none", (), "conforming", "", "")
                record_inspection(
                    services.consignments, services.assessments, services.audit, made.id,
                    form, ctx=as_(inspector),
                )  # fmt: skip
            kind = CertificateKind.TREATMENT if n % 8 == 7 else CertificateKind.PHYTOSANITARY
            draft = services.certificates.draft(made.id, kind, ctx=as_(declarants[k]))
            services.certificates.submit(draft.id, ctx=as_(declarants[k]))
            issued.append((issue(draft.id), k))
        standing: dict[int, str] = {}
        for certificate, k in issued:
            standing[certificate.id] = "valid"
            roll = rng.random()
            if roll < 0.10:
                services.certificates.cancel(
                    certificate.id, "consignment not shipped", ctx=as_(certifier)
                )
                standing[certificate.id] = "cancelled"
            elif roll < 0.20:
                new = services.certificates.replace(
                    certificate.id, "consignee's address corrected",
                    {"remarks": "consignee's address corrected"}, ctx=as_(declarants[k]),
                )  # fmt: skip
                services.certificates.submit(new.id, ctx=as_(declarants[k]))
                newer = issue(new.id)
                standing[certificate.id] = "replaced"
                standing[newer.id] = "valid"
                issued.append((newer, k))
        for certificate, _ in issued:
            found = services.certificates.certificate(certificate.id)
            assert found is not None and found.issue is not None
            expected = standing[found.id]
            assert found.state.value in (
                {"valid": ("issued", "printed")}.get(expected, (expected,))
            ), (found.state, expected)
            seeded.lookups.append(
                Lookup(found.issue.token, found.issue.number, found.issue.check_code, expected)
            )
            seeded.printed.append(found.id)
            if found.kind is CertificateKind.PHYTOSANITARY and expected != "replaced":
                seeded.exported.append(found.id)
    finally:
        services.close()
    return seeded


# ------------------------------------------------------------------------------------ PDF, XML


def child(args: argparse.Namespace) -> int:
    """In a fresh interpreter: the first PDF render and the first export, then the steady
    state against their floors. Prints one JSON object."""
    began = time.perf_counter()
    ids = json.loads(args.child_ids)
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings

    services = bootstrap(load_settings(database_url=args.child))
    try:
        printed = [services.certificates.certificate(i) for i in ids["printed"]]
        exported = [services.certificates.certificate(i) for i in ids["exported"]]
    finally:
        services.close()
    read_ms = (time.perf_counter() - began) * 1000
    out: dict[str, Any] = {"read_ms": read_ms}
    out.update(pdf_figures([c for c in printed if c is not None], args.renders, args.extras))
    out.update(xml_figures([c for c in exported if c is not None], args.exports))
    print(json.dumps(out))
    return 0


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def _cpu_ms(since: float) -> float:
    """The process's CPU time since ``since`` (``time.process_time``), in ms."""
    return (time.process_time() - since) * 1000


def pdf_figures(certificates: list[Any], renders: int, extras: int) -> dict[str, Any]:
    from phytowatch.services.certificates.printing import PrintMark, printable_of

    base = "https://verify.example.cn"
    printables = [printable_of(c, mark=PrintMark.ORIGINAL, public_url=base) for c in certificates]
    t, c = time.perf_counter(), time.process_time()
    from phytowatch.printing.pdf import render_certificate

    first = render_certificate(printables[0])
    first_ms, first_cpu = _ms(t), _cpu_ms(c)
    t, c = time.perf_counter(), time.process_time()
    render_certificate(printables[0])
    second_ms, second_cpu = _ms(t), _cpu_ms(c)
    texts = [captured_texts(p) for p in printables[: min(len(printables), renders)]]
    full_font = plain_floor(texts[0], repeats=extras)
    figure, floor, figure_cpu, floor_cpu, sizes = [], [], [], [], []
    for n in range(renders):
        i = n % len(texts)
        printable = printables[i]
        t, c = time.perf_counter(), time.process_time()
        pdf = render_certificate(printable)
        figure.append(_ms(t))
        figure_cpu.append(_cpu_ms(c))
        sizes.append(len(pdf))
        t, c = time.perf_counter(), time.process_time()
        floor_pdf = same_font_floor(texts[i])
        floor.append(_ms(t))
        floor_cpu.append(_cpu_ms(c))
        assert floor_pdf.startswith(b"%PDF")
    rare = rare_hanzi_renders(printables[0], repeats=extras)
    return {
        "pdf_first_ms": first_ms,
        "pdf_first_cpu_ms": first_cpu,
        "pdf_second_ms": second_ms,
        "pdf_second_cpu_ms": second_cpu,
        "pdf_cpu_ms": figure_cpu,
        "pdf_floor_cpu_ms": floor_cpu,
        "pdf_first_bytes": len(first),
        "pdf_ms": figure,
        "pdf_floor_ms": floor,
        "pdf_plain_floor_ms": [w for w, _ in full_font],
        "pdf_plain_floor_cpu_ms": [c for _, c in full_font],
        "pdf_rare_ms": [w for w, _ in rare],
        "pdf_rare_cpu_ms": [c for _, c in rare],
        "pdf_bytes": statistics.median(sizes),
        "pdf_texts": statistics.median(len(t) for t in texts),
        "pdf_chars": statistics.median(sum(len(s) for _, _, s in t) for t in texts),
    }


def captured_texts(printable: Any) -> list[tuple[str, float, str]]:
    """Every (style, size, text) a render writes, in order (measuring calls left out)."""
    from fpdf import FPDF

    from phytowatch.printing.pdf import render_certificate

    seen: list[tuple[str, float, str]] = []
    originals = {name: getattr(FPDF, name) for name in ("cell", "multi_cell", "text")}

    def spy(name: str) -> Any:
        original = originals[name]

        def wrapped(self: Any, *a: Any, **kw: Any) -> Any:
            if not kw.get("dry_run"):
                text = kw.get("text", kw.get("txt"))
                if text is None:
                    text = a[2] if name == "text" and len(a) > 2 else (a[2] if len(a) > 2 else "")
                if text:
                    seen.append((self.font_style, float(self.font_size_pt), str(text)))
            return original(self, *a, **kw)

        return wrapped

    try:
        for name in originals:
            setattr(FPDF, name, spy(name))
        render_certificate(printable)
    finally:
        for name, original in originals.items():
            setattr(FPDF, name, original)
    return seen


def _write_plainly(pdf: Any, family: str, texts: list[tuple[str, float, str]]) -> bytes:
    """Every text written where it falls, one line after another: no measuring, no boxes."""
    pdf.add_page()
    y = 12.0
    for style, size, text in texts:
        pdf.set_font(family, "B" if "B" in style else "", size)
        for line in text.split("\n"):
            pdf.text(10, y, line)
            y = 12.0 if y > 280 else y + 4.0
    return bytes(pdf.output())


def same_font_floor(texts: list[tuple[str, float, str]]) -> bytes:
    """fpdf2 writing the same text with the same fonts (printing/fonts.py: cut down once per
    process, embedded and subset per document) on one page, with no layout."""
    from fpdf import FPDF

    from phytowatch.printing import fonts

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    fonts.add_fonts(pdf)
    return _write_plainly(pdf, fonts.FAMILY, texts)


def plain_floor(texts: list[tuple[str, float, str]], repeats: int) -> list[tuple[float, float]]:
    """fpdf2 as its documentation uses it: ``add_font`` of the 10 MB font files per document,
    the same text, no layout."""
    from fpdf import FPDF

    from phytowatch.printing import fonts

    out: list[tuple[float, float]] = []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.add_font("plain", "", str(fonts.font_path("")))
        pdf.add_font("plain", "B", str(fonts.font_path("B")))
        _write_plainly(pdf, "plain", texts)
        out.append((_ms(t), _cpu_ms(c)))
    return out


def rare_hanzi_renders(printable: Any, repeats: int) -> list[tuple[float, float]]:
    """A consignee's name with a hanzi outside GB 2312 (the fonts' full files)."""
    from dataclasses import replace

    from phytowatch.printing.pdf import render_certificate

    content = printable.content
    named = replace(
        content, consignee=replace(content.consignee, name="䶮 " + content.consignee.name)
    )
    rare = replace(printable, content=named)
    out: list[tuple[float, float]] = []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        render_certificate(rare)
        out.append((_ms(t), _cpu_ms(c)))
    return out


def xml_figures(certificates: list[Any], exports: int) -> dict[str, Any]:
    t, c = time.perf_counter(), time.process_time()
    from phytowatch.ephyto.codec import LxmlEphyto

    codec = LxmlEphyto()
    first = codec.export(certificates[0])
    first_ms, first_cpu = _ms(t), _cpu_ms(c)
    from lxml import etree

    from phytowatch.ephyto.parsing import safe_parser
    from phytowatch.ephyto.validation import CERTIFICATE, certificate_schema

    schema = certificate_schema()
    figure, floor, check, sizes = [], [], [], []
    figure_cpu, floor_cpu, check_cpu = [], [], []
    for n in range(exports):
        certificate = certificates[n % len(certificates)]
        t, c = time.perf_counter(), time.process_time()
        data = codec.export(certificate)
        figure.append(_ms(t))
        figure_cpu.append(_cpu_ms(c))
        sizes.append(len(data))
        t, c = time.perf_counter(), time.process_time()
        root = etree.fromstring(data, safe_parser())
        valid = schema.validate(root.find(CERTIFICATE))
        floor.append(_ms(t))
        floor_cpu.append(_cpu_ms(c))
        assert valid, schema.error_log
        t, c = time.perf_counter(), time.process_time()
        checked = codec.check(data)
        check.append(_ms(t))
        check_cpu.append(_cpu_ms(c))
        assert not checked.problems, checked.problems
    return {
        "xml_first_ms": first_ms,
        "xml_first_cpu_ms": first_cpu,
        "xml_cpu_ms": figure_cpu,
        "xml_floor_cpu_ms": floor_cpu,
        "xml_check_cpu_ms": check_cpu,
        "xml_first_bytes": len(first),
        "xml_ms": figure,
        "xml_floor_ms": floor,
        "xml_check_ms": check,
        "xml_bytes": statistics.median(sizes),
    }


def pdf_and_xml(url: str, seeded: Seeded, args: argparse.Namespace) -> dict[str, Any]:
    ids = {"printed": seeded.printed[: args.renders], "exported": seeded.exported[: args.exports]}
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", url]
    argv += ["--child-ids", json.dumps(ids), "--renders", str(args.renders)]
    argv += ["--exports", str(args.exports), "--extras", str(args.extras)]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"the PDF and XML measurements failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ------------------------------------------------------------------------------------ server


class Server:
    """``phytowatch serve`` in a subprocess, its verification limit raised."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.port = free_port()
        self.log = (workdir / f"serve-{self.port}.log").open("w")
        argv = [str(PHYTOWATCH), "serve", "--database-url", url, "--port", str(self.port)]
        argv += ["--log-level", "error"]
        env = dict(
            os.environ,
            PHYTOWATCH_COOKIE_SECURE="false",
            PHYTOWATCH_PUBLIC_URL=f"http://{HOST}:{self.port}",
            PHYTOWATCH_VERIFY_RATE_PER_MINUTE=str(RATE_PER_MINUTE),
        )
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        if wait_until_healthy(self.process, self.port, self.log.name, 60.0, 0.2):
            return
        self.stop()
        raise RuntimeError("phytowatch serve did not answer /api/v1/health in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@dataclass
class Answer:
    kind: str
    ms: float
    right: bool


def request_for(kind: str, rng: random.Random, lookups: list[Lookup]) -> tuple[str, str | None]:
    """(path, the standing the answer must show, None for not found)."""
    if kind == "floor":
        return "/api/v1/health", "ok"
    if kind == "unknown":
        return f"/verify/{secrets.token_urlsafe(24)}", None
    lookup = rng.choice(lookups)
    if kind == "number":
        query = urllib.parse.urlencode({"number": lookup.number, "code": lookup.check_code})
        return f"/verify?{query}", lookup.standing
    return f"/verify/{lookup.token}", lookup.standing


def pick(rng: random.Random) -> str:
    roll = rng.random()
    for kind, share in MIX:
        if roll < share:
            return kind
        roll -= share
    return MIX[-1][0]


def right(status: int, body: bytes, expected: str | None) -> bool:
    if expected is None:
        return status == 404
    if expected == "ok":
        return status == 200 and b'"status":"ok"' in body
    return status == 200 and f"verify-{expected}".encode() in body


def load(
    port: int,
    lookups: list[Lookup],
    *,
    floor: bool,
    clients: int,
    seconds: float,
    seed: int,
    rate: float = 0.0,
) -> list[Answer]:
    """``clients`` keep-alive clients for ``seconds``, each sending its next request when it
    has read the answer to the last; with ``rate`` (requests per second in all), each first
    waits a random pause (exponential, of mean ``clients / rate``), as people do."""
    answers: list[Answer] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        mine: list[Answer] = []
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            conn.request("GET", "/api/v1/health")  # connected before the clock starts
            conn.getresponse().read()
            barrier.wait()
            until = time.perf_counter() + seconds
            while time.perf_counter() < until:
                if rate > 0:
                    time.sleep(min(rng.expovariate(rate / clients), until - time.perf_counter()))
                    if time.perf_counter() >= until:
                        break
                kind = "floor" if floor else pick(rng)
                path, expected = request_for(kind, rng, lookups)
                t = time.perf_counter()
                status, body = 0, b""
                for _ in range(2):  # the server closes a connection idle for 5 s: connect again
                    try:
                        conn.request("GET", path)
                        answer = conn.getresponse()
                        status, body = answer.status, answer.read()
                        break
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        conn = http.client.HTTPConnection(HOST, port, timeout=60)
                mine.append(Answer(kind, _ms(t), right(status, body, expected)))
        finally:
            conn.close()
            with lock:
                answers.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 300)
    return answers


def verification(
    url: str, seeded: Seeded, args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    server = Server(url, workdir)
    try:
        pid = server.process.pid
        # warm up: every kind of request, a few times, before anything is timed
        load(server.port, seeded.lookups, floor=False, clients=4, seconds=2, seed=0)
        load(server.port, seeded.lookups, floor=True, clients=4, seconds=1, seed=0)
        phases = (("floor", True, 0.0), ("verify", False, 0.0))
        phases += (("paced_floor", True, args.paced_rate), ("paced", False, args.paced_rate))
        out: dict[str, Any] = {}
        for name, _, _ in phases:
            out[name], out[name + "_cpu"], out[name + "_s"], out[name + "_client_cpu"] = (
                [], 0.0, 0.0, 0.0
            )  # fmt: skip
        for r in range(args.rounds):
            for name, floor, rate in phases:
                if rate > 0 and r > 0:
                    continue  # one round at a person's pace
                cpu = cpu_seconds(pid)
                own = os.times()
                t = time.perf_counter()
                got = load(server.port, seeded.lookups, floor=floor, clients=args.clients,
                           seconds=args.seconds, seed=r + 1, rate=rate)  # fmt: skip
                out[name + "_s"] += time.perf_counter() - t
                out[name + "_cpu"] += cpu_seconds(pid) - cpu
                after = os.times()
                out[name + "_client_cpu"] += after.user + after.system - own.user - own.system
                out[name] += got
    finally:
        server.stop()
    return out


# ------------------------------------------------------------------------------------ databases


def bench(kind: str, args: argparse.Namespace, first: bool) -> dict[str, Any]:
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pw-certificates-") as root, scratch(
        kind, Path(root), "certificates"
    ) as url:  # fmt: skip
        t = time.perf_counter()
        seeded = seed(url, args.enterprises, args.certificates)
        seed_s = time.perf_counter() - t
        documents = pdf_and_xml(url, seeded, args) if first else None
        verify = verification(url, seeded, args, Path(root))
    return {
        "database": kind,
        "seed_s": seed_s,
        "counts": seeded.counts(),
        "documents": documents,
        "verify": verify,
        "load": os.getloadavg()[0],
        "took": time.perf_counter() - began,
    }


# ------------------------------------------------------------------------------------ report


def _times(answers: list[Answer], kinds: set[str] | None = None) -> list[float]:
    return [a.ms for a in answers if kinds is None or a.kind in kinds]


def checks(results: list[dict[str, Any]], clients: int) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for r in results:
        d = r["documents"]
        if d is not None:
            out.append(
                (
                    f"PDF render p95 {pct(d['pdf_ms'], 0.95):.0f} ms ≤ {TARGET_PDF_MS:.0f} ms",
                    pct(d["pdf_ms"], 0.95) <= TARGET_PDF_MS,
                )
            )
            out.append(
                (
                    f"ePhyto export with its schema validation p95 {pct(d['xml_ms'], 0.95):.1f} ms"
                    f" ≤ {TARGET_XML_MS:.0f} ms",
                    pct(d["xml_ms"], 0.95) <= TARGET_XML_MS,
                )
            )
    for r in results:
        v = r["verify"]
        db = r["database"]
        answered = v["verify"] + v["floor"] + v["paced"] + v["paced_floor"]
        wrong = sum(not a.right for a in answered)
        out.append((f"{db}: every answer right ({wrong} wrong)", wrong == 0))
        p99 = pct(_times(v["verify"]), 0.99)
        out.append(
            (
                f"{db}: verification page p99 {p99:.0f} ms under {clients} clients "
                f"≤ {TARGET_VERIFY_P99_MS:.0f} ms",
                p99 <= TARGET_VERIFY_P99_MS,
            )
        )
    return out


def _row(d: dict[str, Any], name: str, key: str, floor: str | None = None, digits: int = 0) -> str:
    """A row of the PDF and XML table: wall time (median, p95, max), CPU time (median), and
    the ratios of the medians to the floor's."""
    f = f"{{:.{digits}f}} ms"
    wall, cpu = d[key + "_ms"], d[key + "_cpu_ms"]
    ratio = ratio_cpu = ""
    if floor is not None:
        ratio = f"{statistics.median(wall) / statistics.median(d[floor + '_ms']):.1f} x"
        ratio_cpu = f"{statistics.median(cpu) / statistics.median(d[floor + '_cpu_ms']):.1f} x"
    return (
        f"| {name} | {len(wall)} | {f.format(statistics.median(wall))} | "
        f"{f.format(pct(wall, 0.95))} | {f.format(max(wall))} | "
        f"{f.format(statistics.median(cpu))} | {ratio} | {ratio_cpu} |"
    )


def _once(name: str, wall: float, cpu: float) -> str:
    return f"| {name} | 1 | {wall:.0f} ms | | | {cpu:.0f} ms | | |"


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    m = machine()
    command = (
        f"python benchmarks/certificates.py --database {args.database} "
        f"--certificates {args.certificates} --enterprises {args.enterprises} "
        f"--clients {args.clients} --seconds {args.seconds:g} --rounds {args.rounds} "
        f"--paced-rate {args.paced_rate:g} --renders {args.renders} --exports {args.exports} "
        f"--extras {args.extras}"
    )
    lines = [
        f"Command: `{command}` ({when})",
        "",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in m.items()),
        "",
    ]
    counts = results[0]["counts"]
    lines += [
        f"Seeded through the lifecycle (draft, submit, approve, issue; cancel; replace): "
        f"{args.certificates} consignments of {args.enterprises} enterprises, "
        f"{sum(counts.values())} issued certificates: "
        + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        + " (one in eight a treatment certificate, the rest phytosanitary; 1 to 3 lines "
        "of produce).",
        "",
    ]
    d = next((r["documents"] for r in results if r["documents"] is not None), None)
    if d is not None:
        lines += [
            f"PDF and XML: in a fresh interpreter (bytecode cached), the certificates read from "
            f"the {results[0]['database']} database first (nothing timed reads it). "
            f"A certificate's PDF is {d['pdf_bytes'] / 1024:.0f} KiB (one page, "
            f"{d['pdf_texts']:.0f} texts, {d['pdf_chars']:.0f} characters); its ePhyto "
            f"envelope {d['xml_bytes'] / 1024:.1f} KiB.",
            "",
            "| what | n | median | p95 | max | CPU median | x floor | x floor, CPU |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            _once(
                "first PDF render in the process (fpdf2 imported, the two cut-down fonts "
                "read and parsed; the cut, once after make assets, is not in it)",
                d["pdf_first_ms"],
                d["pdf_first_cpu_ms"],
            ),
            _once("second render", d["pdf_second_ms"], d["pdf_second_cpu_ms"]),
            _row(
                d, "**PDF render** (`render_certificate`; target p95 ≤ 300 ms)", "pdf", "pdf_floor"
            ),
            _row(d, "floor: fpdf2, the same text and fonts, one page, no layout", "pdf_floor"),
            _row(
                d,
                "fpdf2 with `add_font` of the 10 MB font files per document (not used)",
                "pdf_plain_floor",
            ),
            _row(d, "PDF render, a hanzi outside GB 2312 in a name (the full fonts)", "pdf_rare"),
            _once(
                "first ePhyto export in the process (lxml imported, the schemas loaded)",
                d["xml_first_ms"],
                d["xml_first_cpu_ms"],
            ),
            _row(
                d,
                "**ePhyto export** (written, serialised, parsed back, validated against "
                "both schemas; target p95 ≤ 30 ms)",
                "xml",
                "xml_floor",
                1,
            ),
            _row(
                d,
                "floor: lxml parsing the same document and validating its SPSCertificate",
                "xml_floor",
                None,
                1,
            ),
            _row(
                d,
                "`check` of the same document (`phytowatch ephyto validate`, import)",
                "xml_check",
                "xml_floor",
                1,
            ),
            "",
        ]
    lines += [
        f"Verification: `phytowatch serve` (one process) with "
        f"`PHYTOWATCH_VERIFY_RATE_PER_MINUTE={RATE_PER_MINUTE}`: the limit (30 a minute by "
        f"default) counts per client address, and every client here is 127.0.0.1, where a real "
        f"load comes from many addresses. {args.clients} keep-alive clients (threads of one "
        f"load generator on the same cores), each sending its next request as soon as it has "
        f"read the last answer, {args.rounds} rounds of {args.seconds:g} s each alternating the "
        "floor (`GET /api/v1/health`) and the verification page: a random issued certificate by "
        "its QR token (`GET /verify/{token}`, 70 %), by number and check code (`GET "
        "/verify?number=&code=`, 15 %), an unknown token (15 %, a 404). Then one round of each "
        f"with the same {args.clients} clients at a person's pace: each pauses before each "
        f"look-up (a random pause, exponential, of mean {args.clients / args.paced_rate:g} s: "
        f"{args.paced_rate:g} look-ups a second in all). Every answer checked: the standing the "
        "page shows, or not found.",
        "",
        "| database | route | requests | per second | p50 | p90 | p99 | max | server CPU per "
        "request | load generator CPU per request |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        v = r["verify"]
        routes = (
            ("floor", "floor: `/api/v1/health`"),
            ("verify", "**verification page**"),
            ("paced_floor", f"floor, at a person's pace ({args.paced_rate:g}/s in all)"),
            ("paced", f"verification page, at a person's pace ({args.paced_rate:g}/s in all)"),
        )
        for name, label in routes:
            ms = _times(v[name])
            n = len(ms)
            lines.append(
                f"| {r['database']} | {label} | {n:,} | {n / max(v[name + '_s'], 1e-9):,.0f} | "
                f"{pct(ms, 0.5):.0f} ms | {pct(ms, 0.9):.0f} ms | **{pct(ms, 0.99):.0f} ms** | "
                f"{max(ms, default=0):.0f} ms | {v[name + '_cpu'] * 1000 / max(n, 1):.1f} ms | "
                f"{v[name + '_client_cpu'] * 1000 / max(n, 1):.1f} ms |"
            )
        for kind, label in (
            ("token", "by token"),
            ("number", "by number and check code"),
            ("unknown", "unknown token"),
        ):
            ms = _times(v["verify"], {kind})
            lines.append(
                f"| {r['database']} | verification, {label} | {len(ms):,} | | {pct(ms, 0.5):.0f} ms"
                f" | {pct(ms, 0.9):.0f} ms | {pct(ms, 0.99):.0f} ms | {max(ms, default=0):.0f} ms"
                " | | |"
            )
    lines += [
        "",
        "Whole run: "
        + "; ".join(
            f"{r['database']} {r['took']:.0f} s (seeding {r['seed_s']:.0f} s)" for r in results
        )
        + ".",
        "",
    ]
    for name, ok in checks(results, args.clients):
        lines.append(f"- {'PASS' if ok else 'FAIL'}: {name}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--certificates", type=int, default=300, help="consignments certified")
    parser.add_argument("--enterprises", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="per round and route")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--paced-rate", type=float, default=25.0,
        help="the same clients pausing between look-ups: requests per second in all",
    )  # fmt: skip
    parser.add_argument("--renders", type=int, default=40, help="steady PDF renders")
    parser.add_argument("--exports", type=int, default=100, help="steady ePhyto exports")
    parser.add_argument(
        "--extras", type=int, default=3, help="renders with the full fonts, and of fpdf2 alone"
    )
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-ids", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    results = [bench(kind, args, n == 0) for n, kind in enumerate(kinds)]
    section = report(args, results)
    print(section)
    if args.write_doc:
        write_doc(
            section, begin=BEGIN, end=END, heading=HEADING, script="benchmarks/certificates.py"
        )
    return 0 if all(ok for _, ok in checks(results, args.clients)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
