"""The outbox on real SQLite and PostgreSQL (storage/outbox/): a message is put in the caller's
unit (rolled back with it), a repeated key is the same message, the message table refuses UPDATE
and DELETE."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from phytowatch.bootstrap import Services
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
