"""Registry use cases (services.provisioning): enterprises, facilities and their probes, device
tokens, calibrations and cameras, on the in-memory registry."""

from __future__ import annotations

import json

import pytest

from acting import ctx_at
from fakes import InMemoryAuditRecorder, InMemoryRegistry
from phytowatch.domain.instants import US_PER_D
from phytowatch.domain.messages import Code, Kind
from phytowatch.services.provisioning import (
    CalibrationRecord,
    add_calibration,
    add_camera,
    add_enterprise,
    add_facility,
    hash_token,
    parse_probe_spec,
    revoke_tokens,
    rotate_token,
)
from refusals import refused

T0 = 1_772_361_600_000_000
DAY = US_PER_D


def _registry() -> InMemoryRegistry:
    """Enterprise 0031 with kiln JX-0031-K2 (probes C1, C2 and the air probe A1)."""
    registry = InMemoryRegistry()
    add_enterprise(registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(T0))
    add_facility(registry, "JX-0031-K2", "0031", "kiln", ["C1", "C2", "A1:air"], ctx=ctx_at(T0))
    return registry


# -- enterprises --------------------------------------------------------------------------------


def test_an_enterprise_is_stored_with_its_names_trimmed_and_recorded() -> None:
    registry, audit = InMemoryRegistry(), InMemoryAuditRecorder()
    record = add_enterprise(
        registry,
        "0031",
        " 赣州木业 ",
        " Ganzhou Wood ",
        " 赣州 ",
        "II",
        ctx=ctx_at(T0),
        audit=audit,
    )
    assert (record.code, record.name_zh, record.name_en, record.city, record.grade) == (
        "0031",
        "赣州木业",
        "Ganzhou Wood",
        "赣州",
        "II",
    )
    assert registry.enterprise_by_code("0031") == record
    [entry] = audit.entries
    assert (entry["action"], entry["object"], entry["in_unit"]) == (
        "enterprise.added",
        "enterprise:0031",
        True,
    )
    assert entry["after"] == {
        "name_zh": "赣州木业",
        "name_en": "Ganzhou Wood",
        "city": "赣州",
        "grade": "II",
    }


@pytest.mark.parametrize("code", ["", "-0031", "00 31", "0" * 33, "赣州"])
def test_an_enterprise_code_is_letters_digits_and_dot_dash_underscore_up_to_32(code: str) -> None:
    with refused(Code.ENTERPRISE_CODE, Kind.INVALID):
        add_enterprise(InMemoryRegistry(), code, "企业", "Enterprise", "赣州", "II", ctx=ctx_at(T0))


def test_an_enterprise_code_of_32_characters_is_accepted() -> None:
    record = add_enterprise(InMemoryRegistry(), "0" * 32, "企业", "E", "赣州", "II", ctx=ctx_at(T0))
    assert record.code == "0" * 32


def test_an_enterprise_grade_is_one_of_the_known_grades() -> None:
    with refused(Code.ENTERPRISE_GRADE, Kind.INVALID):
        add_enterprise(
            InMemoryRegistry(), "0031", "企业", "Enterprise", "赣州", "V", ctx=ctx_at(T0)
        )


@pytest.mark.parametrize(
    ("name_zh", "name_en", "city"),
    [(" ", "E", "赣州"), ("企业", "E" * 201, "赣州"), ("企业", "E", "赣\x00州"), ("企业", "E", "")],
)
def test_an_enterprise_needs_printable_names_and_city_of_bounded_length(
    name_zh: str, name_en: str, city: str
) -> None:
    with refused(Code.FIELD_TEXT, Kind.INVALID):
        add_enterprise(InMemoryRegistry(), "0031", name_zh, name_en, city, "II", ctx=ctx_at(T0))


def test_an_enterprise_code_is_registered_once() -> None:
    registry = _registry()
    with refused(Code.ENTERPRISE_EXISTS, Kind.CONFLICT):
        add_enterprise(registry, "0031", "另一家", "Another", "南昌", "I", ctx=ctx_at(T0))
    enterprise = registry.enterprise_by_code("0031")
    assert enterprise is not None and enterprise.name_en == "Ganzhou Wood"


# -- facilities ---------------------------------------------------------------------------------


def test_a_facility_is_stored_with_its_probes_in_order_and_its_first_token_finds_it() -> None:
    registry, audit = _registry(), InMemoryAuditRecorder()
    issued = add_facility(
        registry,
        "JX-0031-K3",
        "0031",
        "kiln",
        ["C1", "C2:product:centre of the stack", "A1:AIR"],
        name="窑 3",
        treater_number="JX-31",
        ctx=ctx_at(T0),
        audit=audit,
    )
    facility = issued.facility
    assert registry.facility_by_code("JX-0031-K3") == facility
    assert [(p.code, p.role) for p in facility.probes.values()] == [
        ("C1", "product"),
        ("C2", "product"),
        ("A1", "air"),
    ]
    assert issued.token.startswith("pwd_")
    assert registry.facility_by_token_hash(hash_token(issued.token)) == facility
    assert audit.actions() == ["facility.added", "token.issued"]
    assert all(entry["in_unit"] for entry in audit.entries)
    added, token = audit.entries
    assert added["after"]["probes"][1] == {
        "probe": "C2",
        "role": "product",
        "placement": "centre of the stack",
    }
    assert token["after"] == {"hint": issued.token[:10]}


def test_a_device_token_is_never_recorded_only_its_hint() -> None:
    registry, audit = _registry(), InMemoryAuditRecorder()
    issued = add_facility(
        registry, "JX-0031-K3", "0031", "kiln", ["C1"], ctx=ctx_at(T0), audit=audit
    )
    recorded = json.dumps(audit.entries, ensure_ascii=False)
    assert issued.token not in recorded and hash_token(issued.token) not in recorded
    assert issued.token[:10] in recorded


@pytest.mark.parametrize("code", ["", "_K3", "K 3", "K" * 65])
def test_a_facility_code_is_letters_digits_and_dot_dash_underscore_up_to_64(code: str) -> None:
    with refused(Code.FACILITY_CODE, Kind.INVALID):
        add_facility(_registry(), code, "0031", "kiln", ["C1"], ctx=ctx_at(T0))


def test_a_facility_name_is_printable_and_at_most_200_characters() -> None:
    registry = _registry()
    with refused(Code.FIELD_AT_MOST, Kind.INVALID):
        add_facility(registry, "K3", "0031", "kiln", ["C1"], name="n" * 201, ctx=ctx_at(T0))
    with refused(Code.FIELD_AT_MOST, Kind.INVALID):
        add_facility(registry, "K3", "0031", "kiln", ["C1"], name="窑\n3", ctx=ctx_at(T0))


@pytest.mark.parametrize("treater", ["", "T" * 33, "T\t1"])
def test_a_treater_number_is_printable_and_1_to_32_characters(treater: str) -> None:
    with refused(Code.FACILITY_TREATER, Kind.INVALID):
        add_facility(
            _registry(), "K3", "0031", "kiln", ["C1"], treater_number=treater, ctx=ctx_at(T0)
        )


def test_a_facility_kind_is_one_of_the_known_kinds() -> None:
    with refused(Code.FACILITY_KIND, Kind.INVALID):
        add_facility(_registry(), "K3", "0031", "oven", ["C1"], ctx=ctx_at(T0))


def test_a_facility_of_an_unknown_enterprise_is_not_found() -> None:
    with refused(Code.NO_ENTERPRISE, Kind.NOT_FOUND):
        add_facility(_registry(), "K3", "0099", "kiln", ["C1"], ctx=ctx_at(T0))


def test_a_facility_code_is_registered_once() -> None:
    with refused(Code.FACILITY_EXISTS, Kind.CONFLICT):
        add_facility(_registry(), "JX-0031-K2", "0031", "kiln", ["C1"], ctx=ctx_at(T0))


def test_a_facility_needs_a_probe() -> None:
    with refused(Code.PROBES_NONE, Kind.INVALID):
        add_facility(_registry(), "K3", "0031", "kiln", [], ctx=ctx_at(T0))


def test_a_probe_is_named_once_per_facility() -> None:
    with refused(Code.PROBE_TWICE, Kind.INVALID):
        add_facility(_registry(), "K3", "0031", "kiln", ["C1", "C2", "C1:air"], ctx=ctx_at(T0))


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ("", Code.PROBE_ID),
        ("C 1", Code.PROBE_ID),
        ("C1:smoke", Code.PROBE_ROLE),
        ("C1:product:" + "p" * 201, Code.PROBE_PLACEMENT),
        ("C1:product:a\x07b", Code.PROBE_PLACEMENT),
    ],
)
def test_a_probe_spec_is_a_code_a_known_role_and_a_short_printable_placement(
    spec: str, code: Code
) -> None:
    with refused(code, Kind.INVALID):
        parse_probe_spec(spec)


def test_a_probe_spec_without_a_role_is_a_product_probe() -> None:
    assert parse_probe_spec(" C1 ") == ("C1", "product", "")
    assert parse_probe_spec("W1:Water:in the bath") == ("W1", "water", "in the bath")


# -- device tokens ------------------------------------------------------------------------------


def test_rotating_a_token_revokes_every_old_one_and_issues_one_new() -> None:
    registry, audit = InMemoryRegistry(), InMemoryAuditRecorder()
    add_enterprise(registry, "0031", "企业", "E", "赣州", "II", ctx=ctx_at(T0))
    first = add_facility(registry, "K2", "0031", "kiln", ["C1"], ctx=ctx_at(T0)).token
    second = rotate_token(registry, "K2", ctx=ctx_at(T0 + 1)).token
    third = rotate_token(
        registry,
        "K2",
        ctx=ctx_at(T0 + 2, "admin-token"),
        audit=audit,
    ).token
    assert len({first, second, third}) == 3
    assert registry.facility_by_token_hash(hash_token(first)) is None
    assert registry.facility_by_token_hash(hash_token(second)) is None
    found = registry.facility_by_token_hash(hash_token(third))
    assert found is not None and found.code == "K2"
    [entry] = audit.entries
    assert (entry["actor"], entry["action"], entry["after"], entry["in_unit"]) == (
        "admin-token",
        "token.rotated",
        {"hint": third[:10]},
        True,
    )


def test_revoking_tokens_counts_them_and_is_recorded_only_when_there_was_one() -> None:
    registry, audit = InMemoryRegistry(), InMemoryAuditRecorder()
    add_enterprise(registry, "0031", "企业", "E", "赣州", "II", ctx=ctx_at(T0))
    token = add_facility(registry, "K2", "0031", "kiln", ["C1"], ctx=ctx_at(T0)).token
    assert revoke_tokens(registry, "K2", ctx=ctx_at(T0 + 1), audit=audit) == 1
    assert registry.facility_by_token_hash(hash_token(token)) is None
    assert revoke_tokens(registry, "K2", ctx=ctx_at(T0 + 2), audit=audit) == 0
    [entry] = audit.entries
    assert (entry["action"], entry["after"]) == ("token.revoked", {"revoked": 1})


def test_the_tokens_of_an_unknown_facility_are_not_found() -> None:
    registry = _registry()
    with refused(Code.NO_FACILITY, Kind.NOT_FOUND):
        rotate_token(registry, "K9", ctx=ctx_at(T0))
    with refused(Code.NO_FACILITY, Kind.NOT_FOUND):
        revoke_tokens(registry, "K9", ctx=ctx_at(T0))


# -- calibrations -------------------------------------------------------------------------------


def _calibrate(
    registry: InMemoryRegistry,
    offset: str = "-0.30",
    *,
    probe: str = "C1",
    calibrated_at: int = T0 - DAY,
    due_at: int = T0 + 365 * DAY,
    certificate: str = "JJF-1",
    audit: InMemoryAuditRecorder | None = None,
) -> CalibrationRecord:
    return add_calibration(
        registry,
        "JX-0031-K2",
        probe,
        offset,
        calibrated_at=calibrated_at,
        due_at=due_at,
        certificate=certificate,
        ctx=ctx_at(T0),
        audit=audit,
    )


def test_a_calibration_is_stored_on_its_probe_with_its_offset_as_decimal_text() -> None:
    registry, audit = _registry(), InMemoryAuditRecorder()
    recorded = add_calibration(
        registry,
        "JX-0031-K2",
        "C2",
        " -0.300 ",
        calibrated_at=T0 - DAY,
        due_at=T0 + 365 * DAY,
        certificate=" JJF-1 ",
        ctx=ctx_at(T0),
        audit=audit,
    )
    assert (recorded.probe, recorded.offset, recorded.certificate) == ("C2", "-0.300", "JJF-1")
    facility = registry.facility_by_code("JX-0031-K2")
    assert facility is not None
    [stored] = registry.calibrations
    assert (stored.probe_id, stored.offset, stored.due_at) == (
        facility.probes["C2"].id,
        "-0.300",
        T0 + 365 * DAY,
    )
    [entry] = audit.entries
    assert (entry["action"], entry["object"], entry["in_unit"]) == (
        "probe.calibrated",
        "probe:JX-0031-K2/C2",
        True,
    )
    assert entry["after"]["offset"] == "-0.300"


def test_a_calibration_of_a_probe_the_facility_does_not_have_is_refused() -> None:
    with refused(Code.FACILITY_NO_PROBE, Kind.INVALID):
        _calibrate(_registry(), probe="C9")


def test_a_calibration_of_an_unknown_facility_is_not_found() -> None:
    with refused(Code.NO_FACILITY, Kind.NOT_FOUND):
        add_calibration(
            _registry(),
            "K9",
            "C1",
            "0",
            calibrated_at=T0,
            due_at=T0 + DAY,
            certificate="",
            ctx=ctx_at(T0),
        )


@pytest.mark.parametrize(
    ("offset", "code"),
    [
        ("abc", Code.OFFSET_NOT_NUMBER),
        ("", Code.OFFSET_NOT_NUMBER),
        ("20.01", Code.OFFSET_TOO_LARGE),
        ("-21", Code.OFFSET_TOO_LARGE),
        ("NaN", Code.OFFSET_TOO_LARGE),
        ("Infinity", Code.OFFSET_TOO_LARGE),
    ],
)
def test_an_offset_is_a_finite_number_of_at_most_20(offset: str, code: Code) -> None:
    with refused(code, Kind.INVALID):
        _calibrate(_registry(), offset)


def test_an_offset_of_exactly_20_is_accepted() -> None:
    registry = _registry()
    _calibrate(registry, "-20")
    assert [c.offset for c in registry.calibrations] == ["-20"]


def test_a_calibration_falls_due_after_it_was_made() -> None:
    with refused(Code.CALIBRATION_DUE_BEFORE, Kind.INVALID):
        _calibrate(_registry(), calibrated_at=T0, due_at=T0)


def test_a_calibration_is_not_made_more_than_a_day_ahead() -> None:
    registry = _registry()
    with refused(Code.CALIBRATION_FUTURE, Kind.INVALID):
        _calibrate(registry, calibrated_at=T0 + DAY + 1, due_at=T0 + 400 * DAY)
    _calibrate(registry, calibrated_at=T0 + DAY, due_at=T0 + 400 * DAY)
    assert len(registry.calibrations) == 1


def test_a_calibration_certificate_is_printable_and_at_most_200_characters() -> None:
    registry = _registry()
    with refused(Code.FIELD_AT_MOST, Kind.INVALID):
        _calibrate(registry, certificate="c" * 201)
    with refused(Code.FIELD_AT_MOST, Kind.INVALID):
        _calibrate(registry, certificate="JJF\n1")
    assert registry.calibrations == []


# -- cameras ------------------------------------------------------------------------------------


def test_a_camera_is_added_once_per_facility_and_recorded() -> None:
    registry, audit = _registry(), InMemoryAuditRecorder()
    add_camera(registry, "JX-0031-K2", "door", " 门口 ", ctx=ctx_at(T0), audit=audit)
    facility = registry.facility_by_code("JX-0031-K2")
    assert facility is not None
    assert registry.cameras_of(facility.id) == {"door": "门口"}
    with refused(Code.CAMERA_EXISTS, Kind.CONFLICT):
        add_camera(registry, "JX-0031-K2", "door", "another", ctx=ctx_at(T0))
    [entry] = audit.entries
    assert (entry["action"], entry["object"], entry["after"]) == (
        "camera.added",
        "camera:JX-0031-K2/door",
        {"description": "门口"},
    )


@pytest.mark.parametrize(
    ("code", "description", "refusal"),
    [
        ("door 1", "", Code.CAMERA_CODE),
        ("d" * 33, "", Code.CAMERA_CODE),
        ("door", "d" * 201, Code.FIELD_AT_MOST),
        ("door", "门\x00口", Code.FIELD_AT_MOST),
    ],
)
def test_a_camera_code_and_description_are_short_and_printable(
    code: str, description: str, refusal: Code
) -> None:
    with refused(refusal, Kind.INVALID):
        add_camera(_registry(), "JX-0031-K2", code, description, ctx=ctx_at(T0))


def test_a_camera_of_an_unknown_facility_is_not_found() -> None:
    with refused(Code.NO_FACILITY, Kind.NOT_FOUND):
        add_camera(_registry(), "K9", "door", ctx=ctx_at(T0))
