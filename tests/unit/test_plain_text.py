"""The one rule of free text that goes into a record (domain/text.py), and every field family
that keeps such a text refusing by it: a sign-off comment, an alarm's (test_alarm_service.py), a
run's load and note, the names, placements, certificates and descriptions of the registry, the
accounts' names, a device's fault and camera."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from acting import ctx_at
from fakes import InMemoryAccountStore, InMemoryAuditRecorder, InMemoryRegistry, InMemoryRunStore
from phytowatch.domain.instants import US_PER_D
from phytowatch.domain.messages import Code, Kind
from phytowatch.domain.signoff import Decision, refusal
from phytowatch.domain.text import LINES, LINES_AND_TABS, plain_text
from phytowatch.formats import protocol_v1
from phytowatch.services import accounts
from phytowatch.services.provisioning import (
    add_calibration,
    add_camera,
    add_enterprise,
    add_facility,
)
from phytowatch.services.runs import start_run
from refusals import refused

T0 = 1_772_361_600_000_000

# what shows other than it reads, wherever it is in a one-line text
ANYWHERE = [
    "bad\x00",  # a control character
    "\x1b[31mred",  # a terminal's escape sequence
    "evil\u202egnp.exe",  # a right-to-left override
    "\u202aleft",
    "\u2066isolate\u2069",
    "one\u2028two",  # a line separator
    "one\u2029two",  # a paragraph separator
    "\ud800",  # a lone surrogate
    "\ue000",  # private use
]
# what shows nothing: only invisible characters
INVISIBLE = ["\u200b" * 30, "\u2060\ufeff", "\u200b\u00a0\u3000\u200b"]
# as a field gets them: inside a text, or the whole text
REFUSED = [f"ok {text} ok" for text in ANYWHERE] + INVISIBLE
# ordinary Chinese and English, punctuation and emoji: kept as written
ORDINARY = [
    "江西果业（赣州）有限公司",
    "门已关好，温度恢复正常！“复核”：《报告》、第二批……",
    "Jiangxi Fruit Co., Ltd. — lot #7 (A/B); 'ok' \"fine\"",
    "مصنع الخشب — עץ אורן 松木",  # right-to-left scripts, without any override
    "ok 👍🏽 👨\u200d👩\u200d👧 ✔️",  # emoji, a skin tone, joiners, a variation selector
    "名称　全角空格",  # the ideographic space inside a text
    "soft\u00adhyphen",
]


@pytest.mark.parametrize("text", [*ANYWHERE, *REFUSED])
def test_a_text_that_shows_other_than_it_reads_or_nothing_is_not_plain(text: str) -> None:
    assert not plain_text(text)
    assert not plain_text(text, breaks=LINES_AND_TABS)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_chinese_english_punctuation_and_emoji_are_plain(text: str) -> None:
    assert plain_text(text)


def test_line_breaks_are_plain_only_where_the_field_allows_them() -> None:
    assert plain_text("")
    assert not plain_text("one\ntwo")
    assert plain_text("one\ntwo", breaks=LINES)
    assert not plain_text("one\ttwo", breaks=LINES)
    assert plain_text("one\r\n\ttwo", breaks=LINES_AND_TABS)
    assert not plain_text("\n\t", breaks=LINES_AND_TABS)  # only breaks show nothing


# -- the field families -------------------------------------------------------------------------


def _signoff_comment(comment: str) -> Code | None:
    why = refusal(
        run_id=7,
        closed=True,
        verdict="PASS",
        judgement={"verdict": "PASS", "findings": []},
        calibration_notes=[],
        decision=Decision.SIGNED_OFF,
        comment=comment,
        existing=None,
    )
    return None if why is None else why.code


@pytest.mark.parametrize("text", REFUSED)
def test_a_signoff_comment_that_shows_other_than_it_reads_is_refused(text: str) -> None:
    assert _signoff_comment(text) == Code.SIGNOFF_COMMENT_CONTROL


@pytest.mark.parametrize("text", ANYWHERE)
def test_a_signoff_comment_on_lines_is_refused_for_what_one_line_hides(text: str) -> None:
    assert _signoff_comment(f"checked on site\n{text}") == Code.SIGNOFF_COMMENT_CONTROL


@pytest.mark.parametrize("text", ORDINARY)
def test_a_signoff_comment_in_ordinary_words_and_lines_is_one(text: str) -> None:
    assert _signoff_comment(f"{text}\n第二行\t完") is None


def _run_store() -> InMemoryRunStore:
    registry = InMemoryRegistry()
    add_enterprise(registry, "0031", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(T0))
    add_facility(registry, "K1", "0031", "kiln", ["C1", "C2", "C3"], ctx=ctx_at(T0))
    return InMemoryRunStore(registry)


@pytest.mark.parametrize("text", REFUSED)
def test_a_run_load_or_note_that_shows_other_than_it_reads_is_refused(text: str) -> None:
    store = _run_store()
    with refused(Code.RUN_LOAD_PRINTABLE, Kind.INVALID):
        start_run(store, "K1", "ispm15-ht", load=text, ctx=ctx_at(T0))
    with refused(Code.RUN_NOTE_PRINTABLE, Kind.INVALID):
        start_run(store, "K1", "ispm15-ht", load="pallets", note=text, ctx=ctx_at(T0))
    assert store.open_runs() == []


def test_a_run_load_and_note_in_ordinary_words_are_kept() -> None:
    run = start_run(
        _run_store(), "K1", "ispm15-ht", load=ORDINARY[4], note=ORDINARY[1], ctx=ctx_at(T0)
    )
    assert (run.load, run.note) == (ORDINARY[4], ORDINARY[1])


def _registry() -> InMemoryRegistry:
    registry = InMemoryRegistry()
    add_enterprise(registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(T0))
    add_facility(registry, "K1", "0031", "kiln", ["C1"], ctx=ctx_at(T0))
    return registry


REGISTRY_FIELDS: dict[str, Callable[[InMemoryRegistry, str], object]] = {
    "enterprise name": lambda r, t: add_enterprise(r, "0032", t, "E", "赣州", "II", ctx=ctx_at(T0)),
    "city": lambda r, t: add_enterprise(r, "0032", "企业", "E", t, "II", ctx=ctx_at(T0)),
    "facility name": lambda r, t: add_facility(
        r, "K2", "0031", "kiln", ["C1"], name=t, ctx=ctx_at(T0)
    ),
    "placement": lambda r, t: add_facility(
        r, "K2", "0031", "kiln", [f"C1:product:{t}"], ctx=ctx_at(T0)
    ),
    "certificate": lambda r, t: add_calibration(
        r,
        "K1",
        "C1",
        "0.1",
        calibrated_at=T0 - US_PER_D,
        due_at=T0 + US_PER_D,
        certificate=t,
        ctx=ctx_at(T0),
    ),
    "camera description": lambda r, t: add_camera(r, "K1", "door", t, ctx=ctx_at(T0)),
}  # fmt: skip


@pytest.mark.parametrize("field", sorted(REGISTRY_FIELDS))
@pytest.mark.parametrize("text", REFUSED)
def test_a_registry_text_that_shows_other_than_it_reads_is_refused(field: str, text: str) -> None:
    registry = _registry()
    with pytest.raises(Exception) as caught:
        REGISTRY_FIELDS[field](registry, text)
    assert getattr(caught.value, "kind", None) is Kind.INVALID, caught.value
    assert registry.enterprise_by_code("0032") is None
    assert registry.facility_by_code("K2") is None
    assert registry.cameras_of(registry.facility_by_code("K1").id) == {}  # type: ignore[union-attr]  # K1 is there


@pytest.mark.parametrize("field", sorted(REGISTRY_FIELDS))
def test_a_registry_text_in_ordinary_words_is_kept(field: str) -> None:
    REGISTRY_FIELDS[field](_registry(), "赣州（一号）窑 Kiln #1 👍")


@pytest.mark.parametrize("text", REFUSED)
def test_an_office_or_person_name_that_shows_other_than_it_reads_is_refused(text: str) -> None:
    store, audit = InMemoryAccountStore({"E1": "赣州"}), InMemoryAuditRecorder()
    with refused(Code.FIELD_TEXT, Kind.INVALID):
        accounts.add_office(store, audit, code="GZ", name=text, ctx=ctx_at(0, "t"))
    with refused(Code.FIELD_TEXT, Kind.INVALID):
        accounts.add_office(store, audit, code="GZ", name="赣州", cities=[text], ctx=ctx_at(0, "t"))
    assert store.office("GZ") is None


@pytest.mark.parametrize("text", REFUSED)
def test_a_device_fault_or_camera_that_shows_other_than_it_reads_is_not_printable(
    text: str,
) -> None:
    assert not protocol_v1.printable(text)
    assert protocol_v1.printable("open_circuit 传感器断线")
