"""Migrations that convert stored rows: 0007 turns the English sentences of alarms and of runs'
calibration notes into message codes with parameters, and back on downgrade; a sentence in no
known format is kept as written. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, select, text

from phytowatch.domain.messages import Code, Instant, Message, Word, stored_message
from phytowatch.storage.migrate import alembic_config

T = 1_772_446_620_000_000  # 2026-03-02T10:17:00Z
OLD_ALARMS = {
    ("hold_broken", "hold broken at 2026-03-02T10:17:00Z: below_threshold (C1, C2)"): Message(
        Code.ALARM_HOLD_BROKEN_PROBES,
        {"at": Instant(T), "reason": Word("below_threshold"), "probes": "C1, C2"},
    ),
    ("approaching_limit", "product at 56.4, 0.40 from 56"): Message(
        Code.ALARM_APPROACHING,
        {"key": Word("product"), "value": 56.4, "margin": 0.4, "threshold": 56.0},
    ),
    ("calibration_due", "C3: calibration due within 7 days (2026-03-02)"): Message(
        Code.ALARM_CALIBRATION_DUE,
        {"probe": "C3", "days": 7, "due": Instant(1_772_409_600_000_000)},
    ),
    ("tamper", "finding flatline on C2"): Message(
        Code.ALARM_FINDING_ON, {"finding": Word("flatline"), "probe": "C2"}
    ),
    ("tamper", "something a later version never wrote"): Message(
        Code.TEXT, {"text": "something a later version never wrote"}
    ),
}
OLD_NOTES = [
    "C1: no calibration recorded; judged raw",
    "C2: calibration expired 2026-03-02T10:17:00Z; judged raw",
]


def test_0007_turns_stored_sentences_into_codes_and_back(db_url: str) -> None:
    config = alembic_config(db_url)
    command.upgrade(config, "0006")
    engine = create_engine(db_url)
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
            conn.execute(
                text(
                    "INSERT INTO runs (facility_id, schedule_id, schedule_version, params, "
                    "offsets, calibration_notes, load, note, started_at) VALUES "
                    "(1, 'ispm15-ht', '1', '{}', '{}', :notes, 'pallets', '', 1)"
                ),
                {"notes": json.dumps(OLD_NOTES)},
            )
            for kind, message in OLD_ALARMS:
                conn.execute(
                    text(
                        "INSERT INTO alarms (kind, facility, subject, severity, state, "
                        "raised_at, last_seen_at, count, last_occurrence, message, comment) "
                        "VALUES (:kind, 'F1', 'run 1', 'major', 'active', 1, 1, 1, '', "
                        ":message, '')"
                    ),
                    {"kind": kind, "message": message},
                )
        command.upgrade(config, "0007")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT kind, message, code, params FROM alarms")).all()
            notes = conn.execute(text("SELECT calibration_notes FROM runs")).scalar_one()
        for kind, message, code, params in rows:
            expected = OLD_ALARMS[(kind, message)]
            said = stored_message({"code": code, "params": json.loads(params)})
            assert said == expected
            assert said.english() == message  # the API's English is what was stored
        said_notes = [stored_message(n) for n in json.loads(notes)]
        assert [n.code for n in said_notes] == [
            Code.NOTE_NO_CALIBRATION,
            Code.NOTE_CALIBRATION_EXPIRED,
        ]
        assert [n.english() for n in said_notes] == OLD_NOTES
        command.downgrade(config, "0006")
        with engine.connect() as conn:
            assert (
                json.loads(conn.execute(text("SELECT calibration_notes FROM runs")).scalar_one())
                == OLD_NOTES
            )
            columns = conn.execute(select(text("*")).select_from(text("alarms"))).keys()
            assert "code" not in columns and "params" not in columns
    finally:
        engine.dispose()
