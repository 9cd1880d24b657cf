"""The administration's lists at a province's size, without a browser: 1,000 and more users,
enterprises and facilities, searched, filtered and paged by the database; the users table whole,
with enabled or disabled, a password change due, and the last login. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from accountsworld import T0, World, login
from fastapi.testclient import TestClient
from sqlalchemy import insert

from phytowatch.storage.accounts_tables import offices, users
from phytowatch.storage.tables import enterprises, facilities

pytestmark = pytest.mark.integration
SEEDED = 1_050


def _seed(world: World) -> None:
    """1,050 users (every seventh disabled), enterprises and facilities, inserted in bulk."""
    engine = world.services.engine
    with engine.begin() as conn:
        conn.execute(
            insert(users),
            [
                {"login": f"user-{i:04d}", "name": f"用户 {i}", "role": "inspector",
                 "office": "GZ", "password_hash": "scrypt$x", "created_at": T0,
                 "updated_at": T0, "disabled_at": T0 if i % 7 == 0 else None}
                for i in range(SEEDED)
            ],
        )  # fmt: skip
        conn.execute(
            insert(enterprises),
            [
                {"code": f"EN{i:04d}", "name_zh": f"企业{i}", "name_en": f"Firm {i}",
                 "city": "九江" if i % 2 else "吉安", "grade": "II", "created_at": T0}
                for i in range(SEEDED)
            ],
        )  # fmt: skip
        firms = {code: i for i, code in conn.execute(enterprises.select().with_only_columns(
            enterprises.c.id, enterprises.c.code))}  # fmt: skip
        conn.execute(
            insert(facilities),
            [
                {"code": f"JX-{i:04d}-K1", "enterprise_id": firms[f"EN{i:04d}"],
                 "kind": "kiln" if i % 3 else "cold_room", "name": f"窑 {i}",
                 "created_at": T0}
                for i in range(SEEDED)
            ],
        )  # fmt: skip
        conn.execute(
            insert(offices),
            [
                {"code": f"OF{i:04d}", "name": f"办事处 {i}", "created_at": T0}
                for i in range(SEEDED)
            ],
        )


def _rows(html: str, table: str) -> list[str]:
    body = html[html.index(f'id="{table}"') :]
    body = body[: body.index("</table>")]
    return re.findall(r'<tr id="user-([^"]+)"', body) or re.findall(r"<tr><td>", body)


def _count(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html.split('class="pager-count">', 1)[1].split("</span>", 1)[0])


def test_the_users_list_is_paged_and_searched_in_the_database_at_a_thousand_users(
    client: TestClient, world: World
) -> None:
    _seed(world)
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    total = SEEDED + 8  # and the world's eight people
    first = client.get("/admin/users", headers=admin)
    assert first.status_code == 200
    assert len(_rows(first.text, "users")) == 50
    assert _count(first.text) == f"1–50 of {total:,}"
    assert 'href="/admin/users?page=2"' in first.text and "page 1 of 22" in first.text
    last = client.get("/admin/users?page=22", headers=admin)
    assert len(_rows(last.text, "users")) == total - 21 * 50
    assert 'rel="next"' not in last.text and 'href="/admin/users?page=21"' in last.text
    found = client.get("/admin/users?q=USER-077", headers=admin)  # any case, inside the login
    assert _rows(found.text, "users") == [f"user-077{i}" for i in range(10)]
    disabled = client.get("/admin/users?q=user-07&state=disabled", headers=admin)
    assert _rows(disabled.text, "users") == ["user-0700", "user-0707", "user-0714"] + [
        f"user-07{i}" for i in range(21, 100, 7)
    ]
    assert "⊘ disabled" in disabled.text
    kept = client.get("/admin/users?q=user&state=enabled&page=2", headers=admin)
    assert 'href="/admin/users?q=user&amp;state=enabled&amp;page=3"' in kept.text  # filters kept
    admins = client.get("/admin/users?role=administrator", headers=admin)
    assert _rows(admins.text, "users") == ["admin"]
    beyond = client.get("/admin/users?page=999", headers=admin)
    assert beyond.status_code == 200 and "No user found." in beyond.text
    assert 'href="/admin/users?page=22"' in beyond.text  # to the last page
    odd = client.get("/admin/users?page=banana&q=%25&state=nonsense", headers=admin)
    assert odd.status_code == 200 and _rows(odd.text, "users") == []  # "%" is a literal %


def test_facilities_enterprises_and_offices_are_each_searched_and_paged(
    client: TestClient, world: World
) -> None:
    _seed(world)
    admin = login(client, "admin")  # in Chinese
    page = client.get("/admin/facilities", headers=admin)
    assert page.status_code == 200 and "第 1–50 条，共 1,052 条" in page.text
    by_firm = client.get("/admin/facilities?q=firm 104", headers=admin)  # an enterprise's name
    codes = re.findall(r'href="/admin/facilities/([^"]+)"', by_firm.text)
    assert codes == ["JX-0104-K1"] + [f"JX-{i}-K1" for i in range(1040, 1050)]
    cold = client.get("/admin/facilities?kind=cold_room&q=JX-00", headers=admin)
    codes = re.findall(r'href="/admin/facilities/([^"]+)"', cold.text)
    assert codes == [f"JX-{i:04d}-K1" for i in range(0, 100, 3)][:50]
    assert "<td>冷处理库</td>" in cold.text  # the kind in the reader's language
    firms = client.get("/admin/enterprises?q=九江&page=11", headers=admin)
    listed = re.findall(r'href="/enterprises/([^"]+)"', firms.text)
    assert listed == [f"EN{i:04d}" for i in range(1001, SEEDED, 2)]  # 525 in 九江: page 11
    assert "第 501–525 条，共 525 条" in firms.text
    offices_page = client.get("/admin/offices?q=赣州", headers=admin)  # a city it covers
    assert "<td>GZ</td>" in offices_page.text and "OF0001" not in offices_page.text
    assert "共 1,052 条" in client.get("/admin/offices", headers=admin).text
    overview = client.get("/admin", headers=admin)
    counts = re.findall(r'class="count">([\d,]+)<', overview.text)
    assert counts == ["1,052", "1,052", "1,052", f"{SEEDED + 8:,}"]


def test_the_users_table_shows_the_last_login_and_a_password_change_due(
    client: TestClient, world: World
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    before = client.get("/admin/users?q=inspector", headers=admin).text
    row = before[before.index('id="user-inspector"') :].split("</tr>")[0]
    assert "never" in row
    login(client, "inspector")
    after = client.get("/admin/users?q=inspector", headers=admin).text
    row = after[after.index('id="user-inspector"') :].split("</tr>")[0]
    assert "never" not in row and "<time" in row
    stored = world.services.accounts.user_by_login("inspector")
    assert stored is not None and stored.last_login_at is not None
    entry = world.services.audit.latest(limit=1, object_type="user", object_id="inspector")[0]
    assert entry.action == "login" and entry.at == stored.last_login_at  # one transaction
    client.post("/admin/users/certifier/password", data={"csrf_token": admin["X-CSRF-Token"]},
                headers=admin)  # fmt: skip
    listed = client.get("/admin/users?q=certifier", headers=admin).text
    assert "password to change" in listed
