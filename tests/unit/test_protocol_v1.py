"""Device protocol v1 on the wire (formats.protocol_v1): bytes in, a batch's JSON object out."""

from __future__ import annotations

import codecs
from decimal import Decimal

import pytest

from phytowatch.domain.instants import US_PER_S
from phytowatch.domain.messages import Code, say
from phytowatch.formats import protocol_v1
from phytowatch.formats.protocol_v1 import TimeProblem


@pytest.mark.parametrize(
    "body", [b"[" * 100_000, b'{"facility": "K2", "readings": [NaN]}', b"\xff\xfe"]
)
def test_a_body_that_is_not_a_protocol_batch_is_a_payload_error(body: bytes) -> None:
    with pytest.raises(protocol_v1.PayloadError):
        protocol_v1.parse_body(body)


def _refusal(body: bytes) -> Code:
    with pytest.raises(protocol_v1.PayloadError) as refused:
        protocol_v1.parse_body(body)
    return refused.value.message.code


def test_a_body_with_both_forms_is_refused_whole() -> None:
    body = b'{"facility": "K2", "readings": [], "columns": {"t": [1772361600], "C1": [5.0]}}'
    assert _refusal(body) is Code.PAYLOAD_BOTH_FORMS


@pytest.mark.parametrize(
    "body",
    [
        b'{"facility": "B-K1", "facility": "A-K1", "readings": []}',
        b'{"facility": "K2", "readings": [{"probe": "C1", "t": 1, "v": 1, "v": 2}]}',
        b'{"facility": "K2", "columns": {"t": [1], "C1": [1], "C1": [2]}}',
    ],
)
def test_a_key_given_twice_in_one_object_is_refused_not_read_as_the_last(body: bytes) -> None:
    with pytest.raises(protocol_v1.PayloadError) as refused:
        protocol_v1.parse_body(body)
    assert refused.value.message.code is Code.PAYLOAD_DUPLICATE_KEY
    assert refused.value.message.params["key"] in {"facility", "v", "C1"}


BATCH = '{"facility": "K2", "readings": []}'


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (codecs.BOM_UTF8 + BATCH.encode(), Code.PAYLOAD_BOM),
        (BATCH.encode("utf-16"), Code.PAYLOAD_NOT_UTF8),
        (BATCH.encode("utf-16-le"), Code.PAYLOAD_NOT_UTF8),
        (BATCH.encode("utf-16-be"), Code.PAYLOAD_NOT_UTF8),
        (BATCH.encode("utf-32"), Code.PAYLOAD_NOT_UTF8),
        (BATCH.encode()[:-1] + b"\xff}", Code.PAYLOAD_NOT_UTF8),
        (b'{"facility": "K2", "readings": [], "x": 1e999999999999999999999}', Code.PAYLOAD_NUMBER),
        (b'{"facility": "K2", "readings": [], "x": ' + b"1" * 5000 + b"}", Code.PAYLOAD_NUMBER),
    ],
)
def test_a_body_in_another_encoding_or_with_a_bom_is_refused(body: bytes, code: Code) -> None:
    assert _refusal(body) is code


def test_the_same_batch_in_utf8_is_read() -> None:
    assert protocol_v1.parse_body(BATCH.encode()) == {"facility": "K2", "readings": []}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-11-01T10:42:00Z\x00garbage", TimeProblem.CONTROL),
        ("2026-11-01T10:42:00Z\n", TimeProblem.CONTROL),
        ("\ud800", TimeProblem.CONTROL),
        (" 2026-11-01T10:42:00Z", TimeProblem.FORMAT),
        ("2026-11-01T10:42:00Z ", TimeProblem.FORMAT),
        ("2026-11-01T10:42:00Zgarbage", TimeProblem.FORMAT),
        ("+1772361720", TimeProblem.FORMAT),
        ("١٧٧٢٣٦١٧٢٠", TimeProblem.FORMAT),  # Arabic-Indic digits
        ("１７７２３６１７２０", TimeProblem.FORMAT),  # full-width digits
        ("2026-１１-01T10:42:00Z", TimeProblem.FORMAT),
        ("20260301T104200Z", TimeProblem.FORMAT),
        ("2026-W09-7T10:42:00Z", TimeProblem.FORMAT),
        ("2026-03-01T10Z", TimeProblem.FORMAT),
        ("2026-03-01T10:42:00+08:00:30", TimeProblem.FORMAT),
        ("2026-03-01T10:42:00", TimeProblem.NO_OFFSET),
        ("2026-03-01T10:42:00.1234567Z", TimeProblem.FINE),
        ("1772361720.0000001", TimeProblem.FINE),
        ("2026-03-01T10:42:00+24:00", TimeProblem.OFFSET),
        ("2026-02-30T10:42:00Z", TimeProblem.DATE),
        ("2026-03-01T24:00:00Z", TimeProblem.DATE),
        ("1899-12-31T23:59:59Z", TimeProblem.RANGE),
        ("99999999999999", TimeProblem.RANGE),
    ],
)
def test_a_device_time_is_matched_whole_before_it_is_read(text: str, problem: TimeProblem) -> None:
    with pytest.raises(protocol_v1.TimeError) as refused:
        protocol_v1.instant(text)
    assert refused.value.problem is problem


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01T10:42:00Z",
        "2026-03-01T18:42:00+08:00",
        "2026-03-01T18:42:00+0800",
        "2026-03-01T18:42:00+08",
        "2026-03-01 10:42:00Z",
        "2026-03-01T10:42Z",
        "2026-03-01T05:12:00-05:30",
        "1772361720",
    ],
)
def test_every_time_form_the_protocol_allows_is_read(text: str) -> None:
    assert protocol_v1.instant(text) == 1_772_361_720 * US_PER_S


def test_fractions_of_a_second_are_kept_to_the_microsecond() -> None:
    assert protocol_v1.instant("2026-03-01T10:42:00.25Z") == 1_772_361_720_250_000
    assert protocol_v1.instant("2026-03-01T10:42:00,000001Z") == 1_772_361_720_000_001
    assert protocol_v1.instant("1772361720.25") == 1_772_361_720_250_000
    assert protocol_v1.instant(Decimal("1772361720.000001")) == 1_772_361_720_000_001


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (True, TimeProblem.BOOLEAN),
        (None, TimeProblem.TYPE),
        ([1772361720], TimeProblem.TYPE),
        (Decimal("1E+999999"), TimeProblem.RANGE),
        (Decimal("1E-999999"), TimeProblem.FINE),
        (10**30, TimeProblem.RANGE),
    ],
)
def test_a_time_that_is_no_time_says_why(value: object, problem: TimeProblem) -> None:
    with pytest.raises(protocol_v1.TimeError) as refused:
        protocol_v1.instant(value)
    assert refused.value.problem is problem


def test_a_reading_error_is_a_code_with_its_parameters() -> None:
    with pytest.raises(protocol_v1.ReadingError) as refused:
        protocol_v1.value_of(None, "x" * 65)
    assert refused.value.message == say(Code.READING_FAULT_TEXT, max=64)


def test_a_fault_list_without_a_column_is_offered_after_the_columns() -> None:
    data = protocol_v1.parse_body(
        b'{"facility": "K2", "columns": {"t": [1, 2], "C1": [5.0, 6.0],'
        b' "faults": {"C9": ["open", null], "C1": [null, null]}}}'
    )
    assert protocol_v1.count_items(data) == 4
    items = protocol_v1.items(data)
    assert items[2:] == [protocol_v1.FaultWithoutColumn("C9")] * 2
    assert [item["v"] for item in items[:2]] == [5.0, 6.0]
