"""The outbox on SQL: ``put`` in the caller's unit (``services.transfers.ports.Outbox``); the
worker's claims and results (``services.outbox.OutboxStore``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from phytowatch.storage.outbox.tables import outbox_deliveries as D  # noqa: N812
from phytowatch.storage.outbox.tables import outbox_messages as M  # noqa: N812
from phytowatch.storage.unit import begin


def encode(body: Mapping[str, Any]) -> str:
    """The body as it is stored and sent: JSON, keys sorted, no spaces, UTF-8 as is."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class SqlOutbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(
        self,
        *,
        topic: str,
        key: str,
        destination: str,
        body: Mapping[str, Any],
        at: int,
    ) -> int:
        """The message and its delivery state, on the caller's unit's connection (committed or
        rolled back with what it carries). A key already put for ``destination`` is the same
        message: its id, nothing written (the first body stays)."""
        text = encode(body)
        with begin(self.engine) as conn:
            existing = conn.execute(
                select(M.c.id).where(M.c.destination == destination, M.c.key == key)
            ).scalar()
            if existing is not None:
                return int(existing)
            message_id = conn.execute(
                insert(M)
                .values(topic=topic, key=key, destination=destination, body=text, created_at=at)
                .returning(M.c.id)
            ).scalar_one()
            conn.execute(
                insert(D).values(
                    message_id=message_id,
                    destination=destination,
                    state="waiting",
                    due_at=at,
                    attempts=0,
                    last_error="",
                )
            )
        return int(message_id)
