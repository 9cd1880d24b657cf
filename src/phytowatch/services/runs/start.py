"""Starting a run: bind one schedule version, its params and the probes' calibrations.

An expired or missing calibration does not stop the run: it is noted on the run
(``calibration_notes``, message codes) for the inspector, and the probe is judged raw.
"""

from __future__ import annotations

import json
from decimal import Decimal

from phytowatch.domain.messages import Code, Instant, Kind, Message, Refused, refused, say
from phytowatch.domain.schedule import ParamError, Schedule
from phytowatch.domain.text import LINES_AND_TABS, plain_text
from phytowatch.schedules import ScheduleFileError, load_catalog, load_one
from phytowatch.services.audit import AuditRecorder, atomic
from phytowatch.services.context import Context
from phytowatch.services.runs.ports import RunRecord, RunStore


def resolve_schedule(
    schedule_id: str, params: dict[str, str], version: str | None = None
) -> Schedule:
    try:
        if version is None:
            return load_one(schedule_id).resolve(params)
        return load_catalog().get(schedule_id, version).resolve(params)
    except KeyError:
        raise refused(Kind.INVALID, Code.SCHEDULE_UNKNOWN, schedule=schedule_id) from None
    except (ParamError, ScheduleFileError) as error:
        raise Refused(Kind.INVALID, error.message) from None


def start_run(
    store: RunStore,
    facility_code: str,
    schedule_id: str,
    *,
    params: dict[str, str] | None = None,
    load: str,
    note: str = "",
    ctx: Context,
    audit: AuditRecorder | None = None,
) -> RunRecord:
    """Start a run now: bind the schedule version, its params and the calibration offsets."""
    now = ctx.now
    facility = store.facility_by_code(facility_code)
    if facility is None:
        raise refused(Kind.NOT_FOUND, Code.NO_FACILITY, facility=facility_code)
    if not load.strip() or len(load) > 500:
        raise refused(Kind.INVALID, Code.RUN_LOAD, max=500)
    if len(note) > 2000:
        raise refused(Kind.INVALID, Code.RUN_NOTE_TOO_LONG, max=2000)
    # the rule of every text of a record (domain/text.py); line breaks and tabs are fine in a
    # note
    if not plain_text(load.strip()):
        raise refused(Kind.INVALID, Code.RUN_LOAD_PRINTABLE)
    if not plain_text(note.strip(), breaks=LINES_AND_TABS):
        raise refused(Kind.INVALID, Code.RUN_NOTE_PRINTABLE)
    if any(run.facility_id == facility.id for run in store.open_runs()):
        raise refused(Kind.CONFLICT, Code.RUN_OPEN_ALREADY, facility=facility_code)
    schedule = resolve_schedule(schedule_id, dict(params or {}))
    offsets: dict[str, str] = {}
    notes: list[Message] = []
    calibrations = store.latest_calibrations(facility.id)
    for code in facility.probes:
        found = calibrations.get(code)
        if found is None:
            notes.append(say(Code.NOTE_NO_CALIBRATION, probe=code))
            continue
        offset, due_at = found
        if due_at < now:
            notes.append(say(Code.NOTE_CALIBRATION_EXPIRED, probe=code, due=Instant(due_at)))
            continue
        if Decimal(offset) != 0:
            offsets[code] = offset
    with atomic(audit):  # the run and its entry: both, or neither
        run_id = store.create_run(
            facility.id,
            schedule.id,
            schedule.version,
            json.dumps(dict(schedule.resolved_params)),
            json.dumps(offsets),
            notes,
            load.strip(),
            note.strip(),
            now,
        )
        record = store.run(run_id)
        assert record is not None
        if audit is not None:
            audit.record(
                actor=ctx.actor,
                action="run.started",
                object_type="run",
                object_id=str(record.id),
                after={
                    "facility": record.facility_code,
                    "schedule": f"{record.schedule_id} v{record.schedule_version}",
                    "params": record.params,
                    "offsets": record.offsets,
                    "calibration_notes": [n.to_json() for n in record.calibration_notes],
                    "load": record.load,
                    "note": record.note,
                },
                now=now,
            )
    return record
