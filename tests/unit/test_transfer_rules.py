"""Step 5's pure parts: the amendment rules of ports.json (with a property test), the transfer
numbers, the password, and the lock-out of wrong passwords on a fake store."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phytowatch.domain.accounts import ROLE_ACTIONS, FailureCount, Principal, Role
from phytowatch.domain.messages import Kind, Refused
from phytowatch.domain.supervision.policy import AmendmentHow, PortRules
from phytowatch.domain.transfers import password as passwords
from phytowatch.domain.transfers.amend import evaluate, in_force, judge
from phytowatch.domain.transfers.model import Amendment, Transfer
from phytowatch.domain.transfers.numbering import looks_like_number, transfer_number
from phytowatch.i18n.catalogue import render
from phytowatch.rules import load_shipped
from phytowatch.schedules import load_catalog
from phytowatch.services.context import Context
from phytowatch.services.transfers.service import TransferService

RULES: PortRules = load_shipped(schedules=frozenset(load_catalog().ids())).ports
DECLARED = {
    "declared_value": "10000",
    "conveyance": "vessel COSCO Aries V.025E",
    "containers": ["MSCU1234566 40"],
    "lines": [{"quantity": "1200"}, {"quantity": "30"}],
}
VALUES = in_force(DECLARED, [])


def test_the_issue_s_example_is_refused_naming_the_rule_and_its_version() -> None:
    [verdict] = evaluate({"declared_value": "11500"}, VALUES, RULES)
    assert not verdict.allowed and verdict.message is not None
    assert render(verdict.message, "en") == (
        "declared value may change by at most ±10 % (ports.json 2026.1): 10000 to 11500 is +15.0 %"
    )
    assert render(verdict.message, "zh_CN").startswith("申报货值 最多只能变动 ±10 %")


@pytest.mark.parametrize(
    ("field", "value"),
    [("consignee", "Other Co."), ("destination", "US"), ("product", "citrus"),
     ("botanical_name", "Citrus"), ("port_of_exit", "CNSHA")],
)  # fmt: skip
def test_a_field_no_rule_names_is_refused_saying_so(field: str, value: str) -> None:
    [verdict] = evaluate({field: value}, VALUES, RULES)
    assert not verdict.allowed and verdict.message is not None
    assert verdict.message.english() == (
        f"{field} may not be changed after certification: no rule of ports.json 2026.1 allows it"
    )


def test_the_allowed_changes_pass_with_their_rule() -> None:
    asked = {
        "declared_value": "9000.00",
        "conveyance": "vessel COSCO Taurus V.031E",
        "departure_date": "2026-03-10",
        "containers": "MSCU1234566 20, TGHU7654321 40",
        "quantity": "1100 30",
    }
    verdicts = evaluate(asked, VALUES, RULES)
    assert all(v.allowed for v in verdicts), [v.message for v in verdicts]
    assert verdicts[0].after == "9000" and verdicts[0].rule["percent"] == "10"
    assert verdicts[3].after == ["MSCU1234566 20", "TGHU7654321 40"]
    assert verdicts[4].after == ["1100", "30"]


@pytest.mark.parametrize(
    ("asked", "code"),
    [({"quantity": "1300 30"}, "transfer.not_decrease"),
     ({"quantity": "1100"}, "transfer.lines"),
     ({"quantity": "many"}, "transfer.bad_value"),
     ({"declared_value": "1e400"}, "transfer.bad_value"),
     ({"declared_value": "NaN"}, "transfer.bad_value"),
     ({"departure_date": "10/03/2026"}, "transfer.bad_value"),
     ({"containers": "box"}, "transfer.bad_containers"),
     ({"conveyance": "  "}, "transfer.bad_value"),
     ({"conveyance": "vessel COSCO Aries V.025E"}, "transfer.same"),
     ({"conveyance": {"vessel": "x"}}, "transfer.bad_value"),
     ({"declared_value": True}, "transfer.bad_value"),
     ({"quantity": [{"q": 1}]}, "transfer.bad_value"),
     ({"containers": 7}, "transfer.bad_value")],
)  # fmt: skip
def test_bad_or_unchanged_values_are_refused_with_their_reason(
    asked: dict[str, object], code: str
) -> None:
    [verdict] = evaluate(asked, VALUES, RULES)
    assert not verdict.allowed and verdict.message is not None
    assert verdict.message.code.value == code


@given(
    before=st.decimals(min_value=1, max_value=10**9, places=2),
    after=st.decimals(min_value=0, max_value=10**10, places=2),
)
def test_declared_value_allowed_exactly_within_the_percent(before: Decimal, after: Decimal) -> None:
    rule = RULES.rule_for("declared_value")
    assert rule is not None and rule.how is AmendmentHow.WITHIN_PERCENT and rule.percent
    verdict = judge("declared_value", str(before), str(after.normalize()), RULES)
    within = abs(after - before) * 100 <= rule.percent * before
    assert verdict.allowed == (within and after != before)
    if not verdict.allowed:
        assert verdict.message is not None


@given(
    before=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=5),
    deltas=st.lists(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=5),
)
def test_quantity_allowed_only_when_no_line_grows(before: list[int], deltas: list[int]) -> None:
    after = [b + d for b, d in zip(before, deltas * 5, strict=False)]
    verdict = judge("quantity", [str(b) for b in before], [str(a) for a in after], RULES)
    expected = all(a <= b for a, b in zip(after, before, strict=True)) and after != before
    assert verdict.allowed == expected


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=30), max_size=6))
def test_any_request_gets_one_verdict_per_field_and_never_crashes(asked: dict[str, str]) -> None:
    verdicts = evaluate(asked, VALUES, RULES)
    assert [v.field for v in verdicts] == list(asked)
    assert all(v.allowed or v.message is not None for v in verdicts)


def test_the_values_in_force_are_the_certified_ones_with_each_amendment_applied() -> None:
    amendments = [
        Amendment(1, 1, "declared_value", "10000", "10500", {}, 1, "a"),
        Amendment(2, 1, "certificate_replaced", "A", "B", {}, 2, "system"),
        Amendment(3, 1, "declared_value", "10500", "10200", {}, 3, "a"),
    ]
    values = in_force(DECLARED, amendments)
    assert values["declared_value"] == "10200" and values["quantity"] == ["1200", "30"]


def test_numbers_are_per_office_and_year_and_refused_past_the_last() -> None:
    assert transfer_number("gz", 2026, 7) == "GZZD2026000007"
    assert looks_like_number("gzzd2026000007")
    with pytest.raises(Refused) as full:
        transfer_number("GZ", 2026, 1_000_000)
    assert full.value.kind is Kind.CONFLICT


@given(st.binary(min_size=32, max_size=32), st.text(min_size=1, max_size=30))
def test_the_password_is_typeable_stable_and_checked_loosely(secret: bytes, number: str) -> None:
    made = passwords.derive(secret, number)
    assert len(made) == passwords.LENGTH and not set(made) & set("0O1IL")
    assert made == passwords.derive(secret, number)
    assert passwords.matches(secret, number, passwords.shown(made).lower())
    assert not passwords.matches(secret, number + "x", made) or made == passwords.derive(
        secret, number + "x"
    )


# -- the lock-out, on a fake store ---------------------------------------------------------------


class FakeStore:
    def __init__(self, transfer: Transfer) -> None:
        self.t = transfer
        self.counts: dict[str, FailureCount] = {}
        self.retrieved: list[tuple[int, str]] = []

    def by_number(self, number: str) -> Transfer | None:
        return self.t if number == self.t.number else None

    def transfer(self, transfer_id: int) -> Transfer | None:
        return dataclasses.replace(self.t, retrieved_at=1) if self.retrieved else self.t

    def secret(self) -> bytes:
        return b"k" * 32

    def failures(self, key: str) -> FailureCount:
        return self.counts.get(key, FailureCount())

    def set_failures(self, key: str, count: FailureCount) -> None:
        self.counts[key] = count

    def clear_failures(self, key: str) -> None:
        self.counts.pop(key, None)

    def add_retrieval(self, transfer_id: int, office: str, address: str, **_: Any) -> int:
        self.retrieved.append((transfer_id, office))
        return 1


class FakeAudit:
    def __init__(self) -> None:
        self.actions: list[str] = []

    def atomic(self) -> Any:
        from contextlib import nullcontext

        return nullcontext()

    def record(self, **entry: Any) -> None:
        self.actions.append(entry["action"])


def test_wrong_passwords_lock_per_number_then_a_right_one_later_passes() -> None:
    transfer = Transfer(
        1,
        "GZZD2026000001",
        1,
        "CD1",
        "E1",
        "赣州",
        "GZ",
        "CNXMN",
        "PXMN",
        True,
        "",
        ("P1",),
        0,
        "s",
    )
    store, audit = FakeStore(transfer), FakeAudit()
    service = TransferService(store, consignments=None, policy=None, audit=audit)  # type: ignore[arg-type]
    officer = Principal(
        "user", "user:px", ROLE_ACTIONS[Role.PORT_OFFICER], Role.PORT_OFFICER, office="PXMN"
    )
    right = passwords.derive(store.secret(), transfer.number)
    second = 1_000_000
    for n in range(5):
        with pytest.raises(Refused):
            service.retrieve(transfer.number, "nope", address="a", ctx=Context(officer, n))
    with pytest.raises(Refused) as locked:
        service.retrieve(transfer.number, right, address="b", ctx=Context(officer, 10 * second))
    assert locked.value.kind is Kind.THROTTLED and locked.value.retry_after == 20
    done = service.retrieve(transfer.number, right, address="b", ctx=Context(officer, 31 * second))
    assert done.retrieved_at == 1 and store.retrieved == [(1, "PXMN")]
    assert "number:GZZD2026000001" not in store.counts  # cleared; the address's count stays
    assert store.counts["address:a"].failures == 5
    assert audit.actions.count("transfer.retrieve_refused") == 5
