"""One run's review state with who decided, by name (services/runs/review.py), and the printed
record's heading: its office, its number, who started the run (services/runs/record.py)."""

from __future__ import annotations

from fakes import InMemoryAccountStore, InMemoryAuditStore, InMemorySignOffStore
from phytowatch.domain.accounts import Office
from phytowatch.domain.audit import AuditRecord
from phytowatch.domain.review import ReviewState
from phytowatch.domain.signoff import Decision, SignOff
from phytowatch.services.accounts.ports import UserRecord
from phytowatch.services.audit import AuditLog
from phytowatch.services.runs import RunRecord, record_heading, record_number, run_review
from phytowatch.services.runs.record import supervising_office
from phytowatch.services.runs.review import run_reviews

T = 1_767_196_800_000_000  # 2025-12-31T16:00:00Z: 2026-01-01 00:00 in China
CLEAN = {"verdict": "PASS", "findings": [], "review_required": False}
TAMPER = {"verdict": "PASS", "findings": [{"kind": "tracks_air"}], "review_required": True}


def _run(run_id: int, verdict: str | None = "PASS", judgement: object = CLEAN) -> RunRecord:
    return RunRecord(
        run_id, 1, "K1", "ispm15-ht", "1", {}, {}, [], "600 pallets", "", T,
        closed_at=None if verdict is None else T + 1, close_reason="pass", verdict=verdict,
        judgement=judgement,  # type: ignore[arg-type]  # a judgement's JSON, as stored
    )  # fmt: skip


class Sources:
    """The accounts and the decisions in one, as the SQL accounts' store is."""

    def __init__(self) -> None:
        self.accounts = InMemoryAccountStore({"E1": "赣州"})
        self.decisions = InMemorySignOffStore()
        self.accounts.add_office("GZ", "赣州局", ["赣州"], [], False, now=T)
        self.accounts.add_user("li", "李明", "inspector", None, "GZ", "x", now=T)
        self.accounts.add_user("wang", "", "inspector", None, "GZ", "x", now=T)
        self.looked_up: list[str] = []

    def decide(self, run_id: int, decision: Decision, by: str = "li") -> None:
        self.decisions.add_signoff(SignOff(run_id, decision, "why", by, "GZ", T + 9), 1)

    def signoff_of(self, run_id: int) -> SignOff | None:
        return self.decisions.signoff_of(run_id)

    def user_by_login(self, login: str) -> UserRecord | None:
        self.looked_up.append(login)
        return self.accounts.user_by_login(login)

    def office(self, code: str) -> Office | None:
        self.looked_up.append(code)
        return self.accounts.office(code)


def test_a_rejected_pass_is_rejected_by_name_and_office_and_never_clean() -> None:
    sources = Sources()
    sources.decide(7, Decision.REJECTED)
    review = run_review(_run(7), sources)
    assert review.state is ReviewState.REJECTED and not review.clean
    assert (review.signer_login, review.signer_name) == ("li", "李明")
    assert (review.office_code, review.office_name, review.signed_at) == ("GZ", "赣州局", T + 9)


def test_only_a_signed_off_pass_looks_clean() -> None:
    sources = Sources()
    sources.decide(1, Decision.SIGNED_OFF)
    sources.decide(2, Decision.SIGNED_OFF)
    signed = run_review(_run(1), sources)
    tamper_signed = run_review(_run(2, judgement=TAMPER), sources)
    tamper = run_review(_run(3, judgement=TAMPER), sources)
    waiting = run_review(_run(4), sources)
    failed = run_review(_run(5, "FAIL"), sources)
    open_run = run_review(_run(6, None), sources)
    assert [r.clean for r in (signed, tamper_signed, tamper, waiting, failed, open_run)] == [
        True, True, False, False, False, False,
    ]  # fmt: skip
    assert tamper.state is ReviewState.FINDINGS_TO_REVIEW and tamper.signer_name is None
    assert waiting.state is ReviewState.AWAITING_SIGNOFF
    assert (failed.state, open_run.state) == (ReviewState.NOT_SIGNABLE, ReviewState.RUNNING)


def test_a_signer_without_a_name_is_named_by_login_and_a_list_looks_each_up_once() -> None:
    sources = Sources()
    for run_id in (1, 2, 3):
        sources.decide(run_id, Decision.SIGNED_OFF, by="wang")
    reviews = run_reviews([_run(1), _run(2), _run(3), _run(4)], sources)
    assert [r.signer_name for r in reviews] == ["wang", "wang", "wang", None]
    assert sorted(sources.looked_up) == ["GZ", "wang"]


def test_the_record_number_is_office_year_in_china_and_run_id() -> None:
    assert record_number("GZ", T, 42) == "GZ-2026-000042"
    assert record_number("GZ", T - 1, 42) == "GZ-2025-000042"  # 23:59:59 in China
    assert record_number(None, T, 1_234_567) == "2026-1234567"


def test_the_supervising_office_is_the_most_specific_that_covers_the_facility() -> None:
    accounts = InMemoryAccountStore({"E1": "赣州"})
    accounts.add_office("AA", "全省", [], [], True, now=T)
    accounts.add_office("ZZ", "赣州局", ["赣州"], [], False, now=T)
    accounts.add_office("NC", "南昌局", ["南昌"], [], False, now=T)
    offices = accounts.list_offices()
    assert getattr(supervising_office(offices, "E1", "赣州"), "code", None) == "ZZ"
    accounts.add_office("YY", "木业专管", [], ["E1"], False, now=T)
    assert getattr(supervising_office(accounts.list_offices(), "E1", "赣州"), "code", None) == "YY"
    assert getattr(supervising_office(offices, "E9", "九江"), "code", None) == "AA"
    assert supervising_office(offices[1:], "E9", "九江") is None


def test_the_heading_names_who_started_the_run_when_a_person_did() -> None:
    sources = Sources()
    sources.accounts.add_user("op", "王操作", "enterprise_operator", "E1", None, "x", now=T)
    audit = AuditLog(InMemoryAuditStore())
    for actor, run_id in (("user:op", 1), ("system", 2)):
        audit.store.append(
            AuditRecord(
                at=T, actor=actor, action="run.started", object_type="run",
                object_id=str(run_id), before=None, after=None,
            )
        )  # fmt: skip
    offices = sources.accounts.list_offices()
    first = record_heading(
        _run(1), enterprise="E1", city="赣州", offices=offices, history=audit,
        people=sources.accounts,
    )  # fmt: skip
    assert (first.number, first.office_name) == ("GZ-2026-000001", "赣州局")
    assert (first.operator_login, first.operator_name) == ("op", "王操作")
    second = record_heading(
        _run(2), enterprise="E1", city="赣州", offices=offices, history=audit,
        people=sources.accounts,
    )  # fmt: skip
    assert (second.operator_login, second.operator_name) == (None, None)
