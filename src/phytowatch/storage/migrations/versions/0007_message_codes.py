"""message codes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 14:20:00.000000

What phytowatch says to a person is stored as a code with parameters (``domain.messages``), no
longer as an English sentence. Alarms gain ``code`` and ``params`` beside their English
``message`` (kept for API clients); a run's ``calibration_notes`` become a JSON list of
``{"code", "params"}``. Existing rows are converted here, once, by reading the sentences the
earlier versions wrote; a sentence in no known format is kept as written (code ``text``).

The codes and formats are written out here, not imported: a revision must keep meaning what it
meant when it was written, whatever the code becomes.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_INSTANT = r"\d{4}-\d\d-\d\dT[0-9:.]+Z"
_ID = r"[^\s:(),;]+"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _instant(text: str) -> dict[str, int]:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    delta = moment - _EPOCH
    return {"instant": (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}


def _day(text: str) -> dict[str, int]:
    return _instant(f"{text}T00:00:00Z")


def _word(text: str) -> dict[str, str]:
    return {"word": text}


# (kind, pattern, code, params from the match)
_ALARMS: tuple[tuple[str, str, str, Any], ...] = (
    ("too_few_probes", r"fewer probes installed than the schedule requires",
     "alarm.too_few_probes", lambda m: {}),
    ("hold_broken", rf"hold broken at ({_INSTANT}): (\w+) \(([^()]*)\)", "alarm.hold_broken_probes",
     lambda m: {"at": _instant(m[1]), "reason": _word(m[2]), "probes": m[3]}),
    ("hold_broken", rf"hold broken at ({_INSTANT}): (\w+)", "alarm.hold_broken",
     lambda m: {"at": _instant(m[1]), "reason": _word(m[2])}),
    ("probe_excluded", rf"({_ID}) excluded \((\w+)\)", "alarm.probe_excluded",
     lambda m: {"probe": m[1], "cause": _word(m[2])}),
    ("tamper", rf"finding (\w+) on ({_ID})", "alarm.finding_on",
     lambda m: {"finding": _word(m[1]), "probe": m[2]}),
    ("tamper", r"finding (\w+)", "alarm.finding", lambda m: {"finding": _word(m[1])}),
    ("tamper",
     rf"({_ID}) at ({_INSTANT}): a different value offered for a stored reading \(refused\)",
     "alarm.conflict", lambda m: {"probe": m[1], "at": _instant(m[2])}),
    ("approaching_limit", rf"({_ID}) at (-?[\d.e+-]+), ([\d.]+) from (-?[\d.e+-]+)",
     "alarm.approaching_limit",
     lambda m: {"key": _word(m[1]), "value": float(m[2]), "margin": float(m[3]),
                "threshold": float(m[4])}),
    ("sensor_fault", rf"({_ID}) reports (\S+)", "alarm.sensor_fault",
     lambda m: {"probe": m[1], "fault": _word(m[2])}),
    ("facility_silent", rf"nothing received since ({_INSTANT})", "alarm.facility_silent",
     lambda m: {"at": _instant(m[1])}),
    ("clock_skew", r"device clock ahead of the server by more than (\d+) min", "alarm.clock_skew",
     lambda m: {"minutes": int(m[1])}),
    ("calibration_expired", rf"({_ID}): calibration expired \((\d{{4}}-\d\d-\d\d)\)",
     "alarm.calibration_expired", lambda m: {"probe": m[1], "due": _day(m[2])}),
    ("calibration_due", rf"({_ID}): calibration due within (\d+) days \((\d{{4}}-\d\d-\d\d)\)",
     "alarm.calibration_due", lambda m: {"probe": m[1], "days": int(m[2]), "due": _day(m[3])}),
)  # fmt: skip

_NOTES: tuple[tuple[str, str, Any], ...] = (
    (rf"({_ID}): no calibration recorded; judged raw", "note.no_calibration",
     lambda m: {"probe": m[1]}),
    (rf"({_ID}): calibration expired ({_INSTANT}); judged raw", "note.calibration_expired",
     lambda m: {"probe": m[1], "due": _instant(m[2])}),
)  # fmt: skip

_NOTE_TEXT = {
    "note.no_calibration": "{probe}: no calibration recorded; judged raw",
    "note.calibration_expired": "{probe}: calibration expired {due}; judged raw",
}


def alarm_code(kind: str, message: str) -> tuple[str, dict[str, Any]]:
    """The code and parameters of an alarm's English message (``text`` when unknown)."""
    for known, pattern, code, params in _ALARMS:
        if known == kind:
            m = re.fullmatch(pattern, message)
            if m:
                return code, params(m)
    return "text", {"text": message}


def note_code(note: str) -> dict[str, Any]:
    for pattern, code, params in _NOTES:
        m = re.fullmatch(pattern, note)
        if m:
            return {"code": code, "params": params(m)}
    return {"code": "text", "params": {"text": note}}


def _note_text(note: dict[str, Any]) -> str:
    params = note.get("params", {})
    if note.get("code") == "text":
        return str(params.get("text", ""))
    shown = {}
    for name, value in params.items():
        if isinstance(value, dict) and "instant" in value:
            moment = datetime.fromtimestamp(value["instant"] / 1_000_000, UTC)
            shown[name] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            shown[name] = value
    return _NOTE_TEXT.get(note.get("code", ""), "{probe}").format_map(shown)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def upgrade() -> None:
    with op.batch_alter_table("alarms") as batch:
        batch.add_column(
            sa.Column("code", sa.String(length=64), server_default="text", nullable=False)
        )
        batch.add_column(sa.Column("params", sa.Text(), server_default="{}", nullable=False))
    bind = op.get_bind()
    alarms = sa.table(
        "alarms", sa.column("id"), sa.column("kind"), sa.column("message"), sa.column("code"),
        sa.column("params"),
    )  # fmt: skip
    for row_id, kind, message in bind.execute(
        sa.select(alarms.c.id, alarms.c.kind, alarms.c.message)
    ).all():
        code, params = alarm_code(kind, message or "")
        bind.execute(
            sa.update(alarms).where(alarms.c.id == row_id).values(code=code, params=_dumps(params))
        )
    runs = sa.table("runs", sa.column("id"), sa.column("calibration_notes"))
    for row_id, notes in bind.execute(sa.select(runs.c.id, runs.c.calibration_notes)).all():
        old = json.loads(notes or "[]")
        new = [note if isinstance(note, dict) else note_code(str(note)) for note in old]
        bind.execute(
            sa.update(runs).where(runs.c.id == row_id).values(calibration_notes=_dumps(new))
        )


def downgrade() -> None:
    bind = op.get_bind()
    runs = sa.table("runs", sa.column("id"), sa.column("calibration_notes"))
    for row_id, notes in bind.execute(sa.select(runs.c.id, runs.c.calibration_notes)).all():
        old = json.loads(notes or "[]")
        text = [_note_text(note) if isinstance(note, dict) else note for note in old]
        bind.execute(
            sa.update(runs).where(runs.c.id == row_id).values(calibration_notes=_dumps(text))
        )
    with op.batch_alter_table("alarms") as batch:
        batch.drop_column("params")
        batch.drop_column("code")
