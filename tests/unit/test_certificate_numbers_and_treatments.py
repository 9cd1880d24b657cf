"""A certificate's number from its office's pattern (domain/certificates/numbering.py) and its
treatment box from a run's judgement and schedule (domain/certificates/treatment.py)."""

from __future__ import annotations

import pytest

from phytowatch.domain.certificates.model import CertificateKind
from phytowatch.domain.certificates.numbering import (
    DEFAULT_PATTERN,
    format_number,
    pattern_problem,
)
from phytowatch.domain.certificates.treatment import duration_text, treatment_statement
from phytowatch.domain.messages import Code
from phytowatch.schedules import load_catalog

K = CertificateKind


@pytest.mark.parametrize(
    ("pattern", "kind", "sequence", "number"),
    [
        (DEFAULT_PATTERN, K.PHYTOSANITARY, 123, "44010026P000123"),
        (DEFAULT_PATTERN, K.REEXPORT, 1, "44010026R000001"),
        ("{office}-{yyyy}-{kind}{seq:05d}", K.TREATMENT, 42, "440100-2026-T00042"),
        ("{office}/{yy}/{seq}", K.PHYTOSANITARY, 1234567, "440100/26/1234567"),
    ],
)
def test_a_number_follows_its_pattern(
    pattern: str, kind: CertificateKind, sequence: int, number: str
) -> None:
    assert (
        format_number(pattern, office="440100", year=2026, kind=kind, sequence=sequence) == number
    )


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("", Code.FIELD_TEXT),
        ("{yy}{seq}", Code.CERT_PATTERN_NEEDS),  # no office: two offices' numbers would collide
        ("{office}{seq}", Code.CERT_PATTERN_NEEDS),  # no year
        ("{office}{yy}{yyyy}{seq}", Code.CERT_PATTERN_NEEDS),
        ("{office}{yy}", Code.CERT_PATTERN_NEEDS),  # no sequence
        ("{office}{yy}{seq}{seq}", Code.CERT_PATTERN_NEEDS),
        ("{office}{yy}{month}{seq}", Code.CERT_PATTERN_FIELD),
        ("{office:04d}{yy}{seq}", Code.CERT_PATTERN_WIDTH),
        ("{office} {yy}{seq}", Code.CERT_PATTERN_BETWEEN),
        ("{office}{yy}{seq}<script>", Code.CERT_PATTERN_BETWEEN),
        ("{office}{yy}{seq", Code.CERT_PATTERN_BETWEEN),
    ],
)
def test_a_pattern_that_could_repeat_or_mislead_is_refused(pattern: str, code: Code) -> None:
    problem = pattern_problem(pattern)
    assert problem is not None and problem.code is code
    with pytest.raises(ValueError):
        format_number(pattern, office="GZ", year=2026, kind=K.PHYTOSANITARY, sequence=1)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1800, "30 min"), (14 * 86400, "14 d"), (12600, "3.5 h"), (4500, "75 min"), (45, "45 s")],
)
def test_a_duration_reads_in_the_largest_exact_unit(seconds: int, text: str) -> None:
    assert duration_text(seconds) == text


@pytest.mark.parametrize(
    ("schedule", "threshold", "seconds", "method", "text"),
    [
        ("ispm15-ht", 56.0, 1800, "heat treatment", "56 °C core for 30 min"),
        ("au-cold-citrus-medfly", 1.11, 14 * 86400, "cold treatment", "≤ 1.11 °C pulp for 14 d"),
        ("hwt-mango", 46.1, 4500, "hot water treatment", "46.1 °C water for 75 min"),
        ("vht-papaya-pt21", 47.5, 1200, "vapour heat treatment", "47.5 °C core for 20 min"),
        ("ispm15-dh", 60.0, 60, "dielectric heating", "60 °C core for 1 min"),
    ],
)
def test_the_treatment_box_reads_as_the_step_the_run_met(
    schedule: str, threshold: float, seconds: int, method: str, text: str
) -> None:
    judgement = {
        "verdict": "PASS",
        "step": {"index": 0, "threshold": threshold, "duration_s": seconds},
        "hold_end": "2026-02-28T16:30:00Z",
    }
    box = treatment_statement(9, load_catalog().get(schedule), judgement, facility="K1")
    assert box is not None
    assert (box.method, box.duration_and_temperature) == (method, text)
    assert box.date == "2026-03-01"  # 00:30 in Beijing
    assert (box.run_id, box.schedule_id, box.facility) == (9, schedule, "K1")


def test_a_run_that_did_not_pass_has_no_treatment_box() -> None:
    schedule = load_catalog().get("ispm15-ht")
    step = {"threshold": 56.0, "duration_s": 1800}
    for judgement in (
        {"verdict": "FAIL", "step": step, "hold_end": "2026-02-28T16:30:00Z"},
        {"verdict": "PASS", "step": None, "hold_end": "2026-02-28T16:30:00Z"},
        {"verdict": "PASS", "step": step, "hold_end": None},
        {"verdict": "PASS", "step": {"threshold": "hot"}, "hold_end": "2026-02-28T16:30:00Z"},
    ):
        assert treatment_statement(1, schedule, judgement, facility="K1") is None
