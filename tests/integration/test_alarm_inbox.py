"""The alarms inbox in process: who may answer which alarm on the page and over the API, the
filters (query parameters, checked with coded refusals), the paging and the CSV export, filtered
and paged by the database. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from accountsworld import ADMIN, DAY, T0, World, login
from fastapi.testclient import TestClient

from phytowatch.domain.alarms import SEVERITY, Alarm, AlarmKind, AlarmState, Change
from phytowatch.domain.messages import Code, say
from phytowatch.services.alarms import AlarmQuery

pytestmark = pytest.mark.integration
WHY = "dealt with on site, record checked"


def raised(kind: AlarmKind, facility: str, at: int, subject: str = "s") -> Change:
    alarm = Alarm(
        kind, facility, subject, SEVERITY[kind], AlarmState.ACTIVE, at, at, 1, "",
        say(Code.TEXT, text=f"{kind.value} at {facility}"),
    )  # fmt: skip
    return Change("raised", alarm)


def add(world: World, kind: AlarmKind, facility: str, at: int, subject: str = "s") -> int:
    [stored] = world.services.alarm_store.apply([raised(kind, facility, at, subject)])
    assert stored.alarm.id is not None
    return stored.alarm.id


def add_many(world: World, changes: list[Change]) -> None:
    world.services.alarm_store.apply(changes)  # one transaction


def rows_of(page: str) -> int:
    return page.count('<tr id="alarm-')


def test_the_enterprise_answers_what_is_its_own_and_never_an_accusing_alarm(
    world: World, client: TestClient
) -> None:
    broken = world.objects["K1"].alarm  # hold_broken: it accuses the enterprise
    fault = add(world, AlarmKind.SENSOR_FAULT, "K1", T0 + 10, "C2")
    operator = login(client, "operator")
    page = client.get("/alarms", headers={**operator, "Accept-Language": "en"}).text
    row = page[page.index(f'id="alarm-{broken}"') :].split("</tr>")[0]
    assert "/acknowledge" not in row and "The bureau acknowledges and clears this alarm." in row
    row = page[page.index(f'id="alarm-{fault}"') :].split("</tr>")[0]
    assert "Acknowledge for the enterprise" in row
    # the POST is refused all the same, on the page and over the API, and nothing changes
    refused = client.post(
        f"/alarms/{broken}/acknowledge", data={"comment": "the door was shut"}, headers=operator
    )
    assert refused.status_code == 200 and 'role="alert"' in refused.text
    assert "告警只能由检验检疫局人员确认和清除" in refused.text
    api = client.post(
        f"/api/v1/alarms/{broken}/acknowledge",
        json={"comment": "the door was shut"},
        headers=operator,
    )
    assert (api.status_code, api.json()["code"]) == (403, "alarm.bureau_only")
    stored = world.services.alarm_store.alarm(broken)
    assert stored is not None and stored.state is AlarmState.ACTIVE and stored.comment == ""
    # its acknowledgement of the fault is the enterprise's: the alarm stays active
    done = client.post(
        f"/alarms/{fault}/acknowledge", data={"comment": "C2 cable replaced"}, headers=operator
    )
    assert done.status_code == 200 and "企业已确认" in done.text and "局方仍待处理" in done.text
    wall = client.get("/api/v1/wall", headers=operator).json()["facilities"]
    [k1] = [f for f in wall if f["code"] == "K1"]
    assert {a["id"]: a["state"] for a in k1["alarms"]}[fault] == "active"
    listed = client.get("/api/v1/alarms", headers=operator).json()["alarms"]
    [mine] = [a for a in listed if a["id"] == fault]
    assert (mine["state"], mine["enterprise_acknowledged_by"], mine["acknowledged_by"]) == (
        "active",
        "operator",
        None,
    )
    entry = world.services.audit.latest(limit=1, object_type="alarm")[0]
    assert (entry.action, entry.actor) == ("alarm.acknowledged_by_enterprise", "user:operator")


def test_the_inspector_acknowledges_with_a_written_comment_and_clearing_asks_why(
    world: World, client: TestClient
) -> None:
    broken = world.objects["K1"].alarm
    inspector = login(client, "inspector")
    page = client.get("/alarms", headers=inspector).text
    assert "意见（必填，至少 10 个字符）" in page  # the box says a comment is needed
    short = client.post(f"/alarms/{broken}/acknowledge", data={"comment": "ok"}, headers=inspector)
    assert "涉及企业责任：确认时须填写意见（至少 10 个字符）" in short.text
    assert ">ok</textarea>" in short.text  # the refused comment stays in its box
    acked = client.post(
        f"/alarms/{broken}/acknowledge",
        data={"comment": "door opened by the loader"},
        headers=inspector,
    )
    assert "清除理由（必填，至少 10 个字符）" in acked.text
    empty = client.post(f"/alarms/{broken}/clear", data={"comment": "  "}, headers=inspector)
    assert "清除告警须填写说明理由的意见（至少 10 个字符）" in empty.text
    stored = world.services.alarm_store.alarm(broken)
    assert stored is not None and stored.state is AlarmState.ACKNOWLEDGED
    cleared = client.post(f"/alarms/{broken}/clear", data={"comment": WHY}, headers=inspector)
    assert cleared.status_code == 200 and WHY in cleared.text
    stored = world.services.alarm_store.alarm(broken)
    assert stored is not None and (stored.state, stored.clear_comment) == (AlarmState.CLEARED, WHY)


def test_filters_page_count_and_refuse_bad_values_with_codes(
    world: World, client: TestClient
) -> None:
    # K1 (赣州): sensor faults over 60 days; K2 (南昌): tampers
    add_many(
        world, [raised(AlarmKind.SENSOR_FAULT, "K1", T0 + n * DAY, f"P{n}") for n in range(60)]
    )
    add_many(world, [raised(AlarmKind.TAMPER, "K2", T0 + n * DAY) for n in range(5)])
    admin = login(client, "admin")
    everything = client.get("/alarms?state=all&size=25", headers=admin).text
    assert rows_of(everything) == 25 and "第 1–25 条，共 67 条告警" in everything
    assert "第 1 页，共 3 页" in everything and "page=2" in everything
    last = client.get("/alarms?state=all&size=25&page=3", headers=admin).text
    assert rows_of(last) == 17 and "第 51–67 条，共 67 条告警" in last
    beyond = client.get("/alarms?state=all&size=25&page=9", headers=admin).text
    assert rows_of(beyond) == 17  # past the last page: the last page
    # by severity: the critical tampers first
    first_rows = everything.split('<tr id="alarm-')[1:6]
    assert all('class="row-critical' in row.split(">")[0] for row in first_rows)
    nanchang = client.get("/alarms?city=南昌&state=all", headers=admin).text
    assert rows_of(nanchang) == 6 and "K1" not in nanchang.split("<tbody>")[1]
    days = client.get(
        "/alarms?facility=K1&kind=sensor_fault&from=2026-03-11&to=2026-03-20", headers=admin
    )
    assert rows_of(days.text) == 10, days.text[-3000:]  # T0 is 2026-03-01 08:00 in Shanghai
    critical = client.get("/alarms?severity=critical&sort=newest", headers=admin).text
    assert rows_of(critical) == 5
    for query, code_text in (
        ("kind=fire", "kind：应为 hold_broken, approaching_limit"),
        ("from=2026-13-01", "from 2026-13-01：不是日期"),
        ("from=2026-03-20&to=2026-03-01", "起始日期 2026-03-20 晚于截止日期 2026-03-01"),
        ("size=7", "size"),
        ("page=0", "page"),
        ("state=maybe", "state"),
    ):
        answer = client.get(f"/alarms?{query}", headers=admin)
        assert answer.status_code == 422 and 'class="error" role="alert"' in answer.text, query
        assert code_text in answer.text, (query, answer.text[-2000:])
    # an inspector of 赣州 sees only 赣州's alarms, whatever the filter says
    inspector = login(client, "inspector")
    theirs = client.get("/alarms?state=all&size=200", headers=inspector).text
    assert rows_of(theirs) == 61 and ">K2<" not in theirs
    assert rows_of(client.get("/alarms?city=南昌&state=all", headers=inspector).text) == 0


def test_the_store_filters_and_pages_in_sql_as_the_page_shows(world: World) -> None:
    add_many(
        world, [raised(AlarmKind.CALIBRATION_DUE, "K2", T0 + n * DAY, f"P{n}") for n in range(30)]
    )
    store = world.services.alarm_store
    query = AlarmQuery(
        facilities=frozenset({"K2"}), kind=AlarmKind.CALIBRATION_DUE, by_severity=False
    )
    assert store.count_alarms(query) == 30
    page = store.find_alarms(query, offset=10, limit=10)
    assert [listed.alarm.subject for listed in page] == [f"P{n}" for n in range(19, 9, -1)]
    assert {listed.city for listed in page} == {"南昌"}
    assert store.count_alarms(AlarmQuery(city="赣州", kind=AlarmKind.CALIBRATION_DUE)) == 0
    window = AlarmQuery(
        raised_from=T0 + 5 * DAY, raised_before=T0 + 7 * DAY, kind=AlarmKind.CALIBRATION_DUE
    )
    assert store.count_alarms(window) == 2


def test_the_csv_export_is_the_whole_filtered_list_with_a_bom_and_stable_columns(
    world: World, client: TestClient
) -> None:
    more_than_a_chunk = [
        raised(AlarmKind.CLOCK_SKEW, "K1", T0 + n * 1_000_000, f"D{n}") for n in range(1203)
    ]
    add_many(world, more_than_a_chunk)
    fault = add(world, AlarmKind.SENSOR_FAULT, "K2", T0)
    client.post(
        f"/api/v1/alarms/{fault}/acknowledge",
        headers=ADMIN,
        json={"by": "李工", "comment": "=1+2 换探头"},
    )
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    answer = client.get("/alarms.csv?kind=clock_skew&size=25", headers=admin)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "severity", "kind", "state", "facility"]
    assert len(rows) == 1 + 1203 and {r[2] for r in rows[1:]} == {"clock_skew"}
    zh = client.get("/alarms.csv?facility=K2&kind=sensor_fault", headers=login(client, "admin"))
    [header, row] = list(csv.reader(io.StringIO(zh.content.decode("utf-8-sig"))))
    assert header == rows[0]  # the same column codes in either language
    said = dict(zip(header, row, strict=True))
    assert (said["city"], said["enterprise_acknowledged_by"], said["acknowledged_by"]) == (
        "南昌",
        "",
        "李工",
    )
    assert said["comment"] == "'=1+2 换探头"  # never a formula in a spreadsheet
    bad = client.get("/alarms.csv?severity=loud", headers=admin)
    assert bad.status_code == 422
