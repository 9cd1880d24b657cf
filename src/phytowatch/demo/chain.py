"""The demo's e-supervision chain, steps 1-4: the province declares, routes and assesses
consignments for as long as the demo runs, and certifies them (step 4: demo/certifying.py).

Seeding (:func:`seed_chain`) gives each enterprise its standing (its class from its grade; about
forty under e-supervision, two on the key list), a few raw-material bases to the citrus and tea
enterprises (one suspended), and a declarant to each enterprise that declares.

Then :class:`Chain` is stepped on the demo's clock, as :class:`~phytowatch.demo.cycle.Cycle` is:

- the demo inspector signs off each closed PASS run a little after it closed (with a comment
  where the run asks for one);
- soon after, the run's enterprise declares a consignment it backs, with a product and a
  destination whose requirement the run's schedule meets, and submits it: the App's router routes
  it (most are released on documents); now and then a tea or ginger enterprise declares a
  consignment that needs no treatment;
- the inspector assesses what was routed to inspect after a while: conforming mostly, about one in
  ten intercepted with a pest of that product (not conforming, with a disposal), and now and then
  returned for correction, which the declarant corrects and submits again.

What was assessed conforming, and which runs were signed off, is handed to
:class:`~phytowatch.demo.certifying.Certifying`, stepped with the chain.

Every act is a use case of the service with the right person's context; a refusal is logged and
the chain carries on. Nothing here reads a clock: :meth:`Chain.step` is given the demo time.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from phytowatch.demo.certifying import Certifying
from phytowatch.demo.port import Porting
from phytowatch.demo.province import DEMO_ENTERPRISE, DemoEnterprise, DemoFacility
from phytowatch.domain.accounts import Principal
from phytowatch.domain.instants import US_PER_H, US_PER_MIN
from phytowatch.domain.messages import Refused
from phytowatch.domain.signoff import Decision, needs_comment
from phytowatch.domain.supervision.assessment import (
    Conformity,
    Disposal,
    Interception,
    LifeStage,
    Sample,
)
from phytowatch.domain.supervision.codes import container_check_digit
from phytowatch.domain.supervision.consignment import Declaration, Line, Party
from phytowatch.domain.supervision.policy import RouteOutcome

if TYPE_CHECKING:
    from phytowatch.services.app import App
    from phytowatch.services.context import Context
    from phytowatch.services.supervision.declare import DeclarationService, Submitted

log = logging.getLogger(__name__)

SIGN_AFTER = 10 * US_PER_MIN  # the inspector looks at a closed run
DECLARE_AFTER = 20 * US_PER_MIN  # the declarant declares what the signed-off run backs
INSPECT_AFTER = US_PER_H  # the inspector gets to a consignment routed to inspect
CORRECT_AFTER = 45 * US_PER_MIN  # the declarant corrects a returned declaration
INTERCEPT_EVERY = 10  # of the inspections, one finds a pest
RETURN_EVERY = 12  # of the inspections, one is returned for correction first
UNTREATED = 0.25  # after a declaration: a tea or ginger consignment too
ON_KEY_LIST = ("JJ03", "PX07")
NOT_E_SUPERVISED = ("SR03",)  # declares, but is not under e-supervision: inspected
E_SUPERVISED = 40


@dataclass(frozen=True)
class Buyer:
    destination: str
    name: str
    address: str
    port_of_exit: str
    conveyance: str
    point_of_entry: str


@dataclass(frozen=True)
class Trade:
    """What a treatment backs: the product, how it is packed, where it goes."""

    product: str
    quantity: Decimal
    unit: str
    packages: int
    package_type: str
    description: str
    buyers: tuple[Buyer, ...]


WOOD_BUYERS = (
    Buyer("DE", "Rhein Maschinenbau GmbH", "Hafenstraße 12, 47119 Duisburg", "CNSHA",
          "vessel COSCO Shipping Aries", "DEHAM"),
    Buyer("US", "Great Lakes Tools Inc.", "1400 W Fulton St, Chicago IL 60607", "CNNGB",
          "vessel Ever Given", "USLAX"),
    Buyer("AU", "Southern Cross Hardware Pty Ltd", "8 Wharf Rd, Port Melbourne VIC 3207",
          "CNYTN", "vessel OOCL Hong Kong", "AUMEL"),
    Buyer("JP", "Kansai Ceramics K.K.", "2-3 Nanko-kita, Suminoe-ku, Osaka", "CNXMN",
          "vessel ONE Harmony", "JPOSA"),
    # out through Guangzhou, whose port office takes no e-transfer (ports.json): on paper, as
    # about one consignment in six was in the source report
    Buyer("KR", "Hanil Machinery Co., Ltd.", "55 Chungjang-daero, Jung-gu, Busan 48939",
          "CNCAN", "vessel HMM Algeciras", "KRPUS"),
)  # fmt: skip
TRADES = {
    "ispm15-ht": Trade(
        "wood-packaging", Decimal(40), "m3", 0, "pallets",
        "heat-treated pine pallets carrying ceramics and machine parts", WOOD_BUYERS,
    ),
    "au-cold-citrus-medfly": Trade(
        "citrus-navel-orange", Decimal(20), "t", 1250, "cartons", "Gannan navel oranges, 16 kg",
        (Buyer("AU", "Harbour Fresh Imports Pty Ltd", "22 Produce Dr, Flemington NSW 2140",
               "CNYTN", "vessel Maersk Sentosa (reefer)", "AUSYD"),),
    ),
    "hwt-mango": Trade(
        "mango", Decimal(2), "t", 400, "cartons", "mangoes up to 500 g, 5 kg cartons",
        (Buyer("US", "Pacific Produce LLC", "1601 E Olympic Blvd, Los Angeles CA 90021",
               "CNYTN", "vessel CMA CGM Marco Polo (reefer)", "USLAX"),),
    ),
    "vht-papaya-pt21": Trade(
        "papaya", Decimal(1), "t", 200, "cartons", "papaya, 5 kg cartons",
        (Buyer("NZ", "Kiwi Tropical Ltd", "45 Quay St, Auckland 1010", "CNSZX",
               "flight CA 783", "NZAKL"),),
    ),
}  # fmt: skip
# what needs no treatment: (enterprise, trade)
UNTREATED_TRADES = (
    ("JA05", Trade(
        "tea-green", Decimal("2.4"), "t", 120, "bags", "Jinggangshan green tea, 20 kg bags",
        (Buyer("MA", "Atlas Thé SARL", "14 Rue Ibn Batouta, Casablanca", "CNSHA",
               "vessel MSC Gülsün", "MACAS"),
         Buyer("DE", "Hamburger Teehandel GmbH", "Am Sandtorkai 4, 20457 Hamburg", "CNSHA",
               "vessel COSCO Shipping Aries", "DEHAM")),
    )),
    ("JA06", Trade(
        "tea-green", Decimal("1.6"), "t", 80, "bags", "Suichuan Gougunao green tea, 20 kg bags",
        (Buyer("UZ", "Tashkent Choy Savdo LLC", "7 Amir Temur St, Tashkent", "CNSHA",
               "train China-Europe Express", "UZTAS"),),
    )),
    ("GZ05", Trade(
        "ginger-fresh", Decimal(26), "t", 2600, "cartons", "fresh ginger, washed, 10 kg cartons",
        (Buyer("NL", "Rotterdam Fresh B.V.", "Marconistraat 16, 3029 AK Rotterdam", "CNYTN",
               "vessel Maersk Sentosa (reefer)", "NLRTM"),
         Buyer("AE", "Gulf Vegetables Trading LLC", "Al Aweer Market, Dubai", "CNYTN",
               "vessel OOCL Hong Kong (reefer)", "AEJEA")),
    )),
)  # fmt: skip
# the declared value of a consignment (USD): what the e-transfer's value amendments change
VALUES = {
    "wood-packaging": Decimal(28000), "citrus-navel-orange": Decimal(36000),
    "mango": Decimal(5200), "papaya": Decimal(3100), "tea-green": Decimal(24000),
    "ginger-fresh": Decimal(18500),
}  # fmt: skip
# (product, pest, life stage, disposal): real pests of what is inspected
PESTS = {
    "citrus-navel-orange": ("Bactrocera minax", LifeStage.LARVA, Disposal.DESTRUCTION),
    "mango": ("Bactrocera dorsalis", LifeStage.LARVA, Disposal.RETURN),
    "papaya": ("Bactrocera dorsalis", LifeStage.LARVA, Disposal.DESTRUCTION),
    "wood-packaging": ("Bursaphelenchus xylophilus", LifeStage.ADULT, Disposal.RE_TREATMENT),
    "tea-green": ("Ectropis grisescens", LifeStage.LARVA, Disposal.RE_SORTING),
    "ginger-fresh": ("Rhizoglyphus robini", LifeStage.ADULT, Disposal.RE_SORTING),
}
SAMPLE_KIND = {"wood-packaging": "wood core"}
OWNERS = ("COS", "MSC", "OOL", "CMA", "EGH", "MAE")  # owner codes; U: a freight container
BASES = (
    # (number, enterprise, name, product, location, suspended)
    ("JX-GZ01-B1", "GZ01", "Anyuan navel orange orchard", "citrus-navel-orange",
     "Anyuan County, Ganzhou", False),
    ("JX-GZ02-B1", "GZ02", "Xunwu navel orange orchard", "citrus-navel-orange",
     "Xunwu County, Ganzhou", False),
    ("JX-GZ03-B1", "GZ03", "Xinfeng navel orange orchard", "citrus-navel-orange",
     "Xinfeng County, Ganzhou", False),
    ("JX-GZ04-B1", "GZ04", "Ruijin navel orange orchard", "citrus-navel-orange",
     "Ruijin, Ganzhou", False),
    ("JX-GZ04-B2", "GZ04", "Huichang navel orange orchard", "citrus-navel-orange",
     "Huichang County, Ganzhou", True),
    ("JX-JA05-B1", "JA05", "Jinggangshan tea garden", "tea-green", "Jinggangshan, Ji'an", False),
    ("JX-JA06-B1", "JA06", "Suichuan tea garden", "tea-green", "Suichuan County, Ji'an", False),
)  # fmt: skip
SUSPENSION = "citrus canker (Xanthomonas citri) found at the orchard's last survey"


def container_numbers(rng: random.Random, n: int) -> tuple[str, ...]:
    """``n`` container numbers of the shipping lines, each with its ISO 6346 check digit."""
    out = []
    for _ in range(n):
        ten = f"{rng.choice(OWNERS)}U{rng.randrange(1_000_000):06d}"
        out.append(f"{ten}{container_check_digit(ten)}")
    return tuple(out)


def declarant_login(enterprise: str) -> str:
    """The declarant of an enterprise: ``declarant`` for the demo's own (GZ01)."""
    return "declarant" if enterprise == DEMO_ENTERPRISE else f"declarant-{enterprise.lower()}"


def declaring(facilities: list[DemoFacility]) -> list[str]:
    """The enterprises that declare: those with a working facility, and the tea and ginger ones."""
    codes = {f.enterprise for f in facilities if f.schedule is not None}
    codes |= {code for code, _ in UNTREATED_TRADES}
    return sorted(codes)


def e_supervised(enterprises: list[DemoEnterprise], facilities: list[DemoFacility]) -> set[str]:
    """About forty: every enterprise that declares (but one), then the others in order."""
    chosen = [c for c in declaring(facilities) if c not in NOT_E_SUPERVISED]
    for e in enterprises:
        if len(chosen) >= E_SUPERVISED:
            break
        if e.code not in chosen and e.code not in NOT_E_SUPERVISED:
            chosen.append(e.code)
    return set(chosen)


def principal(app: App, login: str) -> Principal:
    """The person as the web finds them once signed in."""
    from phytowatch.services.accounts.principals import principal_of

    user = app.accounts.user_by_login(login)
    if user is None:
        raise LookupError(login)
    return principal_of(app.accounts, user)


def seed_chain(
    app: App,
    enterprises: list[DemoEnterprise],
    facilities: list[DemoFacility],
    *,
    now: int,
    password: str,
) -> list[str]:
    """Standings, bases and declarants (acting as the demo's administrator); the declarants'
    logins. ``password``: theirs (the demo prints only GZ01's, which ``seed_people`` made)."""
    from phytowatch.services.accounts import add_user
    from phytowatch.services.context import Context
    from phytowatch.services.supervision.bases import register_base, suspend_base
    from phytowatch.services.supervision.standing import set_standing

    ctx = Context(principal(app, "admin"), now)
    supervised = e_supervised(enterprises, facilities)
    for e in enterprises:
        set_standing(
            app.classification,
            app.policy,
            app.audit,
            e.code,
            ctx=ctx,
            klass=e.grade,
            e_supervised=e.code in supervised,
            key_list=e.code in ON_KEY_LIST,
            reason="graded at the annual review",
        )
    codes = {e.code for e in enterprises}
    for number, enterprise, name, product, location, suspended in BASES:
        if enterprise not in codes:
            continue
        register_base(
            app.bases,
            app.policy,
            app.audit,
            ctx=ctx,
            number=number,
            enterprise=enterprise,
            name=name,
            products=[product],
            location=location,
        )
        if suspended:
            suspend_base(app.bases, app.audit, number, ctx=ctx, reason=SUSPENSION)
    logins = []
    for code in declaring(facilities):
        if code not in codes:
            continue
        login = declarant_login(code)
        if app.accounts.user_by_login(login) is None:
            add_user(
                app.accounts,
                app.audit,
                ctx=ctx,
                login=login,
                name=f"Declarant of {code} 报检员",
                role="enterprise_declarant",
                password=password,
                enterprise=code,
                cost=app.settings.password_hash_cost,
            )
        logins.append(login)
    return logins


@dataclass
class Pending:
    """Something the chain will do at ``due``."""

    due: int
    consignment: int = 0
    run: int = 0
    enterprise: str = ""
    schedule: str = ""


@dataclass
class Chain:
    """The chain's people at work, stepped on the demo's clock."""

    app: App
    facilities: list[DemoFacility]
    seed: int = 13
    inspector: str = "inspector"
    counts: Counter[str] = field(default_factory=Counter)
    print_to: Path | None = None  # where the originals' PDFs go (step 4), when given
    certifying: Certifying = field(init=False)
    porting: Porting = field(init=False)
    _rng: random.Random = field(init=False)
    _seen: set[int] = field(default_factory=set)  # runs looked at for sign-off
    _declare: list[Pending] = field(default_factory=list)
    _inspect: list[Pending] = field(default_factory=list)
    _correct: list[Pending] = field(default_factory=list)
    _returned: set[int] = field(default_factory=set)
    _principals: dict[str, Principal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.facilities = [f for f in self.facilities if f.schedule is not None]
        self.porting = Porting(self.app, self._ctx, self.counts)
        self.certifying = Certifying(
            self.app, self._ctx, self.counts, inspector=self.inspector, print_to=self.print_to,
            on_issued=self.porting.certified,
        )  # fmt: skip

    # -- who acts ------------------------------------------------------------------------------

    def _ctx(self, login: str, now: int) -> Context:
        from phytowatch.services.context import Context

        if login not in self._principals:
            self._principals[login] = principal(self.app, login)
        return Context(self._principals[login], now)

    def _declarations(self) -> DeclarationService:
        from phytowatch.services.supervision.declare import DeclarationService

        return DeclarationService.of(self.app)

    # -- the steps -----------------------------------------------------------------------------

    def step(self, now: int) -> None:
        """Do what is due at demo time ``now``; a refusal is logged, never raised."""
        self._sign_off(now)
        for pending in self._due(self._declare, now):
            self._attempt(self._declare_run, pending, now)
        for pending in self._due(self._inspect, now):
            self._attempt(self._assess, pending, now)
        for pending in self._due(self._correct, now):
            self._attempt(self._resubmit, pending, now)
        self.certifying.step(now)
        self.porting.step(now)

    @staticmethod
    def _due(queue: list[Pending], now: int) -> list[Pending]:
        due = [p for p in queue if p.due <= now]
        queue[:] = [p for p in queue if p.due > now]
        return due

    def _attempt(self, act: Callable[[Pending, int], None], pending: Pending, now: int) -> None:
        try:
            act(pending, now)
        except Refused as why:
            self.counts["refused"] += 1
            log.warning("demo chain refused: %s %s", why.message.code.value, why.message.params)

    def _sign_off(self, now: int) -> None:
        from phytowatch.services.signoff import sign_off

        for facility in self.facilities:
            for record in self.app.runs.runs_of(facility.code, limit=10):
                if record.id in self._seen or record.closed_at is None:
                    continue
                if record.verdict != "PASS":
                    self._seen.add(record.id)
                    continue
                if record.closed_at + SIGN_AFTER > now:
                    continue
                self._seen.add(record.id)
                existing = self.app.accounts.signoff_of(record.id)
                if existing is not None and existing.decision is not Decision.SIGNED_OFF:
                    continue  # rejected by a person at the demo's pages: backs nothing
                if existing is None:
                    comment = ""
                    if needs_comment(record.judgement, record.calibration_notes):
                        comment = (
                            "Findings reviewed with the operator; the hold is met on the "
                            "probes that stayed in the load."
                        )
                    try:
                        sign_off(
                            self.app.runs,
                            self.app.accounts,
                            self.app.audit,
                            record.id,
                            ctx=self._ctx(self.inspector, now),
                            decision=Decision.SIGNED_OFF.value,
                            comment=comment,
                        )
                    except Refused as why:
                        self.counts["refused"] += 1
                        log.warning("demo sign-off refused: %s", why.message.code.value)
                        continue
                    self.counts["signed_off"] += 1
                assert facility.schedule is not None
                self.certifying.signed_off(record.id, facility.schedule, facility.load, now)
                self._declare.append(
                    Pending(now + DECLARE_AFTER, run=record.id, enterprise=facility.enterprise,
                            schedule=facility.schedule)
                )  # fmt: skip

    # -- step 1: declarations ----------------------------------------------------------------

    def _declaration(self, enterprise: str, trade: Trade, runs: tuple[int, ...]) -> Declaration:
        buyer = self._rng.choice(trade.buyers)
        bases = tuple(
            number for number, owner, _n, product, _l, _s in BASES
            if owner == enterprise and product == trade.product
        )  # fmt: skip
        packages = trade.packages or self._rng.randrange(300, 900)
        line = Line(
            trade.product, "", trade.quantity, trade.unit, packages, trade.package_type,
            trade.description,
        )  # fmt: skip
        containers = container_numbers(self._rng, max(1, int(trade.quantity) // 20))
        return Declaration(
            exporter=Party("", ""),  # the enterprise's, by default
            consignee=Party(buyer.name, buyer.address),
            lines=(line,),
            destination=buyer.destination,
            port_of_exit=buyer.port_of_exit,
            conveyance=buyer.conveyance,
            marks=f"{enterprise}/{buyer.destination}/N.M.",
            containers=containers,
            bases=bases,
            runs=runs,
            place_of_origin="Jiangxi, China",
            point_of_entry=buyer.point_of_entry,
            declared_value=VALUES.get(trade.product),
            currency="USD" if trade.product in VALUES else "",
        )

    def _submit(self, enterprise: str, declaration: Declaration, now: int) -> None:
        service = self._declarations()
        ctx = self._ctx(declarant_login(enterprise), now)
        draft = service.create(declaration, ctx=ctx)
        self.counts["declared"] += 1
        self._route(service.submit(draft.id, ctx=ctx), now)

    def _route(self, submitted: Submitted, now: int) -> None:
        if submitted.route is None:
            return
        if submitted.route.outcome is RouteOutcome.DOCUMENTS:
            self.counts["documents"] += 1
            self.certifying.assessed(submitted.consignment.id, now)
        else:
            self.counts["routed_inspect"] += 1
            self._inspect.append(Pending(now + INSPECT_AFTER, consignment=submitted.consignment.id))

    def _declare_run(self, pending: Pending, now: int) -> None:
        trade = TRADES.get(pending.schedule)
        if trade is None:
            return
        self._submit(
            pending.enterprise, self._declaration(pending.enterprise, trade, (pending.run,)), now
        )
        if self._rng.random() < UNTREATED:
            enterprise, other = self._rng.choice(UNTREATED_TRADES)
            if self.app.accounts.user_by_login(declarant_login(enterprise)) is not None:
                self._submit(enterprise, self._declaration(enterprise, other, ()), now)

    # -- step 3: the inspector ---------------------------------------------------------------

    def _assess(self, pending: Pending, now: int) -> None:
        from phytowatch.services.supervision.assessment import (
            InspectionForm,
            record_inspection,
            return_for_correction,
        )
        from phytowatch.services.supervision.consignments import content

        app, ctx = self.app, self._ctx(self.inspector, now)
        found = app.consignments.consignment(pending.consignment)
        if found is None:
            return
        turn = self.counts["looked_at"]
        self.counts["looked_at"] += 1
        # now and then returned for correction (once: corrected, it is decided), now and then
        # a pest found
        if turn % RETURN_EVERY == RETURN_EVERY // 2 and found.id not in self._returned:
            return_for_correction(
                app.consignments, app.audit, found.id, ctx=ctx,
                reason="The container numbers differ from the packing list: correct them and "
                "give the marks as printed on the packages.",
            )  # fmt: skip
            self.counts["returned"] += 1
            self._returned.add(found.id)
            self._correct.append(
                Pending(now + CORRECT_AFTER, consignment=found.id, enterprise=found.enterprise)
            )
            return
        declared = content(app.consignments, found)
        product = declared.lines[0].product if declared and declared.lines else ""
        packages = declared.lines[0].packages if declared and declared.lines else 1
        opened = max(1, packages // 50)
        sample = Sample(
            f"{found.number}-S1", SAMPLE_KIND.get(product, "fruit cut"), "Jiangxi bureau lab", ""
        )
        if turn % INTERCEPT_EVERY == 2 and product in PESTS:
            pest, stage, disposal = PESTS[product]
            containers = declared.containers if declared else ()
            form = InspectionForm(
                inspected=f"{opened} of {packages} packages opened and cut",
                samples=(replace(sample, result="positive"),),
                lab_results=f"{pest} confirmed by the bureau's lab",
                findings=f"live {stage.value} found in {opened // 2 + 1} packages",
                interceptions=(
                    Interception(
                        pest,
                        stage,
                        1 + self._rng.randrange(6),
                        ", ".join(containers[:1]) or "lot 1",
                    ),
                ),
                conformity=Conformity.NOT_CONFORMING.value,
                disposal=disposal.value,
                comment="",
            )
            self.counts["intercepted"] += 1
        else:
            form = InspectionForm(
                inspected=f"{opened} of {packages} packages opened; seals and marks checked",
                samples=(replace(sample, result="negative"),),
                lab_results="",
                findings="no pest found",
                interceptions=(),
                conformity=Conformity.CONFORMING.value,
                disposal="",
                comment="",
            )
        record_inspection(app.consignments, app.assessments, app.audit, found.id, form, ctx=ctx)
        self.counts["inspected"] += 1
        if form.conformity == Conformity.CONFORMING.value:
            self.certifying.assessed(found.id, now)

    def _resubmit(self, pending: Pending, now: int) -> None:
        from phytowatch.services.supervision.consignments import content

        found = self.app.consignments.consignment(pending.consignment)
        if found is None:
            return
        declared = content(self.app.consignments, found)
        if declared is None:
            return
        service = self._declarations()
        ctx = self._ctx(declarant_login(found.enterprise), now)
        corrected = replace(
            declared,
            containers=container_numbers(self._rng, len(declared.containers) or 1),
            marks=f"{declared.marks} (as printed)",
        )
        service.edit(found.id, corrected, ctx=ctx)
        self.counts["corrected"] += 1
        self._route(service.submit(found.id, ctx=ctx), now)
