"""The outbox on real SQLite and PostgreSQL (storage/outbox/): a message is put in the caller's
unit (rolled back with it), a repeated key is the same message, the message table refuses UPDATE
and DELETE."""

from __future__ import annotations

import json
import random

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from phytowatch.bootstrap import Services
from phytowatch.domain.accounts import Principal
from phytowatch.services.accounts import principal_of
from phytowatch.services.clock import FixedClock
from phytowatch.services.context import Context
from phytowatch.services.outbox import CAP, Answer, Due, OutboxDelivery, Receiver
from phytowatch.storage.outbox.repo import SqlOutboxStore
from phytowatch.storage.outbox.tables import outbox_deliveries, outbox_messages
from phytowatch.storage.unit import Transactions

pytestmark = pytest.mark.integration
BODY = {"number": "T-1", "goods": "苹果", "quantity": 12}


def test_a_put_is_stored_with_its_unit_and_a_repeated_key_is_the_same_message(
    services: Services,
) -> None:
    units = Transactions(services.engine)
    with units.atomic():
        first = services.outbox.put(
            topic="transfer.created", key="T-1", destination="port", body=BODY, at=10
        )
        again = services.outbox.put(
            topic="transfer.created", key="T-1", destination="port", body={"other": 1}, at=11
        )
    assert first == again
    with pytest.raises(RuntimeError), units.atomic():
        services.outbox.put(topic="transfer.created", key="T-2", destination="port", body=BODY,
                            at=12)  # fmt: skip
        raise RuntimeError("the transfer failed")
    with services.engine.connect() as conn:
        rows = conn.execute(select(outbox_messages)).all()
        states = conn.execute(select(outbox_deliveries.c.state, outbox_deliveries.c.due_at)).all()
    assert [(r.key, json.loads(r.body)) for r in rows] == [("T-1", BODY)]
    assert [tuple(s) for s in states] == [("waiting", 10)]


@pytest.mark.parametrize(
    "statement", ["UPDATE outbox_messages SET body = '{}'", "DELETE FROM outbox_messages"]
)
def test_the_message_table_refuses_update_and_delete(services: Services, statement: str) -> None:
    services.outbox.put(topic="transfer.created", key="T-1", destination="port", body=BODY, at=1)
    with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
        conn.execute(text(statement))
    with services.engine.connect() as conn:
        assert json.loads(conn.execute(select(outbox_messages.c.body)).scalar_one()) == BODY


class _Port:
    """A receiver in the test's process: refuses key T-2, is down for key T-3."""

    def __init__(self, *, healed: bool = False) -> None:
        self.got: list[str] = []
        self.healed = healed

    def post(self, receiver: Receiver, message: Due) -> Answer:
        self.got.append(message.key)
        if self.healed:
            return Answer(200)
        if message.key == "T-2":
            return Answer(409, "key_reused")
        if message.key == "T-3":
            return Answer(None, "ConnectionRefusedError")
        return Answer(200)


def _outbox_world(world: World) -> tuple[OutboxDelivery, _Port]:
    services = world.services
    port = _Port()
    now = services.clock.now()
    deliveries = OutboxDelivery(
        SqlOutboxStore(services.engine), port, {"port-sz": Receiver("port-sz", "http://x", "s")},
        FixedClock(now), audit=services.audit, rng=random.Random(3),
    )  # fmt: skip
    services.deliveries = deliveries
    for n in (1, 2, 3, 4):
        services.outbox.put(topic="transfer.created", key=f"T-{n}", destination="port-sz",
                            body={**BODY, "n": n}, at=now)  # fmt: skip
    services.outbox.put(topic="transfer.created", key="T-9", destination="port-nb", body=BODY,
                        at=now)  # fmt: skip
    return deliveries, port


def test_delivery_on_sql_status_page_and_retry(world: World, client: TestClient) -> None:
    deliveries, port = _outbox_world(world)
    assert deliveries.drain() == 4  # port-nb has no address: not claimed
    assert port.got == ["T-1", "T-2", "T-3"]  # T-4 is put off with T-3: the receiver is down
    sz, nb = deliveries.status()
    assert (sz.destination, sz.waiting, sz.delivered, sz.refused) == ("port-sz", 2, 1, 1)
    assert sz.flagged and sz.last_error is not None
    assert (nb.destination, nb.configured, nb.waiting, nb.flagged) == ("port-nb", False, 1, True)
    assert deliveries.drain() == 0  # T-3 waits out its backoff, T-2 is held
    # the page, in both languages, for the administrator only
    admin = login(client, "admin")
    english = client.get("/admin/outbox", headers={**admin, "Accept-Language": "en"})
    assert english.status_code == 200
    assert "port-sz" in english.text and "no address configured" in english.text
    assert "the receiver answered 409" in english.text or "no answer" in english.text
    chinese = client.get("/admin/outbox", headers={**admin, "Accept-Language": "zh-CN"})
    assert "发件箱" in chinese.text and "未配置地址" in chinese.text
    inspector = client.get(
        "/admin/outbox", headers=login(client, "inspector"), follow_redirects=False
    )
    assert inspector.status_code == 403
    # the administrator sends the refused one again: audited, delivered once the receiver takes it
    ctx = Context(_admin(world), world.services.clock.now())
    assert deliveries.retry(ctx, destination="port-sz", message_id=None) == 1
    entries = world.services.audit.latest(limit=3, object_type="outbox")
    assert [e.action for e in entries] == ["outbox.retried"]
    port_ok = _Port(healed=True)
    deliveries.transport = port_ok
    clock = deliveries.clock
    assert isinstance(clock, FixedClock)
    clock.advance(CAP)
    deliveries.drain()
    assert sorted(port_ok.got) == ["T-2", "T-3", "T-4"]
    with world.services.engine.connect() as conn:
        rows = conn.execute(select(outbox_deliveries.c.message_id, outbox_deliveries.c.state))
        states = dict(rows.all())
    assert sorted(states.values()) == ["delivered"] * 4 + ["waiting"]


def _admin(world: World) -> Principal:
    user = world.services.accounts.user_by_login("admin")
    assert user is not None
    return principal_of(world.services.accounts, user)


def test_a_body_is_written_as_canonical_json_decimals_and_days_as_text() -> None:
    from datetime import date
    from decimal import Decimal

    from phytowatch.storage.outbox.repo import encode

    body = {"value": Decimal("18400.10"), "b": [1, "苹果"], "day": date(2026, 12, 5), "a": None}
    assert encode(body) == '{"a":null,"b":[1,"苹果"],"day":"2026-12-05","value":"18400.10"}'
    with pytest.raises(TypeError):
        encode({"x": object()})
