"""The policy files' format: four JSON documents (``PolicyKind``) read into validated
``domain.supervision.policy`` values.

A document that is malformed or contradicts itself or the others is refused with a
:class:`PolicyFileError`: a message code whose parameters name the file, the field path, the
value and what is expected, e.g. ``routing.json: matrix.III.high: "strictt": must be one of
credit, verification, general, strict, special``. Unknown fields are refused: a typo must not
silently drop a value. The cross-checks:

- the routing matrix gives a mode for every class of its scheme x every risk level, and every
  supervision mode has a ratio (a decimal text, 0..1);
- the routing document's scheme is one the classification document describes;
- a destination is an ISO 3166 alpha-2 code or ``*``; a requirement's product is in the
  products document or ``*``; its schedules are known (the caller passes the ids it knows:
  this package reads only the domain);
- hard rules are only ``domain.supervision.routing.HARD_RULES``; a classification rule's
  measure is one of ``MEASURES``.

Every document carries its confidence (C / C2 / M); products, requirements and classification
rules carry their own; a matrix cell or a ratio may carry its own (``{"mode": ..., "confidence":
...}``, ``{"ratio": ..., "confidence": ...}``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

from phytowatch.domain.messages import Code, Invalid, Message, say
from phytowatch.domain.messages import Param as MessageParam
from phytowatch.domain.schedule import Confidence
from phytowatch.domain.supervision.policy import (
    AMENDABLE_FIELDS,
    MEASURES,
    NUMERIC_FIELDS,
    AmendmentHow,
    AmendmentRule,
    Classification,
    ClassificationRule,
    ClassScheme,
    DestinationRequirement,
    DocumentInfo,
    Policy,
    PolicyKind,
    Port,
    PortRules,
    Product,
    RiskLevel,
    RoutingRules,
    SupervisionMode,
)
from phytowatch.domain.supervision.routing import HARD_RULES

SHIPPED = Path(__file__).resolve().parent / "data"  # installed with the package

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
VERSION_PATTERN = re.compile(r"^\d{4}\.\d+(\+\d+)?$")
_HS = re.compile(r"^\d{6}$")
_EPPO = re.compile(r"^[A-Z0-9]{5,6}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CLASS = re.compile(r"^[A-Za-z0-9+-]{1,8}$")
_RATIO = re.compile(r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$")
MAX_ENTRIES = 2000  # products, requirements, rules: a document is read whole, keep it sane
_CONFIDENCES = [c.value for c in Confidence]
_HEAD = {"kind", "version", "source", "confidence"}
_TOP = {
    PolicyKind.PRODUCTS: _HEAD | {"products"},
    PolicyKind.DESTINATIONS: _HEAD | {"requirements"},
    PolicyKind.ROUTING: _HEAD | {"scheme", "matrix", "ratios", "hard_rules"},
    PolicyKind.CLASSIFICATION: _HEAD | {"in_force", "schemes", "rules"},
    PolicyKind.PORTS: _HEAD | {"ports", "check_ratios", "check_key_list", "amendments"},
}
_PORT = {"code", "name_zh", "name_en", "office", "receiver", "confidence"}
_AMENDMENT = {"field", "how", "percent", "confidence"}
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
_OFFICE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})?$")
_PERCENT = re.compile(r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$")
_PRODUCT = {
    "code", "name_zh", "name_en", "botanical_name", "eppo_code", "hs_code", "risk",
    "confidence", "site",
}  # fmt: skip
_REQUIREMENT = {
    "destination", "product", "schedules", "additional_declarations", "source", "confidence",
    "note",
}  # fmt: skip
_RULE = {"code", "measure", "period_days", "steps", "at_least", "at_most", "confidence"}


class PolicyFileError(Invalid):
    """A policy document was refused; the message (a code) names the file and the field."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.where = str(message.params.get("file", ""))
        self.field = str(message.params.get("field", ""))


def file_name(kind: PolicyKind) -> str:
    """The name a document of ``kind`` goes by in messages: ``routing.json``."""
    return f"{kind.value}.json"


def shown(value: Any) -> str:
    """A value as the file writes it (JSON): ``"3"`` is a text, ``3`` a number."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def canonical(body: Mapping[str, Any]) -> str:
    """The canonical JSON of a document (sorted keys, no spaces): what is stored and hashed."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_of(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Reader:
    """Typed access to one parsed document, raising PolicyFileError with the field path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, code: Code, **params: MessageParam) -> PolicyFileError:
        return PolicyFileError(say(code, file=self.where, field=path, **params))

    def obj(self, value: Any, path: str, allowed: Collection[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            if not path:
                raise PolicyFileError(say(Code.POLICY_FILE_TOP, file=self.where))
            raise self.fail(path, Code.POLICY_FILE_OBJECT)
        if allowed is not None:
            unknown = sorted(str(k) for k in value if k not in allowed)
            if unknown:
                raise self.fail(_at(path, unknown[0]), Code.POLICY_FILE_UNKNOWN)
        return value

    def items(self, data: Mapping[str, Any], key: str, path: str, *, empty: bool) -> list[Any]:
        value = self.need(data, key, path)
        where = _at(path, key)
        if not isinstance(value, list):
            raise self.fail(where, Code.POLICY_FILE_LIST)
        if not value and not empty:
            raise self.fail(where, Code.POLICY_FILE_EMPTY)
        if len(value) > MAX_ENTRIES:
            raise self.fail(where, Code.POLICY_FILE_TOO_LARGE, limit=MAX_ENTRIES)
        return value

    def need(self, data: Mapping[str, Any], key: str, path: str) -> Any:
        if key not in data:
            raise self.fail(_at(path, key), Code.POLICY_FILE_MISSING)
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, path: str) -> str:
        value = self.need(data, key, path)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_at(path, key), Code.POLICY_FILE_TEXT)
        return value

    def string(self, data: Mapping[str, Any], key: str, path: str) -> str:
        """A text that may be empty; absent is empty."""
        value = data.get(key, "")
        if not isinstance(value, str):
            raise self.fail(_at(path, key), Code.POLICY_FILE_STRING, value=shown(value))
        return value

    def texts(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        found = []
        for index, value in enumerate(self.items(data, key, path, empty=True)):
            if not isinstance(value, str) or not value.strip():
                raise self.fail(_at(_at(path, key), index), Code.POLICY_FILE_TEXT)
            found.append(value)
        return tuple(found)

    def choice(self, value: Any, path: str, options: Iterable[str]) -> str:
        options = list(options)
        if not isinstance(value, str) or value not in options:
            raise self.fail(
                path, Code.POLICY_FILE_CHOICE, value=shown(value), options=", ".join(options)
            )
        return value

    def field_choice(
        self, data: Mapping[str, Any], key: str, path: str, options: Iterable[str]
    ) -> str:
        return self.choice(self.need(data, key, path), _at(path, key), options)

    def confidence(self, data: Mapping[str, Any], path: str) -> Confidence:
        return Confidence(self.field_choice(data, "confidence", path, _CONFIDENCES))

    def integer(self, data: Mapping[str, Any], key: str, path: str, low: int, high: int) -> int:
        value = self.need(data, key, path)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(
                _at(path, key), Code.POLICY_FILE_INTEGER, value=shown(value), low=low, high=high
            )
        return value

    def code(self, data: Mapping[str, Any], key: str, path: str) -> str:
        value = self.need(data, key, path)
        if not isinstance(value, str) or not CODE_PATTERN.match(value):
            raise self.fail(_at(path, key), Code.POLICY_FILE_CODE, value=shown(value))
        return value


@dataclass(frozen=True)
class Head:
    """What every document says of itself."""

    kind: PolicyKind
    version: str
    source: str
    confidence: Confidence


def _head(r: _Reader, top: dict[str, Any], kind: PolicyKind) -> Head:
    stated = r.need(top, "kind", "")
    if stated != kind.value:
        raise PolicyFileError(
            say(Code.POLICY_FILE_KIND, file=r.where, value=shown(stated), expected=kind.value)
        )
    r.obj(top, "", _TOP[kind])
    version = r.need(top, "version", "")
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise r.fail("version", Code.POLICY_FILE_VERSION, value=shown(version))
    return Head(kind, version, r.text(top, "source", ""), r.confidence(top, ""))


def kind_of(data: Any, where: str) -> PolicyKind:
    """Which document this is, by its ``kind`` field."""
    r = _Reader(where)
    top = r.obj(data, "")
    stated = r.need(top, "kind", "")
    options = [k.value for k in PolicyKind]
    if stated not in options:
        raise PolicyFileError(
            say(
                Code.POLICY_FILE_NO_KIND,
                file=where,
                value=shown(stated),
                options=", ".join(options),
            )
        )
    return PolicyKind(stated)


# -- the four documents -------------------------------------------------------------------------


def parse_products(data: Any, where: str = "products.json") -> tuple[Head, dict[str, Product]]:
    r = _Reader(where)
    top = r.obj(data, "")
    head = _head(r, top, PolicyKind.PRODUCTS)
    products: dict[str, Product] = {}
    for index, item in enumerate(r.items(top, "products", "", empty=False)):
        path = f"products[{index}]"
        p = r.obj(item, path, _PRODUCT)
        code = r.code(p, "code", path)
        if code in products:
            raise r.fail(_at(path, "code"), Code.POLICY_FILE_TWICE, value=shown(code))
        hs = r.need(p, "hs_code", path)
        if not isinstance(hs, str) or not _HS.match(hs):
            raise r.fail(_at(path, "hs_code"), Code.POLICY_FILE_HS, value=shown(hs))
        eppo = r.string(p, "eppo_code", path)
        if eppo and not _EPPO.match(eppo):
            raise r.fail(_at(path, "eppo_code"), Code.POLICY_FILE_EPPO, value=shown(eppo))
        site = p.get("site", False)
        if not isinstance(site, bool):
            raise r.fail(_at(path, "site"), Code.POLICY_FILE_BOOL, value=shown(site))
        products[code] = Product(
            code=code,
            name_zh=r.text(p, "name_zh", path),
            name_en=r.text(p, "name_en", path),
            botanical_name=r.string(p, "botanical_name", path),
            hs_code=hs,
            risk=RiskLevel(r.field_choice(p, "risk", path, [x.value for x in RiskLevel])),
            confidence=r.confidence(p, path),
            eppo_code=eppo,
            site=site,
        )
    return head, products


def parse_destinations(
    data: Any,
    where: str = "destinations.json",
    *,
    products: Collection[str],
    schedules: Collection[str],
) -> tuple[Head, tuple[DestinationRequirement, ...]]:
    """``products`` are the product codes in force, ``schedules`` the schedule ids known."""
    r = _Reader(where)
    top = r.obj(data, "")
    head = _head(r, top, PolicyKind.DESTINATIONS)
    found: list[DestinationRequirement] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(r.items(top, "requirements", "", empty=True)):
        path = f"requirements[{index}]"
        q = r.obj(item, path, _REQUIREMENT)
        destination = r.need(q, "destination", path)
        if not isinstance(destination, str) or not (
            destination == "*" or _COUNTRY.match(destination)
        ):
            raise r.fail(
                _at(path, "destination"), Code.POLICY_FILE_COUNTRY, value=shown(destination)
            )
        product = r.need(q, "product", path)
        if not isinstance(product, str) or not (product == "*" or product in products):
            raise r.fail(_at(path, "product"), Code.POLICY_FILE_PRODUCT, value=shown(product))
        if (destination, product) in seen:
            raise r.fail(
                _at(path, "product"), Code.POLICY_FILE_TWICE, value=f"{destination} x {product}"
            )
        seen.add((destination, product))
        ids = r.texts(q, "schedules", path)
        for number, schedule in enumerate(ids):
            if schedule not in schedules:
                raise r.fail(
                    _at(_at(path, "schedules"), number),
                    Code.POLICY_FILE_SCHEDULE,
                    value=shown(schedule),
                    known=", ".join(sorted(schedules)),
                )
        found.append(
            DestinationRequirement(
                destination=destination,
                product=product,
                schedules=ids,
                additional_declarations=r.texts(q, "additional_declarations", path),
                source=r.text(q, "source", path),
                confidence=r.confidence(q, path),
                note=r.string(q, "note", path),
            )
        )
    return head, tuple(found)


def _scheme(r: _Reader, item: Any, path: str) -> ClassScheme:
    s = r.obj(item, path, {"code", "classes", "names"})
    code = r.code(s, "code", path)
    classes = r.texts(s, "classes", path)
    if not classes:
        raise r.fail(_at(path, "classes"), Code.POLICY_FILE_EMPTY)
    for index, klass in enumerate(classes):
        if not _CLASS.match(klass):
            raise r.fail(_at(_at(path, "classes"), index), Code.POLICY_FILE_CODE, value=klass)
        if klass in classes[:index]:
            raise r.fail(_at(_at(path, "classes"), index), Code.POLICY_FILE_TWICE, value=klass)
    names_path = _at(path, "names")
    names = r.obj(r.need(s, "names", path), names_path, set(classes))
    shown_names: dict[str, tuple[str, str]] = {}
    for klass in classes:
        pair = r.need(names, klass, names_path)
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(x, str) and x.strip() for x in pair)
        ):
            raise r.fail(_at(names_path, klass), Code.POLICY_FILE_NAMES)
        shown_names[klass] = (pair[0], pair[1])
    return ClassScheme(code=code, classes=classes, names=MappingProxyType(shown_names))


def parse_classification(data: Any, where: str = "classification.json") -> Classification:
    r = _Reader(where)
    top = r.obj(data, "")
    head = _head(r, top, PolicyKind.CLASSIFICATION)
    schemes: list[ClassScheme] = []
    for index, item in enumerate(r.items(top, "schemes", "", empty=False)):
        scheme = _scheme(r, item, f"schemes[{index}]")
        if any(s.code == scheme.code for s in schemes):
            raise r.fail(f"schemes[{index}].code", Code.POLICY_FILE_TWICE, value=scheme.code)
        schemes.append(scheme)
    in_force = r.field_choice(top, "in_force", "", [s.code for s in schemes])
    rules: list[ClassificationRule] = []
    for index, item in enumerate(r.items(top, "rules", "", empty=True)):
        path = f"rules[{index}]"
        c = r.obj(item, path, _RULE)
        code = r.code(c, "code", path)
        if any(rule.code == code for rule in rules):
            raise r.fail(_at(path, "code"), Code.POLICY_FILE_TWICE, value=shown(code))
        steps = r.integer(c, "steps", path, -3, 3)
        if steps == 0:
            raise r.fail(_at(path, "steps"), Code.POLICY_FILE_INTEGER, value="0", low=-3, high=3)
        bound = "at_least" if steps > 0 else "at_most"
        other = "at_most" if steps > 0 else "at_least"
        if bound not in c or other in c:
            raise r.fail(_at(path, other if other in c else bound), Code.POLICY_FILE_THRESHOLD)
        limit = r.integer(c, bound, path, 0, 100_000)
        rules.append(
            ClassificationRule(
                code=code,
                measure=r.field_choice(c, "measure", path, MEASURES),
                period_days=r.integer(c, "period_days", path, 1, 3660),
                steps=steps,
                at_least=limit if steps > 0 else None,
                at_most=limit if steps < 0 else None,
                confidence=r.confidence(c, path),
            )
        )
    scheme = next(s for s in schemes if s.code == in_force)
    return Classification(
        version=head.version,
        scheme=scheme,
        rules=tuple(rules),
        confidence=head.confidence,
        schemes=tuple(schemes),
        source=head.source,
    )


def _valued(r: _Reader, value: Any, path: str, key: str, found: dict[str, Confidence]) -> Any:
    """A value written plain, or as ``{key: value, "confidence": ...}``."""
    if isinstance(value, dict):
        inner = r.obj(value, path, {key, "confidence"})
        found[path] = r.confidence(inner, path)
        return r.need(inner, key, path)
    return value


def parse_routing(
    data: Any, where: str = "routing.json", *, schemes: Iterable[ClassScheme]
) -> RoutingRules:
    """``schemes`` are those the classification document in force describes."""
    r = _Reader(where)
    top = r.obj(data, "")
    head = _head(r, top, PolicyKind.ROUTING)
    by_code = {s.code: s for s in schemes}
    scheme_code = r.text(top, "scheme", "")
    if scheme_code not in by_code:
        raise r.fail(
            "scheme",
            Code.POLICY_FILE_SCHEME,
            value=shown(scheme_code),
            known=", ".join(sorted(by_code)),
        )
    scheme = by_code[scheme_code]
    risks = [x.value for x in RiskLevel]
    modes = [m.value for m in SupervisionMode]
    own: dict[str, Confidence] = {}
    matrix_doc = r.obj(r.need(top, "matrix", ""), "matrix")
    for klass in matrix_doc:
        if klass not in scheme.classes:
            raise r.fail(
                _at("matrix", str(klass)),
                Code.POLICY_FILE_CLASS,
                value=shown(klass),
                scheme=scheme.code,
                classes=", ".join(scheme.classes),
            )
    matrix: dict[tuple[str, RiskLevel], SupervisionMode] = {}
    for klass in scheme.classes:
        if klass not in matrix_doc:
            raise r.fail(_at("matrix", klass), Code.POLICY_FILE_CELL_MISSING)
        row_path = _at("matrix", klass)
        row = r.obj(matrix_doc[klass], row_path, risks)
        for risk in risks:
            if risk not in row:
                raise r.fail(_at(row_path, risk), Code.POLICY_FILE_CELL_MISSING)
            path = _at(row_path, risk)
            mode = r.choice(_valued(r, row[risk], path, "mode", own), path, modes)
            matrix[(klass, RiskLevel(risk))] = SupervisionMode(mode)
    ratios_doc = r.obj(r.need(top, "ratios", ""), "ratios", modes)
    ratios: dict[SupervisionMode, Decimal] = {}
    for mode in modes:
        path = _at("ratios", mode)
        if mode not in ratios_doc:
            raise r.fail(path, Code.POLICY_FILE_RATIO_MISSING)
        text = _valued(r, ratios_doc[mode], path, "ratio", own)
        ratios[SupervisionMode(mode)] = _ratio(r, text, path)
    hard: list[str] = []
    for index, name in enumerate(r.items(top, "hard_rules", "", empty=True)):
        path = f"hard_rules[{index}]"
        hard.append(r.choice(name, path, sorted(HARD_RULES)))
        if hard.count(name) > 1:
            raise r.fail(path, Code.POLICY_FILE_TWICE, value=shown(name))
    return RoutingRules(
        version=head.version,
        scheme=scheme.code,
        matrix=MappingProxyType(matrix),
        ratios=MappingProxyType(ratios),
        hard_rules=frozenset(hard),
        confidence=head.confidence,
        source=head.source,
        value_confidence=MappingProxyType(own),
    )


def _ratio(r: _Reader, value: Any, path: str) -> Decimal:
    if not isinstance(value, str) or not _RATIO.match(value):
        raise r.fail(path, Code.POLICY_FILE_RATIO, value=shown(value))
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise r.fail(path, Code.POLICY_FILE_RATIO, value=shown(value)) from None


def parse_ports(data: Any, where: str = "ports.json") -> PortRules:
    """The ``ports`` document (step 5 and 6): each port of exit with the office that takes its
    transfers (empty: on paper) and the system it is also delivered to; the port check's ratio
    per supervision mode; whether a key-list enterprise's batches are all checked; the changes
    a transfer may take after certification."""
    r = _Reader(where)
    top = r.obj(data, "")
    head = _head(r, top, PolicyKind.PORTS)
    ports: dict[str, Port] = {}
    for index, item in enumerate(r.items(top, "ports", "", empty=False)):
        path = f"ports[{index}]"
        p = r.obj(item, path, _PORT)
        code = r.text(p, "code", path)
        if not _LOCODE.match(code):
            raise r.fail(_at(path, "code"), Code.POLICY_FILE_LOCODE, value=shown(code))
        if code in ports:
            raise r.fail(_at(path, "code"), Code.POLICY_FILE_TWICE, value=shown(code))
        office = r.string(p, "office", path)
        if not _OFFICE.match(office):
            raise r.fail(_at(path, "office"), Code.POLICY_FILE_OFFICE, value=shown(office))
        receiver = r.string(p, "receiver", path)
        if receiver and not CODE_PATTERN.match(receiver):
            raise r.fail(_at(path, "receiver"), Code.POLICY_FILE_CODE, value=shown(receiver))
        ports[code] = Port(
            code=code,
            name_zh=r.text(p, "name_zh", path),
            name_en=r.text(p, "name_en", path),
            office=office,
            receiver=receiver,
            confidence=r.confidence(p, path),
        )
    modes = [m.value for m in SupervisionMode]
    own: dict[str, Confidence] = {}
    ratios_doc = r.obj(r.need(top, "check_ratios", ""), "check_ratios", modes)
    ratios: dict[SupervisionMode, Decimal] = {}
    for mode in modes:
        path = _at("check_ratios", mode)
        if mode not in ratios_doc:
            raise r.fail(path, Code.POLICY_FILE_RATIO_MISSING)
        text = _valued(r, ratios_doc[mode], path, "ratio", own)
        ratios[SupervisionMode(mode)] = _ratio(r, text, path)
    key_list = r.need(top, "check_key_list", "")
    if not isinstance(key_list, bool):
        raise r.fail("check_key_list", Code.POLICY_FILE_BOOL, value=shown(key_list))
    rules: list[AmendmentRule] = []
    hows = [h.value for h in AmendmentHow]
    for index, item in enumerate(r.items(top, "amendments", "", empty=True)):
        path = f"amendments[{index}]"
        a = r.obj(item, path, _AMENDMENT)
        name = r.field_choice(a, "field", path, AMENDABLE_FIELDS)
        if any(rule.field == name for rule in rules):
            raise r.fail(_at(path, "field"), Code.POLICY_FILE_TWICE, value=shown(name))
        how = AmendmentHow(r.field_choice(a, "how", path, hows))
        if how is not AmendmentHow.ANY and name not in NUMERIC_FIELDS:
            raise r.fail(
                _at(path, "how"),
                Code.POLICY_FILE_NOT_NUMERIC,
                value=shown(how.value),
                fields=", ".join(sorted(NUMERIC_FIELDS)),
            )
        percent: Decimal | None = None
        if how is AmendmentHow.WITHIN_PERCENT:
            value = r.need(a, "percent", path)
            if not isinstance(value, str) or not _PERCENT.match(value):
                raise r.fail(_at(path, "percent"), Code.POLICY_FILE_PERCENT, value=shown(value))
            percent = Decimal(value)
        elif "percent" in a:
            raise r.fail(_at(path, "percent"), Code.POLICY_FILE_UNKNOWN)
        rules.append(AmendmentRule(name, how, r.confidence(a, path), percent))
    return PortRules(
        version=head.version,
        ports=MappingProxyType(ports),
        check_ratios=MappingProxyType(ratios),
        check_key_list=key_list,
        amendments=tuple(rules),
        confidence=head.confidence,
        source=head.source,
        value_confidence=MappingProxyType(own),
    )


# -- the whole policy ---------------------------------------------------------------------------


def head_of(kind: PolicyKind, data: Any, where: str | None = None) -> Head:
    """The document's own head (kind, version, source, confidence), checked."""
    r = _Reader(where or file_name(kind))
    return _head(r, r.obj(data, ""), kind)


def policy_of(
    docs: Mapping[PolicyKind, Any],
    *,
    schedules: Collection[str],
    origins: Mapping[PolicyKind, str] | None = None,
    names: Mapping[PolicyKind, str] | None = None,
) -> Policy:
    """The five parsed documents validated together into one :class:`Policy`.

    ``schedules`` are the schedule ids known; ``origins`` says where each document comes from
    (``shipped`` unless said); ``names`` how each is named in messages (``routing.json``)."""
    where = {kind: (names or {}).get(kind, file_name(kind)) for kind in PolicyKind}
    head_products, products = parse_products(docs[PolicyKind.PRODUCTS], where[PolicyKind.PRODUCTS])
    head_dest, destinations = parse_destinations(
        docs[PolicyKind.DESTINATIONS],
        where[PolicyKind.DESTINATIONS],
        products=products.keys(),
        schedules=schedules,
    )
    classification = parse_classification(
        docs[PolicyKind.CLASSIFICATION], where[PolicyKind.CLASSIFICATION]
    )
    routing = parse_routing(
        docs[PolicyKind.ROUTING], where[PolicyKind.ROUTING], schemes=classification.schemes
    )
    ports = parse_ports(docs[PolicyKind.PORTS], where[PolicyKind.PORTS])
    heads = {
        PolicyKind.PORTS: head_of(PolicyKind.PORTS, docs[PolicyKind.PORTS]),
        PolicyKind.PRODUCTS: head_products,
        PolicyKind.DESTINATIONS: head_dest,
        PolicyKind.ROUTING: head_of(PolicyKind.ROUTING, docs[PolicyKind.ROUTING]),
        PolicyKind.CLASSIFICATION: head_of(
            PolicyKind.CLASSIFICATION, docs[PolicyKind.CLASSIFICATION]
        ),
    }
    return Policy(
        products=MappingProxyType(products),
        destinations=destinations,
        routing=routing,
        classification=classification,
        ports=ports,
        versions=MappingProxyType({kind: head.version for kind, head in heads.items()}),
        documents=MappingProxyType(
            {
                kind: DocumentInfo(
                    kind=kind,
                    version=head.version,
                    origin=(origins or {}).get(kind, "shipped"),
                    source=head.source,
                    confidence=head.confidence,
                    sha256=sha256_of(docs[kind]),
                )
                for kind, head in heads.items()
            }
        ),
    )


def read_json(path: Path, where: str | None = None) -> Any:
    """A file's JSON; ``PolicyFileError`` when it cannot be read or is not JSON."""
    name = where or path.name
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyFileError(
            say(Code.POLICY_FILE_UNREADABLE, file=name, error=type(error).__name__)
        ) from None
    return parse_json(text, name)


def parse_json(text: str, where: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise PolicyFileError(say(Code.POLICY_FILE_JSON, file=where, error=str(error))) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def shipped_documents(directory: Path = SHIPPED) -> dict[PolicyKind, Any]:
    """The shipped documents, parsed (not yet validated)."""
    return {kind: read_json(directory / file_name(kind)) for kind in PolicyKind}


def load_shipped(directory: Path = SHIPPED, *, schedules: Collection[str] | None = None) -> Policy:
    """The shipped policy documents as one validated :class:`Policy`. Without ``schedules``
    the requirements' schedule ids are checked against the ids they name themselves (the
    callers that know the catalogue pass its ids)."""
    docs = shipped_documents(directory)
    if schedules is None:
        schedules = {
            s
            for q in docs[PolicyKind.DESTINATIONS].get("requirements", [])
            if isinstance(q, dict)
            for s in q.get("schedules", [])
            if isinstance(s, str)
        }
    return policy_of(docs, schedules=schedules)
