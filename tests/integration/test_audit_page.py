"""The audit trail in the browser's page, without a browser: entries newest first and paged,
filtered by actor, action, kind, subject and days in SQL; each action said in the reader's
language; and the verification ``audit verify`` does, run from the page: intact (and the head
anchored), or the first bad entry named and marked when the trail was tampered with."""

from __future__ import annotations

import re

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from phytowatch.bootstrap import Services

pytestmark = pytest.mark.integration
DAY = 86_400_000_000
T1 = 1_780_000_000_000_000  # 2026-05-28T20:26:40Z: 2026-05-29 in Shanghai


def _record(services: Services, count: int) -> None:
    for i in range(count):
        services.audit.record(
            actor="cli:tester" if i % 2 else "user:li.wei",
            action="facility.added",
            object_type="facility",
            object_id=f"JX-{i:04d}-K1",
            after={"kind": "kiln", "name": f"窑 {i}"},
            now=T1 + i * DAY // 4,
        )


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr id="entry-(\d+)"', html)]


def _unguard_and(engine: Engine, statement: str) -> None:
    """What a database owner can do: switch the append-only triggers off, then change a row."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(text(statement))


def test_entries_are_listed_newest_first_and_filtered_in_the_readers_language(
    client: TestClient, world: World
) -> None:
    services = world.services
    before = services.audit.head()
    assert before is not None
    _record(services, 120)
    admin = login(client, "admin")  # Chinese
    page = client.get("/admin/audit", headers=admin)
    assert page.status_code == 200
    newest = before.seq + 121  # the 120, and the administrator's login
    assert _seqs(page.text) == list(range(newest, newest - 50, -1))
    assert "添加处理设施" in page.text and "facility.added" in page.text  # said, code on hover
    assert "<ins>窑 119</ins>" in page.text  # the state after, as recorded
    english = client.get("/admin/audit?action=facility.added&actor=LI.WEI",
                         headers={**admin, "Accept-Language": "en"})  # fmt: skip
    assert "facility added" in english.text and "1–50 of 60" in english.text
    assert all(s % 2 == (before.seq + 1) % 2 for s in _seqs(english.text))  # li.wei's: even i
    subject = client.get("/admin/audit?subject=jx-0007&kind=facility", headers=admin)
    assert _seqs(subject.text) == [before.seq + 8]
    days = client.get("/admin/audit?from=2026-05-30&to=2026-05-30&action=facility.added",
                      headers=admin)  # fmt: skip
    # 2026-05-30 in Shanghai: 15:33:20 UTC on the 29th to 16:00 UTC on the 30th; one a 6 h
    listed = _seqs(days.text)
    assert len(listed) == 4 and listed == sorted(listed, reverse=True)
    odd = client.get("/admin/audit?from=30/05/2026&action=nonsense", headers=admin)
    assert odd.status_code == 200 and "起始日期" in odd.text and "2026-03-01" in odd.text
    assert len(_seqs(odd.text)) == 50  # the day that is not one is said, and left out
    upto = client.get(f"/admin/audit?upto={before.seq + 3}", headers=admin)
    assert _seqs(upto.text)[0] == before.seq + 3
    second = client.get("/admin/audit?action=facility.added&page=2", headers=admin)
    assert _seqs(second.text)[0] == newest - 51


def test_verification_from_the_page_says_intact_and_anchors_the_head(
    client: TestClient, world: World
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    page = client.get("/admin/audit", headers=admin)
    assert "Not verified on this page yet" in page.text
    verified = client.post("/admin/audit/verify", data={"csrf_token": admin["X-CSRF-Token"]},
                           headers=admin)  # fmt: skip
    assert verified.status_code == 200 and "✓ verified" in verified.text
    head = world.services.audit.head()
    assert head is not None
    assert (
        f"(seq {head.seq})" in verified.text and f"head anchored (seq {head.seq})" in verified.text
    )
    anchor = world.services.audit.latest_anchor()
    assert anchor is not None and anchor.seq == head.seq and anchor.source == "verify"
    assert f'id="audit-anchor">#{head.seq}' in client.get("/admin/audit", headers=admin).text
    inspector = login(client, "inspector")
    form = {"csrf_token": inspector["X-CSRF-Token"]}
    refused = client.post("/admin/audit/verify", data=form, headers=inspector)
    assert refused.status_code == 403


def test_a_tampered_trail_shows_its_first_bad_entry(client: TestClient, world: World) -> None:
    services = world.services
    _record(services, 10)
    head = services.audit.head()
    assert head is not None
    bad = head.seq - 4
    _unguard_and(services.engine, f"UPDATE audit_log SET actor = 'user:mallory' WHERE seq = {bad}")
    admin = login(client, "admin")  # Chinese
    verified = client.post("/admin/audit/verify", data={"csrf_token": admin["X-CSRF-Token"]},
                           headers=admin)  # fmt: skip
    assert verified.status_code == 200 and "✕ 不完整" in verified.text
    box = verified.text[verified.text.index('id="verify-result"') :]
    box = box[: box.index("</div>")]
    assert f"seq {bad}" in box or f"第 {bad}" in box  # the first bad row, named
    assert f'href="/admin/audit?upto={bad}"' in box
    assert f'<tr id="entry-{bad}" class="bad-entry">' in verified.text  # and marked in the list
    anchor = services.audit.latest_anchor()
    assert anchor is None or anchor.seq < bad  # nothing is anchored over it
    around = client.get(f"/admin/audit?upto={bad}", headers=admin)
    assert _seqs(around.text)[0] == bad and "user:mallory" in around.text
