"""The IPPC mark's pure rule (domain/certificates/mark.py): its text, each refusal of
``may_authorise``, the load's checks, the check code; and its policy file's loader
(rules/mark.py), which refuses a broken file naming the file and the field."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from phytowatch.domain.certificates.mark import (
    Load,
    MarkFacility,
    MarkRun,
    Method,
    ScheduleMethod,
    Unit,
    check_code,
    mark_lines,
    mark_text,
    may_authorise,
    number_of,
    parse_load,
)
from phytowatch.domain.messages import Code, Message
from phytowatch.domain.schedule import Confidence
from phytowatch.domain.signoff import Decision
from phytowatch.rules import PolicyFileError
from phytowatch.rules.mark import MARK_FILE, load_mark_policy, mark_policy_of
from phytowatch.schedules import load_catalog

HT = ScheduleMethod("ispm15-ht", Method.HT, Confidence.CHECKED, "ISPM 15 Annex 1")
RUN = MarkRun(7, "ispm15-ht", closed=True, verdict="PASS", decision=Decision.SIGNED_OFF)
KILN = MarkFacility("K1", "kiln", "E1", "赣州", "001")


def code_of(found: Message | None) -> Code | None:
    return None if found is None else found.code


def test_the_mark_reads_country_dash_bureau_then_treater_number_then_method() -> None:
    assert mark_text("CN", "4401", "001", Method.HT) == "CN-4401 001 HT"
    assert mark_lines("CN-36 001 DH") == ("CN-36 001", "DH")


def test_a_closed_pass_signed_off_ispm15_run_at_a_registered_kiln_may_be_marked() -> None:
    assert may_authorise(RUN, KILN, HT) is None


@pytest.mark.parametrize(
    ("run", "facility", "schedule", "wanted", "code"),
    [
        (MarkRun(7, "ispm15-ht", False, None, None), KILN, HT, None, Code.MARK_RUN_OPEN),
        (MarkRun(7, "ispm15-ht", True, "FAIL", None), KILN, HT, None, Code.MARK_NOT_PASS),
        (MarkRun(7, "ispm15-ht", True, "INDETERMINATE", None), KILN, HT, None, Code.MARK_NOT_PASS),
        (MarkRun(7, "ispm15-ht", True, "PASS", None), KILN, HT, None, Code.MARK_NOT_SIGNED_OFF),
        (MarkRun(7, "ispm15-ht", True, "PASS", Decision.REJECTED), KILN, HT, None,
         Code.MARK_REJECTED),
        (RUN, KILN, None, None, Code.MARK_SCHEDULE),
        (RUN, KILN, HT, Method.DH, Code.MARK_METHOD),
        (RUN, MarkFacility("K1", "kiln", "E1", "赣州", None), HT, None, Code.MARK_NOT_REGISTERED),
        (RUN, MarkFacility("C1", "cold_room", "E1", "赣州", "001"), HT, None,
         Code.MARK_NOT_REGISTERED),
        (RUN, MarkFacility("K1", "kiln", "E1", "赣州", "TR-12"), HT, None,
         Code.MARK_TREATER_NUMBER),
    ],
)  # fmt: skip
def test_each_reason_a_run_cannot_back_the_mark_is_its_own_refusal(
    run: MarkRun,
    facility: MarkFacility,
    schedule: ScheduleMethod | None,
    wanted: Method | None,
    code: Code,
) -> None:
    assert code_of(may_authorise(run, facility, schedule, wanted=wanted)) is code


def test_the_method_asked_for_must_be_the_schedules_own() -> None:
    assert may_authorise(RUN, KILN, HT, wanted=Method.HT) is None
    assert code_of(may_authorise(RUN, KILN, HT, wanted=Method.MB)) is Code.MARK_METHOD


@pytest.mark.parametrize(
    ("quantity", "unit", "field"),
    [("0", "pieces", "quantity"), ("-3", "pieces", "quantity"), ("lots", "pieces", "quantity"),
     ("1.2345", "pieces", "quantity"), ("NaN", "pieces", "quantity"),
     ("1e12", "pieces", "quantity"),
     ("12", "barrels", "unit")],
)  # fmt: skip
def test_a_load_with_a_wrong_quantity_or_unit_names_the_field(
    quantity: str, unit: str, field: str
) -> None:
    found = parse_load("pine pallets", quantity, unit)
    assert isinstance(found, Message)
    assert found.params["field"] == field


def test_a_load_without_a_description_is_refused_and_a_good_one_is_read() -> None:
    missing = parse_load("   ", "10", "pallets")
    assert isinstance(missing, Message) and missing.code is Code.FIELD_REQUIRED
    assert parse_load(" pine   pallets ", "120", "pallets") == Load(
        "pine pallets", Decimal(120), Unit.PALLETS
    )
    assert parse_load("boards", "2.5", "m3") == Load("boards", Decimal("2.5"), Unit.CUBIC_METRES)


def test_numbers_are_yearly_and_the_check_code_follows_the_token() -> None:
    assert number_of(2026, 1) == "MK2026-000001"
    code = check_code("a" * 32)
    assert len(code) == 6 and code == check_code("a" * 32)
    assert code != check_code("b" * 32)
    assert not set(code) & set("01IO")


def test_the_shipped_policy_maps_each_ispm15_schedule_of_the_catalogue_to_its_method() -> None:
    policy = load_mark_policy()
    ids = load_catalog().ids()
    assert {s: m.method for s, m in policy.schedules.items()} == {
        "ispm15-ht": Method.HT,
        "ispm15-dh": Method.DH,
    }
    assert set(policy.schedules) <= set(ids)
    assert policy.country == "CN"
    bureau = policy.bureau_code("an office not listed")
    assert bureau is not None and bureau.confidence is Confidence.SECONDARY
    assert not bureau.verified


def _broken(tmp_path: Path, change: Any) -> PolicyFileError:
    body = json.loads(MARK_FILE.read_text("utf-8"))
    change(body)
    path = tmp_path / "ippc-mark.json"
    path.write_text(json.dumps(body), "utf-8")
    with pytest.raises(PolicyFileError) as caught:
        load_mark_policy(path)
    return caught.value


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["bureau_codes"][0].update(value="4A01"), "bureau_codes[0].value"),
        (lambda b: b["bureau_codes"][1].update(value="123"), "bureau_codes[1].value"),
        (lambda b: b["schedules"][0].update(method="XX"), "schedules[0].method"),
        (lambda b: b["schedules"][1].update(confidence="sure"), "schedules[1].confidence"),
        (lambda b: b["schedules"][1].pop("source"), "schedules[1].source"),
        (lambda b: b["country"].update(value="China"), "country.value"),
        (lambda b: b.update(extra=1), "(top).extra"),
    ],
)
def test_a_broken_policy_file_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, change: Any, field: str
) -> None:
    error = _broken(tmp_path, change)
    assert error.where == "ippc-mark.json"
    assert error.field == field


def test_a_policy_file_that_is_not_json_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ippc-mark.json"
    path.write_text("{not json", "utf-8")
    with pytest.raises(PolicyFileError) as caught:
        load_mark_policy(path)
    assert caught.value.where == "ippc-mark.json"
    with pytest.raises(PolicyFileError):
        mark_policy_of([], "ippc-mark.json")
