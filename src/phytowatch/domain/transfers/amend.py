"""Amendments of a transfer, by the rules of ``ports.json`` (``PortRules.amendments``): pure.

A person asks for a change of one or more of the transferred values; :func:`evaluate` says, for
each field, yes (with the rule that allows it) or no with a message naming the rule, its limit
and the ``ports.json`` version. The values in force are the certified ones (the declaration as
transferred) with every amendment applied in order (:func:`in_force`).

The amendable values, as the transfer document writes them:

- ``declared_value``: a decimal text (the currency is the declaration's and never changes);
- ``conveyance``: text (vessel/voyage, train, flight);
- ``departure_date``: ``YYYY-MM-DD`` ("" while none was given);
- ``containers``: a list of texts, each a container number and its size (``MSCU1234567 40``);
- ``quantity``: a list of decimal texts, one per line of goods, in the declaration's order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from phytowatch.domain.messages import Code, Message, Word, say
from phytowatch.domain.supervision.policy import (
    AMENDABLE_FIELDS,
    AmendmentHow,
    AmendmentRule,
    PortRules,
)
from phytowatch.domain.transfers.model import Amendment

AMENDABLE = ("declared_value", "conveyance", "departure_date", "containers", "quantity")
# what else a person might ask to change, named in the refusal (nothing allows it)
FIXED = (
    "exporter",
    "consignee",
    "destination",
    "product",
    "botanical_name",
    "port_of_exit",
    "marks",
    "unit",
    "packages",
    "package_type",
    "place_of_origin",
    "point_of_entry",
    "currency",
)
MAX_TEXT = 200
MAX_CONTAINERS = 200
MAX_CHANGES = 20  # fields in one request
_CONTAINER = re.compile(r"^[A-Z]{4}[0-9]{7}( (20|40|45))?$")


def decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def in_force(declaration: Mapping[str, Any], amendments: Sequence[Amendment]) -> dict[str, Any]:
    """The amendable values now: the declaration's, each amendment of a field applied."""
    lines = declaration.get("lines") or []
    values: dict[str, Any] = {
        "declared_value": declaration.get("declared_value"),
        "currency": declaration.get("currency", ""),
        "conveyance": declaration.get("conveyance", ""),
        "departure_date": declaration.get("departure_date", ""),
        "containers": list(declaration.get("containers") or []),
        "quantity": [str(line.get("quantity", "0")) for line in lines],
    }
    for amendment in amendments:
        if amendment.field in AMENDABLE:
            values[amendment.field] = amendment.after
    return values


@dataclass(frozen=True)
class Verdict:
    """One field's answer: ``allowed`` with its rule, or the refusal's message."""

    field: str
    allowed: bool
    before: Any
    after: Any
    rule: dict[str, object]
    message: Message | None = None


def _rule_json(rule: AmendmentRule, version: str) -> dict[str, object]:
    out: dict[str, object] = {"version": version, "field": rule.field, "how": rule.how.value}
    if rule.percent is not None:
        out["percent"] = decimal_text(rule.percent)
    out["confidence"] = str(rule.confidence)
    return out


def _decimal(text: object) -> Decimal | None:
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def normalise(field: str, value: object) -> tuple[Any, Message | None]:
    """A requested value in the document's form, or why it cannot be one."""
    scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
    if field in ("declared_value", "conveyance", "departure_date") and not scalar:
        return None, say(Code.TRANSFER_BAD_VALUE, field=_named(field), value=str(value)[:40])
    if field in ("containers", "quantity") and not (
        isinstance(value, str) or (isinstance(value, list | tuple) and all(
            isinstance(i, str | int | float) and not isinstance(i, bool) for i in value
        ))
    ):  # fmt: skip
        return None, say(Code.TRANSFER_BAD_VALUE, field=_named(field), value=str(value)[:40])
    if field == "declared_value":
        number = _decimal(value)
        if number is None or number < 0 or number >= Decimal("1e15"):
            return None, say(Code.TRANSFER_BAD_VALUE, field=_named(field), value=str(value)[:40])
        return decimal_text(number), None
    if field == "conveyance":
        text = " ".join(str(value).split())
        if not text or len(text) > MAX_TEXT:
            return None, say(Code.TRANSFER_BAD_VALUE, field=_named(field), value=str(value)[:40])
        return text, None
    if field == "departure_date":
        text = str(value).strip()
        try:
            date.fromisoformat(text)
        except ValueError:
            return None, say(Code.TRANSFER_BAD_VALUE, field=_named(field), value=text[:40])
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return None, say(Code.TRANSFER_BAD_VALUE, field=_named(field), value=text[:40])
        return text, None
    if field == "containers":
        items = value if isinstance(value, list | tuple) else re.split(r"[,\n]", str(value))
        out = [" ".join(str(i).upper().split()) for i in items]
        out = [i for i in out if i]
        if not out or len(out) > MAX_CONTAINERS or not all(_CONTAINER.match(i) for i in out):
            return None, say(Code.TRANSFER_BAD_CONTAINERS, value=str(value)[:60])
        return out, None
    if field == "quantity":
        items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
        numbers = [_decimal(i) for i in items]
        if not numbers or any(n is None or n < 0 for n in numbers):
            return None, say(Code.TRANSFER_BAD_VALUE, field=_named(field), value=str(value)[:40])
        return [decimal_text(n) for n in numbers if n is not None], None
    return None, None


def _percent(before: Decimal, after: Decimal) -> Decimal:
    if before == 0:
        return Decimal(0) if after == 0 else Decimal(100)
    return ((after - before) / before * 100).quantize(Decimal("0.1"))


def _named(field: str) -> str | Word:
    """A field as a message names it: a word of the catalogue (申报货值, declared value) when it
    is one the rules know, else as it was asked."""
    return Word(f"amend.{field}") if field in AMENDABLE_FIELDS else field


def judge(field: str, before: Any, after: Any, rules: PortRules) -> Verdict:
    """Whether ``field`` may go from ``before`` to ``after`` (both normalised)."""
    rule = rules.rule_for(field) if field in AMENDABLE else None
    if rule is None:
        return Verdict(
            field,
            False,
            before,
            after,
            {},
            say(Code.TRANSFER_NO_RULE, field=_named(field), version=rules.version),
        )
    shown = _rule_json(rule, rules.version)
    if after == before:
        return Verdict(
            field, False, before, after, shown, say(Code.TRANSFER_SAME, field=_named(field))
        )
    if rule.how is AmendmentHow.ANY:
        return Verdict(field, True, before, after, shown)
    if rule.how is AmendmentHow.WITHIN_PERCENT:
        old, new = _decimal(before), _decimal(after)
        limit = rule.percent if rule.percent is not None else Decimal(0)
        if old is None or new is None:
            return Verdict(
                field,
                False,
                before,
                after,
                shown,
                say(Code.TRANSFER_NO_VALUE, field=_named(field)),
            )
        if old == new:
            return Verdict(
                field, False, before, after, shown, say(Code.TRANSFER_SAME, field=_named(field))
            )
        change = _percent(old, new)
        if old == 0 or abs(new - old) * 100 > limit * abs(old):
            return Verdict(
                field,
                False,
                before,
                after,
                shown,
                say(
                    Code.TRANSFER_OUTSIDE_PERCENT,
                    field=_named(field),
                    percent=decimal_text(limit),
                    version=rules.version,
                    before=decimal_text(old),
                    after=decimal_text(new),
                    change=f"{change:+}",
                ),
            )
        return Verdict(field, True, before, after, shown)
    # DECREASE: every number no larger, at least one smaller; for a list, as many as before
    olds = before if isinstance(before, list) else [before]
    news = after if isinstance(after, list) else [after]
    if len(olds) != len(news):
        return Verdict(
            field,
            False,
            before,
            after,
            shown,
            say(Code.TRANSFER_LINES, field=_named(field), lines=len(olds)),
        )
    for index, (o, n) in enumerate(zip(olds, news, strict=True), start=1):
        old, new = _decimal(o), _decimal(n)
        if old is None or new is None or new > old:
            return Verdict(
                field,
                False,
                before,
                after,
                shown,
                say(
                    Code.TRANSFER_NOT_DECREASE,
                    field=_named(field),
                    line=index,
                    before=str(o),
                    after=str(n),
                    version=rules.version,
                ),
            )
    return Verdict(field, True, before, after, shown)


def evaluate(
    requested: Mapping[str, object], values: Mapping[str, Any], rules: PortRules
) -> list[Verdict]:
    """Each requested field's verdict, in the order asked."""
    verdicts = []
    for field, raw in requested.items():
        if field not in AMENDABLE:
            verdicts.append(
                Verdict(
                    field,
                    False,
                    None,
                    raw,
                    {},
                    say(Code.TRANSFER_NO_RULE, field=_named(field[:40]), version=rules.version),
                )
            )
            continue
        after, problem = normalise(field, raw)
        if problem is not None:
            verdicts.append(Verdict(field, False, values.get(field), raw, {}, problem))
            continue
        verdicts.append(judge(field, values.get(field), after, rules))
    return verdicts
