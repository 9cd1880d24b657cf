"""The lists: runs (filters, search, sort, pages, CSV), the inspector's queue, facilities and
enterprises; their refusals of a bad filter; what each caller may see in them; and the review
state the database derives agreeing with ``domain.review.review_state`` for every state.

The world (accountsworld.py) plus, on enterprise E1 (赣州): K5, a calibrated kiln with a run
closed each day from 2026-03-02 in every review state, and K3, a kiln without calibrations
(its PASS run carries calibration notes, so it has findings to review).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from accountsworld import ADMIN, DAY, T0, World, login
from fastapi.testclient import TestClient

from acting import ctx_at
from phytowatch.domain.accounts import Jurisdiction
from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change, Severity
from phytowatch.domain.messages import Code, Instant, say
from phytowatch.domain.review import ReviewState, review_state
from phytowatch.services.lists import RunQuery
from phytowatch.services.provisioning import add_calibration, add_facility
from phytowatch.services.runs import start_run
from phytowatch.web.pages import lists

pytestmark = pytest.mark.integration

CLEAN = {"verdict": "PASS", "findings": [], "review_required": False}
FINDINGS = {"verdict": "PASS", "findings": [{"kind": "flatline", "probe": "C2"}]}
FAILED = {"verdict": "FAIL", "findings": [], "review_required": False}
COMMENT = "C2 was re-seated and the log checked by hand."
EN = {"Accept-Language": "en"}


@dataclass
class Runs:
    failed: int
    findings: int  # the oldest of the two with findings
    noted: int  # PASS on K3: calibration notes, findings to review
    awaiting: int
    signed: int
    rejected: int
    formula: int  # its load starts with "="


def _kiln(world: World, code: str, *, calibrated: bool) -> None:
    registry = world.services.registry
    add_facility(registry, code, "E1", "kiln", ["C1", "C2", "C3"], ctx=ctx_at(T0))
    for probe in ("C1", "C2", "C3") if calibrated else ():
        add_calibration(
            registry, code, probe, "0.0", calibrated_at=T0 - DAY, due_at=T0 + 365 * DAY,
            certificate="JJF-1", ctx=ctx_at(T0),
        )  # fmt: skip


def _closed(world: World, facility: str, day: int, verdict: str, judgement: object,
            load: str = "pallets") -> int:  # fmt: skip
    start = T0 + day * DAY
    run = start_run(world.services.runs, facility, "ispm15-ht", load=load, ctx=ctx_at(start)).id
    closed = world.services.runs.close_run(
        run, start + 3_600_000_000, verdict.lower(), verdict, json.dumps(judgement)
    )
    assert closed
    return run


@pytest.fixture
def runs(world: World, client: TestClient) -> Runs:
    _kiln(world, "K5", calibrated=True)
    _kiln(world, "K3", calibrated=False)
    made = Runs(
        failed=_closed(world, "K5", 1, "FAIL", FAILED),
        findings=_closed(world, "K5", 2, "PASS", FINDINGS),
        noted=_closed(world, "K3", 3, "PASS", CLEAN),
        awaiting=_closed(world, "K5", 4, "PASS", CLEAN),
        signed=_closed(world, "K5", 5, "PASS", CLEAN),
        rejected=_closed(world, "K5", 6, "PASS", FINDINGS),
        formula=_closed(world, "K5", 7, "FAIL", FAILED, load="=HYPERLINK(1)"),
    )
    headers = login(client, "inspector")
    for run, decision in ((made.signed, "signed_off"), (made.rejected, "rejected")):
        answer = client.post(
            f"/api/v1/runs/{run}/signoff",
            headers=headers,
            json={"decision": decision, "comment": COMMENT},
        )
        assert answer.status_code == 201, answer.text
    return made


def _ids(page: str) -> list[int]:
    """The run numbers a list page shows, in its order."""
    main = page.split("<main", 1)[1]
    return [int(part.split('"', 1)[0]) for part in main.split('<a href="/runs/')[1:]]


def _csv(answer_text: str) -> list[dict[str, str]]:
    assert answer_text.startswith("\ufeff")  # Excel reads UTF-8 with its byte-order mark
    return list(csv.DictReader(io.StringIO(answer_text[1:])))


# -- the review state in SQL --------------------------------------------------------------------


def test_the_databases_review_state_agrees_with_the_domains_for_every_state(
    world: World, runs: Runs
) -> None:
    services = world.services
    everywhere = Jurisdiction(everywhere=True)
    total, rows = services.runs.list_runs(RunQuery(reach=everywhere, limit=1000))
    expected: dict[int, ReviewState] = {}
    for row in rows:
        record = services.runs.run(row.id)
        assert record is not None
        expected[row.id] = review_state(
            closed=record.closed_at is not None,
            verdict=record.verdict,
            judgement=record.judgement,
            calibration_notes=record.calibration_notes,
            signoff=services.accounts.signoff_of(row.id),
        )
        assert row.review is expected[row.id], row
    assert total == len(rows) == len(expected)
    assert set(expected.values()) == set(ReviewState)  # every state is there to compare
    for state in ReviewState:
        _, found = services.runs.list_runs(RunQuery(reach=everywhere, review=(state,), limit=100))
        assert {r.id for r in found} == {i for i, s in expected.items() if s is state}, state
    assert expected[runs.noted] is ReviewState.FINDINGS_TO_REVIEW  # by its calibration notes


# -- the runs list --------------------------------------------------------------------------------


def test_the_runs_list_filters_sorts_pages_and_shows_each_runs_review_state(
    world: World, client: TestClient, runs: Runs
) -> None:
    _filters(world, client, runs)
    _sorts(world, client, runs)
    _pass_mark(client, runs)
    _pages(world, client, runs)


def _filters(world: World, client: TestClient, runs: Runs) -> None:
    headers = {**login(client, "inspector"), **EN}

    def shown(query: str) -> set[int]:
        answer = client.get(f"/runs?{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return set(_ids(answer.text))

    k1 = {world.objects["K1"].pass_run, world.objects["K1"].open_run}
    k5 = {runs.failed, runs.findings, runs.awaiting, runs.signed, runs.rejected, runs.formula}
    assert shown("") == k1 | k5 | {runs.noted}  # K2 (南昌) is not the office's
    assert shown("facility=K5") == k5
    assert shown("facility=K2") == set()  # another office's: as if it had none
    assert shown("enterprise=E1&city=赣州") == k1 | k5 | {runs.noted}
    assert shown("city=南昌") == set()
    assert shown("schedule=ispm15-ht&verdict=FAIL") == {runs.failed, runs.formula}
    assert shown("review=findings_to_review") == {runs.findings, runs.noted}
    assert shown("review=signed_off&review=rejected") == {runs.signed, runs.rejected}
    both = client.get("/runs?review=signed_off&review=rejected", headers=headers).text
    assert 'href="/runs.csv?review=signed_off&amp;review=rejected"' in both  # both kept
    assert shown("review=running") == {world.objects["K1"].open_run}
    # days in the reader's zone (Asia/Shanghai): run k of K5 starts on 2026-03-0(1+k), 18:40
    assert shown("from=2026-03-03&to=2026-03-04") == {runs.findings, runs.noted}
    assert shown("from=2026-03-07") == {runs.rejected, runs.formula}
    assert shown(f"q={runs.awaiting}") == {runs.awaiting}
    assert shown("q=k3") == {runs.noted}  # a facility's code, any case
    assert shown("q=enterprise") == k1 | k5 | {runs.noted}  # an enterprise's name
    assert shown("q=100%25") == set()  # % is a character searched for, not a wildcard
    assert shown("facility=K5%00") == shown("q=%00") == set()  # no row can have a NUL


def _sorts(world: World, client: TestClient, runs: Runs) -> None:
    headers = login(client, "admin")
    newest = _ids(client.get("/runs?size=25", headers=headers).text)
    assert newest[:2] == [runs.formula, runs.rejected]  # started, newest first
    oldest = _ids(client.get("/runs?sort=started&dir=asc&size=25", headers=headers).text)
    assert oldest == list(reversed(newest))
    by_close = _ids(client.get("/runs?sort=closed&dir=asc&size=25", headers=headers).text)
    open_runs = {world.objects[f].open_run for f in ("K1", "K2")}
    assert set(by_close[-2:]) == open_runs  # nothing to sort an open run by: last
    by_facility = client.get("/runs?sort=facility&size=25", headers=headers).text
    facilities = [cell.split("<", 1)[0] for cell in by_facility.split('href="/facilities/')[1:]]
    assert facilities == sorted(facilities, reverse=True)
    # pages of 25 over 11 runs: one page; the count says how many
    total = len(newest)
    assert total == 11
    page = client.get("/runs?size=25", headers={**headers, **EN}).text
    assert f"1–{total} of {total}" in page
    # a page past the last one shows the last one
    assert _ids(client.get("/runs?size=25&page=9", headers=headers).text) == newest


def _pages(world: World, client: TestClient, runs: Runs) -> None:
    """Pages hold ``size`` rows and link to each other with the filters kept."""
    services = world.services
    for day in range(10, 40):  # 30 more failed runs on K5
        _closed(world, "K5", day, "FAIL", FAILED)
    headers = {**login(client, "admin"), **EN}
    first = client.get("/runs?verdict=FAIL&size=25", headers=headers).text
    assert "1–25 of 32" in first
    assert len(_ids(first)) == 25
    assert 'href="/runs?verdict=FAIL&amp;size=25&amp;page=2"' in first
    second = client.get("/runs?verdict=FAIL&size=25&page=2", headers=headers).text
    assert "26–32 of 32" in second and len(_ids(second)) == 7
    assert not set(_ids(first)) & set(_ids(second))
    everywhere = Jurisdiction(everywhere=True)
    total, _ = services.runs.list_runs(RunQuery(reach=everywhere, verdict="FAIL", limit=1))
    assert total == 32


def _pass_mark(client: TestClient, runs: Runs) -> None:
    """Each run shows its review state; only a signed-off PASS has the pass mark."""
    page = client.get("/runs?size=25", headers={**login(client, "inspector"), **EN}).text
    rows = {
        int(row.split('href="/runs/', 1)[1].split('"', 1)[0]): row
        for row in page.split("<tr ")[1:]
        if 'href="/runs/' in row
    }
    assert "✓" in rows[runs.signed] and "signed off" in rows[runs.signed]
    assert "Inspector" in rows[runs.signed]  # the signer by name
    for run, word in (
        (runs.rejected, "rejected"),
        (runs.findings, "findings to review"),
        (runs.noted, "findings to review"),
        (runs.awaiting, "awaiting sign-off"),
    ):
        assert "✓" not in rows[run] and "s-passed" not in rows[run], run
        assert word in rows[run]
    assert "s-failed" in rows[runs.failed]


def test_the_csv_export_holds_the_filtered_list_whole(
    client: TestClient, runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = login(client, "inspector")
    answer = client.get("/runs.csv?facility=K5&sort=started&dir=asc", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    rows = _csv(answer.text)
    assert [int(r["run"]) for r in rows] == sorted(
        [runs.failed, runs.findings, runs.awaiting, runs.signed, runs.rejected, runs.formula]
    )
    signed = next(r for r in rows if int(r["run"]) == runs.signed)
    assert signed["review_state"] == "signed_off" and signed["verdict"] == "PASS"
    assert (signed["signed_by"], signed["signed_by_name"], signed["signed_office"]) == (
        "inspector", "Inspector", "GZ",
    )  # fmt: skip
    assert signed["enterprise_name_zh"] == "企业" and signed["city"] == "赣州"
    assert signed["started_at"] == "2026-03-06T10:40:00Z"
    formula = next(r for r in rows if int(r["run"]) == runs.formula)
    assert formula["load"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    # every chunk of a list longer than one read: in order, each run once
    monkeypatch.setattr(lists, "CSV_CHUNK", 4)
    whole = _csv(client.get("/runs.csv?sort=started&dir=asc", headers=headers).text)
    everything = [int(r["run"]) for r in whole]
    assert len(everything) == 9 and everything == sorted(everything)


BAD_FILTERS = [
    ("review=done", "review: one of running, not_signable"),
    ("verdict=pass", "verdict: one of PASS, FAIL, INDETERMINATE"),
    ("sort=load", "sort: one of started, closed, facility, verdict"),
    ("dir=up", "dir: one of desc, asc"),
    ("size=1000", "size: one of 25, 50, 100, 200"),
    ("page=0", "page: a number from 1 to 1000000"),
    ("page=two", "page: a number from 1 to 1000000"),
    ("from=2026-02-30", "from: a date, YYYY-MM-DD"),
    ("to=yesterday", "to: a date, YYYY-MM-DD"),
    ("from=2026-03-05&to=2026-03-01", "the dates are the wrong way round: 2026-03-05"),
    ("schedule=nope", "schedule: one of"),
    ("q=" + "x" * 101, "q: at most 100"),
]


def test_a_bad_filter_is_refused_with_a_message_naming_it(client: TestClient) -> None:
    headers = login(client, "inspector")
    for query, said in BAD_FILTERS:
        for path in ("/runs", "/runs.csv"):
            answer = client.get(f"{path}?{query}", headers={**headers, **EN})
            assert answer.status_code == 422, (path, query)
            assert said in answer.text.replace("&#39;", "'"), answer.text
            assert "text/html" in answer.headers["content-type"]
    # in Chinese too
    answer = client.get("/runs?from=2026-13-01", headers=headers)
    assert answer.status_code == 422
    assert "from：应为日期，格式 YYYY-MM-DD" in answer.text


# -- the inspector's queue ------------------------------------------------------------------------


def test_the_queue_holds_the_offices_runs_awaiting_sign_off_findings_first_oldest_first(
    world: World, client: TestClient, runs: Runs
) -> None:
    headers = {**login(client, "inspector"), **EN}
    page = client.get("/queue", headers=headers).text
    assert _ids(page) == [
        runs.findings,  # findings to review, the longest waiting first
        runs.noted,
        world.objects["K1"].pass_run,  # then awaiting sign-off, the longest waiting first
        runs.awaiting,
    ]
    assert '<span class="count"' in page and ">4</span>" in page  # the nav's count
    # another office's inspector has another queue
    other = client.get("/queue", headers=login(client, "insp_nc")).text
    assert _ids(other) == [world.objects["K2"].pass_run]
    # signing one off takes it out of the queue and the count
    client.post(
        f"/api/v1/runs/{runs.awaiting}/signoff", headers=headers, json={"decision": "signed_off"}
    )
    after = client.get("/queue", headers=headers).text
    assert runs.awaiting not in _ids(after) and ">3</span>" in after

    # only those who sign off have a queue
    for who in ("operator", "certifier", "port", "admin"):
        headers = login(client, who)
        assert client.get("/queue", headers=headers).status_code == 403
        assert 'href="/queue"' not in client.get("/runs", headers=headers).text


# -- tenancy --------------------------------------------------------------------------------------


def test_an_enterprise_user_lists_only_its_own(
    world: World, client: TestClient, runs: Runs
) -> None:
    headers = login(client, "op_b")  # E2's operator: K2 only
    k2 = {world.objects["K2"].pass_run, world.objects["K2"].open_run}
    assert set(_ids(client.get("/runs?size=200", headers=headers).text)) == k2
    assert _ids(client.get("/runs?facility=K5", headers=headers).text) == []
    assert _ids(client.get("/runs?q=K1", headers=headers).text) == []
    exported = _csv(client.get("/runs.csv", headers=headers).text)
    assert {int(r["run"]) for r in exported} == k2
    facilities = client.get("/facilities", headers=headers).text
    assert 'href="/facilities/K2"' in facilities and 'href="/facilities/K1"' not in facilities
    assert [r["facility"] for r in _csv(client.get("/facilities.csv", headers=headers).text)] == [
        "K2"
    ]
    assert [
        r["enterprise"] for r in _csv(client.get("/enterprises.csv", headers=headers).text)
    ] == ["E2"]
    # the nav of an enterprise user has no facilities and enterprises lists
    assert 'href="/enterprises"' not in facilities


# -- facilities and enterprises -------------------------------------------------------------------


def test_the_facilities_and_enterprises_lists_filter_count_and_export(
    world: World, client: TestClient, runs: Runs
) -> None:
    silent = Alarm(
        AlarmKind.FACILITY_SILENT, "K5", "facility", Severity.MAJOR, AlarmState.ACTIVE,
        T0, T0, 1, "1", say(Code.ALARM_SILENT, at=Instant(T0)),
    )  # fmt: skip
    world.services.alarm_store.apply([Change("raised", silent)])
    headers = {**login(client, "admin"), **EN}

    def codes(query: str) -> list[str]:
        answer = client.get(f"/facilities?{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        main = answer.text.split("<tbody>", 1)[-1]
        return [part.split('"', 1)[0] for part in main.split('<a href="/facilities/')[1:]]

    assert codes("") == ["K1", "K2", "K3", "K5"]
    assert codes("state=alarm") == ["K1", "K2"]  # an active major alarm each (hold broken)
    assert codes("state=offline") == ["K5"]
    assert codes("state=online") == ["K1", "K2", "K3"]
    assert codes("kind=kiln&city=南昌") == ["K2"]
    assert codes("kind=cold_room") == []
    assert codes("enterprise=E2") == ["K2"]
    assert codes("q=k3") == ["K3"]
    page = client.get("/facilities", headers=headers).text
    assert "Ganzhou" in page and "Nanchang" in page  # the cities in the reader's language
    assert "赣州" in client.get("/facilities", headers=login(client, "admin")).text
    assert client.get("/facilities?state=gone", headers=headers).status_code == 422
    rows = _csv(client.get("/facilities.csv?state=offline", headers=headers).text)
    assert [(r["facility"], r["offline"], r["open_run"]) for r in rows] == [("K5", "1", "")]

    # the enterprises
    headers = {**login(client, "inspector"), **EN}  # office GZ: 赣州 only
    page = client.get("/enterprises", headers=headers).text
    assert 'href="/enterprises/E1"' in page and 'href="/enterprises/E2"' not in page
    rows = _csv(client.get("/enterprises.csv", headers=headers).text)
    assert rows == [
        {"enterprise": "E1", "name_zh": "企业", "name_en": "Enterprise", "city": "赣州",
         "grade": "II", "facilities": "3", "open_runs": "1", "facilities_in_alarm": "1"}
    ]  # fmt: skip
    admin = login(client, "admin")
    assert _csv(client.get("/enterprises.csv?city=南昌", headers=admin).text)[0]["enterprise"] == (
        "E2"
    )
    assert _csv(client.get("/enterprises.csv?q=nothing", headers=admin).text) == []
    assert client.get("/enterprises?grade=V", headers=admin).status_code == 422

    # the JSON list of facilities stays where clients use it
    answer = client.get("/api/v1/facilities", headers=ADMIN)
    assert answer.status_code == 200
    assert [f["code"] for f in answer.json()["facilities"]] == ["K1", "K2", "K3", "K5"]
    html = client.get("/facilities", headers=ADMIN)  # the page is a page, for a browser
    assert html.headers["content-type"].startswith("text/html")


# -- migration 0011 --------------------------------------------------------------------------------


def test_0011_computes_whether_each_stored_run_needs_review_and_goes_back(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    from phytowatch.storage.migrate import alembic_config

    config = alembic_config(db_url)
    command.upgrade(config, "0008")
    engine = create_engine(db_url)
    stored = [  # (calibration notes, judgement) -> needs review
        ("[]", None, True),  # open: not judged yet
        ("[]", json.dumps(CLEAN), False),
        ("[]", json.dumps(FINDINGS), True),
        ("[]", json.dumps({**CLEAN, "review_required": True}), True),
        ('[{"code": "text", "params": {"text": "C1 raw"}}]', json.dumps(CLEAN), True),
    ]
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO enterprises (code, name_zh, name_en, city, grade, created_at) "
                    "VALUES ('E1', '企业', 'Enterprise', '赣州', 'II', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO facilities (code, enterprise_id, kind, name, created_at) "
                    "VALUES ('F1', 1, 'kiln', '', 1)"
                )
            )
            for notes, judgement, _ in stored:
                conn.execute(
                    text(
                        "INSERT INTO runs (facility_id, schedule_id, schedule_version, params, "
                        "offsets, calibration_notes, load, note, started_at, judgement) VALUES "
                        "(1, 'ispm15-ht', '1', '{}', '{}', :notes, 'pallets', '', 1, :judgement)"
                    ),
                    {"notes": notes, "judgement": judgement},
                )
        command.upgrade(config, "0011")
        with engine.connect() as conn:
            flags = conn.execute(text("SELECT needs_review FROM runs ORDER BY id")).scalars()
            assert [bool(flag) for flag in flags] == [needs for _, _, needs in stored]
        command.downgrade(config, "0008")
        with engine.connect() as conn:
            columns = conn.execute(text("SELECT * FROM runs")).keys()
            assert "needs_review" not in columns
    finally:
        engine.dispose()
