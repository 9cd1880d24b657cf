"""Official policy of the e-supervision chain as values (workflow.md, "Classification management").

Every value here is read from a versioned data file (``phytowatch.rules``) or from an
administrator's edit of one (stored as a new version, audited); none is a constant of the code.
Each carries its confidence (``Confidence``: [C] checked, [C2] secondary source, [M] unverified,
shown as such wherever it is shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from phytowatch.domain.schedule import Confidence


class PolicyKind(StrEnum):
    """The documents of official policy, each versioned on its own."""

    PRODUCTS = "products"
    DESTINATIONS = "destinations"  # destination requirements
    ROUTING = "routing"  # class x risk -> supervision mode, ratios, hard rules
    CLASSIFICATION = "classification"  # schemes and the up/downgrade rules
    PORTS = "ports"  # ports of exit, their offices and e-transfer; port checks; amendments


class RiskLevel(StrEnum):
    """A product's risk (workflow.md): high / elevated / general."""

    HIGH = "high"
    ELEVATED = "elevated"
    GENERAL = "general"


class SupervisionMode(StrEnum):
    """信用 / 验证 / 一般 / 严密 / 特别 监管 [M]: how closely a consignment is checked."""

    CREDIT = "credit"  # 信用监管: release on documents, rarely sampled
    VERIFICATION = "verification"  # 验证监管
    GENERAL = "general"  # 一般监管
    STRICT = "strict"  # 严密监管
    SPECIAL = "special"  # 特别监管: batch by batch


class RouteOutcome(StrEnum):
    DOCUMENTS = "documents"  # release on documents (assessed from the e-supervision data)
    INSPECT = "inspect"


@dataclass(frozen=True)
class Product:
    """A commodity of the catalogue."""

    code: str  # our own key, e.g. "citrus-navel-orange"
    name_zh: str
    name_en: str
    botanical_name: str
    hs_code: str
    risk: RiskLevel
    confidence: Confidence
    eppo_code: str = ""  # where known
    site: bool = False  # added by the site, not shipped


@dataclass(frozen=True)
class DestinationRequirement:
    """What a destination asks of a product: ``destination`` is an ISO 3166 alpha-2 code or
    ``*`` (anywhere); ``product`` a product code or ``*``. An empty ``schedules`` means no
    treatment is required; otherwise a linked run under one of them meets it."""

    destination: str
    product: str
    schedules: tuple[str, ...]
    additional_declarations: tuple[str, ...]  # the text to carry on the certificate (English)
    source: str
    confidence: Confidence
    note: str = ""


@dataclass(frozen=True)
class RoutingRules:
    """Class x product risk -> supervision mode; a mode's inspection ratio; the hard rules kept
    on or off by name (``HARD_RULES`` of ``routing``)."""

    version: str
    scheme: str  # the classification scheme whose classes index the matrix
    matrix: Mapping[tuple[str, RiskLevel], SupervisionMode]
    ratios: Mapping[SupervisionMode, Decimal]  # 0..1: share of consignments drawn to inspect
    hard_rules: frozenset[str]
    confidence: Confidence
    source: str = ""
    # the confidence of a value that says its own (``matrix.I.high``, ``ratios.credit``);
    # any other value has the document's
    value_confidence: Mapping[str, Confidence] = field(default_factory=lambda: MappingProxyType({}))

    def confidence_of(self, path: str) -> Confidence:
        """The confidence of one value of the document, by its field path."""
        return self.value_confidence.get(path, self.confidence)


@dataclass(frozen=True)
class ClassScheme:
    """A classification scheme (一类–四类, or credit grades AA–D [M]): its classes, best first."""

    code: str  # e.g. "cn-class", "credit-grade"
    classes: tuple[str, ...]
    names: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    # class -> (English, Chinese)


@dataclass(frozen=True)
class ClassificationRule:
    """Propose a downgrade (``steps`` > 0) or an upgrade (``steps`` < 0) when ``measure`` over the
    last ``period_days`` is at least ``at_least`` (or, for an upgrade, at most ``at_most``)."""

    code: str
    measure: str  # failed_runs | interceptions | returned_declarations | declarations
    period_days: int
    steps: int
    at_least: int | None = None
    at_most: int | None = None
    confidence: Confidence = Confidence.UNVERIFIED


@dataclass(frozen=True)
class Classification:
    version: str
    scheme: ClassScheme
    rules: tuple[ClassificationRule, ...]
    confidence: Confidence
    schemes: tuple[
        ClassScheme, ...
    ] = ()  # every scheme the document describes, ``scheme`` in force
    source: str = ""


class AmendmentHow(StrEnum):
    """How a rule of ``ports.json`` lets a transferred value change (step 5)."""

    ANY = "any"  # any new value (vessel, date, containers)
    DECREASE = "decrease"  # only smaller (a quantity)
    WITHIN_PERCENT = "within_percent"  # within ± ``percent`` of the certified value


# what an amendment of a transfer may name at all (workflow.md, step 5); whether it is allowed
# is the rules' say (``PortRules.amendments``); a change to anything else is refused
AMENDABLE_FIELDS = ("declared_value", "conveyance", "departure_date", "containers", "quantity")
NUMERIC_FIELDS = frozenset({"declared_value", "quantity"})


@dataclass(frozen=True)
class Port:
    """A port of exit (UN/LOCODE) and who takes a transfer there: ``office`` is the phytowatch
    office that checks and releases at that port ("" for none: the transfer goes on paper);
    ``receiver`` names the port's own system the transfer is also delivered to (through the
    outbox; the site's settings give its address), "" for none."""

    code: str  # UN/LOCODE, e.g. CNXMN
    name_zh: str
    name_en: str
    office: str
    receiver: str
    confidence: Confidence

    @property
    def electronic(self) -> bool:
        """Whether a transfer to this port is electronic (an office of ours takes it)."""
        return bool(self.office)


@dataclass(frozen=True)
class AmendmentRule:
    """One change a port may accept after certification: ``field`` changed ``how``."""

    field: str  # one of AMENDABLE_FIELDS
    how: AmendmentHow
    confidence: Confidence
    percent: Decimal | None = None  # for WITHIN_PERCENT


@dataclass(frozen=True)
class PortRules:
    """The ``ports`` document: ports of exit, the port check's draw, the allowed amendments."""

    version: str
    ports: Mapping[str, Port]  # by UN/LOCODE
    check_ratios: Mapping[SupervisionMode, Decimal]  # share of batches drawn to check, per mode
    check_key_list: bool  # every batch of a key-list enterprise is checked
    amendments: tuple[AmendmentRule, ...]
    confidence: Confidence
    source: str = ""
    value_confidence: Mapping[str, Confidence] = field(default_factory=lambda: MappingProxyType({}))

    def confidence_of(self, path: str) -> Confidence:
        """The confidence of one value (``check_ratios.credit``), else the document's."""
        return self.value_confidence.get(path, self.confidence)

    def rule_for(self, field_name: str) -> AmendmentRule | None:
        return next((r for r in self.amendments if r.field == field_name), None)


@dataclass(frozen=True)
class Policy:
    """The policy in force: one version of each document."""

    products: Mapping[str, Product]
    destinations: tuple[DestinationRequirement, ...]
    routing: RoutingRules
    classification: Classification
    ports: PortRules
    versions: Mapping[PolicyKind, str]  # the version of each document in force
    documents: Mapping[PolicyKind, DocumentInfo] = field(
        default_factory=lambda: MappingProxyType({})
    )


# what a classification rule may count (``ClassificationRule.measure``)
MEASURES = ("failed_runs", "interceptions", "returned_declarations", "declarations")


@dataclass(frozen=True)
class DocumentInfo:
    """One policy document in force: its version, where it comes from (``shipped``, or
    ``stored``: an administrator's edit), its source text and its confidence."""

    kind: PolicyKind
    version: str
    origin: str  # "shipped" | "stored"
    source: str
    confidence: Confidence
    sha256: str = ""
